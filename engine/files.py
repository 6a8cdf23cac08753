"""Files on disk: which ones are trees, reading one without hanging or filling memory, writing
a cache file whole, and a key of the engine's own files for the caches."""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import tempfile
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from engine import __version__

SCENARIO_SUFFIX = ".test.yaml"
# What a tree file may weigh (engine.tree.reader.Limits.max_bytes): past it, it is refused unread.
MAX_TREE_BYTES = 2 * 1024 * 1024
_ENGINE = Path(__file__).resolve().parent
# Opened without blocking, so a FIFO or a device is looked at instead of waited on.
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


# Top-level keys of a file that did not read as YAML: enough to tell a broken tree from a
# broken workflow file.
_TOP_LEVEL_KEY = re.compile(r"^(schema|start|nodes)[ \t]*:", re.MULTILINE)
# What is read of a file too big to read whole, to tell whether it was meant as a tree.
HEAD_BYTES = 64 * 1024


def is_tree_file(path: Path) -> bool:
    """Whether a path may name a tree file: `*.yaml`, not a scenario file (NAME.test.yaml).

    Only the file's content decides whether it is one (`holds_a_tree`): a `.pre-commit-config.yaml`
    or a CI workflow passes this test and not that one.
    """
    return path.suffix == ".yaml" and not path.name.endswith(SCENARIO_SUFFIX)


def holds_a_tree(data: Any) -> bool:
    """Whether read YAML is a tree: a mapping with a `schema` key, or with `start` and `nodes`."""
    return isinstance(data, Mapping) and ("schema" in data or ("start" in data and "nodes" in data))


def names_tree_keys(text: str) -> bool:
    """Whether the text of a file that could not be read as YAML has a tree's top-level keys."""
    keys = set(_TOP_LEVEL_KEY.findall(text))
    return "schema" in keys or {"start", "nodes"} <= keys


def read_head(path: Path) -> str | None:
    """The first HEAD_BYTES of a regular file as text, or None when it cannot be read."""
    try:
        descriptor = os.open(path, _READ_FLAGS)
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            return None  # a FIFO or a device: never waited on
        return os.read(descriptor, HEAD_BYTES).decode("utf-8", "replace")
    except OSError:
        return None
    finally:
        os.close(descriptor)


class FileRefused(Exception):
    """A file that is not read: not a regular file, or over the size limit."""

    def __init__(self, message: str, size: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.size = size


def read_regular_file(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most `max_bytes`; FileRefused or OSError otherwise.

    Opened without blocking and looked at before reading, so a FIFO, a device such as
    /dev/zero or a huge (even sparse) file is refused at once instead of hanging or filling
    memory.
    """
    descriptor = os.open(path, _READ_FLAGS)
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise FileRefused(f"not a regular file ({_file_kind(info.st_mode)})")
        if info.st_size > max_bytes:
            raise FileRefused(over(info.st_size, max_bytes), info.st_size)
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            raw = handle.read(max_bytes + 1)  # the file may have grown since
    finally:
        os.close(descriptor)
    if len(raw) > max_bytes:
        raise FileRefused(over(len(raw), max_bytes), len(raw))
    return raw


def _file_kind(mode: int) -> str:
    kinds = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"))
    return next((name for test, name in kinds if test(mode)), "a device")


def over(size: int, limit: int) -> str:
    return f"the file is {size:,} bytes, over the limit of {limit:,}"


@cache
def engine_key() -> str:
    """A key of the engine's code (each module's size and time of change) and version: what a
    cached verdict (schema problems, a tree that loaded clean) depends on besides the file."""
    digest = hashlib.sha256(__version__.encode())
    pending = [_ENGINE]
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                if entry.is_dir() and entry.name not in ("__pycache__", "bundled_trees"):
                    pending.append(Path(entry.path))
                elif entry.name.endswith((".py", ".json")):
                    info = entry.stat()
                    digest.update(f"{entry.path}:{info.st_size}:{info.st_mtime_ns};".encode())
    return digest.hexdigest()[:24]


def write_json_whole(file: Path, value: Any) -> None:
    """Write a cache file as JSON, whole then renamed so a reader never sees half of it; a
    cache that cannot be written (a full disk, no permission) is only a cache not kept."""
    tmp: str | None = None
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=file.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(value, out, separators=(",", ":"))
        Path(tmp).replace(file)
    except (OSError, TypeError, ValueError):  # a value that is no JSON is not kept either
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
