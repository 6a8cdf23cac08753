"""The README's code blocks, found by what they show, so tests run them as a reader would."""

from __future__ import annotations

import re
import shlex

from tests.cli import ROOT

README = ROOT / "README.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def blocks(language: str) -> list[str]:
    """Every fenced block of that language in the README, in order."""
    text = README.read_text("utf-8")
    return [body for lang, body in FENCE.findall(text) if lang == language]


def block_after(heading: str, language: str) -> str:
    """The first fenced block of a language after a line of the README holding `heading`."""
    text = README.read_text("utf-8")
    at = text.index(heading)
    match = next(m for m in FENCE.finditer(text, at) if m[1] == language)
    return match[2]


def yaml_block_starting(first_line: str) -> str:
    """The YAML block whose first line (after comments) starts so."""
    for body in blocks("yaml"):
        lines = [line for line in body.splitlines() if line and not line.startswith("#")]
        if lines and lines[0].startswith(first_line):
            return body
    raise AssertionError(f"README has no YAML block starting with {first_line!r}")


def commands(shell: str) -> list[list[str]]:
    """The `branchwise` commands of a shell block or of `run:` steps, comments dropped."""
    found = []
    for line in shell.splitlines():
        words = shlex.split(line.split("- run: ", 1)[-1], comments=True)
        if words and words[0] == "branchwise":
            found.append(words[1:])
    return found
