"""Garbage collection paced for a start: rare until the first frame is painted, then as usual.

A start allocates mostly objects kept until exit: modules, classes, argument parsers, the tree,
the app and its widgets. Python's collector walks the young objects every 700 allocations and,
as the heap grows, every object again, which takes 20 to 50 ms of a 250 ms start and finds
next to no garbage. So the command line collects rarely while it starts; the terminal app
freezes what exists when it begins to run (taking it out of every later collection) and goes
back to the usual pace once its first screen is painted. Commands without the app only collect
less often, and the usual pace comes back when the command line returns.
"""

from __future__ import annotations

import gc

# Allocations between two young collections while starting: more than a start makes, so none
# runs before the first frame, and still a bound on the cyclic garbage a long command can keep.
START_THRESHOLD = 200_000

_USUAL = gc.get_threshold()


def collect_rarely() -> None:
    """Collect only every START_THRESHOLD allocations (older generations as usual)."""
    gc.set_threshold(START_THRESHOLD, *_USUAL[1:])


def collect_as_usual() -> None:
    """Back to the thresholds this process started with."""
    gc.set_threshold(*_USUAL)


def freeze_started() -> None:
    """Take every object alive now out of future collections, while they are all in use."""
    gc.freeze()


def thaw_started() -> None:
    """Make the frozen objects collectable again (when the app is done, before the process is)."""
    gc.unfreeze()
