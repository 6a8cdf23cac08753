"""The first frame the app paints already shows the question, before the slower parts are mounted.

Frames are watched where Textual hands them to the terminal (App._display): a frame given while
an update batch is open is never painted, so only the others count.
"""

from __future__ import annotations

import asyncio
import gc
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static

from engine.library.index import Library
from tests.tui.conftest import PAYA, TREES
from tests.tui.pilot_steps import wait_for
from tui.app import BranchwiseApp, make_app
from tui.screens.walk import WalkScreen
from tui.startup_collection import START_THRESHOLD, collect_as_usual, collect_rarely
from tui.walk_factory import WalkOptions, build_walk
from tui.widgets.walk_header import WalkHeader


class FrameWatch:
    """What each painted frame of an app showed: the screen, its title, whether Markdown was in."""

    def __init__(self, app: BranchwiseApp) -> None:
        self.frames: list[tuple[str, str, bool]] = []
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            if renderable is not None and not app._batch_count:
                self.frames.append(_seen(screen))
            original(screen, renderable)

        app._display = display  # type: ignore[method-assign]


def _seen(screen: Any) -> tuple[str, str, bool]:
    title = ""
    if isinstance(screen, WalkScreen):
        title = str(screen.query_one("#title", Static).visual)
    markdown = any(type(w).__name__ == "Markdown" for w in screen.walk_children())
    return type(screen).__name__, title, markdown


def paya_app(tmp_path: Path) -> BranchwiseApp:
    library = Library([TREES], cache_dir=tmp_path / "cache")
    walk = build_walk(library.load(PAYA), library, None, WalkOptions())
    return make_app(library, None, walk)


async def test_the_first_walk_frame_shows_the_question_before_the_markdown_widget(
    tmp_path: Path,
) -> None:
    app = paya_app(tmp_path)
    watch = FrameWatch(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: any(markdown for _, _, markdown in watch.frames), 20)
    walk_frames = [frame for frame in watch.frames if frame[0] == "WalkScreen"]
    _, title, markdown = walk_frames[0]
    assert "Open Contacts from the left menu" in title
    assert not markdown


async def test_the_app_collects_as_usual_once_its_first_screen_is_painted(tmp_path: Path) -> None:
    usual = gc.get_threshold()
    app = paya_app(tmp_path)
    assert usual[0] != START_THRESHOLD  # or the pace after the start would prove nothing
    collect_rarely()
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, WalkScreen), 20)
            await pilot.pause(0.05)
            assert gc.get_threshold() == usual
    finally:
        collect_as_usual()


@pytest.mark.parametrize(
    ("widget", "method"),
    [(WalkScreen, "show_node"), (WalkHeader, "render")],
    ids=["while-mounting", "while-painting"],
)
async def test_a_first_screen_that_fails_ends_the_app_instead_of_holding_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, widget: type, method: str
) -> None:
    def broken(self: object) -> None:
        raise RuntimeError("the first screen broke")

    monkeypatch.setattr(widget, method, broken)
    app = paya_app(tmp_path)
    running = asyncio.ensure_future(app.run_async(headless=True, size=(80, 24)))
    ended, _ = await asyncio.wait({running}, timeout=15)
    if not ended:
        app.exit()  # so that the test does not hang in its turn
        await asyncio.wait({running}, timeout=5)
    assert ended, "the app went on waiting for a first frame that never came"
    assert app.return_code == 1


async def test_a_crash_shows_its_traceback_without_local_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(self: object) -> None:
        # What a crashing frame may hold, made at run time: the traceback shows the source.
        typed_secret = "-".join(("tok", "9f2c", "live", "secret"))
        raise RuntimeError(f"the screen broke after {len(typed_secret)} characters")

    monkeypatch.setattr(WalkScreen, "show_node", broken)
    app = paya_app(tmp_path)
    await asyncio.wait_for(app.run_async(headless=True, size=(80, 24)), timeout=20)
    shown = capsys.readouterr().err
    assert "RuntimeError: the screen broke after 20 characters" in shown
    assert "in broken" in shown
    assert "tok-9f2c-live-secret" not in shown  # no frame's locals
    assert app.return_code == 1
