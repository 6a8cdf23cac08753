"""A real `branchwise serve` in a subprocess on a free loopback port, and tabs that talk to it."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pyte

from tests.cli import CLI, ROOT, isolated_env

TREES = ROOT / "trees"
CHROMIUM = "/usr/bin/chromium"  # Debian's: the browser build Playwright downloads is not used
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Wide enough that no line of the bundled trees' bodies wraps: tests wait for them as written.
WIDTH, HEIGHT = 160, 40


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Served:
    """The running server: its address, process and what it has logged so far."""

    url: str
    process: subprocess.Popen[str]
    db: Path
    log_path: Path

    @property
    def origin(self) -> str:
        return self.url.rstrip("/")

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def app_pids(self) -> list[int]:
        """The pids of the tabs' apps the server has started, in order."""
        return [int(pid) for pid in re.findall(r"started \(app pid (\d+)", self.log())]

    def wait_logged(self, pattern: str, timeout: float = 20) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(pattern, self.log())
            if found:
                return found
            time.sleep(0.05)
        raise AssertionError(f"the server never logged {pattern!r}:\n{self.log()}")


def add_token(tmp_path: Path, name: str) -> str:
    result = subprocess.run(
        [*CLI, "serve", "add-token", name, "--tokens", str(tmp_path / "tokens")],
        capture_output=True,
        encoding="utf-8",
        cwd=ROOT,
        env=isolated_env(tmp_path),
        check=True,
    )
    return result.stdout.strip()


@contextmanager
def serving(tmp_path: Path, *options: str, env: dict[str, str] | None = None) -> Iterator[Served]:
    """`branchwise serve OPTIONS` on a free port with the bundled trees and a fresh SQLite file."""
    port = free_port()
    db = tmp_path / "served.sqlite3"
    log_path = tmp_path / f"serve-{port}.log"
    command = [*CLI, "serve", "--port", str(port), "--library", str(TREES), "--db", str(db)]
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [*command, *options],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            env=env or isolated_env(tmp_path),
            encoding="utf-8",
        )
    served = Served(f"http://127.0.0.1:{port}/", process, db, log_path)
    try:
        served.wait_logged("serving on")
        yield served
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def pid_alive(pid: int) -> bool:
    """Whether a process runs (a zombie does not count)."""
    try:
        status = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return status.rsplit(")", 1)[1].split()[0] != "Z"


@dataclass
class Tab:
    """One tab's websocket, its screen kept by a terminal emulator as a browser's would be."""

    websocket: aiohttp.ClientWebSocketResponse
    screen: pyte.Screen = field(default_factory=lambda: pyte.Screen(WIDTH, HEIGHT))
    closed: bool = False
    pressed_again: int = 0  # keys sent again by press_until: the first were dropped
    received: bytearray = field(default_factory=bytearray)  # every byte the app sent

    def __post_init__(self) -> None:
        self.stream = pyte.ByteStream(self.screen)

    def text(self) -> str:
        return "\n".join(self.screen.display)

    async def pump(self, timeout: float) -> bool:
        """Take what the app sent within `timeout` seconds; False when it sent nothing."""
        try:
            message = await self.websocket.receive(timeout=timeout)
        except TimeoutError:
            return False
        if message.type == aiohttp.WSMsgType.BINARY:
            self.received += message.data
            self.stream.feed(message.data)
        elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
            self.closed = True
        return True

    async def wait_quiet(self, quiet: float = 0.5, timeout: float = 60) -> None:
        """Wait until the app has sent nothing for `quiet` seconds: the screen is settled (a key
        sent while a screen is being replaced may be dropped, as typed ahead in a terminal)."""
        deadline = time.monotonic() + timeout
        while await self.pump(quiet) and not self.closed:
            if time.monotonic() > deadline:
                return

    async def wait_for(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.text():
            if self.closed or time.monotonic() > deadline:
                raise AssertionError(f"never showed {text!r}; the screen:\n{self.text()}")
            await self.pump(0.2)

    async def wait_closed(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not self.closed:
            if time.monotonic() > deadline:
                raise AssertionError("the tab was never closed")
            await self.pump(0.2)

    async def press_until(
        self, keys: str, shown: str, unchanged: str, timeout: float = 30, tries: int = 3
    ) -> None:
        """Press once the screen has settled, until `shown` shows; pressed again only while the
        screen still shows `unchanged` after a while (the keys came too early and were dropped, as
        keys typed ahead at a screen being replaced may be)."""
        for _ in range(tries):
            await self.wait_quiet()
            await self.press(keys)
            try:
                await self.wait_for(shown, timeout / tries)
                return
            except AssertionError:
                if unchanged not in self.text():
                    raise
                self.pressed_again += 1
        await self.wait_for(shown, timeout / tries)

    async def press(self, keys: str) -> None:
        await self.websocket.send_str(json.dumps(["stdin", keys]))

    async def settle(self, seconds: float = 0.3) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not self.closed:
            await self.pump(0.05)


async def open_tab(
    client: aiohttp.ClientSession, served: Served, headers: dict[str, str] | None = None
) -> Tab:
    """A websocket to the server, as the app page's script opens one."""
    websocket = await client.ws_connect(
        f"{served.url}ws?width={WIDTH}&height={HEIGHT}",
        headers={"Origin": served.origin, **(headers or {})},
    )
    await websocket.send_str(json.dumps(["resize", {"width": WIDTH, "height": HEIGHT}]))
    return Tab(websocket)


async def sign_in(client: aiohttp.ClientSession, served: Served, token: str) -> Any:
    return await client.post(
        f"{served.url}sign-in",
        data={"token": token},
        headers={"Origin": served.origin},
        allow_redirects=False,
    )


def run(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def client() -> aiohttp.ClientSession:
    """An HTTP client that keeps the server's cookie (aiohttp's jar skips IP hosts by default)."""
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def open_tree(tab: Tab, timeout: float = 30) -> None:
    """From the library, open paya-connect/customer-portal-access: its first step shows."""
    await tab.wait_for("branchwise · library", timeout)
    await tab.press_until("customer-portal-access", "library · 1 of", "Type to filter", timeout)
    await tab.press_until("\r", "menu on the left", "library · 1 of", timeout)
