"""`branchwise actions` run for real in a subprocess: the listing, JSON, plugins, no secrets."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.cli import isolated_env, run_cli
from tests.fakes.plugin_dist import install_plugin

API_KEY = "k-3f9a7c1e5b77"
DEVELOPER_ID = "dev-88aa21"
USER_ID = "11ee0b9c54d50f16a441d36d"
TOKEN = "Bearer admin-token-55e1"
SECRETS = (API_KEY, DEVELOPER_ID, USER_ID, TOKEN)

PLUGIN = """
from engine.actions.registry import ActionSpec, CallPlan


class Escalate:
    spec = ActionSpec("helpdesk.escalate", "Escalate the ticket", side_effects=True)

    def configured(self, config):
        return True

    def plan(self, args, config):
        return CallPlan(self.spec.name, "POST", "helpdesk")

    def call(self, args, config):
        return {}


ESCALATE = Escalate()
"""
PLUGIN_ENTRY_POINTS = """
[branchwise.actions]
escalate = {module}:ESCALATE
broken = {module}_gone:ACTION
"""


def environment(tmp_path: Path, config_text: str | None, **extra: str) -> dict[str, str]:
    """An isolated environment whose config file (tmp_path/config.toml) holds config_text."""
    if config_text is not None:
        (tmp_path / "config.toml").write_text(config_text, encoding="utf-8")
    return isolated_env(tmp_path, **extra)


def branchwise(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("actions", *args, env=env)


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text


CONFIGURED = f"""
[paya]
developer_id = "{DEVELOPER_ID}"
user_id = "{USER_ID}"
user_api_key = "{API_KEY}"

[http]
allowed_hosts = ["admin.example.com"]

[http.headers."admin.example.com"]
Authorization = "{TOKEN}"
"""


def test_an_unconfigured_listing_says_what_to_set(tmp_path: Path) -> None:
    done = branchwise(environment(tmp_path, None))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["ACTION", "SIDE", "EFFECTS", "CONFIGURED", "SUMMARY"]
    http_row = next(line for line in lines if line.startswith("http.request "))
    assert http_row.split()[1:3] == ["yes", "no"]
    assert "    parameters: method (text), url (text, required), headers (mapping)" in done.stdout
    assert "to configure: set BRANCHWISE_PAYA_DEVELOPER_ID, BRANCHWISE_PAYA_USER_ID" in done.stdout
    assert f"[http] allowed_hosts in {tmp_path / 'config.toml'}" in done.stdout
    assert done.stderr == ""


def test_columns_line_up(tmp_path: Path) -> None:
    header, *lines = branchwise(environment(tmp_path, None)).stdout.splitlines()
    columns = [header.index(title) for title in ("SIDE EFFECTS", "CONFIGURED", "SUMMARY")]
    rows = [line for line in lines if not line.startswith(" ")]
    assert len(rows) == 3
    for row in rows:
        for column in columns:
            assert row[column - 2 : column] == "  "
            assert row[column] != " "


def test_a_configured_listing_shows_no_credential(tmp_path: Path) -> None:
    done = branchwise(environment(tmp_path, CONFIGURED))
    assert done.returncode == 0, done.stderr
    rows = {line.split()[0]: line.split()[1:3] for line in done.stdout.splitlines()[1:]}
    assert rows["paya.get_contact"] == ["no", "yes"]
    assert rows["paya.find_contacts"] == ["no", "yes"]
    assert rows["http.request"] == ["yes", "yes"]
    assert "to configure" not in done.stdout
    assert_no_secret(done.stdout, done.stderr)


def test_json_lists_every_action_with_its_parameters(tmp_path: Path) -> None:
    env = environment(tmp_path, None, BRANCHWISE_PAYA_USER_API_KEY=API_KEY)
    done = branchwise(env, "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = {row["name"]: row for row in json.loads(done.stdout)}
    assert sorted(rows) == ["http.request", "paya.find_contacts", "paya.get_contact"]
    get_contact = rows["paya.get_contact"]
    assert get_contact["params"] == [
        {
            "name": "contact_id",
            "kind": "text",
            "required": True,
            "help": "the contact's Paya Connect id",
        }
    ]
    assert get_contact["side_effects"] is False
    assert get_contact["configured"] is False
    assert "BRANCHWISE_PAYA_USER_API_KEY" not in get_contact["setup"]
    assert_no_secret(done.stdout, done.stderr)


def test_plugins_are_listed_and_a_broken_one_is_a_warning(tmp_path: Path) -> None:
    site = install_plugin(tmp_path / "site", "bw_cli_plugin", PLUGIN, PLUGIN_ENTRY_POINTS)
    env = environment(tmp_path, None, PYTHONPATH=str(site))
    done = branchwise(env)
    assert done.returncode == 0
    assert any(line.startswith("helpdesk.escalate ") for line in done.stdout.splitlines())
    assert done.stderr.startswith("branchwise: warning: action plugin 'broken' (bw_cli_plugin_gone")
    assert "Traceback" not in done.stderr


def test_a_broken_config_is_one_line_naming_file_and_line(tmp_path: Path) -> None:
    done = branchwise(environment(tmp_path, '[paya]\nuser_api_key = "x\n'))
    assert done.returncode == 1
    assert done.stderr.startswith(f"branchwise: {tmp_path / 'config.toml'}:2:")
    assert "Traceback" not in done.stderr
    assert done.stdout == ""


@pytest.mark.parametrize("option", ["--help", "-h"])
def test_help_describes_the_command(tmp_path: Path, option: str) -> None:
    done = branchwise(environment(tmp_path, None), option)
    assert done.returncode == 0
    assert "--format {text,json}" in done.stdout
    assert "Credentials are never printed" in done.stdout
