"""Fuzzing `validate` in process: N mutated trees, counting tracebacks and inputs over 2 seconds.

    python bench/fuzz.py                      # 10,000 inputs, seed 0
    python bench/fuzz.py -n 100000 --seed 7   # more; the same seed gives the same inputs
    python bench/fuzz.py --keep DIR           # write each input that raised or was slow to DIR

Each input is a valid tree (tests/data/valid and the bundled trees) with one to four mutations:
characters replaced, slices dropped or repeated, lines of another tree spliced in, or a hostile
token inserted (ints of thousands of digits in any base, anchors and aliases, tags, templates,
deep nesting, long text). It is read, checked against the schema, built and linted exactly as
`branchwise validate` does. Target: 0 tracebacks and 0 inputs over 2 s.
"""

from __future__ import annotations

import argparse
import random
import signal
import sys
import time
import traceback
import warnings
from collections.abc import Callable
from pathlib import Path
from types import FrameType

REPO = Path(__file__).resolve().parent.parent
SLOW_SECONDS = 2.0
HUNG_SECONDS = 30  # an input still running then is stopped, and counted as slow
ALPHABET = "{}[]:-,&*!|>?'\"#%@`~\\ \t\n\r\x00\x1b\x85\u2028\ufeff\ud800aZ09._/é😀"


class Hung(Exception):
    """An input ran past HUNG_SECONDS."""


def int_like(rng: random.Random) -> str:
    base = rng.choice(["", "0x", "0o", "0b", "0X", "-", "+", "-0x"])
    digit = {"0x": "f", "0X": "F", "-0x": "f", "0o": "7", "0b": "1"}.get(base, "9")
    digits = digit * rng.choice([1, 17, 20, 300, 3300, 3400, 4301, 6000, 20000])
    if rng.random() < 0.2:
        digits = "_".join(digits[i : i + 3] for i in range(0, len(digits), 3))
    return base + digits


def token(rng: random.Random) -> str:
    """Something hostile to put in a tree's text."""
    choices: list[Callable[[], str]] = [
        lambda: int_like(rng),
        lambda: rng.choice(["&a ", "*a", "&b [", "*b", "<<: *a", "!!int ", "!!str ", "!!float "]),
        lambda: rng.choice(["!!python/object/apply:os.system ['true']", "!!binary aGk=", "!x"]),
        lambda: rng.choice(["{{ x }}", "{{ x.99999999999999999999 }}", "{{ a.² }}", "{{", "}}"]),
        lambda: rng.choice(["1e999", ".nan", "-.inf", "0x", "²", "٣", "~", "null", "yes"]),
        lambda: "[" * rng.choice([10, 63, 65, 200]) + "]" * rng.choice([0, 10, 200]),
        lambda: "x" * rng.choice([1000, 100_000]),
        lambda: rng.choice(["\n- ", "\n  ", ": ", "? ", "--- ", "...\n", "\t", "#"]),
        lambda: rng.choice(["(a+)+$", "(a|a)*", "(\\w+\\s?)*$", "[", "\\1", "(?P<x>a)(?P=x)"]),
    ]
    return rng.choice(choices)()


def mutate(text: str, seeds: list[str], rng: random.Random) -> str:
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(text) + 1)
        kind = rng.randrange(5)
        if kind == 0:
            text = text[:at] + rng.choice(ALPHABET) + text[at + 1 :]
        elif kind == 1:
            text = text[:at] + text[at + rng.randint(1, 200) :]
        elif kind == 2:
            piece = text[at : at + rng.randint(1, 400)]
            to = rng.randrange(len(text) + 1)
            text = text[:to] + piece * rng.randint(1, 3) + text[to:]
        elif kind == 3:
            lines = rng.choice(seeds).splitlines(keepends=True)
            start = rng.randrange(len(lines))
            text = text[:at] + "".join(lines[start : start + rng.randint(1, 8)]) + text[at:]
        else:
            text = text[:at] + token(rng) + text[at:]
    return text


def seed_texts() -> list[str]:
    paths = sorted((REPO / "tests" / "data" / "valid").glob("*.yaml"))
    paths += sorted(
        p for p in (REPO / "trees").rglob("*.yaml") if not p.name.endswith(".test.yaml")
    )
    return [p.read_text("utf-8") for p in paths]


def _hung(signum: int, frame: FrameType | None) -> None:
    raise Hung


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", "--inputs", type=int, default=10_000, help="how many inputs")
    parser.add_argument("--seed", type=int, default=0, help="the inputs' seed (default 0)")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="write bad inputs to DIR")
    args = parser.parse_args(argv)
    # Patterns such as '[[' warn that their meaning may change; validate's answer is what counts.
    warnings.simplefilter("ignore", FutureWarning)
    sys.path.insert(0, str(REPO))
    from engine.actions.catalog import default_registry
    from engine.tree.reader import read_text
    from engine.tree.validation import check_document

    registry, seeds, rng = default_registry(), seed_texts(), random.Random(args.seed)
    known = frozenset({"paya-connect/customer-portal-access", "paya-connect/portal-login-help"})
    raised: list[str] = []
    slow: list[float] = []
    signal.signal(signal.SIGALRM, _hung)
    started = time.perf_counter()
    for number in range(1, args.inputs + 1):
        text = mutate(rng.choice(seeds), seeds, rng)
        began = time.perf_counter()
        signal.alarm(HUNG_SECONDS)
        try:
            check_document(read_text(text, "fuzz.yaml"), registry, known)
        except Hung:
            slow.append(float(HUNG_SECONDS))
            _keep(args.keep, "hung", number, text, "")
            continue
        except Exception:  # a traceback is what this counts
            raised.append(traceback.format_exc().splitlines()[-1])
            _keep(args.keep, "raised", number, text, traceback.format_exc())
        finally:
            signal.alarm(0)
        took = time.perf_counter() - began
        if took > SLOW_SECONDS:
            slow.append(took)
            _keep(args.keep, "slow", number, text, f"{took:.2f} s")
        if number % 10_000 == 0:
            rate = number / (time.perf_counter() - started)
            print(f"  {number:,} inputs, {rate:,.0f}/s", file=sys.stderr, flush=True)
    return _report(args, raised, slow, time.perf_counter() - started)


def _keep(folder: Path | None, kind: str, number: int, text: str, why: str) -> None:
    if folder is None:
        return
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{kind}-{number}.yaml").write_text(text, "utf-8", errors="surrogatepass")
    (folder / f"{kind}-{number}.txt").write_text(why, "utf-8")


def _report(args: argparse.Namespace, raised: list[str], slow: list[float], spent: float) -> int:
    print(f"inputs: {args.inputs:,} (seed {args.seed}) in {spent:.1f} s", end="")
    print(f", {args.inputs / spent:,.0f} inputs/s")
    print(f"tracebacks: {len(raised)}")
    print(
        f"over {SLOW_SECONDS:g} s: {len(slow)}" + (f" (slowest {max(slow):.2f} s)" if slow else "")
    )
    for line in sorted(set(raised))[:10]:
        print(f"  {line}")
    return 1 if raised or slow else 0


if __name__ == "__main__":
    sys.exit(main())
