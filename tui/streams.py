"""Whether a stream is a terminal, for the faces that behave differently on one (prompts,
progress bars, the choice between the app and plain text)."""

from __future__ import annotations

from typing import Any


def is_terminal(stream: Any) -> bool:
    """True for a terminal; False for a file, a pipe, a closed stream or no stream at all."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False
