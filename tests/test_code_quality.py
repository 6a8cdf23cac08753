"""The project's own lint, format and type checks, so CI holds the code to them."""

from __future__ import annotations

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
