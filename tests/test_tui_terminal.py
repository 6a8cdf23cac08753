"""The real `branchwise` command in a real terminal (tmux): keys pressed, the screen read back."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAYA = "paya-connect/customer-portal-access"

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None, reason="tmux is not installed: the real-terminal test needs it"
)


class Terminal:
    """One tmux session on a private server, 80×24, running a command."""

    def __init__(self, socket: str) -> None:
        self.socket = socket

    def tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, check=True
        )
        return done.stdout

    def start(self, command: str, env: dict[str, str]) -> None:
        exports = " ".join(f"{k}={v}" for k, v in env.items())
        size = ("-x", "80", "-y", "24")
        self.tmux("new-session", "-d", "-s", "t", *size, f"env {exports} {command}")

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "t")

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.tmux("send-keys", "-t", "t", key)
            time.sleep(0.15)

    def wait_for(self, text: str, seconds: float = 20) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            shown = self.screen()
            if text in shown:
                return shown
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; the screen:\n{self.screen()}")


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    term = Terminal(f"branchwise-test-{os.getpid()}-{tmp_path.name}")
    yield term
    subprocess.run(["tmux", "-L", term.socket, "kill-server"], capture_output=True, check=False)


def command(tmp_path: Path, *args: str) -> tuple[str, dict[str, str]]:
    """The shell command running branchwise (exit code kept in a file) and its environment."""
    env = {
        "BRANCHWISE_DATA_DIR": str(tmp_path / "data"),
        "BRANCHWISE_CACHE_DIR": str(tmp_path / "cache"),
        "BRANCHWISE_CONFIG": str(tmp_path / "absent.toml"),
        "TERM": "xterm-256color",
        "PYTHONPATH": str(ROOT),
    }
    line = " ".join([sys.executable, "-m", "tui.entry", *args])
    shell = f"sh -c 'cd {ROOT} && {line}; echo $? > {tmp_path / 'exit'}; sleep 30'"
    return shell, env


def exit_code(tmp_path: Path, seconds: float = 10) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        file = tmp_path / "exit"
        if file.exists() and file.read_text().strip():
            return int(file.read_text())
        time.sleep(0.1)
    raise AssertionError("branchwise did not exit")


def test_walking_to_an_outcome_with_keys_in_a_real_terminal(
    terminal: Terminal, tmp_path: Path
) -> None:
    terminal.start(*command(tmp_path, "run", PAYA))
    terminal.wait_for("Open Contacts from the left menu")
    first = terminal.wait_for("esc Back")  # the footer comes right after the first frame
    assert "^q Quit" in first
    assert all(len(line) <= 80 for line in first.splitlines())
    terminal.keys("1", "Enter", "1")
    terminal.wait_for("Do you see the 'Create User' button?")
    assert "1  Yes  (y)" in terminal.screen()
    terminal.keys("y")
    terminal.wait_for("Click 'Create User'")
    terminal.keys("1", "1")
    done = terminal.wait_for("✓ Resolved")
    assert "Contact user created" in done
    terminal.keys("C-q")
    assert exit_code(tmp_path) == 0


def test_quitting_midway_leaves_the_session_open_and_says_how_to_resume(
    terminal: Terminal, tmp_path: Path
) -> None:
    terminal.start(*command(tmp_path, "run", PAYA))
    terminal.wait_for("Open Contacts from the left menu")
    terminal.keys("1", "1")
    terminal.wait_for("Open the Profile tab")
    terminal.keys("C-q")
    assert exit_code(tmp_path) == 1
    assert "--resume" in terminal.wait_for("is still open")


TYPE_AHEAD = ROOT / "tests" / "data" / "typeahead" / "type-ahead.yaml"


def stored_answers(tmp_path: Path, path: list[str]) -> list[str | None]:
    """The answers the SQLite file holds, once it is checked that it holds this path and no
    answer on an outcome."""
    import sqlite3

    with sqlite3.connect(tmp_path / "sessions.sqlite3") as db:
        rows = db.execute("SELECT node_id, node_type, answer FROM steps ORDER BY idx").fetchall()
    assert [node for node, _, _ in rows] == path
    assert [answer for _, kind, answer in rows if kind == "outcome"] == [None]
    return [answer for _, _, answer in rows]


def test_keys_sent_in_one_burst_walk_the_path_they_mean(terminal: Terminal, tmp_path: Path) -> None:
    shell, env = command(
        tmp_path, "run", str(TYPE_AHEAD), "--db", str(tmp_path / "sessions.sqlite3")
    )
    terminal.start(shell, env)
    terminal.wait_for("esc Back")  # the first step, fully laid out
    terminal.tmux("send-keys", "-t", "t", "1", "3", "2")  # one write, no pauses
    shown = terminal.wait_for("Where does the input come from?")
    for answer in ("1  A string literal", "2  A stream", "3  A char array", "4  Something else"):
        assert answer in terminal.wait_for(answer), shown
    # Eight steps, then 2 5 at the list of 30 (answer 25), Continue, and keys past the outcome.
    terminal.tmux("send-keys", "-t", "t", "2", *["1"] * 8, "2", "5", "1", "5", "5")
    done = terminal.wait_for("Fixed by reading as uint64_t")
    assert "Resolved" in done
    terminal.keys("C-q")
    assert exit_code(tmp_path) == 0
    steps = [f"step-{i}" for i in range(1, 9)]
    path = ["intro", "q-kind", "q-error", "q-code", *steps, "q-type", "use-type", "out-fixed"]
    assert stored_answers(tmp_path, path)[12] == "uint64_t"


def test_a_burst_through_the_paya_tree_in_a_real_terminal(
    terminal: Terminal, tmp_path: Path
) -> None:
    shell, env = command(tmp_path, "run", PAYA, "--db", str(tmp_path / "sessions.sqlite3"))
    terminal.start(shell, env)
    terminal.wait_for("esc Back")
    # Continue ×3, y (the Create User button is there), Continue ×2, and a key past the outcome.
    terminal.tmux("send-keys", "-t", "t", "1", "1", "1", "y", "1", "1", "1")
    assert "Contact user created" in terminal.wait_for("✓ Resolved")
    terminal.keys("C-q")
    assert exit_code(tmp_path) == 0
    path = ["open-contacts", "find-contact", "open-profile", "create-user-visible"]
    path += ["create-user", "refresh-login-info", "done-user-created"]
    assert stored_answers(tmp_path, path)[3] == "Yes"
