"""What the HTTP actions share: httpx loaded on first use, network failures as one-line messages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.actions.registry import ActionFailed
from engine.text import plain

if TYPE_CHECKING:
    import httpx

    from engine.actions.config import Config

MESSAGE_LIMIT = 300


def load_httpx() -> Any:
    """The httpx module, imported only when a request is about to be sent (startup stays fast)."""
    import httpx

    return httpx


def new_client(timeout: float) -> httpx.Client:
    """A client that never follows redirects: a redirect could lead to a host nobody allowed."""
    client: httpx.Client = load_httpx().Client(timeout=timeout, follow_redirects=False)
    return client


def network_errors() -> tuple[type[BaseException], ...]:
    """The exceptions a request may raise that mean "it did not get an answer"."""
    httpx = load_httpx()
    return (httpx.HTTPError, httpx.InvalidURL, OSError, ValueError)


def transport_failure(exc: BaseException, service: str, where: str, timeout: float) -> str:
    """One line saying why a request to `service` at `where` got no answer."""
    httpx = load_httpx()
    if isinstance(exc, httpx.TimeoutException):
        return f"{service} did not answer within {timeout:g} seconds ({where})"
    if isinstance(exc, httpx.ConnectError):
        return f"could not connect to {service} at {where}: {_reason(exc)}"
    return f"the request to {service} at {where} failed: {_reason(exc)}"


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return text or type(exc).__name__


def failed(message: str, config: Config) -> ActionFailed:
    """An ActionFailed with a message on one line, credentials masked, never too long to read."""
    line = " ".join(plain(config.mask.text(message)).split())
    if len(line) > MESSAGE_LIMIT:
        line = line[: MESSAGE_LIMIT - 1] + "…"
    return ActionFailed(line)
