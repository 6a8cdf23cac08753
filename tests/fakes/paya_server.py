"""A local Paya Connect v2 contacts API and an echo server, real HTTP on 127.0.0.1 for tests."""

from __future__ import annotations

import json
import re
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

DEVELOPER_ID = "dev-7Qx2Lm9P"
USER_ID = "11ee0b9c54d50f16a441d36d"
USER_API_KEY = "key-Zt84hWq0sVn3RbYc"
OPERATOR_TOKEN = "Bearer op-secret-9f8e7d6c"  # what an operator puts in [http.headers]

# Ids of contacts that exist, and ids that make the fake misbehave in one documented way.
USER_CONTACT_ID = "11ef2a3b4c5d6e7f8091a2b3"
PLAIN_CONTACT_ID = "11ef2a3b4c5d6e7f8091a2b4"
FLAGGED_CONTACT_ID = "11ef2a3b4c5d6e7f8091a2b5"
FORBIDDEN_ID = "11ef000000000000000f0403"
SERVER_ERROR_ID = "11ef000000000000000f0500"
SLOW_ID = "11ef000000000000000f0408"
MALFORMED_ID = "11ef000000000000000f0bad"
NO_CONTACT_KEY_ID = "11ef000000000000000f0000"
UNKNOWN_ID = "11efffffffffffffffffffff"
SLOW_SECONDS = 1.5

MALFORMED_EMAIL = "broken@example.com"
NO_LIST_EMAIL = "nolist@example.com"

_ID_FORMAT = re.compile(r"^[0-9a-f]{24,36}$")
_LIST_PATH = "/v2/contacts"
_ONE_PATH = re.compile(r"^/v2/contacts/([^/]+)$")
_PAGING = frozenset({"expand", "page_size", "page", "order_by"})


def _contact(contact_id: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": contact_id,
        "location_id": "11e9b2b7d4c0f3a2a4b1c0d9",
        "account_number": None,
        "contact_api_id": None,
        "company_name": None,
        "first_name": None,
        "last_name": None,
        "email": None,
        "cell_phone": None,
        "email_trx_receipt": True,
        "created_ts": 1700000000,
        "modified_ts": None,
    }
    base.update(fields)
    return base


CONTACTS: tuple[dict[str, Any], ...] = (
    _contact(
        USER_CONTACT_ID,
        account_number="A-1001",
        contact_api_id="erp-1001",
        company_name="Harbor Dental",
        first_name="Maria",
        last_name="Lopez",
        email="maria.lopez@harbordental.example",
        cell_phone="5125550142",
    ),
    _contact(
        PLAIN_CONTACT_ID,
        account_number="A-1002",
        contact_api_id="erp-1002",
        first_name="Dev",
        last_name="Patel",
        email="dev.patel@example.com",
    ),
    _contact(
        FLAGGED_CONTACT_ID,
        account_number="A-1003",
        first_name="Kim",
        last_name="Patel",
        email="kim.patel@example.com",
        is_user="1",
    ),
    _contact(
        "11ef2a3b4c5d6e7f8091a2b6",
        account_number="A-1004",
        first_name="Dev",
        last_name="Patel",
        email="dev.patel@example.com",
    ),
)
USERS = {
    USER_CONTACT_ID: {
        "id": "11ef5a6b7c8d9e0f1a2b3c4d",
        "username": "maria.lopez@harbordental.example",
        "email": "maria.lopez@harbordental.example",
        "contact_id": USER_CONTACT_ID,
        "status": 1,
    }
}


@dataclass(frozen=True)
class Recorded:
    """One request as the server saw it."""

    method: str
    path: str
    query: Mapping[str, list[str]]
    headers: Mapping[str, str]
    body: bytes


