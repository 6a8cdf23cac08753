"""The tokens file, sign-in cookies, the failed sign-in limit and trusted proxies, serverless."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from engine.errors import UsageError
from tui.serving.sign_in import FailureLimit, SignedIn, is_loopback, is_trusted, parse_networks
from tui.serving.tokens import add_token, agent_of, read_tokens, remove_token


def test_a_token_is_returned_once_and_only_its_hash_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "tokens"
    alice = add_token(path, "alice")
    bob = add_token(path, "bob@example.com")
    text = path.read_text()
    assert alice not in text and bob not in text
    assert text.startswith("alice: sha256:")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    entries = read_tokens(path)
    assert agent_of(entries, alice) == "alice"
    assert agent_of(entries, bob) == "bob@example.com"
    assert agent_of(entries, alice + "x") is None
    assert agent_of(entries, "") is None


def test_a_name_keeps_its_token_unless_replaced_and_a_removed_one_no_longer_signs_in(
    tmp_path: Path,
) -> None:
    path = tmp_path / "tokens"
    first = add_token(path, "alice")
    with pytest.raises(UsageError, match="already has a token"):
        add_token(path, "alice")
    second = add_token(path, "alice", replace=True)
    assert agent_of(read_tokens(path), first) is None
    assert agent_of(read_tokens(path), second) == "alice"
    remove_token(path, "alice")
    assert read_tokens(path) == []
    with pytest.raises(UsageError, match="has no token"):
        remove_token(path, "alice")


@pytest.mark.parametrize("name", ["", "a b", "a:b", "-x", "x" * 65, "\x1b[2Jx"])
def test_a_name_that_cannot_be_a_line_of_the_file_is_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(UsageError, match="a name is letters"):
        add_token(tmp_path / "tokens", name)


def test_a_damaged_tokens_file_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "tokens"
    path.write_text("# agents\nalice: sha256:00ff\nbob: secret\n")
    with pytest.raises(UsageError, match=r"tokens:3: expected 'NAME: sha256:HEX'"):
        read_tokens(path)
    path.write_text("alice: sha256:zz\n")
    with pytest.raises(UsageError, match="not hexadecimal"):
        read_tokens(path)
    with pytest.raises(UsageError, match="no such file"):
        read_tokens(tmp_path / "missing")


def test_a_cookie_names_its_agent_until_it_expires_or_is_ended() -> None:
    now = [1000.0]
    signed_in = SignedIn(clock=lambda: now[0], lifetime=60)
    cookie = signed_in.start("alice")
    other = signed_in.start("bob")
    assert signed_in.agent(cookie) == "alice"
    assert signed_in.agent("forged") is None and signed_in.agent(None) is None
    signed_in.end(other)
    assert signed_in.agent(other) is None
    now[0] += 60
    assert signed_in.agent(cookie) is None


def test_failed_sign_ins_beyond_the_limit_wait_out_the_window() -> None:
    now = [0.0]
    limit = FailureLimit(clock=lambda: now[0], allowed=3, window=60)
    for _ in range(3):
        assert limit.wait("10.0.0.1") == 0
        limit.failed("10.0.0.1")
        now[0] += 1
    assert limit.wait("10.0.0.1") == pytest.approx(57)
    assert limit.wait("10.0.0.2") == 0  # another address is not held back
    now[0] += 57
    assert limit.wait("10.0.0.1") == 0


def test_only_the_trusted_proxies_are_believed() -> None:
    networks = parse_networks(["10.0.0.0/8", "::1"])
    assert is_trusted("10.1.2.3", networks)
    assert is_trusted("::1", networks)
    assert not is_trusted("192.168.0.1", networks)
    assert not is_trusted(None, networks)
    assert not is_trusted("not an address", networks)
    with pytest.raises(UsageError, match="not an IP address"):
        parse_networks(["proxy.example.com"])


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("0.0.0.0", False),
        ("10.0.0.5", False),
    ],
)
def test_only_loopback_hosts_keep_the_server_to_this_machine(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
