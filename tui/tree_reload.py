"""`run --watch`: reload the walked tree when its file changes and carry the walk over to it.

The walk is rebuilt by replaying its answers on the new tree with
engine.sessions.resume.replay_session, as resuming a session does: it stays on the current node
when the answers still lead there, and stops at the last step they still fit otherwise. A file
with errors shows its problems instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.errors import BranchwiseError
from tui.literal import notify_plain

if TYPE_CHECKING:
    from engine.library.index import Library
    from engine.tree.model import Tree
    from engine.walk.walker import Walk
    from tui.app import BranchwiseApp

POLL_SECONDS = 0.5


def file_stamp(path: str) -> tuple[int, int] | None:
    """What changes when a file is saved: its modification time and size (None if gone)."""
    try:
        stat = Path(path).stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def rebuild(old: Walk, tree: Tree, library: Library, store: Any) -> tuple[Walk, str | None]:
    """The same session on the reloaded tree: (the walk, why it stopped short or None)."""
    from engine.sessions.record import record_of
    from engine.sessions.resume import replay_session

    recorder = store.recorder(resuming=True) if store is not None else None
    walk, _, stopped = replay_session(
        record_of(old),
        tree,
        library,
        old.runner,
        recorder,
        old.given,
        clock=old.clock,
        reason="the tree file changed",
    )
    return walk, stopped


class TreeWatcher:
    """Polls one tree file and hands the app a rebuilt walk, or the file's problems."""

    def __init__(self, app: BranchwiseApp, path: str) -> None:
        self.app = app
        self.path = path
        self.stamp = file_stamp(path)

    def start(self) -> None:
        self.app.set_interval(POLL_SECONDS, self.check)

    def check(self) -> None:
        """Reload when the file changed since the last look."""
        stamp = file_stamp(self.path)
        if stamp != self.stamp:
            self.stamp = stamp
            self.reload()

    def reload(self) -> None:
        walk = self.app.last_walk
        if walk is None or walk.tree.path != self.path:
            return  # another tree is being walked now
        try:
            checked = self.app.library.check(self.path)
        except (BranchwiseError, OSError) as exc:
            self._problems([], f"cannot reload {self.path}: {exc}")
            return
        errors = [p for p in checked.problems if p.is_error]
        if checked.tree is None or errors:
            self._problems(checked.problems, f"{self.path} has {len(errors)} error(s)")
            return
        new, stopped = rebuild(walk, checked.tree, self.app.library, self.app.store)
        self._problems(checked.problems, "")
        self.app.reload_walk(new)
        if stopped:
            notify_plain(self.app, stopped, "warning", timeout=8)

    def _problems(self, problems: Sequence[object], message: str) -> None:
        show = getattr(self.app.main_screen, "show_problems", None)
        if callable(show):
            show(problems, message)
        elif message:
            notify_plain(self.app, message, "error", timeout=8)
