"""A real `branchwise serve`: who gets in, what each tab's app records, limits and lifecycle."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import aiohttp
import pytest

from engine.sessions.store import Store
from tests.cli import isolated_env, run_cli
from tests.serving.server import (
    Served,
    add_token,
    client,
    open_tab,
    open_tree,
    pid_alive,
    serving,
    sign_in,
)


def sessions(served: Served) -> list[tuple[str, str, str]]:
    """(id, agent, status) of every session the server's store holds."""
    with Store(served.db) as store:
        return [(s.id, s.agent, s.status) for s in store.list_sessions()]


def wait_gone(pid: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while pid_alive(pid):
        assert time.monotonic() < deadline, f"process {pid} is still running"
        time.sleep(0.05)


async def test_sign_in_gives_a_strict_http_only_cookie_and_failures_are_limited(
    tmp_path: Path,
) -> None:
    token = add_token(tmp_path, "alice")
    with serving(tmp_path, "--auth", "token", "--tokens", str(tmp_path / "tokens")) as served:
        async with client() as http:
            page = await http.get(served.url, allow_redirects=False)
            assert page.status == 303 and page.headers["Location"] == "sign-in"
            form = await http.get(f"{served.url}sign-in")
            assert 'type="password"' in await form.text()
            assert form.headers["Content-Security-Policy"].startswith("default-src 'self'")
            foreign = await http.post(
                f"{served.url}sign-in",
                data={"token": token},
                headers={"Origin": "http://evil.example"},
            )
            assert foreign.status == 403
            signed = await sign_in(http, served, token)
            assert signed.status == 303
            cookie = signed.headers["Set-Cookie"]
            assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and token not in cookie
            app_page = await http.get(served.url)
            assert app_page.status == 200 and token not in await app_page.text()
            out = await http.post(
                f"{served.url}sign-out", headers={"Origin": served.origin}, allow_redirects=False
            )
            assert out.status == 303
            assert (await http.get(served.url, allow_redirects=False)).status == 303
        async with client() as guesser:
            for _ in range(5):
                assert (await sign_in(guesser, served, "guess")).status == 401
            limited = await sign_in(guesser, served, token)  # even the right one, for a while
            assert limited.status == 429
            assert "Too many failed sign-ins" in await limited.text()
        assert token not in served.log()


async def test_the_websocket_and_downloads_refuse_no_sign_in_and_other_sites(
    tmp_path: Path,
) -> None:
    token = add_token(tmp_path, "alice")
    with serving(tmp_path, "--auth", "token", "--tokens", str(tmp_path / "tokens")) as served:
        async with client() as http:
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await open_tab(http, served)
            assert refused.value.status == 403
            download = await http.get(f"{served.url}download/anything")
            assert download.status == 403
            await sign_in(http, served, token)
            with pytest.raises(aiohttp.WSServerHandshakeError) as other_site:
                await open_tab(http, served, headers={"Origin": "http://evil.example"})
            assert other_site.value.status == 403
            assert (await http.get(f"{served.url}download/anything")).status == 404
        assert served.app_pids() == []


async def test_a_tab_walks_as_its_agent_and_a_killed_app_leaves_the_walk_resumable(
    tmp_path: Path,
) -> None:
    token = add_token(tmp_path, "alice")
    secret = "paya-key-that-stays-on-the-server"
    env = isolated_env(tmp_path, BRANCHWISE_PAYA_USER_API_KEY=secret)
    options = ("--auth", "token", "--tokens", str(tmp_path / "tokens"))
    with serving(tmp_path, *options, env=env) as served:
        async with client() as http:
            await sign_in(http, served, token)
            page = await (await http.get(served.url)).text()
            tab = await open_tab(http, served)
            await open_tree(tab)
            await tab.press("1")
            await tab.wait_for("column headers")
            assert secret.encode() not in tab.received and secret not in page
            assert token.encode() not in tab.received and token not in page
            (pid,) = served.app_pids()
            os.kill(pid, signal.SIGKILL)
            await tab.wait_closed()
            wait_gone(pid)
            served.wait_logged(f"ended \\(app pid {pid}\\)")
            assert (await http.get(served.url)).status == 200  # the server goes on
        ((session, agent, status),) = sessions(served)
        assert (agent, status) == ("alice", "open")
    resumed = run_cli(
        "run",
        "--db",
        str(served.db),
        "--resume",
        session,
        "--answers",
        "Continue,Continue,y,,",
        "--json",
        env=env,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert '"status": "resolved"' in resumed.stdout
    assert sessions(served) == [(session, "alice", "resolved")]


async def test_behind_a_proxy_the_name_comes_from_its_header_only_from_its_address(
    tmp_path: Path,
) -> None:
    options = ("--auth", "proxy", "--trusted-proxy", "127.0.0.1", "--user-header", "X-Agent")
    with serving(tmp_path, *options) as served:
        async with client() as http:
            assert (await http.get(served.url)).status == 403
            with pytest.raises(aiohttp.WSServerHandshakeError):
                await open_tab(http, served)
            tab = await open_tab(http, served, headers={"X-Agent": "carol"})
            await open_tree(tab)
        assert [agent for _, agent, _ in sessions(served)] == ["carol"]
    untrusted = ("--auth", "proxy", "--trusted-proxy", "10.0.0.0/8")
    with serving(tmp_path, *untrusted) as served:
        async with client() as http:
            with pytest.raises(aiohttp.WSServerHandshakeError):
                await open_tab(http, served, headers={"X-Forwarded-User": "mallory"})


async def test_past_max_sessions_a_tab_gets_a_page_saying_so(tmp_path: Path) -> None:
    with serving(tmp_path, "--max-sessions", "1") as served:
        async with client() as http:
            tab = await open_tab(http, served)
            await tab.wait_for("branchwise · library")
            busy = await http.get(served.url)
            assert busy.status == 503
            assert "All 1 places of this server are in use" in await busy.text()
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await open_tab(http, served)
            assert refused.value.status == 503
            await tab.press("\x11")  # ctrl+q: that app ends, its place is free again
            await tab.wait_closed()
            served.wait_logged("ended")
            assert (await http.get(served.url)).status == 200


async def test_an_idle_tab_is_ended_and_its_walk_stays_open(tmp_path: Path) -> None:
    with serving(tmp_path, "--idle-timeout", "4s") as served:
        async with client() as http:
            tab = await open_tab(http, served)
            await open_tree(tab)
            (pid,) = served.app_pids()
            await tab.wait_closed(timeout=20)
            wait_gone(pid)
        assert "idle for 4s" in served.log()
        ((_, _, status),) = sessions(served)
        assert status == "open"


async def test_sigterm_ends_every_tab_app_cleanly(tmp_path: Path) -> None:
    with serving(tmp_path) as served:
        async with client() as http:
            tabs = [await open_tab(http, served) for _ in range(2)]
            for tab in tabs:
                await open_tree(tab)
            pids = served.app_pids()
            served.process.send_signal(signal.SIGTERM)
            assert served.process.wait(timeout=20) == 0
            for pid in pids:
                wait_gone(pid, timeout=1)
        assert "terminating" not in served.log()  # each quit on its own
        assert [status for _, _, status in sessions(served)] == ["open", "open"]
