"""Benchmark: what aliases may cost validate, run and graph, against a same-size file without.

    python bench/aliases.py

Three files: an anchored 900 kB body repeated by one alias (aliases may repeat what the file
holds plus 64 KiB), a file of the same size whose bodies are written out once each (the
baseline), and the attack the limit stops (a 1.9 MB body reused by 99 aliases). Each command
runs in its own process; the figures are wall time, peak memory and bytes printed, and the
ratios of the aliased file to the baseline. Target: every ratio at most 2; the attack refused.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

HEAD = """\
schema: branchwise/v1
id: bench/aliases
version: 1
title: Aliases
start: s0
nodes:
"""


def tree(bodies: list[str], steps: int) -> str:
    """Steps s0..s{steps-1}, each showing one of `bodies` (text, or an alias), then an outcome."""
    lines = [HEAD]
    for i in range(steps):
        lines.append(f"  s{i}:\n    type: step\n    title: Step {i}\n")
        lines.append(f"    body: {bodies[i % len(bodies)]}\n    next: s{i + 1}\n")
    lines.append(f"  s{steps}:\n    type: outcome\n    status: resolved\n    title: Done\n")
    return "".join(lines)


def files(folder: Path) -> dict[str, Path]:
    body = "word " * (900_000 // 5)  # one alias of it: what the file holds, repeated once
    aliased = tree([f"&b {body}", "*b"], 2)
    # The baseline holds as many bytes, each body written out once.
    baseline = tree(["word " * (len(body) // 10)], 2)
    attack = tree(["&b " + "word " * (1_900_000 // 5), *["*b"] * 99], 100)
    written = {"aliased": aliased, "baseline": baseline, "attack": attack}
    paths = {}
    for name, text in written.items():
        paths[name] = folder / f"{name}.yaml"
        paths[name].write_text(text, "utf-8")
    return paths


# Runs the command as the console script does, and writes its own peak memory when it exits.
CHILD = """
import atexit, os, resource, runpy, sys
peak = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
atexit.register(lambda: open(os.environ["BENCH_PEAK_FILE"], "w").write(str(peak())))
sys.argv = ["branchwise", *sys.argv[1:]]
runpy.run_module("tui.entry", run_name="__main__")
"""


def measure(args: list[str], peak_file: Path, stdin: str = "") -> tuple[float, float, int, int]:
    """(seconds, peak MiB, bytes printed, exit code) of one branchwise command."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *args],
        input=stdin.encode(),
        capture_output=True,
        cwd=REPO,
        env={**os.environ, "BENCH_PEAK_FILE": str(peak_file)},
        check=False,
    )
    seconds = time.perf_counter() - started
    peak = int(peak_file.read_text()) / 1024
    return seconds, peak, len(done.stdout) + len(done.stderr), done.returncode


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        paths = files(Path(folder))
        db = ["--db", str(Path(folder) / "s.sqlite3")]
        commands = {
            "validate": lambda p: ["validate", str(p)],
            "run": lambda p: ["run", str(p), "--plain", *db],
            "graph": lambda p: ["graph", str(p)],
        }
        sizes = ", ".join(f"{name} {path.stat().st_size:,} B" for name, path in paths.items())
        print(f"files: {sizes}")
        for command, argv in commands.items():
            peak_file = Path(folder) / "peak"
            seen = {n: measure(argv(p), peak_file, "\n" * 200) for n, p in paths.items()}
            a, b, x = seen["aliased"], seen["baseline"], seen["attack"]
            print(
                f"{command:<8} aliased {a[0]:.2f} s {a[1]:.0f} MiB {a[2]:,} B printed | "
                f"baseline {b[0]:.2f} s {b[1]:.0f} MiB {b[2]:,} B | ratios: time "
                f"{a[0] / b[0]:.2f}, memory {a[1] / b[1]:.2f}, printed {a[2] / max(b[2], 1):.2f} | "
                f"attack {x[0]:.2f} s {x[1]:.0f} MiB, exit {x[3]}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
