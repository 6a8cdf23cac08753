"""Validation problems of a watched tree file, shown instead of crashing; hidden when none."""

from __future__ import annotations

from collections.abc import Sequence

from textual.widgets import Static

from tui.literal import literal


class ProblemsPanel(Static):
    """The problems of the last reload, one `PATH:LINE:COL: severity: message (rule)` per line."""

    def show(self, problems: Sequence[object], message: str = "") -> None:
        """Show these problems (and a message above them); nothing hides the panel."""
        # Imported here: only a watched file's reload shows problems, never a walk's first frame.
        from engine.tree.problems import Problem
        from engine.tree.report import format_text

        listed = [p for p in problems if isinstance(p, Problem)]
        text = format_text(listed).rstrip("\n")
        shown = "\n".join(part for part in (message, text) if part)
        self.update(literal(shown))
        self.border_title = f"Problems ({len(listed)})" if listed else "Problem"
        self.display = bool(shown)
