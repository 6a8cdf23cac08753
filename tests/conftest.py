"""Every test's surroundings: the processes it starts feel Ctrl+C, no cache outlives it, and
the session store backends are fixtures (tests/store_backends.py)."""

from __future__ import annotations

import signal
from collections.abc import Iterator

import pytest

from engine.walk import pattern_risk, patterns

pytest_plugins = ["tests.store_backends"]


def pytest_configure(config: pytest.Config) -> None:
    """A shell starts a background job (pytest run with `&`) with SIGINT ignored, and every
    process a test started would inherit that, so an interrupt a test sends would go unfelt.
    A handled signal is reset to its default in a child, an ignored one is not."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(autouse=True)
def fresh_pattern_caches() -> Iterator[None]:
    """Each test matches its patterns afresh, so no test's outcome depends on the ones before."""
    yield
    patterns.search.cache_clear()
    patterns.compiled.cache_clear()
    pattern_risk.slow_reason.cache_clear()
