"""http.request: one HTTP request to a host the operator's config allows, never one a tree names."""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import SplitResult, urlsplit

from engine.actions.config import HTTP_ENV, MAX_TIMEOUT, Config
from engine.actions.registry import ActionSpec, CallPlan, Param
from engine.actions.transport import failed, network_errors, new_client, transport_failure

if TYPE_CHECKING:
    import httpx

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
READING_METHODS = ("GET", "HEAD")  # by HTTP's own rules, safe: they change nothing on the server
TEXT_LIMIT = 64 * 1024
JSON_LIMIT = 1024 * 1024
DEFAULT_PORTS = {"http": 80, "https": 443}
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_FORBIDDEN_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection"})


@dataclass(frozen=True)
class PreparedRequest:
    """A request checked against the operator's config, ready to send."""

    method: str
    url: str
    host: str
    headers: Mapping[str, str]
    tree_headers: tuple[str, ...]
    body: Any
    timeout: float


class HttpRequest:
    """http.request: the status and body of one request to an allowed host."""

    spec = ActionSpec(
        name="http.request",
        summary="Send one HTTP request to a host the operator allows; returns status and body",
        params=(
            Param(
                "method",
                "text",
                False,
                f"{', '.join(METHODS)} (default GET); GET and HEAD have no side effects",
            ),
            Param("url", "text", True, "an http:// or https:// URL on an allowed host"),
            Param("headers", "mapping", False, "extra request headers"),
            Param("json", "any", False, "a body sent as JSON"),
            Param("timeout", "number", False, f"seconds to wait, at most {MAX_TIMEOUT:g}"),
        ),
        side_effects=True,
        result="status, ok (2xx), json (the parsed body or null) and text (up to 64 KiB)",
        reads_only=lambda args: _method_named(args) in READING_METHODS,
    )

    def configured(self, config: Config) -> bool:
        return config.http.configured

    def setup_hint(self, config: Config) -> str:
        return (
            f"list the hosts it may reach in [http] allowed_hosts in {config.path} "
            f"(or {HTTP_ENV['allowed_hosts']})"
        )

    def plan(self, args: Mapping[str, Any], config: Config) -> CallPlan:
        request = prepare(args, config)
        shown: dict[str, Any] = {}
        if request.tree_headers:
            shown["headers"] = list(request.tree_headers)
        if request.body is not None:
            shown["json"] = request.body
        return CallPlan(self.spec.name, request.method, request.url, config.mask.value(shown))

    def call(self, args: Mapping[str, Any], config: Config) -> Mapping[str, Any]:
        request = prepare(args, config)
        try:
            with new_client(request.timeout) as client:
                response = client.send(_build(client, request), stream=True)
                try:
                    raw, complete = _read_capped(response)
                finally:
                    response.close()
        except network_errors() as exc:
            message = transport_failure(exc, request.host, request.url, request.timeout)
            raise failed(message, config) from None
        result: dict[str, Any] = config.mask.value(_result(response, raw, complete), fields=False)
        return result


def prepare(args: Mapping[str, Any], config: Config) -> PreparedRequest:
    """The request the arguments describe, or ActionFailed when the config does not allow it."""
    method = _method(args, config)
    url, parts = _url(args, config)
    allowed_as = _allowed_entry(parts, config)
    operator = _operator_headers(config, allowed_as, parts)
    tree = _tree_headers(args.get("headers"), operator, config)
    body = args.get("json")
    if body is not None:
        try:
            json.dumps(body)
        except (TypeError, ValueError):
            raise failed("http.request: json must be data JSON can carry", config) from None
    return PreparedRequest(
        method=method,
        url=url,
        host=_display_host(parts),
        headers={**tree, **operator},
        tree_headers=tuple(tree),
        body=body,
        timeout=_timeout(args.get("timeout"), config),
    )


def _method(args: Mapping[str, Any], config: Config) -> str:
    method = _method_named(args)
    if method not in METHODS:
        raise failed(
            f"http.request: method must be one of {', '.join(METHODS)}, not {args['method']!r}",
            config,
        )
    return method


