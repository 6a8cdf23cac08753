"""The project's own lint, format and type checks, so CI holds the code to them."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from tests.cli import ROOT


def _tool(name: str) -> list[str]:
    beside = shutil.which(name, path=str(ROOT / ".venv" / "bin")) or shutil.which(
        name, path=str(type(ROOT)(sys.executable).parent)
    )
    if beside is None:
        pytest.skip(f"{name} is not installed (pip install -e '.[test]' brings it)")
    return [beside]


@pytest.mark.parametrize(
    "command",
    [["ruff", "check", "."], ["ruff", "format", "--check", "."], ["mypy"]],
    ids=["ruff-check", "ruff-format", "mypy"],
)
@pytest.mark.timeout(330)  # mypy without its cache on a busy machine: the tool's own 300 s
def test_the_code_passes(command: list[str]) -> None:
    done = subprocess.run(
        [*_tool(command[0]), *command[1:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


# Private parts of re, Textual and argparse: they change without notice between releases.
PRIVATE = re.compile(
    r"\bre\._parser\b|\bsre_(?:parse|compile|constants)\b|_exit_renderables"
    r"|_close_messages_no_wait|\._actions\b|\._add_action\b"
)


def test_no_private_api_of_re_textual_or_argparse_is_used() -> None:
    sources = [*(ROOT / "engine").rglob("*.py"), *(ROOT / "tui").rglob("*.py")]
    assert len(sources) > 50
    hits = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sources
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if PRIVATE.search(line)
    ]
    assert hits == []
