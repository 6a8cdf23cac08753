"""The command palette's own commands: every binding of the screen it was opened from."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


def walk_commands() -> type[Provider]:
    """The provider class (a callable, so App.COMMANDS loads it only when the palette opens)."""
    return ScreenCommands


class ScreenCommands(Provider):
    """Back, Restart, Note, Transcript, Help… whatever the screen offers, searchable by name."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        screen = self.screen
        seen: set[str] = set()
        commands: list[tuple[str, str, Callable[[], object]]] = []
        for key, active in screen.active_bindings.items():
            binding = active.binding
            if not binding.description or binding.action in seen or not active.enabled:
                continue
            seen.add(binding.action)
            run = partial(self.app.run_action, binding.action, active.node)
            shown_key = binding.key_display or self.app.get_key_display(binding)
            commands.append((binding.description, f"key: {shown_key or key}", run))
        return commands

    async def discover(self) -> Hits:
        for name, help_text, run in self._commands():
            yield DiscoveryHit(name, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, run in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), run, help=help_text)
