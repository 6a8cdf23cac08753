"""The operator's config: Paya Connect credentials, allowed HTTP hosts and the session store,
from TOML and env."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from engine import locations
from engine.errors import BranchwiseError
from engine.files import FileRefused, read_regular_file
from engine.walk.masking import Mask

DEFAULT_PAYA_BASE_URL = "https://api.sandbox.payaconnect.com"
DEFAULT_TIMEOUT = 10.0
MAX_TIMEOUT = 300.0
MAX_CONFIG_BYTES = 1024 * 1024

PAYA_ENV = {
    "base_url": "BRANCHWISE_PAYA_BASE_URL",
    "developer_id": "BRANCHWISE_PAYA_DEVELOPER_ID",
    "user_id": "BRANCHWISE_PAYA_USER_ID",
    "user_api_key": "BRANCHWISE_PAYA_USER_API_KEY",
    "timeout": "BRANCHWISE_PAYA_TIMEOUT",
}
HTTP_ENV = {"allowed_hosts": "BRANCHWISE_HTTP_ALLOWED_HOSTS", "timeout": "BRANCHWISE_HTTP_TIMEOUT"}
PAYA_CREDENTIALS = ("developer_id", "user_id", "user_api_key")

# Patterns as text, compiled on first use (re keeps them): most starts check no config value.
_HEADER_NAME = r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$"
_HOST_ENTRY = r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:[0-9]{1,5})?$"
_TOML_POSITION = r"\(at line (\d+), column (\d+)\)"
_CONTROL = r"[\x00-\x1f\x7f]"


def _empty_headers() -> Mapping[str, Mapping[str, str]]:
    return MappingProxyType({})


# The config's classes compare by identity (eq=False): nothing compares two configs, and each
# generated comparison is compiled when the module loads, at every start.
@dataclass(frozen=True, repr=False, eq=False)
class PayaSettings:
    """Where Paya Connect is and the three credentials its v2 API wants on every request."""

    base_url: str = DEFAULT_PAYA_BASE_URL
    developer_id: str = ""
    user_id: str = ""
    user_api_key: str = ""
    timeout: float = DEFAULT_TIMEOUT

    @property
    def configured(self) -> bool:
        return not self.missing()

    def missing(self) -> list[str]:
        """The credential settings not set, by their environment variable names."""
        return [PAYA_ENV[name] for name in PAYA_CREDENTIALS if not getattr(self, name)]

    def secrets(self) -> list[str]:
        return [value for name in PAYA_CREDENTIALS if (value := getattr(self, name))]

    def __repr__(self) -> str:
        shown = ", ".join(f"{n}={'set' if getattr(self, n) else 'unset'}" for n in PAYA_CREDENTIALS)
        return f"PayaSettings(base_url={self.base_url!r}, {shown}, timeout={self.timeout})"


@dataclass(frozen=True, repr=False, eq=False)
class HttpSettings:
    """Hosts the http.request action may reach, and the operator's own headers for each host."""

    allowed_hosts: tuple[str, ...] = ()
    timeout: float = DEFAULT_TIMEOUT
    headers: Mapping[str, Mapping[str, str]] = field(default_factory=_empty_headers)

    @property
    def configured(self) -> bool:
        return bool(self.allowed_hosts)

    def headers_for(self, host: str) -> Mapping[str, str]:
        return self.headers.get(host.lower(), {})

    def secrets(self) -> list[str]:
        return [value for per_host in self.headers.values() for value in per_host.values() if value]

    def __repr__(self) -> str:
        shown = {host: sorted(names) for host, names in self.headers.items()}
        return (
            f"HttpSettings(allowed_hosts={list(self.allowed_hosts)!r}, timeout={self.timeout}, "
            f"headers={shown!r} (values masked))"
        )


@dataclass(frozen=True, repr=False, eq=False)
class Config:
    """Everything the operator configured; credentials stay here and never reach a record."""

    path: Path = field(default_factory=lambda: Path("config.toml"))
    paya: PayaSettings = field(default_factory=PayaSettings)
    http: HttpSettings = field(default_factory=HttpSettings)
    store_db: str = ""  # [store] db: the session store's URL or path ("" for the default)

    def secrets(self) -> tuple[str, ...]:
        """Every credential value, longest first so masking never leaves a piece behind."""
        values = {*self.paya.secrets(), *self.http.secrets()}
        return tuple(sorted(values, key=lambda v: (-len(v), v)))

    @property
    def mask(self) -> Mask:
        """Every credential value, to mask in any text or value (engine.walk.masking)."""
        return Mask(self.secrets())

    def __repr__(self) -> str:
        return f"Config(path={str(self.path)!r}, paya={self.paya!r}, http={self.http!r})"


