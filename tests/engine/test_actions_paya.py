"""paya.get_contact and paya.find_contacts against a real local HTTP server playing Paya Connect."""

from __future__ import annotations

import dataclasses
import json
import socket
from pathlib import Path
from typing import Any

import httpx
import pytest

from engine.actions.config import Config, PayaSettings, load_config
from engine.actions.paya import FindContacts, GetContact, is_user
from engine.actions.registry import ActionFailed
from engine.walk.masking import MASK
from tests.cli import run_python
from tests.fakes.paya_server import (
    DEVELOPER_ID,
    FLAGGED_CONTACT_ID,
    FORBIDDEN_ID,
    MALFORMED_EMAIL,
    MALFORMED_ID,
    NO_CONTACT_KEY_ID,
    NO_LIST_EMAIL,
    PLAIN_CONTACT_ID,
    SERVER_ERROR_ID,
    SLOW_ID,
    UNKNOWN_ID,
    USER_API_KEY,
    USER_CONTACT_ID,
    USER_ID,
    FakeServer,
)

pytest_plugins = ["tests.fakes.fixtures"]

SECRETS = (DEVELOPER_ID, USER_ID, USER_API_KEY)
ROOT = Path(__file__).resolve().parents[2]


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


def failure(action: Any, args: dict[str, Any], config: Config) -> str:
    with pytest.raises(ActionFailed) as caught:
        action.call(args, config)
    message = caught.value.message
    assert "\n" not in message and "Traceback" not in message
    assert_no_secret(message)
    return message


def with_paya(config: Config, **changes: Any) -> Config:
    return dataclasses.replace(config, paya=dataclasses.replace(config.paya, **changes))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_portal_user_has_is_user_true_and_its_fields(paya_config: Config) -> None:
    result = GetContact().call({"contact_id": USER_CONTACT_ID}, paya_config)
    assert result["is_user"] is True
    assert result["email"] == "maria.lopez@harbordental.example"
    assert result["user"]["contact_id"] == USER_CONTACT_ID
    assert "_links" not in result


def test_a_contact_without_a_login_has_is_user_false(paya_config: Config) -> None:
    result = GetContact().call({"contact_id": PLAIN_CONTACT_ID}, paya_config)
    assert result["is_user"] is False
    assert result["user"] is None
    assert result["last_name"] == "Patel"


def test_the_contacts_own_is_user_flag_counts_without_an_expanded_user(
    paya_config: Config,
) -> None:
    assert GetContact().call({"contact_id": FLAGGED_CONTACT_ID}, paya_config)["is_user"] is True


@pytest.mark.parametrize(
    ("contact", "expected"),
    [
        ({"user": {"id": "u1"}}, True),
        ({"user": None}, False),
        ({"user": {}}, False),
        ({"is_user": True}, True),
        ({"is_user": 0}, False),
        ({"is_user": "YES"}, True),
        ({"is_user": "0"}, False),
        ({}, False),
    ],
)
def test_is_user_reads_the_user_or_the_flag(contact: dict[str, Any], expected: bool) -> None:
    assert is_user(contact) is expected


def test_the_request_carries_the_three_credentials_and_expands_the_user(
    paya_server: FakeServer, paya_config: Config
) -> None:
    GetContact().call({"contact_id": USER_CONTACT_ID}, paya_config)
    seen = paya_server.requests[-1]
    assert seen.method == "GET"
    assert seen.path == f"/v2/contacts/{USER_CONTACT_ID}"
    assert seen.query["expand"] == ["user"]
    assert seen.headers["developer-id"] == DEVELOPER_ID
    assert seen.headers["user-id"] == USER_ID
    assert seen.headers["user-api-key"] == USER_API_KEY
    assert seen.headers["content-type"] == "application/json"


def test_the_fake_refuses_a_request_without_credentials(paya_server: FakeServer) -> None:
    response = httpx.get(f"{paya_server.url}/v2/contacts/{USER_CONTACT_ID}")
    assert response.status_code == 401
    assert "errors" in response.json()