class QuietServer(ThreadingHTTPServer):
    """Serves each request in a thread; a client that hung up early is not an error here."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@dataclass
class FakeServer:
    """A ThreadingHTTPServer on 127.0.0.1 with a free port, serving in a background thread."""

    handler: type[BaseHTTPRequestHandler]
    requests: list[Recorded] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._server = QuietServer(("127.0.0.1", 0), self.handler)
        self._server.recorded = self.requests  # type: ignore[attr-defined]
        # A short poll interval keeps stop() quick: shutdown waits for the next poll.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    def start(self) -> FakeServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def running(handler: type[BaseHTTPRequestHandler]) -> Iterator[FakeServer]:
    """A fake server for the duration of a with block."""
    server = FakeServer(handler).start()
    try:
        yield server
    finally:
        server.stop()


class RecordingHandler(BaseHTTPRequestHandler):
    """Records every request on the server's list; subclasses answer them."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: tests read the recorded requests instead of a log."""

    def record(self) -> Recorded:
        length = int(self.headers.get("Content-Length") or 0)
        parts = urlsplit(self.path)
        seen = Recorded(
            method=self.command,
            path=parts.path,
            query=parse_qs(parts.query),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=self.rfile.read(length) if length else b"",
        )
        self.server.recorded.append(seen)  # type: ignore[attr-defined]
        return seen

    def send_body(
        self, status: int, body: bytes, content_type: str, extra: Mapping[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_json(self, status: int, payload: Any) -> None:
        self.send_body(status, json.dumps(payload).encode(), "application/json; charset=UTF-8")


class PayaHandler(RecordingHandler):
    """GET /v2/contacts/{id} and GET /v2/contacts, as Paya Connect answers them."""

    def do_GET(self) -> None:
        seen = self.record()
        if not self._authorized(seen):
            self.send_json(401, {"errors": {"user-api-key": ["Invalid user-id or user-api-key"]}})
            return
        expand = {e for value in seen.query.get("expand", []) for e in value.split(",")}
        one = _ONE_PATH.match(seen.path)
        if one:
            self._one(one.group(1), "user" in expand)
        elif seen.path == _LIST_PATH:
            self._list(seen.query, "user" in expand)
        else:
            self.send_json(404, {"errors": {"path": [f"{seen.path} does not exist"]}})

    def _authorized(self, seen: Recorded) -> bool:
        expected = {"developer-id": DEVELOPER_ID, "user-id": USER_ID, "user-api-key": USER_API_KEY}
        return all(seen.headers.get(name) == value for name, value in expected.items())

    def _one(self, contact_id: str, with_user: bool) -> None:
        if self._misbehaves(contact_id):
            return
        if not _ID_FORMAT.match(contact_id):
            self.send_json(422, {"errors": {"id": ["Id must be 24 to 36 hexadecimal characters"]}})
            return
        contact = next((c for c in CONTACTS if c["id"] == contact_id), None)
        if contact is None:
            self.send_json(404, {"errors": {"id": [f"Contact {contact_id} not found"]}})
            return
        self.send_json(200, {"contact": _shown(contact, with_user)})

    def _misbehaves(self, contact_id: str) -> bool:
        if contact_id == FORBIDDEN_ID:
            message = "Contacts are not enabled for this location"
            self.send_json(403, {"errors": {"location": [message]}})
        elif contact_id == SERVER_ERROR_ID:
            self.send_body(500, b"<html>Internal Server Error</html>", "text/html")
        elif contact_id == SLOW_ID:
            time.sleep(SLOW_SECONDS)
            self.send_json(200, {"contact": _shown(CONTACTS[0], False)})
        elif contact_id == MALFORMED_ID:
            self.send_body(200, b'{"contact": {"id": "11ef', "application/json")
        elif contact_id == NO_CONTACT_KEY_ID:
            self.send_json(200, {"data": {"id": contact_id}})
        else:
            return False
        return True

    def _list(self, query: Mapping[str, list[str]], with_user: bool) -> None:
        filters = {k: v[0] for k, v in query.items() if k not in _PAGING}
        unknown = sorted(k for k in filters if k not in CONTACTS[0])
        if unknown:
            self.send_json(422, {"errors": {k: ["Unknown filter field"] for k in unknown}})
            return
        if filters.get("email") == MALFORMED_EMAIL:
            self.send_body(200, b"contacts: none", "text/plain")
            return
        if filters.get("email") == NO_LIST_EMAIL:
            self.send_json(200, {"contact": None})
            return
        self._matches(filters, query, with_user)

    def _matches(
        self, filters: dict[str, str], query: Mapping[str, list[str]], with_user: bool
    ) -> None:
        page_size = int(query.get("page_size", ["50"])[0])
        found = [c for c in CONTACTS if all(_same(c.get(k), v) for k, v in filters.items())]
        page = [_shown(c, with_user) for c in found[:page_size]]
        pages = max(1, -(-len(found) // page_size))
        meta = {
            "totalCount": len(found),
            "pageCount": pages,
            "currentPage": 1,
            "perPage": page_size,
        }
        self.send_json(200, {"contacts": page, "meta": {"pagination": meta}})


def _same(value: Any, wanted: str) -> bool:
    return isinstance(value, str) and value.lower() == wanted.lower()


def _shown(contact: Mapping[str, Any], with_user: bool) -> dict[str, Any]:
    shown = dict(contact)
    shown["_links"] = {
        "self": {"href": f"https://api.sandbox.payaconnect.com/v2/contacts/{contact['id']}"}
    }
    if with_user:
        shown["user"] = USERS.get(str(contact["id"]))
    return shown


class EchoHandler(RecordingHandler):
    """Answers by path: /echo, /status/N, /redirect?to=URL, /text, /big, /slow, /broken-json."""

    def do_GET(self) -> None:
        self._answer(self.record())

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    def _answer(self, seen: Recorded) -> None:
        status = re.match(r"^/status/(\d{3})$", seen.path)
        if status:
            self.send_json(int(status.group(1)), {"status": int(status.group(1))})
        elif seen.path == "/redirect":
            target = seen.query.get("to", ["/echo"])[0]
            self.send_body(302, b"", "text/plain", {"Location": target})
        elif seen.path in _FIXED_BODIES:
            body, kind = _FIXED_BODIES[seen.path]
            self.send_body(200, body, kind)
        elif seen.path == "/slow":
            time.sleep(SLOW_SECONDS)
            self.send_json(200, {"slow": True})
        else:
            self.send_json(200, _echo(seen))


def _echo(seen: Recorded) -> dict[str, Any]:
    try:
        body = json.loads(seen.body) if seen.body else None
    except ValueError:
        body = seen.body.decode("utf-8", "replace")
    return {"method": seen.method, "path": seen.path, "headers": dict(seen.headers), "json": body}


_FIXED_BODIES = {
    "/text": (b"plain words, not JSON", "text/plain; charset=utf-8"),
    "/big": (b"x" * (200 * 1024), "text/plain"),
    "/huge-json": (b"[" + b"1," * (600 * 1024) + b"1]", "application/json"),
    "/broken-json": (b'{"ok": tru', "application/json"),
    "/unlabelled-json": (b'{"count": 3}', "text/plain"),
    "/latin1": ("café".encode("latin-1"), "text/plain; charset=latin-1"),
}
