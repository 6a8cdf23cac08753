"""`branchwise serve` on the command line: tokens, and every refusal said in one line."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli import ROOT, isolated_env, run_cli


def test_add_token_prints_the_token_once_and_keeps_only_its_hash(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    added = run_cli("serve", "add-token", "alice", env=env)
    assert added.returncode == 0, added.stderr
    token = added.stdout.strip()
    assert len(token) >= 40 and "\n" not in token
    assert "shown only this once" in added.stderr
    stored = (tmp_path / "tokens").read_text()  # beside BRANCHWISE_CONFIG by default
    assert stored.startswith("alice: sha256:") and token not in stored
    again = run_cli("serve", "add-token", "alice", env=env)
    assert again.returncode == 2
    assert again.stderr == (
        f"branchwise: 'alice' already has a token in {tmp_path / 'tokens'}; "
        "--replace issues a new one\n"
    )
    removed = run_cli("serve", "remove-token", "alice", env=env)
    assert removed.returncode == 0 and "can no longer sign in" in removed.stderr


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (["--host", "0.0.0.0"], "--host 0.0.0.0: other machines could walk without signing in"),
        (["--auth", "token"], "no such file (create it with 'branchwise serve add-token NAME')"),
        (["--auth", "proxy"], "--auth proxy needs --trusted-proxy"),
        (["--auth", "proxy", "--trusted-proxy", "proxy.lan"], "not an IP address or network"),
        (["--trusted-proxy", "10.0.0.1"], "--trusted-proxy is for --auth proxy"),
        (["--idle-timeout", "soon"], "a time such as 90, 90s, 30m or 2h"),
        (["--max-sessions", "0"], "--max-sessions: at least 1"),
        (["--library", "missing"], "--library missing: no such directory"),
        (["--public-url", "branchwise.example.com"], "--public-url 'branchwise.example.com'"),
    ],
)
def test_a_wrong_option_is_one_line_before_anything_is_bound(
    tmp_path: Path, options: list[str], said: str
) -> None:
    result = run_cli("serve", *options, env=isolated_env(tmp_path))
    assert result.returncode == 2
    assert said in result.stderr and result.stderr.count("\n") == 1, result.stderr


def test_a_port_in_use_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        result = run_cli("serve", "--port", port, env=isolated_env(tmp_path))
    assert result.returncode == 1
    assert result.stderr.startswith("branchwise: ") and "Traceback" not in result.stderr


def test_without_the_serve_extra_the_error_names_it(tmp_path: Path) -> None:
    without = "import sys; sys.modules['textual_serve'] = None; from tui.entry import main"
    result = subprocess.run(
        [sys.executable, "-c", f"{without}; sys.exit(main())", "serve"],
        capture_output=True,
        encoding="utf-8",
        cwd=ROOT,
        env=isolated_env(tmp_path),
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr == (
        "branchwise: serve needs the 'serve' extra: pip install 'branchwise[serve]'\n"
    )


def test_branchwise_agent_names_who_walks_unless_agent_is_given(tmp_path: Path) -> None:
    from engine.sessions.store import Store

    env = isolated_env(tmp_path, BRANCHWISE_AGENT="dana")
    tree = "paya-connect/customer-portal-access"
    by_env = run_cli("run", tree, "--answers", "Continue", "--json", env=env)
    by_option = run_cli("run", tree, "--answers", "Continue", "--agent", "eve", "--json", env=env)
    with Store(tmp_path / "sessions.sqlite3") as store:
        agents = {summary.agent for summary in store.list_sessions()}
    assert by_env.returncode == by_option.returncode == 1  # stopped short: still open
    assert agents == {"dana", "eve"}
