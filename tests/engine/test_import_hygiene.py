"""The engine stays UI-free and cheap to import: checked in fresh interpreters."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli import run_python

REPO = Path(__file__).resolve().parents[2]
TREE = """\
schema: branchwise/v1
id: t/t
version: 1
title: T
start: a
nodes:
  a: {type: outcome, status: resolved, title: Done}
"""


def loaded_after(code: str) -> set[str]:
    """The top-level packages loaded after running `code` in a fresh interpreter."""
    listing = "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    script = f"{code}\nimport json, sys\n{listing}"
    return set(json.loads(run_python(script).strip().splitlines()[-1]))


def test_every_engine_module_imports_without_textual_or_rich() -> None:
    loaded = loaded_after(
        "import importlib, pkgutil, engine\n"
        "names = [m.name for m in pkgutil.walk_packages(engine.__path__, 'engine.')]\n"
        "assert len(names) > 20, names\n"
        "for name in names:\n"
        "    importlib.import_module(name)\n"
    )
    assert "engine" in loaded
    assert "textual" not in loaded
    assert "rich" not in loaded


def test_validation_and_library_do_not_import_yaml_jsonschema_or_httpx_until_needed() -> None:
    loaded = loaded_after(
        "import engine, engine.tree.validation, engine.library.index, engine.tree.reader, "
        "engine.tree.checker, "
        "engine.tree.report, engine.library.schema_cache, engine.lint"
    )
    # YAML too waits for a file to read: a warm start builds its trees from the tree cache.
    for heavy in ("yaml", "jsonschema", "httpx", "textual", "rich"):
        assert heavy not in loaded, heavy


def test_jsonschema_is_imported_when_a_check_runs() -> None:
    loaded = loaded_after(
        "from engine.tree.reader import read_text\n"
        "from engine.tree.validation import check_document\n"
        f"checked = check_document(read_text({TREE!r}, 't.yaml'))\n"
        "assert checked.ok and checked.problems == [], checked.problems\n"
    )
    assert "jsonschema" in loaded
    assert "textual" not in loaded
