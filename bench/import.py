"""Benchmark: `branchwise import helpjuice` on hostile 10 MB articles: time and peak memory.

    python bench/import.py                 # every generated input
    python bench/import.py --only tables   # inputs whose name holds this word

Each input is a small real decision-tree article followed (or filled) with 10 MB of one hostile
pattern: tables, '<a ' without end, unclosed elements, huge attribute values, tiny paragraphs,
text repeated after the tree... Each import runs the real command in its own fresh process, so
the peak RSS is that of one import; the baseline is the same command on the small article alone,
in the same run. Targets: at most 1 s per MB (of the time beyond the baseline's, which is
starting Python and loading the command) and 200 MiB on every input. An input may be refused
(exit 1, one line on stderr) as long as that is fast and cheap too.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ARTICLE = REPO / "tests" / "data" / "helpjuice" / "simple_two_level.html"
COPIED_TEXT = REPO / "tests" / "data" / "helpjuice" / "guest_wifi_copied_text.txt"
SIZE = 10 * 1024 * 1024 - 64 * 1024  # under the 10 MiB article limit, with the article itself
SECONDS_PER_MB = 1.0
PEAK_MIB = 200.0


def repeated(unit: str) -> str:
    return unit * (SIZE // len(unit.encode("utf-8")))


COPIED = COPIED_TEXT.read_text("utf-8")
IMAGE = f'<img src="data:image/png;base64,{"A" * (SIZE - 200_000)}">'


def before_footer(filler: str) -> str:
    """The copied text of an article with the filler where the article's own text ends."""
    return COPIED.replace("Was this article helpful?", filler + "\nWas this article helpful?")


def padded(filler: str) -> str:
    """The small article with the filler after its tree, then an inline image up to 10 MB."""
    image = f'<img src="data:image/png;base64,{"A" * (SIZE - len(filler) - 10_000)}">'
    return after_tree(filler + image)


def after_tree(filler: str) -> str:
    """The small article with the filler after its decision tree."""
    return ARTICLE.read_text("utf-8").replace("</body>", filler + "</body>")


def in_a_panel(filler: str) -> str:
    """The small article with the filler inside one answer's panel."""
    return ARTICLE.read_text("utf-8").replace("<p>Switch it on", filler + "<p>Switch it on")


def many_answers(count: int, after: str) -> str:
    buttons = "".join(
        f'<div class="helpjuice-decision-tree-button" data-id="a{n}">Answer {n}</div>'
        for n in range(count)
    )
    panels = "".join(
        f'<div class="helpjuice-decision-tree-tab-content" id="a{n}"><p>Done {n}.</p></div>'
        for n in range(count)
    )
    tabs = f'<div class="helpjuice-decision-tree-tabs">{buttons}{panels}</div>'
    return f"<h1>Many answers</h1><p>Which one?</p>{tabs}{after}"


def flattened_lists(count: int) -> str:
    unit = "<p>Does it work?</p><ul><li>Yes</li><li>No</li></ul><p>Good.</p>"
    return "<h1>Lists</h1>" + unit * count


INPUTS: dict[str, Callable[[], str]] = {
    "tables": lambda: after_tree(repeated("<table><tr><td>a</td><td>b</td></tr></table>")),
    "cells without end tags": lambda: after_tree("<table>" + repeated("<tr><td>a<td>b")),
    "'<a ' without end": lambda: after_tree(repeated("<a ")),
    "unterminated quotes": lambda: after_tree(repeated("<a b='")),
    "unclosed divs": lambda: after_tree(repeated("<div>")),
    "unclosed lists": lambda: after_tree(repeated("<ul><li>")),
    "unclosed bold italics": lambda: after_tree(repeated("<b><i>")),
    "deep nesting, few tags": lambda: in_a_panel("<div>" * 20_000 + repeated("text ")[100_000:]),
    "huge attribute value": lambda: after_tree(f'<p title="{"x" * SIZE}">t</p>'),
    "tiny paragraphs": lambda: after_tree(repeated("<p>x</p>")),
    "paragraphs, 100k tags": lambda: in_a_panel(("<p>" + "w" * 200 + "</p>") * 49_900),
    "paragraphs, 100k tags, 5 MB": lambda: in_a_panel(("<p>" + "w" * 99 + "</p>") * 49_900),
    "one long paragraph": lambda: in_a_panel("<p>" + repeated("word ") + "</p>"),
    "text after the tree": lambda: after_tree("<p>" + "after " * 300_000 + "</p>"),
    "after text x 1000 outcomes": lambda: many_answers(1000, f"<p>{'x ' * 50_000}</p>{IMAGE}"),
    "30k answer buttons": lambda: many_answers(15_000, "<p>" + repeated("x ")[2_400_000:] + "</p>"),
    "answer lists, flattened": lambda: flattened_lists(60_000),
    "unclosed comment": lambda: after_tree("<!--" + repeated("<div>")),
    "text split by comments": lambda: in_a_panel(
        ("<p>" + ("a" * 100 + "<!---->") * 999 + "</p>") * 90
    ),
    "nested lists, 150 deep": lambda: padded(("<ul><li>" * 75 + "x" + "</li></ul>" * 75) * 330),
    "buttons naming no panel": lambda: many_answers(15_000, IMAGE[:7_500_000] + '">').replace(
        ' data-id="a', ' data-x="a'
    ),
    "script full of tags": lambda: after_tree("<script>" + repeated("<div>") + "</script>"),
    "inline image data": lambda: after_tree(f'<img src="data:image/png;base64,{"A" * SIZE}">'),
    "control characters": lambda: after_tree("<p>" + repeated("\x1b[31m\x07\x00") + "</p>"),
    "text: bullets": lambda: before_footer(repeated("• Yes\n")),
    "text: one long line": lambda: before_footer(repeated("word ")),
    "text: 99k lines of answers": lambda: before_footer(
        ("• Yes\n• No\n" + "w" * 300 + "\n") * 33_000
    ),
    "text: blank lines": lambda: before_footer(repeated(" \u00a0 \n")),
}