def test_wrong_credentials_name_the_three_settings(paya_config: Config) -> None:
    config = with_paya(paya_config, user_api_key="not-the-key")
    message = failure(GetContact(), {"contact_id": USER_CONTACT_ID}, config)
    assert "refused the credentials (401)" in message
    assert "developer-id, user-id and user-api-key" in message
    assert "not-the-key" not in message


@pytest.mark.parametrize(
    ("contact_id", "expected"),
    [
        (FORBIDDEN_ID, "(403): the feature is not enabled for this user or location: location: "),
        (UNKNOWN_ID, f"no contact has id '{UNKNOWN_ID}' in Paya Connect (404)"),
        ("abc", "rejected the request (422): id: Id must be 24 to 36 hexadecimal characters"),
        (SERVER_ERROR_ID, "Paya Connect is having trouble (status 500)"),
        (MALFORMED_ID, "sent an answer that is not JSON (status 200)"),
        (NO_CONTACT_KEY_ID, "answered without a 'contact' in the body"),
    ],
)
def test_each_error_answer_becomes_one_clear_line(
    paya_config: Config, contact_id: str, expected: str
) -> None:
    assert expected in failure(GetContact(), {"contact_id": contact_id}, paya_config)


def test_a_slow_answer_is_a_timeout(paya_config: Config) -> None:
    message = failure(GetContact(), {"contact_id": SLOW_ID}, with_paya(paya_config, timeout=0.2))
    assert message.startswith("Paya Connect did not answer within 0.2 seconds")


def test_a_closed_port_is_a_connection_failure(paya_config: Config) -> None:
    config = with_paya(paya_config, base_url=f"http://127.0.0.1:{free_port()}")
    assert "could not connect to Paya Connect at http://127.0.0.1:" in failure(
        GetContact(), {"contact_id": USER_CONTACT_ID}, config
    )


def test_an_id_cannot_walk_out_of_the_contacts_path(
    paya_server: FakeServer, paya_config: Config
) -> None:
    message = failure(GetContact(), {"contact_id": "../v2/users"}, paya_config)
    assert "(422)" in message
    assert paya_server.requests[-1].path == "/v2/contacts/..%2Fv2%2Fusers"


@pytest.mark.parametrize("value", [None, "", "   ", {"id": 1}])
def test_an_empty_contact_id_fails_before_any_request(
    paya_server: FakeServer, paya_config: Config, value: Any
) -> None:
    assert "needs a contact_id" in failure(GetContact(), {"contact_id": value}, paya_config)
    assert paya_server.requests == []


def test_without_credentials_the_actions_are_not_configured(tmp_path: Path) -> None:
    config = load_config(tmp_path / "none.toml", {"BRANCHWISE_PAYA_USER_ID": "someone"})
    assert GetContact().configured(config) is False
    assert FindContacts().configured(config) is False
    hint = GetContact().setup_hint(config)
    assert "BRANCHWISE_PAYA_DEVELOPER_ID, BRANCHWISE_PAYA_USER_API_KEY" in hint
    assert "BRANCHWISE_PAYA_USER_ID," not in hint
    assert "not configured" in failure(GetContact(), {"contact_id": USER_CONTACT_ID}, config)


def test_configured_with_all_three_credentials(paya_config: Config) -> None:
    assert GetContact().configured(paya_config) is True


def test_the_plan_shows_the_call_and_never_a_credential(paya_config: Config) -> None:
    plan = GetContact().plan({"contact_id": USER_CONTACT_ID}, paya_config)
    assert plan.method == "GET"
    assert plan.target == f"{paya_config.paya.base_url}/v2/contacts/{USER_CONTACT_ID}?expand=user"
    assert dict(plan.params) == {"contact_id": USER_CONTACT_ID}
    assert_no_secret(plan.describe() + repr(plan))


