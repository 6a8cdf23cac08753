"""Importers that turn knowledge-base articles into branchwise trees (Helpjuice for now)."""

from __future__ import annotations

from engine.authoring.importers.article import MAX_ARTICLE_BYTES, read_article
from engine.authoring.importers.draft import ImportNote, ImportResult
from engine.authoring.importers.errors import ArticleImportError
from engine.authoring.importers.helpjuice import (
    import_helpjuice,
    import_helpjuice_file,
    tree_id_from_name,
)
from engine.authoring.importers.tree_check import checked_tree_yaml
from engine.authoring.importers.tree_yaml import render_tree_yaml

__all__ = [
    "MAX_ARTICLE_BYTES",
    "ArticleImportError",
    "ImportNote",
    "ImportResult",
    "checked_tree_yaml",
    "import_helpjuice",
    "import_helpjuice_file",
    "read_article",
    "render_tree_yaml",
    "tree_id_from_name",
]