def child(path: Path, out: Path) -> int:
    """Run the real command once in this process and print what it cost as JSON."""
    sys.path.insert(0, str(REPO))
    import io
    from contextlib import redirect_stderr

    started = time.perf_counter()
    from tui.cli import main

    errors = io.StringIO()
    with redirect_stderr(errors):
        code = main(["import", "helpjuice", str(path), "-o", str(out), "--force"])
    seconds = time.perf_counter() - started
    lines = errors.getvalue().splitlines()
    said = next((line for line in lines if ": error: " in line), lines[-1] if lines else "")
    print(json.dumps({"seconds": seconds, "peak": peak_mib(), "exit": code, "said": said}))
    return 0


def peak_mib() -> float:
    """This process's peak resident memory (VmHWM: not inherited from the parent)."""
    status = Path("/proc/self/status").read_text()
    kib = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(kib) / 1024


def measure(path: Path, out: Path) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(path), str(out)],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    measured: dict[str, object] = json.loads(done.stdout)
    return measured


def show(name: str, size: int, measured: dict[str, object], base: dict[str, object]) -> str:
    seconds, peak = float(measured["seconds"]), float(measured["peak"])  # type: ignore[arg-type]
    megabytes = size / 1e6
    # What starting Python and loading the command cost is the baseline's; the rest is the input's.
    per_mb = max(seconds - float(base["seconds"]), 0.0) / megabytes  # type: ignore[arg-type]
    met = per_mb <= SECONDS_PER_MB and peak <= PEAK_MIB
    said = str(measured["said"]).split(": error: ")[-1] if measured["exit"] else "written"
    return (
        f"{name:<28}{megabytes:>6.2f}MB{seconds:>7.2f}s{per_mb:>7.2f}s/MB"
        f"{seconds / float(base['seconds']):>6.1f}x{peak:>7.0f}MiB"  # type: ignore[arg-type]
        f"{peak / float(base['peak']):>6.1f}x  {'met' if met else 'MISSED'}"  # type: ignore[arg-type]
        f"  exit {measured['exit']}: {said[:70]}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--child", nargs=2, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--only", default="", help="run only inputs whose name holds this")
    args = parser.parse_args()
    if args.child:
        return child(*args.child)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "tree.yaml"
        base = measure(ARTICLE, out)
        print(
            f"baseline: the small article ({ARTICLE.stat().st_size:,} bytes) imports in "
            f"{float(base['seconds']):.2f}s, peak {float(base['peak']):.0f} MiB"  # type: ignore[arg-type]
        )
        print(
            f"{'input':<28}{'size':>8}{'time':>8}{'net/MB':>9}{'':>7}{'peak':>10}{'':>7}"
            f"  targets <= {SECONDS_PER_MB} s/MB, <= {PEAK_MIB:.0f} MiB"
        )
        missed = 0
        for name, make in INPUTS.items():
            if args.only not in name:
                continue
            path = Path(folder) / ("article.txt" if name.startswith("text:") else "article.html")
            path.write_text(make(), encoding="utf-8")
            measured = measure(path, out)
            line = show(name, path.stat().st_size, measured, base)
            missed += "MISSED" in line
            print(line, flush=True)
    print(f"{missed} input(s) missed a target")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
