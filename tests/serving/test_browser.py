"""`branchwise serve` driven by a real Chromium: sign in, walk with keys, download the transcript.

The screen is read from the bytes the page's terminal receives, through the same kind of terminal
emulator (pyte): xterm.js paints on a canvas, which has no text to read.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyte
import pytest

from engine.sessions.store import Store
from tests.serving.server import CHROMIUM, CHROMIUM_ARGS, add_token, serving

PATH = [
    "open-contacts",
    "find-contact",
    "open-profile",
    "create-user-visible",
    "create-user",
    "refresh-login-info",
    "done-user-created",
]

# A line of each node's body: shown only while that node is the current one.
BODIES = {
    "open-contacts": "menu on the left",
    "find-contact": "column headers",
    "open-profile": "to see the contact's",
    "create-user-visible": "for a button labelled",
    "create-user": "sends them an email",
    "refresh-login-info": "refresh the screen",
}


@pytest.fixture
def browser() -> Any:
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (apt install chromium): real-browser test skipped")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Terminal:
    """What the page's terminal shows: every binary frame its websocket received, emulated."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.screen = pyte.Screen(120, 36)
        self.stream = pyte.ByteStream(self.screen)
        page.on("websocket", self._opened)

    def _opened(self, socket: Any) -> None:
        size = parse_qs(urlsplit(socket.url).query)
        self._resize(int(size["width"][0]), int(size["height"][0]))
        socket.on("framereceived", self._received)
        socket.on("framesent", self._sent)

    def _resize(self, width: int, height: int) -> None:
        self.screen.resize(lines=height, columns=width)

    def _received(self, payload: str | bytes) -> None:
        if isinstance(payload, bytes):
            self.stream.feed(payload)

    def _sent(self, payload: str | bytes) -> None:
        message = json.loads(payload) if isinstance(payload, str) else None
        if message and message[0] == "resize":
            self._resize(message[1]["width"], message[1]["height"])

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def wait_for(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.text():
            assert time.monotonic() < deadline, f"never showed {text!r}:\n{self.text()}"
            self.page.wait_for_timeout(50)

    def wait_gone(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while text in self.text():
            assert time.monotonic() < deadline, f"still shows {text!r}:\n{self.text()}"
            self.page.wait_for_timeout(50)

    def press(self, key: str, then: str) -> None:
        """Press a key in the page and wait for what it should bring up."""
        self.page.keyboard.press(key)
        self.wait_for(then)


# Steps are continued with 1 (Continue's number) rather than Enter: Enter presses the focused
# button, and the new step's first button takes the focus a frame after the step is painted.
def test_an_agent_signs_in_walks_with_keys_and_downloads_the_transcript(
    tmp_path: Path, browser: Any
) -> None:
    token = add_token(tmp_path, "alice")
    tokens = str(tmp_path / "tokens")
    with serving(tmp_path, "--auth", "token", "--tokens", tokens) as served:
        stranger = browser.new_page(viewport={"width": 1200, "height": 800})
        stranger.goto(served.url)
        assert stranger.url.endswith("/sign-in")
        # No cookie: the websocket the app page would open is refused.
        opened = stranger.evaluate(
            """url => new Promise(done => {
                const socket = new WebSocket(url);
                socket.onopen = () => done("opened");
                socket.onerror = () => done("refused");
            })""",
            served.url.replace("http", "ws") + "ws",
        )
        assert opened == "refused"
        stranger.fill("#token", token[:-1] + ("x" if token[-1] != "x" else "y"))
        with stranger.expect_response(lambda r: r.url.endswith("/sign-in")) as refused:
            stranger.click("button[type=submit]")
        assert refused.value.status == 401
        assert "That token is not valid." in stranger.content()

        context = browser.new_context(viewport={"width": 1200, "height": 800})
        page = context.new_page()
        downloads: list[Any] = []
        terminal = Terminal(page)
        page.goto(served.url)
        page.fill("#token", token)
        page.click("button[type=submit]")
        cookie = next(c for c in context.cookies() if c["name"] == "branchwise_session")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        assert token not in page.content()
        terminal.wait_for("branchwise · library")
        page.focus(".xterm-helper-textarea")  # where xterm.js takes the keys, as a click would
        page.keyboard.type("customer-portal-access")  # its id: other trees mention granting
        terminal.wait_for("library · 1 of")
        terminal.press("Enter", BODIES["open-contacts"])
        terminal.wait_for("F2 Note")  # the browser's own ctrl+n opens a window: F2 is shown
        assert "F3 Transcript" in terminal.text()
        terminal.press("1", BODIES["find-contact"])
        terminal.press("Control+r", "Start this tree again")
        terminal.press("y", BODIES["open-contacts"])
        terminal.press("1", BODIES["find-contact"])
        terminal.press("F3", "Transcript · session")
        page.keyboard.press("Escape")
        terminal.wait_gone("Transcript · session")
        terminal.press("1", BODIES["open-profile"])
        terminal.press("1", BODIES["create-user-visible"])
        terminal.press("Escape", BODIES["open-profile"])
        terminal.press("1", BODIES["create-user-visible"])
        terminal.press("y", BODIES["create-user"])
        terminal.press("1", BODIES["refresh-login-info"])
        terminal.press("1", "✓ Resolved")
        terminal.wait_for("d Download")
        assert "s Save" not in terminal.text()  # it would write the file on the server
        # The page opens the download's address in a new window; Chromium reports it here.
        page.on("download", lambda download: downloads.append(download))
        page.keyboard.press("d")
        deadline = time.monotonic() + 20
        while not downloads:
            assert time.monotonic() < deadline, f"no download: {context.pages} {served.log()}"
            page.wait_for_timeout(50)
        download = downloads[0]
        transcript = Path(download.path()).read_text(encoding="utf-8")
        assert download.suggested_filename.endswith(".md")
        context.close()

    with Store(served.db) as store:
        (summary,) = store.list_sessions()
        record = store.load(summary.id)
    assert (record.agent, record.status) == ("alice", "resolved")
    assert record.outcome == "done-user-created"
    assert [step.node_id for step in record.steps] == PATH
    assert download.suggested_filename == f"{record.id}.md"
    assert "Contact user created" in transcript and "alice" in transcript