def test_find_by_email_counts_every_match(paya_config: Config) -> None:
    result = FindContacts().call({"email": "DEV.PATEL@example.com"}, paya_config)
    assert result["count"] == 2
    assert [c["account_number"] for c in result["contacts"]] == ["A-1002", "A-1004"]
    assert all(c["is_user"] is False for c in result["contacts"])


def test_find_a_single_portal_user(paya_server: FakeServer, paya_config: Config) -> None:
    args = {"email": "maria.lopez@harbordental.example", "account_number": "A-1001"}
    result = FindContacts().call(args, paya_config)
    assert result["count"] == 1
    assert result["contacts"][0]["is_user"] is True
    query = paya_server.requests[-1].query
    assert query["account_number"] == ["A-1001"]
    assert query["expand"] == ["user"]


def test_find_nothing_is_a_count_of_zero(paya_config: Config) -> None:
    assert FindContacts().call({"email": "nobody@example.com"}, paya_config) == {
        "count": 0,
        "contacts": [],
    }


def test_the_count_is_all_matches_even_beyond_one_page(paya_config: Config) -> None:
    result = FindContacts().call({"last_name": "Patel", "page_size": 1}, paya_config)
    assert result["count"] == 3
    assert len(result["contacts"]) == 1


def test_every_declared_filter_is_one_the_api_accepts(paya_config: Config) -> None:
    names = [p.name for p in FindContacts.spec.params if p.name != "page_size"]
    args = dict.fromkeys(names, "x")
    assert FindContacts().call(args, paya_config)["count"] == 0


def test_find_without_any_filter_fails(paya_server: FakeServer, paya_config: Config) -> None:
    message = failure(FindContacts(), {"email": "", "first_name": None}, paya_config)
    assert message.startswith("paya.find_contacts needs at least one of email, account_number")
    assert paya_server.requests == []


@pytest.mark.parametrize("size", [0, 101, "many", 2.5])
def test_a_bad_page_size_fails(paya_config: Config, size: Any) -> None:
    message = failure(FindContacts(), {"email": "a@example.com", "page_size": size}, paya_config)
    assert "page_size must be a whole number from 1 to 100" in message


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        (MALFORMED_EMAIL, "sent an answer that is not JSON (status 200)"),
        (NO_LIST_EMAIL, "answered without a 'contacts' list in the body"),
    ],
)
def test_find_with_a_malformed_answer_fails(paya_config: Config, email: str, expected: str) -> None:
    assert expected in failure(FindContacts(), {"email": email}, paya_config)


def test_find_with_wrong_credentials(paya_config: Config) -> None:
    config = with_paya(paya_config, developer_id="someone-else")
    assert "(401)" in failure(FindContacts(), {"email": "a@example.com"}, config)


def test_the_find_plan_lists_the_filters(paya_config: Config) -> None:
    plan = FindContacts().plan({"email": "a@example.com", "last_name": "Patel"}, paya_config)
    assert plan.target.startswith(f"{paya_config.paya.base_url}/v2/contacts?email=a%40example.com")
    assert "expand=user" in plan.target
    assert dict(plan.params) == {"email": "a@example.com", "last_name": "Patel"}
    assert_no_secret(plan.describe())


def test_results_never_carry_a_credential_the_api_echoes(paya_config: Config) -> None:
    from engine.actions.paya import contact_result

    result = contact_result({"id": "1", "note": f"key {USER_API_KEY} here"}, paya_config)
    assert result["note"] == f"key {MASK} here"
    assert_no_secret(json.dumps(result))


def test_repr_of_paya_settings_hides_the_credentials(paya_config: Config) -> None:
    assert_no_secret(repr(paya_config) + repr(paya_config.paya) + str(paya_config))
    assert "user_api_key=set" in repr(paya_config.paya)
    assert "user_api_key=unset" in repr(PayaSettings())


def test_importing_the_actions_does_not_load_httpx() -> None:
    code = (
        "import sys, engine.actions.catalog as c; c.default_registry(); "
        "print('httpx' in sys.modules)"
    )
    assert run_python(code).strip() == "False"
