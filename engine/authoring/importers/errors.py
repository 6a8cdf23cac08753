"""The error an article import stops with: the article is unreadable or holds no tree."""

from __future__ import annotations

from engine.errors import BranchwiseError
from engine.files import MAX_TREE_BYTES


class ArticleImportError(BranchwiseError):
    """The article cannot be read or converted; the message says why."""

    exit_code = 1


def tree_too_large(size: int, why: str = "") -> ArticleImportError:
    """The refusal of a tree of `size` bytes or more, which 'branchwise validate' would refuse."""
    limit = MAX_TREE_BYTES // (1024 * 1024)
    return ArticleImportError(
        f"the tree made from it would be {size / (1024 * 1024):.1f} MiB{why}; "
        f"'branchwise validate' refuses trees over {limit} MiB"
    )
