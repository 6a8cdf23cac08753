"""The operator's config: TOML file, environment winning, clear errors, secrets never shown."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from engine.actions.config import DEFAULT_PAYA_BASE_URL, DEFAULT_TIMEOUT, Config, load_config
from engine.errors import BranchwiseError
from engine.walk.masking import MASK

API_KEY = "k-3f9a7c1e5b"
DEVELOPER_ID = "dev-88aa21"
USER_ID = "11ee0b9c54d50f16a441d36d"
TOKEN = "Bearer admin-token-55e1"

FULL = f"""\
[paya]
base_url = "https://api.payaconnect.com/"
developer_id = "{DEVELOPER_ID}"
user_id = "{USER_ID}"
user_api_key = "{API_KEY}"
timeout = 12

[http]
allowed_hosts = ["Admin.Example.com", "127.0.0.1:8080"]
timeout = 4.5

[http.headers."admin.example.com"]
Authorization = "{TOKEN}"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path, env: dict[str, str] | None = None) -> str:
    with pytest.raises(BranchwiseError) as caught:
        load_config(path, env or {})
    return caught.value.message


def test_a_missing_file_gives_the_defaults(tmp_path: Path) -> None:
    config = load_config(tmp_path / "absent.toml", {})
    assert config.paya.base_url == DEFAULT_PAYA_BASE_URL
    assert config.paya.timeout == DEFAULT_TIMEOUT
    assert config.paya.configured is False
    assert config.http.allowed_hosts == ()
    assert config.http.configured is False
    assert config.secrets() == ()
    assert config.path == tmp_path / "absent.toml"


def test_the_file_sets_everything(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, FULL), {})
    assert config.paya.base_url == "https://api.payaconnect.com"
    assert (config.paya.developer_id, config.paya.user_id) == (DEVELOPER_ID, USER_ID)
    assert config.paya.user_api_key == API_KEY
    assert config.paya.timeout == 12.0
    assert config.paya.configured is True
    assert config.http.allowed_hosts == ("admin.example.com", "127.0.0.1:8080")
    assert config.http.timeout == 4.5
    assert config.http.headers_for("ADMIN.example.com") == {"Authorization": TOKEN}
    assert config.http.headers_for("127.0.0.1:8080") == {}


def test_the_environment_wins_over_the_file(tmp_path: Path) -> None:
    env = {
        "BRANCHWISE_PAYA_BASE_URL": "http://127.0.0.1:9000",
        "BRANCHWISE_PAYA_USER_API_KEY": "from-env-key",
        "BRANCHWISE_PAYA_TIMEOUT": "2",
        "BRANCHWISE_HTTP_ALLOWED_HOSTS": "tools.example.com, 10.0.0.5:8443 ,",
        "BRANCHWISE_HTTP_TIMEOUT": "1.5",
    }
    config = load_config(write(tmp_path, FULL), env)
    assert config.paya.base_url == "http://127.0.0.1:9000"
    assert config.paya.user_api_key == "from-env-key"
    assert config.paya.developer_id == DEVELOPER_ID
    assert config.paya.timeout == 2.0
    assert config.http.allowed_hosts == ("tools.example.com", "10.0.0.5:8443")
    assert config.http.timeout == 1.5


def test_an_empty_environment_variable_does_not_erase_the_file(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, FULL), {"BRANCHWISE_PAYA_USER_API_KEY": ""})
    assert config.paya.user_api_key == API_KEY


def test_branchwise_config_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, FULL)
    assert load_config(env={"BRANCHWISE_CONFIG": str(path)}).path == path


def test_the_default_path_comes_from_locations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, FULL)
    monkeypatch.setenv("BRANCHWISE_CONFIG", str(path))
    assert load_config(env={}).paya.user_api_key == API_KEY


def test_broken_toml_names_file_line_and_column(tmp_path: Path) -> None:
    path = write(tmp_path, '[paya]\ndeveloper_id = "x"\nuser_id = \n')
    message = error_of(path)
    assert message.startswith(f"{path}:3:")
    assert "not valid TOML" in message
    assert "Traceback" not in message


