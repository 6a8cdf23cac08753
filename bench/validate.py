"""Benchmark: validating trees of 1k, 10k and 50k nodes against a raw PyYAML parse, and peak memory.

    python bench/validate.py                      # generated trees only
    python bench/validate.py path/to/tree.yaml    # and real trees too

Each measurement runs in its own fresh process, so peak RSS is that of a process that only
parses, or only validates. Times are the best of a few runs in that process (the first run,
which pays for imports and building the schema checker, is shown too), plus the wall time of
the real `branchwise validate` command. Targets: validate <= 1.5x the raw parse at 10k nodes,
peak memory < 200 MiB at 50k nodes.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SIZES = (1_000, 10_000, 50_000)
MAX_BYTES = 1 << 30
RATIO_TARGET = (10_000, 1.5)
MEMORY_TARGET = (50_000, 200.0)
BUDGET_SECONDS = 20.0


def timed_runs(work: Callable[[], object]) -> tuple[float, float]:
    """(first, best) seconds of up to 5 runs of work, stopping once the budget is spent."""
    times: list[float] = []
    spent = 0.0
    while len(times) < 5 and (len(times) < 2 or spent < BUDGET_SECONDS):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
        spent += times[-1]
    return times[0], min(times)


def child(mode: str, path: Path) -> int:
    """Measure one thing in this process and print it as JSON."""
    sys.path.insert(0, str(REPO))
    if mode == "parse":
        import yaml

        text = path.read_text("utf-8")
        first, best = timed_runs(lambda: yaml.load(text, Loader=yaml.CSafeLoader))
        problems = 0
    else:
        from engine.actions.catalog import default_registry
        from engine.tree.reader import Limits
        from engine.tree.validation import validate_paths

        registry = default_registry()
        found: list[int] = []

        def validate() -> None:
            found.append(len(validate_paths([path], registry, frozenset(), Limits(MAX_BYTES))))

        first, best = timed_runs(validate)
        problems = found[-1]
    peak = {"first": first, "best": best, "peak_mib": peak_rss_mib(), "problems": problems}
    print(json.dumps(peak))
    return 0


def peak_rss_mib() -> float:
    """This process's peak resident memory.

    VmHWM belongs to the process image, so unlike ru_maxrss it does not carry over the parent's
    peak through fork and exec.
    """
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kib = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(kib) / 1024


def measure(mode: str, path: Path) -> dict[str, float]:
    result = subprocess.run(
        [sys.executable, __file__, "--child", mode, str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    measured: dict[str, float] = json.loads(result.stdout)
    return measured


def cli_seconds(path: Path) -> float:
    """Wall time of the real command, from process start to exit."""
    command = [sys.executable, "-m", "tui.entry", "validate", "--max-bytes", str(MAX_BYTES)]
    started = time.perf_counter()
    subprocess.run([*command, str(path)], cwd=REPO, capture_output=True, check=False)
    return time.perf_counter() - started


def row(label: str, path: Path) -> dict[str, object]:
    parse = measure("parse", path)
    validate = measure("validate", path)
    return {
        "label": label,
        "bytes": path.stat().st_size,
        "parse": parse,
        "validate": validate,
        "ratio": validate["best"] / parse["best"],
        "cli": cli_seconds(path),
    }


HEADER = (
    f"{'tree':<28}{'size':>9}{'raw parse':>11}{'validate':>10}{'(first)':>9}{'ratio':>7}"
    f"{'cli':>8}{'RSS parse':>11}{'RSS valid.':>11}{'problems':>9}"
)


def show(item: dict[str, object]) -> str:
    parse, validate = item["parse"], item["validate"]
    assert isinstance(parse, dict) and isinstance(validate, dict)
    return (
        f"{item['label']:<28}{int(item['bytes']) / 1e6:>7.2f}MB"  # type: ignore[call-overload]
        f"{parse['best']:>10.3f}s{validate['best']:>9.3f}s{validate['first']:>8.3f}s"
        f"{item['ratio']:>6.2f}x{item['cli']:>7.2f}s"
        f"{parse['peak_mib']:>8.0f}MiB{validate['peak_mib']:>8.0f}MiB{int(validate['problems']):>9}"
    )


def verdicts(rows: dict[int, dict[str, object]]) -> list[str]:
    size, limit = RATIO_TARGET
    ratio = float(rows[size]["ratio"])  # type: ignore[arg-type]
    lines = [
        f"ratio at {size:,} nodes: {ratio:.2f}x (target <= {limit}x): "
        f"{'met' if ratio <= limit else 'MISSED'}"
    ]
    size, mib = MEMORY_TARGET
    validate = rows[size]["validate"]
    assert isinstance(validate, dict)
    peak = float(validate["peak_mib"])
    lines.append(
        f"peak RSS validating {size:,} nodes: {peak:.0f} MiB (target < {mib:.0f} MiB): "
        f"{'met' if peak < mib else 'MISSED'}"
    )
    return lines


def parse_paths(argv: list[str]) -> list[Path]:
    """The real tree files to time after the generated ones; a missing one ends the run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="*", type=Path, help="real tree files to time too")
    paths: list[Path] = parser.parse_args(argv).trees
    missing = [str(path) for path in paths if not path.is_file()]
    if missing:
        parser.error(f"no tree file at {', '.join(missing)}")
    return paths


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        return child(argv[1], Path(argv[2]))
    paths = parse_paths(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from treegen import generate_yaml

    print(HEADER)
    generated: dict[int, dict[str, object]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in SIZES:
            path = Path(tmp) / f"generated-{size}.yaml"
            path.write_text(generate_yaml(size), "utf-8")
            generated[size] = row(f"generated {size:,} nodes", path)
            print(show(generated[size]), flush=True)
    for path in paths:
        print(show(row(path.stem[:27], path)), flush=True)
    print("\n".join(verdicts(generated)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