def load_config(path: Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    """The config from the TOML file (missing file: defaults), environment variables winning."""
    env = os.environ if env is None else env
    if path is None:
        override = env.get("BRANCHWISE_CONFIG")
        path = Path(override) if override else locations.config_file()
    source = _ConfigFile(path, _read_toml(path))
    source.reject_unknown()
    return Config(
        path=path,
        paya=_paya_settings(source, env),
        http=_http_settings(source, env),
        store_db=_text(source, env, "store", "db", "BRANCHWISE_DB"),
    )


def _read_toml(path: Path) -> tuple[str, dict[str, Any]]:
    try:
        text = read_regular_file(path, MAX_CONFIG_BYTES).decode("utf-8")
    except FileNotFoundError:
        return "", {}
    except UnicodeDecodeError:
        raise BranchwiseError(f"{path}: the config file is not UTF-8 text") from None
    except FileRefused as exc:
        raise BranchwiseError(f"{path}: cannot read the config file: {exc.message}") from None
    except OSError as exc:
        raise BranchwiseError(f"{path}: cannot read the config file ({exc.strerror})") from None
    if not text.strip():
        return text, {}
    # Imported here: most operators configure by environment, and a start should not pay for it.
    import tomllib

    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BranchwiseError(_toml_error(path, str(exc))) from None


def _toml_error(path: Path, message: str) -> str:
    found = re.search(_TOML_POSITION, message)
    if not found:
        return f"{path}: not valid TOML: {message}"
    reason = re.sub(_TOML_POSITION, "", message).strip()
    return f"{path}:{found.group(1)}:{found.group(2)}: not valid TOML: {reason}"


_KNOWN = {
    "paya": ("base_url", "developer_id", "user_id", "user_api_key", "timeout"),
    "http": ("allowed_hosts", "timeout", "headers"),
    "store": ("db",),
}


@dataclass(frozen=True, eq=False)
class _ConfigFile:
    """The parsed TOML with its text, so each complaint can name the line it is about."""

    path: Path
    parsed: tuple[str, dict[str, Any]]

    @property
    def data(self) -> dict[str, Any]:
        return self.parsed[1]

    def section(self, name: str) -> dict[str, Any]:
        value = self.data.get(name, {})
        if not isinstance(value, dict):
            raise self.error(name, None, f"'{name}' must be a table ([{name}])")
        return value

    def get(self, section: str, key: str) -> Any:
        return self.section(section).get(key)

    def line_of(self, section: str, key: str | None) -> int | None:
        """The line setting `key` in `[section]` (or opening `[section.key]`), else the header."""
        current: list[str] = []
        header_line = None
        for number, line in enumerate(self.parsed[0].splitlines(), start=1):
            stripped = line.strip()
            header = re.match(r"^\[+\s*([^\]]+?)\s*\]", stripped)
            if header:
                current = [part.strip().strip("\"'") for part in header.group(1).split(".")]
                if key is not None and current[:2] == [section, key]:
                    return number
                if current[0] == section and header_line is None:
                    header_line = number
            elif key and current == [section] and re.match(rf"^{key}\s*=", stripped):
                return number
        return header_line

    def error(self, section: str, key: str | None, message: str) -> BranchwiseError:
        line = self.line_of(section, key)
        where = f"{self.path}:{line}" if line else str(self.path)
        return BranchwiseError(f"{where}: {message}")

    def reject_unknown(self) -> None:
        for name in self.data:
            if name not in _KNOWN:
                known = ", ".join(f"[{k}]" for k in _KNOWN)
                raise self.error(name, None, f"unknown section [{name}] (known: {known})")
            for key in self.section(name):
                if key not in _KNOWN[name]:
                    known = ", ".join(_KNOWN[name])
                    raise self.error(name, key, f"[{name}] has no setting '{key}' (known: {known})")


def _text(
    source: _ConfigFile, env: Mapping[str, str], section: str, key: str, env_name: str
) -> str:
    if env.get(env_name):
        return env[env_name].strip()
    value = source.get(section, key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise source.error(section, key, f"[{section}] {key} must be a string")
    return value.strip()


def _timeout(source: _ConfigFile, env: Mapping[str, str], section: str, env_name: str) -> float:
    if env.get(env_name):
        return _seconds(env[env_name], lambda message: BranchwiseError(f"{env_name} {message}"))
    raw = source.get(section, "timeout")
    if raw is None:
        return DEFAULT_TIMEOUT
    return _seconds(
        raw, lambda message: source.error(section, "timeout", f"[{section}] timeout {message}")
    )


def _seconds(raw: Any, complain: Callable[[str], BranchwiseError]) -> float:
    """A timeout in seconds: a number above zero and at most MAX_TIMEOUT."""
    try:
        seconds = float(raw) if not isinstance(raw, bool) else float("nan")
    except (TypeError, ValueError):
        seconds = float("nan")
    if not 0 < seconds <= MAX_TIMEOUT:
        raise complain(
            f"must be a number of seconds above 0 and at most {MAX_TIMEOUT:g}, not {raw!r}"
        )
    return seconds


def _paya_settings(source: _ConfigFile, env: Mapping[str, str]) -> PayaSettings:
    values = {key: _text(source, env, "paya", key, PAYA_ENV[key]) for key in PAYA_CREDENTIALS}
    for key, value in values.items():
        if re.search(_CONTROL, value):
            # Sent as a header it would fail, and the failure would quote it in an escaped form
            # no mask recognises; the message never repeats the value.
            message = f"{key} holds a line break or another control character"
            if env.get(PAYA_ENV[key]):
                raise BranchwiseError(f"{PAYA_ENV[key]}: {message}")
            raise source.error("paya", key, f"[paya] {message}")
    base_url = _text(source, env, "paya", "base_url", PAYA_ENV["base_url"]) or DEFAULT_PAYA_BASE_URL
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        message = f"Paya Connect base_url must be an http(s) URL, not {base_url!r}"
        if env.get(PAYA_ENV["base_url"]):
            raise BranchwiseError(f"{PAYA_ENV['base_url']}: {message}")
        raise source.error("paya", "base_url", message)
    timeout = _timeout(source, env, "paya", PAYA_ENV["timeout"])
    return PayaSettings(base_url=base_url.rstrip("/"), timeout=timeout, **values)


def _http_settings(source: _ConfigFile, env: Mapping[str, str]) -> HttpSettings:
    env_hosts = env.get(HTTP_ENV["allowed_hosts"], "").strip()
    if env_hosts:
        hosts = [h.strip() for h in env_hosts.split(",") if h.strip()]
        bad = next((h for h in hosts if not re.match(_HOST_ENTRY, h)), None)
        if bad is not None:
            raise BranchwiseError(
                f"{HTTP_ENV['allowed_hosts']}: {bad!r} is not a host or host:port"
            )
    else:
        hosts = _file_hosts(source)
    return HttpSettings(
        allowed_hosts=tuple(dict.fromkeys(h.lower() for h in hosts)),
        timeout=_timeout(source, env, "http", HTTP_ENV["timeout"]),
        headers=_file_headers(source),
    )


def _file_hosts(source: _ConfigFile) -> list[str]:
    hosts = source.get("http", "allowed_hosts")
    if hosts is None:
        return []
    if not isinstance(hosts, list) or not all(isinstance(h, str) for h in hosts):
        message = '[http] allowed_hosts must be a list of strings, like ["admin.example.com"]'
        raise source.error("http", "allowed_hosts", message)
    for host in hosts:
        if not re.match(_HOST_ENTRY, host.strip()):
            message = (
                f"[http] allowed_hosts: {host!r} is not a host or host:port (no scheme, no path)"
            )
            raise source.error("http", "allowed_hosts", message)
    return [h.strip() for h in hosts]


def _file_headers(source: _ConfigFile) -> Mapping[str, Mapping[str, str]]:
    table = source.get("http", "headers")
    if table is None:
        return _empty_headers()
    if not isinstance(table, dict):
        raise source.error(
            "http", "headers", "[http] headers must be a table of host = {Name = value}"
        )
    result: dict[str, Mapping[str, str]] = {}
    for host, headers in table.items():
        problem = _header_problem(host, headers)
        if problem is not None:
            raise source.error("http", "headers", f"[http.headers] {problem}")
        result[host.strip().lower()] = MappingProxyType(dict(headers))
    return MappingProxyType(result)


def _header_problem(host: str, headers: Any) -> str | None:
    """What is wrong with one host's table of headers, or None (values are never quoted)."""
    if not isinstance(headers, dict) or not all(isinstance(v, str) for v in headers.values()):
        return f"{host!r} must be a table of header names to string values"
    bad = next((name for name in headers if not re.match(_HEADER_NAME, name)), None)
    if bad is not None:
        return f"{bad!r} is not a header name"
    broken = next((name for name, value in headers.items() if re.search(_CONTROL, value)), None)
    if broken is not None:
        return f"the value of {broken!r} holds a line break or another control character"
    return None
