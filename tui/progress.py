"""A progress bar on a terminal's stderr for long commands (`sessions copy`); nothing elsewhere."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

from tui.streams import is_terminal

WIDTH = 30
# Fewer items than this finish too fast for a bar to be worth drawing.
SHOWN_FROM = 500


@contextmanager
def progress_bar(stream: TextIO, label: str) -> Iterator[Callable[[int, int], None]]:
    """A callable taking (done, total) that redraws one line on `stream` when it is a terminal;
    the line is cleared when the block ends."""
    terminal = is_terminal(stream)
    drawn = False

    def show(done: int, total: int) -> None:
        nonlocal drawn
        if not terminal or total < SHOWN_FROM:
            return
        filled = WIDTH * done // max(total, 1)
        bar = "#" * filled + "-" * (WIDTH - filled)
        stream.write(f"\r{label} [{bar}] {done}/{total}")
        stream.flush()
        drawn = True

    try:
        yield show
    finally:
        if drawn:
            stream.write("\r\x1b[2K")
            stream.flush()
