"""Fixtures for every test: what one test left in a cache is gone before the next one."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from engine.walk import pattern_risk, patterns


@pytest.fixture(autouse=True)
def fresh_pattern_caches() -> Iterator[None]:
    """Each test matches its patterns afresh, so no test's outcome depends on the ones before."""
    yield
    patterns.search.cache_clear()
    patterns.compiled.cache_clear()
    pattern_risk.slow_reason.cache_clear()
