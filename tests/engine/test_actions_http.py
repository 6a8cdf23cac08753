"""http.request against a real local recording server: allowed hosts, headers, bodies, failures."""

from __future__ import annotations

import dataclasses
import json
import socket
from pathlib import Path
from typing import Any

import pytest

from engine.actions.config import Config, HttpSettings, load_config
from engine.actions.http_request import TEXT_LIMIT, HttpRequest
from engine.actions.registry import ActionFailed, Registry
from engine.walk.action_runner import ActionRunner
from engine.walk.masking import MASK, Mask
from tests.fakes.paya_server import OPERATOR_TOKEN, FakeServer

pytest_plugins = ["tests.fakes.fixtures"]

ACTION = HttpRequest()


def call(config: Config, **args: Any) -> dict[str, Any]:
    result = dict(ACTION.call(args, config))
    assert OPERATOR_TOKEN not in json.dumps(result)
    return result


def failure(config: Config, **args: Any) -> str:
    with pytest.raises(ActionFailed) as caught:
        ACTION.call(args, config)
    message = caught.value.message
    assert "\n" not in message
    assert OPERATOR_TOKEN not in message
    return message


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_get_returns_status_and_parsed_json(echo_server: FakeServer, http_config: Config) -> None:
    result = call(http_config, url=f"{echo_server.url}/echo?q=1")
    assert result["status"] == 200
    assert result["ok"] is True
    assert result["json"]["method"] == "GET"
    assert result["json"]["path"] == "/echo"
    assert json.loads(result["text"]) == result["json"]


def test_the_operator_header_is_sent_but_never_returned(
    echo_server: FakeServer, http_config: Config
) -> None:
    result = call(http_config, url=f"{echo_server.url}/echo")
    assert echo_server.requests[-1].headers["authorization"] == OPERATOR_TOKEN
    assert result["json"]["headers"]["authorization"] == MASK


def test_a_tree_cannot_override_the_operator_header(
    echo_server: FakeServer, http_config: Config
) -> None:
    headers = {"authorization": "Bearer from-the-tree", "X-Ticket": "T-42"}
    call(http_config, url=f"{echo_server.url}/echo", headers=headers)
    seen = echo_server.requests[-1].headers
    assert seen["authorization"] == OPERATOR_TOKEN
    assert seen["x-ticket"] == "T-42"


def test_a_post_sends_its_json_body(echo_server: FakeServer, http_config: Config) -> None:
    body = {"contact": {"id": "1001", "tags": ["portal"]}}
    result = call(http_config, method="post", url=f"{echo_server.url}/echo", json=body)
    seen = echo_server.requests[-1]
    assert seen.method == "POST"
    assert json.loads(seen.body) == body
    assert seen.headers["content-type"] == "application/json"
    assert result["json"]["json"] == body


@pytest.mark.parametrize("status", [201, 204])
def test_other_2xx_are_ok(echo_server: FakeServer, http_config: Config, status: int) -> None:
    result = call(http_config, url=f"{echo_server.url}/status/{status}")
    assert (result["status"], result["ok"]) == (status, True)


@pytest.mark.parametrize("status", [400, 404, 500, 503])
def test_an_error_status_is_a_result_not_a_failure(
    echo_server: FakeServer, http_config: Config, status: int
) -> None:
    result = call(http_config, method="DELETE", url=f"{echo_server.url}/status/{status}")
    assert result["status"] == status
    assert result["ok"] is False
    assert result["json"] == {"status": status}


def test_a_redirect_is_not_followed(echo_server: FakeServer, http_config: Config) -> None:
    target = "http://evil.example.com/steal"
    result = call(http_config, url=f"{echo_server.url}/redirect?to={target}")
    assert (result["status"], result["ok"]) == (302, False)
    assert len(echo_server.requests) == 1


