"""What `branchwise serve` was told, checked: read by the server, built without its libraries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tui.serving.sign_in import Network


@dataclass(frozen=True, eq=False)
class ServeOptions:
    """What `branchwise serve` was told: where, who may come in, and how many at once."""

    child: Sequence[str]
    host: str = "127.0.0.1"
    port: int = 8000
    auth: str | None = None  # "token", "proxy" or None (this machine only)
    tokens: Path | None = None
    user_header: str = "X-Forwarded-User"
    trusted_proxies: Sequence[Network] = ()
    max_sessions: int | None = None
    idle_timeout: float | None = None
    public_url: str | None = None
