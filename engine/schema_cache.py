"""A cache of schema verdicts keyed by a file's content, so a known file skips jsonschema."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path

from engine import __version__
from engine.checker import check_schema, schema_text
from engine.problems import Problem, Severity
from engine.reader import Document


class SchemaCache:
    """Schema problems of a file, stored under the hash of its bytes and of the schema."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._schema_key: str | None = None

    def _key(self, doc: Document) -> str:
        if self._schema_key is None:
            import hashlib

            self._schema_key = hashlib.sha256((__version__ + schema_text()).encode()).hexdigest()[
                :16
            ]
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
        try:
            rows = json.loads(file.read_text("utf-8"))
            return [
                Problem(
                    path,
                    r["line"],
                    r["column"],
                    Severity(r["severity"]),
                    r["rule"],
                    r["message"],
                    r["node"],
                )
                for r in rows
            ]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _store(self, file: Path, problems: list[Problem]) -> None:
        rows = [{k: v for k, v in asdict(p).items() if k != "path"} for p in problems]
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            # Written whole then renamed, so a reader never sees half a file.
            fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(rows, out, default=str)
            Path(tmp).replace(file)
        except OSError:
            return
