"""Pytest fixtures for the fake servers and configs pointing at them (use via pytest_plugins)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.actions.config import Config, load_config
from tests.fakes.paya_server import (
    DEVELOPER_ID,
    OPERATOR_TOKEN,
    USER_API_KEY,
    USER_ID,
    EchoHandler,
    FakeServer,
    PayaHandler,
    running,
)


@pytest.fixture
def paya_server() -> Iterator[FakeServer]:
    """A fake Paya Connect v2 API on a free local port."""
    with running(PayaHandler) as server:
        yield server


@pytest.fixture
def echo_server() -> Iterator[FakeServer]:
    """A local server that records requests and answers by path (see EchoHandler)."""
    with running(EchoHandler) as server:
        yield server


@pytest.fixture
def paya_config(paya_server: FakeServer, tmp_path: Path) -> Config:
    """A config with the fake's credentials and base_url, read the way branchwise reads it."""
    env = {
        "BRANCHWISE_PAYA_BASE_URL": paya_server.url,
        "BRANCHWISE_PAYA_DEVELOPER_ID": DEVELOPER_ID,
        "BRANCHWISE_PAYA_USER_ID": USER_ID,
        "BRANCHWISE_PAYA_USER_API_KEY": USER_API_KEY,
        "BRANCHWISE_PAYA_TIMEOUT": "0.5",
    }
    return load_config(tmp_path / "absent.toml", env)


@pytest.fixture
def http_config(echo_server: FakeServer, tmp_path: Path) -> Config:
    """A config file allowing the echo server, with an operator Authorization header for it."""
    path = tmp_path / "config.toml"
    path.write_text(
        "[http]\n"
        f'allowed_hosts = ["{echo_server.host}"]\n'
        "timeout = 0.5\n"
        f'[http.headers."{echo_server.host}"]\n'
        f'Authorization = "{OPERATOR_TOKEN}"\n',
        encoding="utf-8",
    )
    return load_config(path, {})