def test_a_host_outside_the_config_is_refused(echo_server: FakeServer, http_config: Config) -> None:
    message = failure(http_config, url="https://admin.example.com/api/reset")
    assert message == (
        "host admin.example.com is not allowed by the operator's config "
        f"(add it to [http] allowed_hosts in {http_config.path})"
    )
    assert echo_server.requests == []


def test_the_same_host_on_another_port_is_refused(http_config: Config) -> None:
    other = free_port()
    assert f"host 127.0.0.1:{other} is not allowed" in failure(
        http_config, url=f"http://127.0.0.1:{other}/echo"
    )


def allowing(*hosts: str) -> Config:
    return Config(http=HttpSettings(allowed_hosts=hosts))


@pytest.mark.parametrize(
    ("hosts", "url", "allowed"),
    [
        (("admin.example.com",), "https://admin.example.com/x", True),
        (("admin.example.com",), "https://ADMIN.example.com:443/x", True),
        (("admin.example.com",), "http://admin.example.com/x", True),
        (("admin.example.com",), "https://admin.example.com:8443/x", False),
        (("admin.example.com",), "https://admin.example.com.evil.net/x", False),
        (("admin.example.com",), "https://admin.example.com@evil.net/x", False),
        (("admin.example.com:8443",), "https://admin.example.com:8443/x", True),
        (("admin.example.com:8443",), "https://admin.example.com/x", False),
        (("[::1]:8080",), "http://[::1]:8080/x", True),
        (("[::1]:8080",), "http://[::1]:8081/x", False),
    ],
)
def test_which_urls_an_entry_allows(hosts: tuple[str, ...], url: str, allowed: bool) -> None:
    config = allowing(*hosts)
    if allowed:
        assert ACTION.plan({"url": url}, config).target == url
    else:
        with pytest.raises(ActionFailed, match="is not allowed by the operator's config"):
            ACTION.plan({"url": url}, config)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"url": "ftp://admin.example.com/x"}, "url must be an http:// or https:// URL"),
        ({"url": ""}, "not 'an empty url'"),
        ({"url": None}, "url must be an http:// or https:// URL"),
        ({"url": "https://admin.example.com:99999/"}, "has a port that is not a number"),
        ({"url": "https://admin.example.com/", "method": "TRACE"}, "method must be one of GET"),
        ({"url": "https://admin.example.com/", "headers": ["a"]}, "headers must be a mapping"),
        ({"url": "https://admin.example.com/", "headers": {"Host": "x"}}, "cannot be sent"),
        ({"url": "https://admin.example.com/", "headers": {"a b": "x"}}, "cannot be sent"),
        ({"url": "https://admin.example.com/", "headers": {"X": "a\r\nB: c"}}, "line break"),
        ({"url": "https://admin.example.com/", "timeout": 0}, "timeout must be seconds above 0"),
        ({"url": "https://admin.example.com/", "timeout": "soon"}, "timeout must be"),
        ({"url": "https://admin.example.com/", "json": {"when": object()}}, "json must be data"),
    ],
)
def test_bad_arguments_fail_with_a_message(args: dict[str, Any], expected: str) -> None:
    with pytest.raises(ActionFailed) as caught:
        ACTION.plan(args, allowing("admin.example.com"))
    assert expected in caught.value.message


def test_a_slow_host_is_a_timeout(echo_server: FakeServer, http_config: Config) -> None:
    message = failure(http_config, url=f"{echo_server.url}/slow", timeout=0.2)
    assert message.startswith(f"{echo_server.host} did not answer within 0.2 seconds")


def test_a_refused_connection_fails(tmp_path: Path) -> None:
    port = free_port()
    config = load_config(
        tmp_path / "none.toml", {"BRANCHWISE_HTTP_ALLOWED_HOSTS": f"127.0.0.1:{port}"}
    )
    message = failure(config, url=f"http://127.0.0.1:{port}/x")
    assert message.startswith(f"could not connect to 127.0.0.1:{port}")


