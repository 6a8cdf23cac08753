"""Terminal app speed: startup against a bare Textual app, keypress latency, a 1,000-tree library.

Run by hand from the repository root: `python bench/tui.py [--repeat N] [--only MEASURE]
[--against DIR]`. Three measures:

1. Process start to the first question painted (`branchwise run` on the Paya tree, started
   like the console script, in a real pseudo-terminal, caches and bytecode warm) against a bare
   Textual app with a label and two buttons, the two started in turn. Target: ratio of medians
   <= 1.15. A busy machine slows both starts by about the same time, which lowers the ratio: the
   ratio of 10th percentiles is printed too, and `--against DIR` times another checkout (`git
   worktree add DIR REV`) in the same run, for a before and after under the same load.
2. Keypress to the next question painted on a 10,000-node generated tree (headless): the time
   to the first frame painted after the key, and to the first frame that shows the whole next
   screen (its title, its body in full and every answer button mounted). Targets: first frame
   p95 <= 16 ms, whole screen p95 <= 33 ms (two frames at 60 Hz).
3. A library of 1,000 generated trees: start to the library screen filled, then a filter typed,
   on the second start (the catalog cache warm). Target: <= 0.5 s.
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.treegen import generate_yaml  # noqa: E402

PAYA = "paya-connect/customer-portal-access"
FIRST_TITLE = b"Open Contacts from the left menu"
BARE_APP = """
from textual.app import App
from textual.widgets import Button, Label

class Bare(App):
    def compose(self):
        yield Label("Do you see the Create User button?")
        yield Button("Yes")
        yield Button("No")

Bare().run()
"""
# What pip writes as the `branchwise` console script: both apps start as `python SCRIPT`.
CONSOLE_SCRIPT = """
import re
import sys
from tui.entry import main
if __name__ == '__main__':
    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])
    sys.exit(main())
"""


def time_to_text(argv: list[str], text: bytes, env: dict[str, str], timeout: float = 20) -> float:
    """Seconds from spawning the command in an 80x24 pty until `text` is written to it."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT, start_new_session=True
    )
    os.close(slave)
    seen = b""
    try:
        while time.perf_counter() - start < timeout:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    seen += os.read(master, 65536)
                except OSError:
                    break
                if text in seen:
                    return time.perf_counter() - start
        raise RuntimeError(f"{text!r} never appeared from {argv}")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(5)
        os.close(master)


def bench_startup(repeat: int, work: Path, against: Path | None = None) -> dict[str, float]:
    """Medians (and 10th percentiles, the closest to the cost itself on a busy machine) of this
    checkout's start and the bare app's, interleaved; with `against`, another checkout's start
    (an older commit's worktree, say) in the same run, for a fair before and after."""
    (work / "bare.py").write_text(BARE_APP, encoding="utf-8")
    bare_app = [sys.executable, str(work / "bare.py")]
    starts = {"bare": (bare_app, b"Create User", env_for(ROOT, work))}
    for name, checkout in (("branchwise", ROOT), ("against", against)):
        if checkout is None:
            continue
        # The console script of that checkout: tui.entry, or tui.cli before there was one.
        entry = "tui.entry" if (checkout / "tui" / "entry.py").exists() else "tui.cli"
        script = work / f"{name}.py"
        script.write_text(CONSOLE_SCRIPT.replace("tui.entry", entry), encoding="utf-8")
        command = [sys.executable, str(script), "run", PAYA]
        starts[name] = (command, FIRST_TITLE, env_for(checkout, work / name))
    times: dict[str, list[float]] = {name: [] for name in starts}
    for command, text, env in starts.values():  # the first start fills the caches
        time_to_text(command, text, env)
    for _ in range(repeat):  # interleaved, so a busy moment slows them all
        for name, (command, text, env) in starts.items():
            times[name].append(time_to_text(command, text, env))
    bare, bare_p10 = statistics.median(times["bare"]), p10(times["bare"])
    found = {"bare_s": bare, "bare_range_s": max(times["bare"]) - min(times["bare"])}
    for name in starts.keys() - {"bare"}:
        found[f"{name}_s"] = statistics.median(times[name])
        found[f"{name}_range_s"] = max(times[name]) - min(times[name])
        found[f"{name}_ratio"] = found[f"{name}_s"] / bare
        found[f"{name}_p10_ratio"] = p10(times[name]) / bare_p10
    return found


