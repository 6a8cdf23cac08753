"""The tokens file of `serve --auth token`: a `name: sha256:HEX` line per agent, never a token."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from engine.errors import BranchwiseError, UsageError
from engine.text import plain

# A name is what sessions record as their agent and what the file is keyed by: no colon, no space.
NAME = r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}"
PREFIX = "sha256:"
TOKEN_BYTES = 32  # 256 random bits: a fast hash is enough, no password-stretching needed


@dataclass(frozen=True, eq=False)
class TokenEntry:
    """One agent's line: the name and the hash of the token."""

    name: str
    digest: bytes


def token_digest(token: str) -> bytes:
    """The SHA-256 of a token, as stored."""
    return hashlib.sha256(token.encode("utf-8", "replace")).digest()


def read_tokens(path: Path) -> list[TokenEntry]:
    """The entries of a tokens file; a line that is not `name: sha256:HEX` is a clear error."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UsageError(
            f"--tokens {path}: no such file (create it with 'branchwise serve add-token NAME')"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BranchwiseError(f"--tokens {path}: cannot be read ({exc})") from None
    return [_entry(path, number, line) for number, line in _lines(text)]


def _lines(text: str) -> list[tuple[int, str]]:
    numbered = enumerate(text.splitlines(), start=1)
    return [(n, line.strip()) for n, line in numbered if line.strip() and line[0] != "#"]


def _entry(path: Path, number: int, line: str) -> TokenEntry:
    name, _, stored = (part.strip() for part in line.partition(":"))
    digest = stored[len(PREFIX) :]
    if not re.fullmatch(NAME, name) or not stored.startswith(PREFIX):
        raise UsageError(f"{path}:{number}: expected 'NAME: sha256:HEX', got {plain(line)!r}")
    try:
        return TokenEntry(name, bytes.fromhex(digest))
    except ValueError:
        raise UsageError(f"{path}:{number}: the hash of {name!r} is not hexadecimal") from None


def agent_of(entries: list[TokenEntry], token: str) -> str | None:
    """The name whose token this is, or None; every entry is compared, in constant time."""
    presented = token_digest(token)
    found = None
    for entry in entries:
        if hmac.compare_digest(entry.digest, presented):
            found = entry.name
    return found


def add_token(path: Path, name: str, *, replace: bool = False) -> str:
    """A new token for `name`, its hash written to the file (made 0600); the token is returned."""
    if not re.fullmatch(NAME, name):
        raise UsageError(
            f"add-token {plain(name)!r}: a name is letters, digits and . _ @ + - "
            "(starting with a letter or digit, at most 64)"
        )
    entries = read_tokens(path) if path.exists() else []
    if any(entry.name == name for entry in entries) and not replace:
        raise UsageError(f"{name!r} already has a token in {path}; --replace issues a new one")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    kept = [entry for entry in entries if entry.name != name]
    _write(path, [*kept, TokenEntry(name, token_digest(token))])
    return token


def remove_token(path: Path, name: str) -> None:
    """Take an agent's token out of the file: that agent can no longer sign in."""
    entries = read_tokens(path)
    if not any(entry.name == name for entry in entries):
        raise UsageError(f"{plain(name)!r} has no token in {path}")
    _write(path, [entry for entry in entries if entry.name != name])


def _write(path: Path, entries: list[TokenEntry]) -> None:
    lines = "".join(f"{entry.name}: {PREFIX}{entry.digest.hex()}\n" for entry in entries)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(lines)
    partial.replace(path)
