"""The console script's entry: the collector is slowed down before the command line is imported."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.cli import ROOT, isolated_env, run_cli
from tui.startup_collection import START_THRESHOLD

# Notes the collector's threshold when tui.cli is first imported, then runs the entry as the
# console script does.
SPY = """
import builtins, gc, sys
seen = {}
real_import = builtins.__import__

def spy(name, *args, **kwargs):
    if name == "tui.cli" and name not in seen:
        seen[name] = gc.get_threshold()[0]
    return real_import(name, *args, **kwargs)

builtins.__import__ = spy
from tui.entry import main
sys.argv = ["branchwise", "--version"]
try:
    main()
except SystemExit:
    pass
print(seen["tui.cli"], gc.get_threshold()[0])
"""


def test_the_collector_is_slowed_before_the_command_line_is_imported_and_restored_after(
    tmp_path: Path,
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SPY],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=isolated_env(tmp_path),
        timeout=60,
        check=True,
    )
    at_import, at_exit = (int(x) for x in done.stdout.split()[-2:])
    assert at_import == START_THRESHOLD
    assert at_exit < START_THRESHOLD  # the usual pace again once the command has run


def test_the_entry_runs_the_command_line(tmp_path: Path) -> None:
    done = run_cli("--version", env=isolated_env(tmp_path))
    assert done.returncode == 0
    assert done.stdout.startswith("branchwise ")