@pytest.mark.parametrize(
    ("text", "line", "expected"),
    [
        ('[paya]\nuser_id = "u"\ntimeout = "soon"\n', 3, "[paya] timeout must be a number"),
        ("[paya]\ntimeout = 0\n", 2, "above 0 and at most 300"),
        ("[http]\ntimeout = 301\n", 2, "[http] timeout must be"),
        ("[paya]\nuser_api_key = 42\n", 2, "[paya] user_api_key must be a string"),
        ('[paya]\nbase_url = "api.payaconnect.com"\n', 2, "must be an http(s) URL"),
        ('[http]\nallowed_hosts = "a.example.com"\n', 2, "must be a list of strings"),
        ('[http]\nallowed_hosts = ["https://a.example.com/x"]\n', 2, "is not a host or host:port"),
        ("[http]\n\n[http.headers]\nfoo = 1\n", 3, "must be a table of header names"),
        ('[http.headers."a.example.com"]\n"Bad Name" = "x"\n', 1, "is not a header name"),
        ('[paya]\nuser_api_ky = "x"\n', 2, "[paya] has no setting 'user_api_ky'"),
        ('[db]\nurl = "x"\n', 1, "unknown section [db] (known: [paya], [http], [store])"),
    ],
)
def test_each_wrong_setting_names_its_line(
    tmp_path: Path, text: str, line: int, expected: str
) -> None:
    path = write(tmp_path, text)
    message = error_of(path)
    assert message.startswith(f"{path}:{line}: ")
    assert expected in message


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        (
            {"BRANCHWISE_PAYA_TIMEOUT": "soon"},
            "BRANCHWISE_PAYA_TIMEOUT must be a number of seconds",
        ),
        ({"BRANCHWISE_HTTP_TIMEOUT": "-1"}, "BRANCHWISE_HTTP_TIMEOUT must be"),
        ({"BRANCHWISE_PAYA_TIMEOUT": "nan"}, "BRANCHWISE_PAYA_TIMEOUT must be"),
        (
            {"BRANCHWISE_PAYA_BASE_URL": "ftp://x"},
            "BRANCHWISE_PAYA_BASE_URL: Paya Connect base_url",
        ),
        (
            {"BRANCHWISE_HTTP_ALLOWED_HOSTS": "a.com,b.com/x"},
            "'b.com/x' is not a host or host:port",
        ),
    ],
)
def test_each_wrong_environment_variable_is_named(
    tmp_path: Path, env: dict[str, str], expected: str
) -> None:
    assert expected in error_of(tmp_path / "absent.toml", env)


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'[paya]\nuser_id = "\xff"\n')
    assert error_of(path) == f"{path}: the config file is not UTF-8 text"


def test_a_directory_in_place_of_the_file(tmp_path: Path) -> None:
    assert "cannot read the config file" in error_of(tmp_path)


def test_missing_names_the_unset_credentials(tmp_path: Path) -> None:
    config = load_config(tmp_path / "absent.toml", {"BRANCHWISE_PAYA_USER_ID": "u-1"})
    assert config.paya.missing() == ["BRANCHWISE_PAYA_DEVELOPER_ID", "BRANCHWISE_PAYA_USER_API_KEY"]


def test_secrets_are_every_credential_longest_first(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, FULL), {})
    assert set(config.secrets()) == {DEVELOPER_ID, USER_ID, API_KEY, TOKEN}
    lengths = [len(s) for s in config.secrets()]
    assert lengths == sorted(lengths, reverse=True)


def test_the_mask_masks_secrets_in_text_and_nested_values(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, FULL), {})
    assert config.mask.text(f"key={API_KEY}; auth={TOKEN}") == f"key={MASK}; auth={MASK}"
    value = {"a": [f"x{USER_ID}", 3, None], "b": {"c": DEVELOPER_ID}}
    assert config.mask.value(value) == {"a": [f"x{MASK}", 3, None], "b": {"c": MASK}}


def test_no_repr_shows_a_secret(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, FULL), {})
    shown = repr(config) + str(config) + repr(config.paya) + repr(config.http)
    for secret in config.secrets():
        assert secret not in shown
    assert "user_api_key=set" in shown
    assert "'admin.example.com': ['Authorization']" in shown


def test_a_default_config_is_usable_without_a_file() -> None:
    config = Config()
    assert config.paya.configured is False
    assert "unset" in repr(config)


def test_a_config_that_is_a_fifo_or_a_device_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)
    with pytest.raises(BranchwiseError, match="cannot read the config file: not a regular file"):
        load_config(fifo, {})
    with pytest.raises(BranchwiseError, match=r"not a regular file \(a device\)"):
        load_config(Path("/dev/zero"), {})


@pytest.mark.parametrize("value", ["s3cr3t\r\nX-Evil: 1", "s3cr3t\x00", "s3cr3t\x1b[2J"])
def test_a_credential_with_a_control_character_is_refused_without_quoting_it(
    tmp_path: Path, value: str
) -> None:
    with pytest.raises(BranchwiseError) as from_env:
        load_config(tmp_path / "absent.toml", {"BRANCHWISE_PAYA_USER_API_KEY": value})
    assert from_env.value.message == (
        "BRANCHWISE_PAYA_USER_API_KEY: user_api_key holds a line break or another control character"
    )
    path = tmp_path / "config.toml"
    path.write_text(f"[paya]\ndeveloper_id = {json.dumps(value)}\n", encoding="utf-8")
    with pytest.raises(BranchwiseError) as from_file:
        load_config(path, {})
    assert from_file.value.message == (
        f"{path}:2: [paya] developer_id holds a line break or another control character"
    )
    assert "s3cr3t" not in from_env.value.message + from_file.value.message


def test_an_operator_header_value_with_a_line_break_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[http]\nallowed_hosts = ["a.example"]\n[http.headers."a.example"]\n'
        'Authorization = "Bearer t\\r\\nX-Evil: 1"\n',
        encoding="utf-8",
    )
    with pytest.raises(BranchwiseError, match="the value of 'Authorization' holds a line break"):
        load_config(path, {})
