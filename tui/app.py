"""The terminal app: which screen shows when, and the entry points the command line calls."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events
from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen

from engine.errors import BranchwiseError
from tui.palette import walk_commands
from tui.startup_collection import collect_as_usual, freeze_started, thaw_started

if TYPE_CHECKING:
    from engine.library.index import Library
    from engine.sessions.record import SessionRecord
    from engine.walk.action_runner import ActionRunner
    from engine.walk.walker import Walk
    from tui.walk_factory import WalkOptions


# Keys a browser keeps for itself (a new window, a new tab, quitting the browser): served in a
# browser, the footer shows the second key each of these bindings has instead.
BROWSER_KEEPS = {"ctrl+n": "f2", "ctrl+t": "f3", "ctrl+q": "f10"}

# Seconds between two looks at whether the app is ending while its first screen is awaited.
FAILED_START_POLL = 0.1


class BranchwiseApp(App[int]):
    """Library, walk, outcome: one main screen at a time, dialogs and transcripts on top."""

    CSS_PATH = "app.tcss"
    TITLE = "branchwise"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+q,f10", "quit", "Quit", priority=True)]
    COMMANDS = App.COMMANDS | {walk_commands}

    def __init__(
        self,
        library: Library,
        store: Any = None,
        walk: Walk | None = None,
        *,
        options: WalkOptions | None = None,
        runner: ActionRunner | None = None,
        clock: Callable[[], float] = time.time,
        open_store: Callable[[], Any] | None = None,
    ) -> None:
        super().__init__()
        self.library = library
        self.store = store
        self._open_store = open_store
        self.store_error: BranchwiseError | None = None
        if options is None:
            from tui.walk_factory import WalkOptions

            options = WalkOptions()
        self.options = options
        self.runner = runner
        self.clock = clock
        self.first_walk = walk
        self.last_walk = walk
        self.path_toggled = False  # ctrl+b on a walk screen; kept for the walks after it

    async def on_event(self, event: events.Event) -> None:
        # Keys are handed to the walk screen here, as the app reads them: forwarded to the
        # focused widget, each would reach the screen through the message queues of the widgets
        # between, and a key typed after Enter (whose answer button posts a message of its own)
        # or after a change of focus could be handled before it.
        if isinstance(event, events.Key) and not event.is_forwarded:
            take_key = getattr(self.screen, "take_key", None)
            if callable(take_key) and take_key(event):
                return
        await super().on_event(event)

    @property
    def watching(self) -> bool:
        return self.options.watch

    @property
    def dry_run(self) -> bool:
        return self.options.dry_run

    @property
    def exit_code(self) -> int:
        """0 when the last walk shown reached an outcome, 1 otherwise."""
        return 0 if self.last_walk is not None and self.last_walk.finished else 1

    def get_key_display(self, binding: Binding) -> str:
        if self.is_web and binding.key in BROWSER_KEEPS:
            second = BROWSER_KEEPS[binding.key]
            binding = binding.with_key(second, key_display=second.upper())
        return super().get_key_display(binding)

    def on_mount(self) -> None:
        # Not shown from here: a screen pushed while the app mounts is laid out inside Textual's
        # start-up batch, whose frames are never painted, so the first question would wait for
        # every task the screen runs after its first refresh (the Markdown widget, more panels).
        self.call_later(self._show_first_screen)

    async def _show_first_screen(self) -> None:
        """The library or the first walk; keys wait until its first frame is painted and the
        tasks it runs after that frame are done, as they would for a screen shown while mounting.
        """
        if self.first_walk is None:
            await self.show_library()
        else:
            await self.open_walk(self.first_walk)
            if self.watching:
                from tui.tree_reload import TreeWatcher

                TreeWatcher(self, self.first_walk.tree.path).start()
        if not await self._first_frame_painted():
            return
        self._join_store()
        collect_as_usual()  # the start is over (see tui.startup_collection)

    def _fatal_error(self) -> None:
        """End after an unhandled exception, its traceback shown without local values.

        Textual shows every frame's locals, and those may hold a secret typed into an input or a
        credential from the config; a crash's output is what gets pasted into a ticket. This
        replaces Textual's own method of that name: tests/tui/test_first_frame.py fails loudly
        if Textual stops calling it.
        """
        from rich.traceback import Traceback

        self.bell()
        self.panic(Traceback(show_locals=False, width=None))

    async def _first_frame_painted(self) -> bool:
        """Wait until the screen shown is painted; False when the app is ending instead.

        A screen that fails (an exception in it ends the app) may never be painted, and the app
        cannot end while its start waits: so the wait also ends once the app has a return code.
        """
        painted = asyncio.ensure_future(self.screen.wait_for_refresh())
        while self.return_code is None:
            done, _ = await asyncio.wait({painted}, timeout=FAILED_START_POLL)
            if done:
                return True
        painted.cancel()
        return False

    def _join_store(self) -> None:
        """Open the session store the first walk was begun without, and record the walk in it,
        with the default agent (tui.walk_factory.default_agent) unless --agent gave one.

        Opening it (SQLite and the session records) costs a start a few milliseconds, so a new
        walk's first question is painted first; keys wait until the walk is recorded.
        """
        if self._open_store is None:
            return
        try:
            self.store = self._open_store()
            if self.first_walk is not None and self.store is not None:
                if not self.first_walk.agent:
                    from tui.walk_factory import default_agent

                    self.first_walk.agent = default_agent()
                self.first_walk.record_with(self.store.recorder(preview=self.watching))
        except BranchwiseError as exc:
            self.store_error = exc
            self.exit(return_code=exc.exit_code)

    def _show(self, screen: Screen[Any]) -> Awaitable[Any]:
        if len(self.screen_stack) > 1:
            return self.switch_screen(screen)
        return self.push_screen(screen)

    @property
    def main_screen(self) -> Screen[Any] | None:
        """The library, walk or outcome screen, under any dialog shown on top of it."""
        return self.screen_stack[1] if len(self.screen_stack) > 1 else None

    def reload_walk(self, walk: Walk) -> None:
        """Show the walk rebuilt on a reloaded tree in place of the one shown."""
        main = self.main_screen
        replace = getattr(main, "replace_walk", None)
        if callable(replace):
            self.last_walk = walk
            replace(walk)
        elif main is self.screen:
            self.open_walk(walk)

    def open_walk(self, walk: Walk) -> Awaitable[Any]:
        """Show a walk from its current node (await it to act once it is shown)."""
        from tui.screens.walk import WalkScreen

        self.last_walk = walk
        return self._show(WalkScreen(walk))

    def show_outcome(self, walk: Walk) -> None:
        from tui.screens.outcome import OutcomeScreen

        self.last_walk = walk
        self._show(OutcomeScreen(walk))

    def show_library(self) -> Awaitable[Any]:
        from tui.screens.library import LibraryScreen

        return self._show(LibraryScreen())

    def show_transcript(self, walk: Walk) -> None:
        from tui.screens.transcript import TranscriptScreen

        self.push_screen(TranscriptScreen(walk, self.store))

    def show_record(self, record: SessionRecord) -> None:
        """The transcript of a stored session that has ended."""
        from tui.screens.transcript import TranscriptScreen

        self.push_screen(TranscriptScreen(record=record))

    def show_help(self) -> None:
        from tui.screens.help import HelpScreen

        self.push_screen(HelpScreen())

    def new_walk(self, tree_ref: str, after: Walk | None = None) -> Walk:
        """A new session of a tree of the library, recorded in the store; one begun `after`
        another (the outcome screen's New session) is walked by the same agent, for another
        ticket."""
        import dataclasses

        from tui.walk_factory import build_walk

        tree = self.library.load(tree_ref)
        options = self.options
        if after is not None:
            options = dataclasses.replace(options, agent=after.agent, ticket="")
        return build_walk(
            tree, self.library, self.store, options, runner=self.runner, clock=self.clock
        )


def make_app(
    library: Library,
    store: Any = None,
    walk: Walk | None = None,
    **options: Any,
) -> BranchwiseApp:
    """The app on a library (and a walk to show first); tests point it at fixture trees.

    `watch`, `dry_run` and `manual` may be given on their own, as shorthand for `options`."""
    import dataclasses

    from tui.walk_factory import WalkOptions

    given = options.pop("options", None) or WalkOptions()
    flags = {name: options.pop(name) for name in ("watch", "dry_run", "manual") if name in options}
    walk_options = dataclasses.replace(given, **flags) if flags else given
    return BranchwiseApp(library, store, walk, options=walk_options, **options)


def run_walk_app(
    walk: Walk,
    library: Library,
    store: Any,
    options: WalkOptions,
    open_store: Callable[[], Any] | None = None,
) -> int:
    """Show a walk already begun; 0 when it reached an outcome, 1 when it stopped short.

    With `open_store`, the walk is not recorded yet: the store is opened once the first
    question is painted (BranchwiseApp._join_store), and closed when the app ends.
    """
    app = make_app(library, store, walk, options=options, open_store=open_store)
    try:
        _run_frozen(app)
    finally:
        if open_store is not None:
            close = getattr(app.store, "close", None)
            if callable(close):
                close()
    if app.store_error is not None:
        raise app.store_error
    last = app.last_walk
    if last is not None and not last.finished and app.store is not None:
        from tui.walk_factory import resume_command

        # The last walk may be of another tree than the one started (opened from the library);
        # a tree opened by its path is found again by that path, not by an id another file has.
        entry = library.entries.get(last.tree.id)
        known = entry is not None and Path(entry.path).resolve() == Path(last.tree.path).resolve()
        ref = last.tree.id if known else last.tree.path
        command = resume_command(options, last, ref)
        message = f"branchwise: session {last.id} is still open; resume it with '{command}'"
        print(message, file=sys.stderr)
    return app.exit_code


def run_library_app(library: Library, store: Any, options: WalkOptions) -> int:
    """The library screen (`branchwise` alone); 0 unless a walk opened from it stopped short."""
    app = make_app(library, store, None, options=options)
    _run_frozen(app)
    return 0 if app.last_walk is None else app.exit_code


def _run_frozen(app: BranchwiseApp) -> None:
    """Run the app with what the start made left out of every collection: all of it (modules,
    the library, the tree, the app) lives as long as the app does."""
    freeze_started()
    try:
        app.run()
    finally:
        thaw_started()
