"""A cache of schema verdicts keyed by a file's content and the engine's code, so a known file
skips jsonschema."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from engine.files import engine_key, write_json_whole
from engine.tree.checker import check_schema
from engine.tree.problems import Problem, Severity
from engine.tree.reader import Document


def _problem(path: str, row: dict[str, Any]) -> Problem | None:
    """A cached row as a Problem, or None when a field is not of its kind (a damaged cache)."""
    line, column, node = row["line"], row["column"], row["node"]
    numbers = all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in (line, column))
    texts = isinstance(row["rule"], str) and isinstance(row["message"], str)
    if not (numbers and texts and (node is None or isinstance(node, str))):
        return None
    return Problem(path, line, column, Severity(row["severity"]), row["rule"], row["message"], node)


class SchemaCache:
    """Schema problems of a file, stored under the hash of its bytes and of the schema."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._schema_key: str | None = None

    def _key(self, doc: Document) -> str:
        if self._schema_key is None:
            self._schema_key = engine_key()
        return f"{doc.sha256}-{self._schema_key}"

    def check(self, doc: Document) -> list[Problem]:
        """The schema problems of a document: from the cache, or checked and then stored."""
        if not doc.sha256:
            return check_schema(doc.data, doc.path)
        file = self.directory / f"{self._key(doc)}.json"
        cached = self._load(file, doc.path)
        if cached is not None:
            return cached
        problems = check_schema(doc.data, doc.path)
        self._store(file, problems)
        return problems

    def _load(self, file: Path, path: str) -> list[Problem] | None:
        """The cached problems, or None when there is no entry or it does not read back whole."""
        try:
            rows = json.loads(file.read_text("utf-8"))
            problems = [_problem(path, row) for row in rows]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None
        return None if None in problems else [p for p in problems if p is not None]

    def _store(self, file: Path, problems: list[Problem]) -> None:
        rows = [{k: v for k, v in asdict(p).items() if k != "path"} for p in problems]
        write_json_whole(file, rows)
