"""The imported tree held to what `branchwise validate` accepts, before anything is written."""

from __future__ import annotations

from typing import Any

from engine.authoring.importers.draft import ImportResult
from engine.authoring.importers.errors import ArticleImportError, tree_too_large
from engine.authoring.importers.tree_yaml import render_tree_yaml
from engine.files import MAX_TREE_BYTES
from engine.tree.reader import read_bytes
from engine.tree.validation import check_document


def checked_tree_yaml(result: ImportResult, name: str) -> str:
    """The tree's YAML once the checks of `branchwise validate` find no error in it.

    Its text is counted before it is written out, so a tree far over the size limit costs no
    YAML rendering; `name` is the file name the problems would be reported under.
    """
    notes = [*result.header, *(line for lines in result.comments.values() for line in lines)]
    counted = text_size(result.tree) + text_size(notes)
    if counted > MAX_TREE_BYTES:
        raise tree_too_large(counted)
    text = render_tree_yaml(result)
    raw = text.encode("utf-8")
    if len(raw) > MAX_TREE_BYTES:
        raise tree_too_large(len(raw))
    errors = [p for p in check_document(read_bytes(raw, name)).problems if p.is_error]
    if errors:
        first = errors[0]
        where = f"node '{first.node}': " if first.node else ""
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ArticleImportError(
            f"the tree made from it does not pass 'branchwise validate': "
            f"{where}{first.message} ({first.rule}){more}"
        )
    return text


def text_size(data: Any) -> int:
    """How many characters the texts of the data hold, each counted as often as it is used."""
    total = 0
    pending = [data]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return total
