"""`branchwise run TREE` reaches its first question without the heavy modules it does not need.

The real command runs in a fresh interpreter with a pseudo-terminal for stdin, so it opens the
terminal app as a person's start does; only App.run is swapped for a headless run that notes the
modules loaded once the walk screen is up.
"""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

from tests.cli import ROOT, isolated_env
from tests.tui.conftest import PAYA

FIRST_QUESTION = """
import asyncio, json, sys
from textual.app import App

def run_headless(self, *args, **kwargs):
    async def until_first_question():
        async with self.run_test(size=(80, 24)):
            for _ in range(1000):
                if type(self.screen).__name__ == "WalkScreen":
                    break
                await asyncio.sleep(0.01)
            loaded = sorted({name.split(".")[0] for name in sys.modules} | set(sys.modules))
            with open(sys.argv[1], "w", encoding="utf-8") as out:
                json.dump({"screen": type(self.screen).__name__, "modules": loaded}, out)
            self.exit()
    asyncio.run(until_first_question())

App.run = run_headless
from tui.cli import main
main(["run", sys.argv[2]])
"""
# Not needed to show a tree that loaded clean before: parsing, checking and the actions' code
# wait until an action node (or a changed file) needs them; tomllib until a config file exists;
# the web server's modules only for `serve`.
# psycopg until a postgresql:// store is opened, after the first frame.
HEAVY = (
    "jsonschema",
    "httpx",
    "importlib.metadata",
    "yaml",
    "engine.tree.validation",
    "engine.lint",
    "engine.tree.checker",
    "engine.actions.catalog",
    "tomllib",
    "selectolax",
    "textual_serve",
    "aiohttp",
    "tui.serving",
    "re2",
    "psycopg",
)


def modules_at_first_question(tmp_path: Path, report: str) -> set[str]:
    """The modules loaded when `branchwise run` on the Paya tree shows its first question."""
    out = tmp_path / report
    leader, follower = pty.openpty()
    try:
        subprocess.run(
            [sys.executable, "-c", FIRST_QUESTION, str(out), PAYA],
            stdin=follower,
            capture_output=True,
            cwd=ROOT,
            env=isolated_env(tmp_path),
            timeout=60,
            check=True,
        )
    finally:
        os.close(leader)
        os.close(follower)
    shown = json.loads(out.read_text("utf-8"))
    assert shown["screen"] == "WalkScreen"
    return set(shown["modules"])


def test_a_start_with_the_caches_warm_loads_no_heavy_module(tmp_path: Path) -> None:
    first = modules_at_first_question(tmp_path, "first.json")
    assert {"jsonschema", "yaml", "engine.lint"} <= first  # nothing cached yet: all checks ran
    again = modules_at_first_question(tmp_path, "again.json")
    assert "textual" in again and "engine.walk.walker" in again
    for heavy in HEAVY:
        assert heavy not in again, heavy


def test_only_the_run_command_module_is_loaded(tmp_path: Path) -> None:
    loaded = modules_at_first_question(tmp_path, "modules.json")
    commands = {name for name in loaded if name.startswith("tui.commands.")}
    assert commands == {"tui.commands.run"}
