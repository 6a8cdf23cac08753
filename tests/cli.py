"""The real `branchwise` command in a subprocess, with every path it uses under a test's folder."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = (sys.executable, "-m", "tui.entry")  # what the console script runs


def isolated_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """This environment without its BRANCHWISE_* settings: data, cache, config and db in tmp_path.

    `extra` is applied last, so a test can point one of them elsewhere or add its own variables.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRANCHWISE_")}
    env.update(
        BRANCHWISE_DATA_DIR=str(tmp_path / "data"),
        BRANCHWISE_CACHE_DIR=str(tmp_path / "cache"),
        BRANCHWISE_CONFIG=str(tmp_path / "config.toml"),
        BRANCHWISE_DB=str(tmp_path / "sessions.sqlite3"),
    )
    env.update(extra)
    return env


def run_cli(
    *args: str,
    env: Mapping[str, str],
    input: str = "",
    cwd: Path = ROOT,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """`branchwise ARGS` run to its end; stdin is `input`, so it is never a terminal."""
    return subprocess.run(
        [*CLI, *args],
        input=input,
        capture_output=True,
        encoding="utf-8",
        cwd=cwd,
        env=dict(env),
        timeout=timeout,
        check=False,
    )


def run_python(code: str, env: Mapping[str, str] | None = None) -> str:
    """What `python -c CODE` prints, run from the project's root in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=None if env is None else dict(env),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout
