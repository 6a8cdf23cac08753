"""Who a browser request comes from: signed-in cookies, failed sign-ins limited, trusted proxies."""

from __future__ import annotations

import ipaddress
import secrets
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from engine.errors import UsageError

COOKIE = "branchwise_session"
SIGNED_IN_FOR = 12 * 3600.0  # a working day: then the agent signs in again
FAILURES_ALLOWED = 5  # failed sign-ins from one address within FAILURE_WINDOW
FAILURE_WINDOW = 60.0


@dataclass
class SignedIn:
    """The cookies handed out since the server started: cookie value -> (name, expiry)."""

    clock: Callable[[], float] = time.monotonic
    lifetime: float = SIGNED_IN_FOR
    _cookies: dict[str, tuple[str, float]] = field(default_factory=dict)

    def start(self, name: str) -> str:
        """A new random cookie value for a signed-in agent."""
        cookie = secrets.token_urlsafe(32)
        self._cookies[cookie] = (name, self.clock() + self.lifetime)
        return cookie

    def agent(self, cookie: str | None) -> str | None:
        """The agent a cookie belongs to, or None when it is unknown or expired."""
        if not cookie:
            return None
        found = self._cookies.get(cookie)
        if found is None:
            return None
        if found[1] <= self.clock():
            del self._cookies[cookie]
            return None
        return found[0]

    def end(self, cookie: str | None) -> None:
        """Sign out: the cookie no longer counts."""
        self._cookies.pop(cookie or "", None)


@dataclass
class FailureLimit:
    """At most `allowed` failed sign-ins per address in `window` seconds: guessing is slow."""

    clock: Callable[[], float] = time.monotonic
    allowed: int = FAILURES_ALLOWED
    window: float = FAILURE_WINDOW
    _failures: dict[str, deque[float]] = field(default_factory=dict)

    def wait(self, address: str) -> float:
        """Seconds until this address may try again (0 when it may now)."""
        failures = self._recent(address)
        if len(failures) < self.allowed:
            return 0.0
        return max(failures[0] + self.window - self.clock(), 0.0)

    def failed(self, address: str) -> None:
        self._failures.setdefault(address, deque()).append(self.clock())

    def _recent(self, address: str) -> deque[float]:
        failures = self._failures.get(address, deque())
        while failures and failures[0] + self.window <= self.clock():
            failures.popleft()
        if not failures:
            self._failures.pop(address, None)
        return failures


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(given: Iterable[str]) -> list[Network]:
    """--trusted-proxy addresses or networks (`10.0.0.5`, `10.0.0.0/8`, `::1`)."""
    networks: list[Network] = []
    for text in given:
        try:
            networks.append(ipaddress.ip_network(text.strip(), strict=False))
        except ValueError:
            raise UsageError(f"--trusted-proxy {text!r}: not an IP address or network") from None
    return networks


def is_trusted(address: str | None, networks: Iterable[Network]) -> bool:
    """Whether a request's peer address is one of the trusted proxies."""
    if not address:
        return False
    try:
        peer = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return False
    return any(peer in network for network in networks)


def is_loopback(host: str) -> bool:
    """Whether binding this host keeps the server to this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