def _method_named(args: Mapping[str, Any]) -> str:
    raw = args.get("method")
    return str(raw).strip().upper() if raw not in (None, "") else "GET"


def _url(args: Mapping[str, Any], config: Config) -> tuple[str, SplitResult]:
    raw = args.get("url")
    url = raw.strip() if isinstance(raw, str) else ""
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 - a bad port only shows when read
    except ValueError:
        raise failed(f"http.request: {url!r} has a port that is not a number", config) from None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        shown = url or "an empty url"
        raise failed(f"http.request: url must be an http:// or https:// URL, not {shown!r}", config)
    return url, parts


def _display_host(parts: SplitResult) -> str:
    host = parts.hostname or ""
    host = f"[{host}]" if ":" in host else host
    return f"{host}:{parts.port}" if parts.port is not None else host


def _allowed_entry(parts: SplitResult, config: Config) -> str:
    """The allowed_hosts entry that lets this URL through; ActionFailed when none does."""
    port = parts.port or DEFAULT_PORTS[parts.scheme]
    for entry in config.http.allowed_hosts:
        allowed = urlsplit(f"//{entry}")
        entry_port = allowed.port or DEFAULT_PORTS[parts.scheme]
        if allowed.hostname == (parts.hostname or "").lower() and entry_port == port:
            return entry
    raise failed(
        f"host {_display_host(parts)} is not allowed by the operator's config "
        f"(add it to [http] allowed_hosts in {config.path})",
        config,
    )


def _operator_headers(config: Config, entry: str, parts: SplitResult) -> Mapping[str, str]:
    return config.http.headers_for(entry) or config.http.headers_for(parts.hostname or "")


def _tree_headers(raw: Any, operator: Mapping[str, str], config: Config) -> dict[str, str]:
    """The tree's own headers; one the operator sets for this host is theirs and stays theirs."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise failed("http.request: headers must be a mapping of name: value", config)
    taken = {name.lower() for name in operator}
    headers: dict[str, str] = {}
    for name, value in raw.items():
        name = str(name)
        if not _HEADER_NAME.match(name) or name.lower() in _FORBIDDEN_HEADERS:
            raise failed(f"http.request: {name!r} cannot be sent as a header", config)
        text = "" if value is None else str(value)
        if any(ch in text for ch in "\r\n\0"):
            raise failed(f"http.request: header {name!r} holds a line break", config)
        if name.lower() not in taken:
            headers[name] = text
    return headers


def _timeout(raw: Any, config: Config) -> float:
    if raw is None or raw == "":
        return config.http.timeout
    try:
        seconds = float(raw) if not isinstance(raw, bool) else 0.0
    except (TypeError, ValueError):
        seconds = 0.0
    if not 0 < seconds <= MAX_TIMEOUT:
        message = f"http.request: timeout must be seconds above 0, at most {MAX_TIMEOUT:g}"
        raise failed(f"{message}, not {raw!r}", config)
    return seconds


def _build(client: httpx.Client, request: PreparedRequest) -> httpx.Request:
    return client.build_request(
        request.method, request.url, headers=dict(request.headers), json=request.body
    )


def _read_capped(response: httpx.Response) -> tuple[bytes, bool]:
    """Up to JSON_LIMIT bytes of the body, and whether that was all of it."""
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size > JSON_LIMIT:
            return b"".join(chunks)[:JSON_LIMIT], False
    return b"".join(chunks), True


def _result(response: httpx.Response, raw: bytes, complete: bool) -> dict[str, Any]:
    encoding = response.encoding or "utf-8"
    try:
        decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    except LookupError:
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    return {
        "status": response.status_code,
        "ok": 200 <= response.status_code < 300,
        "json": _json_body(response, raw) if complete else None,
        "text": decoder.decode(raw[:TEXT_LIMIT], final=len(raw) <= TEXT_LIMIT),
    }


def _json_body(response: httpx.Response, raw: bytes) -> Any:
    kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
    looks_like_json = raw.lstrip()[:1] in (b"{", b"[")
    if not (kind == "application/json" or kind.endswith("+json") or looks_like_json):
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None
