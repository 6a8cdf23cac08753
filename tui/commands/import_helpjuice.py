"""`branchwise import helpjuice`: a Helpjuice decision-tree article converted to a tree file."""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
from pathlib import Path

from engine.text import plain

SOURCES = ("helpjuice",)
TREE_ID = re.compile(r"^[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*)*$")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "import",
        help="convert a Helpjuice decision-tree article into a tree",
        description="Convert a knowledge-base article into a branchwise tree. For Helpjuice, "
        "the article's decision tree becomes questions, answers and outcomes, and the text "
        "before it becomes steps leading to it. The article may be its page saved as HTML, or "
        "its text as copied from the page (a .txt file, or any file without HTML tags): the "
        "tree is then rebuilt from its lines and '•' bullets on a best-effort basis. Whatever "
        "the author should check (editor placeholders, empty panels, renamed answers, which "
        "text was taken for which answer) is marked with a '#' comment in the YAML and listed "
        "on stderr as 'FILE: note: ...'. Only full http(s) and mailto links are kept. The tree "
        "is checked as 'branchwise validate' would before it is written. Prints the YAML "
        "unless -o is given.",
        epilog="Exit status: 0 converted, 1 the file cannot be read, holds no decision tree, "
        "would give a tree that 'branchwise validate' refuses (nothing is written then), or the "
        "output exists (without --force) or cannot be written.",
    )
    parser.add_argument("source", choices=SOURCES, help="the knowledge base the article is from")
    parser.add_argument(
        "file", metavar="FILE", type=Path, help="the article, saved as HTML or as its text"
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="OUT.yaml",
        type=Path,
        help="write the tree to this file (missing folders are created)",
    )
    parser.add_argument(
        "--id",
        dest="tree_id",
        metavar="ID",
        type=_tree_id,
        help="the tree's id, such as 'paya-connect/portal-access' (default: from FILE's name)",
    )
    parser.add_argument("--force", action="store_true", help="replace OUT.yaml if it exists")


def run(args: argparse.Namespace) -> int:
    from engine.authoring.importers import (
        ArticleImportError,
        checked_tree_yaml,
        import_helpjuice_file,
    )

    source: Path = args.file
    output: Path | None = args.output
    if output is not None and output.exists() and not args.force:
        _say(f"{output}: error: the file exists; add --force to replace it")
        return 1
    try:
        result = import_helpjuice_file(source, args.tree_id)
        text = checked_tree_yaml(result, str(output or "<stdout>"))
    except ArticleImportError as problem:
        _say(f"{source}: error: {problem.message}")
        return 1
    for note in result.notes:
        _say(f"{source}: {note.severity}: {note.message}")
    if output is None:
        sys.stdout.buffer.write(text.encode("utf-8"))
        sys.stdout.flush()
        return 0
    return _write(output, text)


def _tree_id(value: str) -> str:
    if not TREE_ID.match(value):
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a tree id: lowercase letters, digits and '-', parts joined by '/'"
        )
    return value


def _write(output: Path, text: str) -> int:
    """Writes through a temporary file, so a failed write never leaves half a tree behind."""
    temporary = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        with temporary.open("x", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        temporary.replace(output)
    except OSError as problem:
        with contextlib.suppress(OSError):  # the folder may be what failed
            temporary.unlink(missing_ok=True)
        _say(f"{output}: error: cannot write the tree: {problem.strerror or problem}")
        return 1
    _say(f"{output}: written")
    return 0


def _say(message: str) -> None:
    print(plain(message), file=sys.stderr)
