"""The error an article import stops with: the article is unreadable or holds no tree."""

from __future__ import annotations

from engine.errors import BranchwiseError


class ArticleImportError(BranchwiseError):
    """The article cannot be read or converted; the message says why."""

    exit_code = 1