def env_for(checkout: Path, work: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "TERM": "xterm-256color",
        "BRANCHWISE_DATA_DIR": str(work / "data"),
        "BRANCHWISE_CACHE_DIR": str(work / "cache"),
        "BRANCHWISE_CONFIG": str(work / "absent.toml"),
        "PYTHONPATH": str(checkout),
        # An installed program runs from compiled bytecode: each start gets a bytecode cache of
        # its own (filled by the first start), whatever PYTHONDONTWRITEBYTECODE says here.
        "PYTHONPYCACHEPREFIX": str(work / "pycache"),
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def p10(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[round(0.1 * (len(ordered) - 1))]


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


async def bench_keypress(steps: int, work: Path) -> dict[str, float]:
    from engine.library.index import Library
    from engine.tree.reader import Limits, read_text
    from engine.tree.validation import check_document
    from engine.walk.action_runner import ActionRunner
    from engine.walk.walker import Walk
    from tui.app import make_app
    from tui.screens.walk import WalkScreen
    from tui.widgets.answer_buttons import AnswerButtons
    from tui.widgets.node_body import NodeBody

    # 10,000 nodes is past the reader's file-size limit for trees: read with a larger one.
    doc = read_text(generate_yaml(10_000, "bench/big"), "big.yaml", Limits(max_bytes=8 << 20))
    tree = check_document(doc).tree
    assert tree is not None, "the generated tree does not build"
    library = Library([])

    def fresh() -> Walk:
        return Walk(tree, resolve_tree=library.load, runner=ActionRunner())

    app = make_app(library, None, fresh())
    frames: list[float] = []
    original = app._display

    def timed_display(screen: object, renderable: object) -> None:
        frames.append(time.perf_counter())
        original(screen, renderable)  # type: ignore[arg-type]

    app._display = timed_display  # type: ignore[method-assign]
    first: list[float] = []
    full: list[float] = []
    whole: list[float] = []  # when the frame showing the whole next screen was painted
    left: list[int] = []  # the step the key was pressed at

    def whole_screen(screen: object) -> bool:
        """The screen shows a new step in full: title, settled body, every answer mounted."""
        if not isinstance(screen, WalkScreen) or not left or screen.prompt.step == left[0]:
            return False
        answers = screen.query_one(AnswerButtons)
        return screen.query_one(NodeBody).settled and all(
            button.is_mounted for button in answers.shown_buttons
        )

    def timed_whole(screen: object, renderable: object) -> None:
        timed_display(screen, renderable)
        if not whole and whole_screen(app.screen):
            whole.append(frames[-1])

    app._display = timed_whole  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40), headless=True) as pilot:
        await pilot.pause(0.5)
        while len(first) < steps:
            screen = app.screen
            if not isinstance(screen, WalkScreen):
                await app.open_walk(fresh())
                await pilot.pause(0.2)
                continue
            key = "1" if screen.walk.options() else None
            if key is None:  # an input node: give it a value, not timed
                await pilot.press("A", "enter")
                continue
            frames.clear()
            whole.clear()
            left[:] = [screen.prompt.step]
            start = time.perf_counter()
            await pilot.press(key)
            for _ in range(400):
                if whole or not isinstance(app.screen, WalkScreen):
                    break
                await asyncio.sleep(0.001)
            if frames and whole and isinstance(app.screen, WalkScreen):  # an outcome is no step
                first.append(frames[0] - start)
                full.append(whole[0] - start)
    return {
        "first_frame_p95_ms": p95(first) * 1000,
        "first_frame_median_ms": statistics.median(first) * 1000,
        "whole_p95_ms": p95(full) * 1000,
        "whole_median_ms": statistics.median(full) * 1000,
        "samples": float(len(first)),
    }