def test_the_text_is_capped_at_64_kib(echo_server: FakeServer, http_config: Config) -> None:
    result = call(http_config, url=f"{echo_server.url}/big")
    assert len(result["text"]) == TEXT_LIMIT
    assert result["json"] is None


def test_a_json_body_too_large_to_keep_is_not_parsed(
    echo_server: FakeServer, http_config: Config
) -> None:
    result = call(http_config, url=f"{echo_server.url}/huge-json")
    assert result["json"] is None
    assert len(result["text"]) == TEXT_LIMIT


@pytest.mark.parametrize(
    ("path", "json_value", "text"),
    [
        ("/text", None, "plain words, not JSON"),
        ("/broken-json", None, '{"ok": tru'),
        ("/unlabelled-json", {"count": 3}, '{"count": 3}'),
        ("/latin1", None, "café"),
    ],
)
def test_bodies_of_each_kind(
    echo_server: FakeServer, http_config: Config, path: str, json_value: Any, text: str
) -> None:
    result = call(http_config, url=f"{echo_server.url}{path}")
    assert (result["json"], result["text"]) == (json_value, text)


def test_head_has_no_body(echo_server: FakeServer, http_config: Config) -> None:
    result = call(http_config, method="HEAD", url=f"{echo_server.url}/echo")
    assert (result["status"], result["text"], result["json"]) == (200, "", None)


def test_configured_only_when_a_host_is_allowed(http_config: Config) -> None:
    assert ACTION.configured(http_config) is True
    assert ACTION.configured(Config()) is False
    assert "[http] allowed_hosts" in ACTION.setup_hint(Config())


def test_nothing_is_allowed_without_config(echo_server: FakeServer) -> None:
    message = failure(Config(), url=f"{echo_server.url}/echo")
    assert "is not allowed by the operator's config" in message


def test_the_plan_shows_method_url_header_names_and_body(
    echo_server: FakeServer, http_config: Config
) -> None:
    args = {
        "method": "put",
        "url": f"{echo_server.url}/echo",
        "headers": {"X-Ticket": "T-42"},
        "json": {"a": 1},
    }
    plan = ACTION.plan(args, http_config)
    assert (plan.method, plan.target) == ("PUT", f"{echo_server.url}/echo")
    assert dict(plan.params) == {"headers": ["X-Ticket"], "json": {"a": 1}}
    assert OPERATOR_TOKEN not in plan.describe()
    assert echo_server.requests == []


def test_headers_for_the_bare_host_apply_to_an_entry_with_a_port(
    echo_server: FakeServer, http_config: Config
) -> None:
    headers = {"127.0.0.1": {"X-Operator": "op-2"}}
    http = dataclasses.replace(http_config.http, headers=headers)
    call(dataclasses.replace(http_config, http=http), url=f"{echo_server.url}/echo")
    assert echo_server.requests[-1].headers["x-operator"] == "op-2"


@pytest.mark.parametrize(
    ("args", "changes"),
    [
        ({"method": "GET"}, False),
        ({"method": " head "}, False),
        ({}, False),  # GET is the default
        ({"method": "POST"}, True),
        ({"method": "delete"}, True),
        (None, True),  # a call not known yet may be any
    ],
)
def test_only_a_request_that_is_not_get_or_head_has_side_effects(
    args: dict[str, Any] | None, changes: bool
) -> None:
    assert HttpRequest.spec.has_side_effects(args) is changes


def test_dry_run_makes_a_get_and_leaves_a_post_to_a_person(http_config: Config) -> None:
    runner = ActionRunner(Registry([HttpRequest()]), http_config, dry_run=True)
    assert runner.is_automatic("http.request", {"method": "GET", "url": "http://x/"})
    assert not runner.is_automatic("http.request", {"method": "POST", "url": "http://x/"})
    get = runner.prepare("http.request", {"url": "http://x/"}, False, Mask())
    assert not get.side_effects
