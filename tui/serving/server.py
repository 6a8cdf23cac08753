"""The web server: sign-in, one app per websocket, limits, idle tabs ended, children stopped."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from textual_serve.server import Server, to_int

from engine.text import plain, well_formed
from tui.serving import pages
from tui.serving.options import ServeOptions
from tui.serving.sign_in import (
    COOKIE,
    SIGNED_IN_FOR,
    FailureLimit,
    SignedIn,
    is_trusted,
)
from tui.serving.tab_service import TabService
from tui.serving.tokens import agent_of, read_tokens

log = logging.getLogger("branchwise.serve")

MAX_NAME = 128  # characters of an agent name taken from a proxy's header
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",  # a same-origin form then says its Origin
    "Cache-Control": "no-store",
}


@dataclass(eq=False)
class Tabs:
    """The apps running now, one per connected tab."""

    running: set[TabService] = field(default_factory=set)

    def full(self, limit: int | None) -> bool:
        return limit is not None and len(self.running) >= limit


class BranchwiseServer(Server):
    """textual-serve's server with a sign-in in front and the tabs' apps kept in hand."""

    def __init__(self, options: ServeOptions) -> None:
        super().__init__(" ".join(options.child), host=options.host, port=options.port)
        self.options = options
        self.title = "branchwise"
        self.signed_in = SignedIn()
        self.failures = FailureLimit()
        self.tabs = Tabs()
        self._idle_task: asyncio.Task[None] | None = None

    # Serving.

    def initialize_logging(self) -> None:
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S"
        )

    def serve(self, debug: bool = False) -> None:
        """Serve until SIGINT or SIGTERM; every tab's app is asked to quit first."""
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        for sent in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sent, self.request_exit)
        web.run_app(
            self._make_app(),
            host=self.options.host,
            port=self.options.port,
            handle_signals=False,
            loop=loop,
            print=lambda *_: log.info(
                "branchwise serving on %s (sign-in: %s)", self._address(), self._sign_in()
            ),
            access_log=None,
            shutdown_timeout=2,
        )

    async def _make_app(self) -> web.Application:
        app = web.Application(middlewares=[_security_headers])
        app.add_routes(
            [
                web.get("/", self.handle_index, name="index"),
                web.get("/sign-in", self.handle_sign_in_page),
                web.post("/sign-in", self.handle_sign_in),
                web.post("/sign-out", self.handle_sign_out),
                web.get("/ws", self.handle_websocket, name="websocket"),
                web.get("/download/{key}", self.handle_download, name="download"),
                web.static("/static", self.statics_path, name="static"),
            ]
        )
        app.on_startup.append(self.on_startup)
        app.on_shutdown.append(self.on_shutdown)
        return app

    async def on_startup(self, app: web.Application) -> None:
        if self.options.idle_timeout:
            self._idle_task = asyncio.create_task(self._end_idle_tabs(self.options.idle_timeout))

    def _sign_in(self) -> str:
        return self.options.auth or "none, this machine only"

    def _address(self) -> str:
        if self.options.public_url:
            return self.options.public_url
        host = self.options.host
        return f"http://{f'[{host}]' if ':' in host else host}:{self.options.port}/"

    async def on_shutdown(self, app: web.Application) -> None:
        """Every tab's app quits (its walk stays open) before the server ends."""
        if self._idle_task is not None:
            self._idle_task.cancel()
        running = list(self.tabs.running)
        if running:
            log.info("stopping %d tab(s)", len(running))
        await asyncio.gather(*(tab.stop() for tab in running), return_exceptions=True)

    # Who is asking.

    def agent(self, request: web.Request) -> str | None:
        """The signed-in agent ('' when no sign-in is asked for), or None when refused."""
        if self.options.auth == "token":
            return self.signed_in.agent(request.cookies.get(COOKIE))
        if self.options.auth == "proxy":
            if not is_trusted(request.remote, self.options.trusted_proxies):
                return None
            name = plain(well_formed(request.headers.get(self.options.user_header, ""))).strip()
            return name[:MAX_NAME] or None
        return ""

    def _refusal(self, request: web.Request) -> web.Response:
        if self.options.auth == "token":
            raise web.HTTPSeeOther("sign-in")
        text = (
            f"This server takes the agent's name from the {self.options.user_header} header "
            "of a trusted proxy, and this request did not come with one."
        )
        return _html(pages.message_page("Not signed in", text), status=403)

    def _own_origin(self, request: web.Request) -> bool:
        """Whether the request's Origin is this server's own (the address the agent opened)."""
        origin = request.headers.get("Origin")
        if not origin:
            return False
        netloc = urlsplit(origin).netloc.lower()
        own = {request.host.lower()}
        if self.options.public_url:
            own.add(urlsplit(self.options.public_url).netloc.lower())
        return netloc in own

    # Pages.

    async def handle_index(self, request: web.Request) -> web.Response:
        agent = self.agent(request)
        if agent is None:
            return self._refusal(request)
        if self.tabs.full(self.options.max_sessions):
            return self._busy()
        font_size = to_int(request.query.get("fontsize", "16"), 16)
        return _html(pages.app_page(font_size, self.options.auth == "token"))

    def _busy(self) -> web.Response:
        text = (
            f"All {self.options.max_sessions} places of this server are in use. Close another "
            "branchwise tab, or try again in a moment."
        )
        return _html(pages.message_page("branchwise is full", text, retry=True), status=503)

    async def handle_sign_in_page(self, request: web.Request) -> web.Response:
        if self.options.auth != "token":
            raise web.HTTPSeeOther("./")
        return _html(pages.sign_in_page())

    async def handle_sign_in(self, request: web.Request) -> web.Response:
        """Check the token; a cookie for the agent it belongs to, or the form again."""
        if self.options.auth != "token" or not self._own_origin(request):
            return _html(pages.message_page("Refused", "Sign in from this server's page."), 403)
        address = request.remote or "?"
        wait = self.failures.wait(address)
        if wait:
            text = f"Too many failed sign-ins; try again in {int(wait) + 1} seconds."
            return _html(pages.sign_in_page(text), status=429)
        form = await request.post()
        token = form.get("token")
        assert self.options.tokens is not None
        agent = agent_of(read_tokens(self.options.tokens), token if isinstance(token, str) else "")
        if agent is None:
            self.failures.failed(address)
            log.info("failed sign-in from %s", address)
            return _html(pages.sign_in_page("That token is not valid."), status=401)
        log.info("%s signed in from %s", agent, address)
        response = web.HTTPSeeOther("./")
        response.set_cookie(
            COOKIE,
            self.signed_in.start(agent),
            max_age=int(SIGNED_IN_FOR),
            path="/",
            httponly=True,
            samesite="Strict",
            secure=request.secure or (self.options.public_url or "").startswith("https:"),
        )
        return response

    async def handle_sign_out(self, request: web.Request) -> web.Response:
        if not self._own_origin(request):
            return _html(pages.message_page("Refused", "Sign out from this server's page."), 403)
        self.signed_in.end(request.cookies.get(COOKIE))
        response = web.HTTPSeeOther("sign-in")
        response.del_cookie(COOKIE, path="/")
        return response

    async def handle_download(self, request: web.Request) -> web.StreamResponse:
        """A transcript the agent's own app offered; nobody else's."""
        agent = self.agent(request)
        if agent is None:
            raise web.HTTPForbidden(text="Sign in on this server's page first.")
        key = request.match_info["key"]
        try:
            download = await self.download_manager.get_download_metadata(key)
        except KeyError:
            raise web.HTTPNotFound(text="This download is over or was never offered.") from None
        owner = getattr(download.app_service, "agent", None) or ""
        if owner != agent:
            raise web.HTTPForbidden(text="This download belongs to another agent's tab.")
        log.info("%s downloads %s", agent or "-", download.file_name)
        return await super().handle_download(request)

    # The tabs.

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """One app for this tab, as its signed-in agent; refused without a sign-in or from
        another site's page."""
        agent = self.agent(request)
        if agent is None or not self._own_origin(request):
            log.info("refused a tab from %s (no sign-in, or another site)", request.remote)
            raise web.HTTPForbidden(text="Sign in on this server's page first.")
        if self.tabs.full(self.options.max_sessions):
            raise web.HTTPServiceUnavailable(text="All places of this server are in use.")
        websocket = web.WebSocketResponse(heartbeat=15)
        tab = TabService(
            self.options.child,
            agent or None,
            write_bytes=websocket.send_bytes,
            write_str=websocket.send_str,
            close=websocket.close,
            download_manager=self.download_manager,
        )
        self.tabs.running.add(tab)  # counted before the handshake's await: no two take one place
        try:
            await websocket.prepare(request)
            await self._run_tab(request, websocket, tab)
        finally:
            self.tabs.running.discard(tab)
            await tab.stop()
            log.info("tab of %s ended (app pid %s)", agent or "-", tab.pid)
        return websocket

    async def _run_tab(
        self, request: web.Request, websocket: web.WebSocketResponse, tab: TabService
    ) -> None:
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        await tab.start(width, height)
        log.info(
            "tab of %s started (app pid %s; %d running)",
            tab.agent or "-",
            tab.pid,
            len(self.tabs.running),
        )
        with contextlib.suppress(asyncio.CancelledError):
            await self._process_messages(websocket, tab)
        await websocket.close()

    async def _end_idle_tabs(self, timeout: float) -> None:
        """End the app of every tab without a key or click for `timeout` seconds."""
        while True:
            await asyncio.sleep(min(timeout / 4, 5.0))
            now = time.monotonic()
            for tab in list(self.tabs.running):
                if now - tab.last_active >= timeout:
                    log.info("tab of %s idle for %ds: ending its app", tab.agent or "-", timeout)
                    self.tabs.running.discard(tab)
                    await tab.stop()
                    await tab.remote_close()


@web.middleware
async def _security_headers(request: web.Request, handler: Any) -> web.StreamResponse:
    """No framing by other sites, no caching of pages, no sniffing; on every answer."""
    try:
        response: web.StreamResponse = await handler(request)
    except web.HTTPException as exc:
        exc.headers.update(SECURITY_HEADERS)
        raise
    if not response.prepared:
        response.headers.update(SECURITY_HEADERS)
    return response


def _html(text: str, status: int = 200) -> web.Response:
    return web.Response(text=text, status=status, content_type="text/html")


def serve(options: ServeOptions) -> int:
    """Run the server until it is told to stop; 0 then."""
    server = BranchwiseServer(options)
    server.serve()
    print("branchwise: server stopped", file=sys.stderr)
    return 0