def bench_library(work: Path) -> dict[str, float]:
    trees = work / "lib"
    trees.mkdir()
    for i in range(1000):
        (trees / f"t{i:04}.yaml").write_text(
            generate_yaml(40, f"bench/tree-{i:04}"), encoding="utf-8"
        )
    script = f"""
import asyncio, sys, time
start = time.perf_counter()
sys.path.insert(0, {str(ROOT)!r})
from pathlib import Path
from engine.library.index import Library
from tui.app import make_app
from textual.widgets import DataTable

async def main():
    library = Library([Path({str(trees)!r})], cache_dir=Path({str(work / "cache-lib")!r}))
    app = make_app(library)
    frames = []
    display = app._display

    def timed_display(screen, renderable):
        if renderable is not None:
            frames.append(time.perf_counter())
        display(screen, renderable)

    app._display = timed_display
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.screen.query_one("#trees", DataTable)
        while table.row_count < 100:
            await pilot.pause(0.005)
        shown = time.perf_counter() - start
        app.screen.query_one("#search").value = "tree-004"  # a query pasted at once
        while table.row_count != 10:
            await pilot.pause(0.005)
        filtered = time.perf_counter() - start
        rows = table.row_count
        app.screen.query_one("#search").value = ""
        await pilot.pause(0.1)
        screen = app.screen
        filled = []
        show_trees = screen.show_trees

        def timed_show_trees(query):
            show_trees(query)
            filled.append(time.perf_counter())

        screen.show_trees = timed_show_trees
        per_key = []
        for key in "tree-00":  # typed key by key: each key to the first frame of the new table
            frames.clear()
            filled.clear()
            typed = time.perf_counter()
            await pilot.press(key)
            per_key.append(next(t for t in frames if t > filled[-1]) - typed)
        print(shown, filtered, rows, sorted(per_key)[len(per_key) // 2])

asyncio.run(main())
"""
    runs = []
    for _ in range(2):  # the second start is the one measured: the catalog is cached
        done = subprocess.run(
            [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
        )
        runs.append([float(x) for x in done.stdout.split()])
    shown, filtered, rows, per_key = runs[-1]
    return {
        "library_shown_s": shown,
        "filtered_s": filtered,
        "rows_after_filter": rows,
        "per_key_ms": per_key * 1000,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=11, help="startup repetitions (default 11)")
    parser.add_argument("--steps", type=int, default=200, help="keypresses timed (default 200)")
    parser.add_argument(
        "--against",
        type=Path,
        metavar="DIR",
        help="also time another checkout's start in the same run (git worktree add DIR REV)",
    )
    parser.add_argument(
        "--only",
        choices=("startup", "keypress", "library"),
        action="append",
        help="run only this measure (repeatable; default: all three)",
    )
    args = parser.parse_args()
    measures = args.only or ["startup", "keypress", "library"]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if "startup" in measures:
            report_startup(bench_startup(args.repeat, work, args.against), args.repeat)
        if "keypress" in measures:
            report_keypress(asyncio.run(bench_keypress(args.steps, work)))
        if "library" in measures:
            report_library(bench_library(work))
    return 0


def report_startup(startup: dict[str, float], repeat: int) -> None:
    print(
        f"startup, median of {repeat}: branchwise {startup['branchwise_s'] * 1000:.0f} ms "
        f"(spread {startup['branchwise_range_s'] * 1000:.0f} ms), bare Textual app "
        f"{startup['bare_s'] * 1000:.0f} ms (spread {startup['bare_range_s'] * 1000:.0f} ms), "
        f"ratio {startup['branchwise_ratio']:.2f} (target <= 1.15); "
        f"ratio of 10th percentiles {startup['branchwise_p10_ratio']:.2f}"
    )
    if "against_s" in startup:
        print(
            f"  the other checkout, same run: {startup['against_s'] * 1000:.0f} ms, "
            f"ratio {startup['against_ratio']:.2f}, "
            f"ratio of 10th percentiles {startup['against_p10_ratio']:.2f}"
        )


def report_keypress(keys: dict[str, float]) -> None:
    print(
        f"keypress to next question (10k nodes, {keys['samples']:.0f} presses): first frame "
        f"p95 {keys['first_frame_p95_ms']:.1f} ms (median {keys['first_frame_median_ms']:.1f}"
        f" ms, target <= 16), whole screen (title, body, answers) p95 "
        f"{keys['whole_p95_ms']:.1f} ms (median {keys['whole_median_ms']:.1f} ms, target <= 33)"
    )


def report_library(lib: dict[str, float]) -> None:
    print(
        f"library of 1,000 trees, second start: shown in {lib['library_shown_s']:.2f} s, "
        f"filtered to {lib['rows_after_filter']:.0f} rows by {lib['filtered_s']:.2f} s "
        f"(target <= 0.5 s); typing: {lib['per_key_ms']:.0f} ms from a key to the table it "
        "filters painted (median)"
    )


if __name__ == "__main__":
    sys.exit(main())
