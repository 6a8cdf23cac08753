"""Steps per second through a generated 10k-node tree or a real one, SQLite store on and off.

Run by hand: `python bench/walk.py [TREE.yaml] [--nodes N] [--seconds S] [--profile]`. Without
TREE, each walk starts at the generated tree's start and answers at random (never "Not sure", so
walks go deep) until an outcome. With TREE, the walks go in turn to each of its outcomes along
the shortest path, typed answers as `branchwise test --generate` writes them, actions by hand.
Every answer is one step. With the store on, each step is committed to a SQLite file before
the next node is shown, as `branchwise run` does.
"""

from __future__ import annotations

import argparse
import cProfile
import itertools
import pstats
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.treegen import generate_yaml
from engine.authoring.starter import shortest_answers
from engine.sessions.store import Store
from engine.tree.model import Input, Tree
from engine.tree.reader import Limits
from engine.tree.validation import check_file
from engine.walk.walker import NullRecorder, Recorder, Walk

TARGET_STORED = 5_000
TARGET_BARE = 200_000


@dataclass(frozen=True)
class Measured:
    """Steps taken in how many seconds, over how many walks."""

    steps: int
    seconds: float
    walks: int

    @property
    def rate(self) -> float:
        return self.steps / self.seconds if self.seconds else 0.0


def load_tree(nodes: int, directory: Path) -> Tree:
    """The generated tree written to a file, read and checked as `branchwise run` does.

    10k nodes make a file over the default size limit, so the limit is raised for it.
    """
    path = directory / "generated.yaml"
    path.write_text(generate_yaml(nodes), encoding="utf-8")
    checked = check_file(path, limits=Limits(max_bytes=path.stat().st_size + 1))
    errors = [p for p in checked.problems if p.is_error]
    if checked.tree is None or errors:
        raise SystemExit(f"the generated tree has errors: {errors[:3]}")
    return checked.tree


def load_path(path: Path) -> Tree:
    """A real tree, read and checked as `branchwise run` does; its errors end the run."""
    if not path.is_file():
        raise SystemExit(f"no tree file at {path}")
    checked = check_file(path)
    errors = [p for p in checked.problems if p.is_error]
    if checked.tree is None or errors:
        raise SystemExit(f"{path} has errors; run 'branchwise validate {path}'")
    return checked.tree


def routes_to_outcomes(tree: Tree) -> list[tuple[str, list[str]]]:
    """(outcome, answers) for every outcome, each checked to reach it before anything is timed."""
    routes = sorted(shortest_answers(tree).items())
    for outcome, answers in routes:
        walk = Walk(tree)
        steps = walk_route(walk, answers)
        if walk.outcome != outcome:
            raise SystemExit(f"the answers for {outcome} stopped at {walk.node.id} ({steps} steps)")
    if not routes:
        raise SystemExit("no outcome of this tree can be reached by its answers")
    return routes


def walk_route(walk: Walk, answers: list[str]) -> int:
    """Give the answers in order, as typed. Steps taken."""
    for answer in answers:
        walk.answer(answer)
    return len(answers)


def measure_routes(
    tree: Tree,
    routes: list[tuple[str, list[str]]],
    recorder: Callable[[], Recorder],
    seconds: float,
) -> Measured:
    """Walk to each outcome in turn, again and again, for about `seconds`."""
    steps = walks = 0
    started = time.perf_counter()
    deadline = started + seconds
    for _outcome, answers in itertools.cycle(routes):
        if time.perf_counter() >= deadline:
            break
        steps += walk_route(Walk(tree, recorder=recorder()), answers)
        walks += 1
    return Measured(steps, time.perf_counter() - started, walks)


def walk_once(walk: Walk, picks: Iterator[int]) -> int:
    """Answer until the walk ends, as a face would: options shown, one chosen. Steps taken."""
    steps = 0
    while not walk.finished:
        if isinstance(walk.node, Input):
            walk.submit("REF-42")
        else:
            options = walk.options()
            # Yes or No at random; a step's only option is Continue.
            walk.choose(options[next(picks)] if len(options) > 1 else options[0])
        steps += 1
    return steps


def measure(tree: Tree, recorder: Callable[[], Recorder], seconds: float) -> Measured:
    """Walk again and again for about `seconds`."""
    rng = random.Random(20260101)
    picks = itertools.cycle([rng.randrange(2) for _ in range(4099)])
    steps = walks = 0
    started = time.perf_counter()
    deadline = started + seconds
    while time.perf_counter() < deadline:
        steps += walk_once(Walk(tree, recorder=recorder()), picks)
        walks += 1
    return Measured(steps, time.perf_counter() - started, walks)


def report(name: str, measured: Measured, target: int) -> str:
    ratio = measured.rate / target
    verdict = "meets" if ratio >= 1 else "MISSES"
    return (
        f"{name:<16} {measured.rate:>12,.0f} steps/s  ({measured.steps:,} steps in "
        f"{measured.walks:,} walks, {measured.seconds:.2f} s)  target {target:,}: "
        f"{ratio:.2f}x, {verdict}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", nargs="?", type=Path, help="a tree file to walk to each outcome")
    parser.add_argument("--nodes", type=int, default=10_000, help="size of the generated tree")
    parser.add_argument("--seconds", type=float, default=3.0, help="time spent on each run")
    parser.add_argument("--profile", action="store_true", help="profile the store-off run")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder)
        tree = load_path(args.tree) if args.tree else load_tree(args.nodes, directory)
        timed = timer(tree, args.tree is not None)
        with Store(directory / "sessions.sqlite3") as store:
            stored = timed(store.recorder, args.seconds)
        bare = timed(NullRecorder, args.seconds)
        print(report("store on", stored, TARGET_STORED))
        print(report("store off", bare, TARGET_BARE))
        if args.profile:
            profile(timed, args.seconds)
    return 0 if stored.rate >= TARGET_STORED and bare.rate >= TARGET_BARE else 1


def timer(tree: Tree, to_outcomes: bool) -> Callable[[Callable[[], Recorder], float], Measured]:
    """How the tree is walked: to each outcome in turn, or at random."""
    if not to_outcomes:
        print(f"tree: {len(tree.nodes):,} nodes")
        return lambda recorder, seconds: measure(tree, recorder, seconds)
    routes = routes_to_outcomes(tree)
    longest = max(len(answers) for _, answers in routes)
    print(
        f"tree: {tree.id}, {len(tree.nodes):,} nodes; walks to each of its {len(routes)} "
        f"outcomes (checked), {longest} steps at the most"
    )
    return lambda recorder, seconds: measure_routes(tree, routes, recorder, seconds)


def profile(timed: Callable[[Callable[[], Recorder], float], Measured], seconds: float) -> None:
    profiler = cProfile.Profile()
    profiler.runcall(timed, NullRecorder, seconds)
    pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


if __name__ == "__main__":
    sys.exit(main())
