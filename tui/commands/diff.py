"""`branchwise diff`: what changed between two versions of a tree, as text, JSON or a PR comment."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from engine.errors import UsageError
from tui.options import common_options

if TYPE_CHECKING:
    from engine.authoring.diff import Change, PathChange, TreeDiff, TreeLoader
    from engine.authoring.scenarios import Scenario
    from engine.tree.model import Tree

FORMATS = ("text", "json", "markdown")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "diff",
        help="what changed between two versions of a tree, by meaning",
        description="Compare two versions of a tree by meaning, not by text: nodes added, "
        "removed, retitled or changed in type; choices and routes added, removed or re-pointed; "
        "outcome statuses; variables and actions. The tree's scenarios (NAME.test.yaml beside "
        "it, and its 'tests:') are walked on both versions to list those that now take another "
        "path. 'diff OLD NEW' compares two files; 'diff TREE --against REV' compares a file with "
        "the same file at a git revision (REV is the old version). Exit 0 same, 1 changed, "
        "2 usage.",
        parents=[common_options()],
    )
    parser.add_argument(
        "files",
        nargs="+",
        type=Path,
        metavar="FILE",
        help="OLD NEW, or one TREE (a file, or a tree id) with --against",
    )
    parser.add_argument(
        "--against",
        metavar="REV",
        help="compare TREE with itself at this git revision (a commit, branch or tag)",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="text (default), json, or markdown (a pull-request comment)",
    )


def run(args: argparse.Namespace) -> int:
    from engine.authoring.diff import compare

    if args.against is not None and len(args.files) == 1:
        args.files = [_tree_file(args, args.files[0])]
    old, new = _versions(args.files, args.against)
    tree_file: Path = args.files[-1]
    result = compare(old, new, _scenarios(tree_file, new), _linked_trees(args, tree_file))
    _emit(args.format, result)
    return 0 if result.same else 1


def _versions(files: Sequence[Path], against: str | None) -> tuple[Tree, Tree]:
    """The old and new versions the arguments name."""
    from engine.authoring.diff import read_version

    if against is not None:
        if len(files) != 1:
            raise UsageError(
                "with --against, give one TREE file: branchwise diff TREE --against REV"
            )
        from engine.authoring.git_show import file_at_revision

        path = files[0]
        new = read_version(_read(path), str(path))
        return read_version(file_at_revision(path, against), f"{path}@{against}"), new
    if len(files) != 2:
        raise UsageError("give OLD and NEW files, or one TREE file with --against REV")
    return read_version(_read(files[0]), str(files[0])), read_version(
        _read(files[1]), str(files[1])
    )


def _tree_file(args: argparse.Namespace, given: Path) -> Path:
    """The file --against compares: as given, or the file of the tree with that id."""
    if given.exists() or given.suffix == ".yaml":
        return given
    from tui.options import open_library

    return open_library(args).find(str(given))


def _read(path: Path) -> bytes:
    from engine.files import MAX_TREE_BYTES, FileRefused, read_regular_file

    try:
        return read_regular_file(path, MAX_TREE_BYTES)
    except FileNotFoundError:
        raise UsageError(f"no such file: {path}") from None
    except FileRefused as exc:
        raise UsageError(f"{path}: {exc.message}") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read ({exc.strerror or exc})") from None


def _scenarios(tree_file: Path, new: Tree) -> list[Scenario]:
    """The scenarios beside the tree file and in its `tests:` (the file as it is now)."""
    from engine.authoring.scenarios import scenarios_in
    from engine.tree.reader import read_file

    found = []
    sidecar = tree_file.with_name(tree_file.name.removesuffix(".yaml") + ".test.yaml")
    if sidecar.is_file():
        found.extend(scenarios_in(read_file(sidecar).data, str(sidecar), new.id))
    if new.tests:
        found.extend(scenarios_in(read_file(tree_file).data, str(tree_file), new.id))
    return found


def _linked_trees(args: argparse.Namespace, near: Path) -> TreeLoader:
    """Where the trees a version links to are found: beside it, then the library."""
    from engine.library.index import Library
    from tui.options import library_dirs

    return Library([near.resolve().parent, *library_dirs(args)]).load


def _emit(form: str, result: TreeDiff) -> None:
    if form == "json":
        from engine.text import json_text

        sys.stdout.write(json_text(result.to_dict(), indent=2) + "\n")
    elif form == "markdown":
        sys.stdout.write(markdown(result))
    else:
        sys.stdout.write(text(result))


# Text.


def text(result: TreeDiff) -> str:
    """The differences for a terminal: one line each, control characters removed."""
    from engine.text import one_line

    lines = [one_line(_heading(result))]
    if result.same:
        lines.append(f"no differences of meaning ({_walked(result)})")
    for change in result.changes:
        lines.append(f"  {one_line(_where(change))}{one_line(change.what)}")
    if result.paths:
        count = f"{len(result.paths)} of {result.scenarios}"
        lines.append(f"scenarios that now take another path or end otherwise: {count}")
    for path in result.paths:
        lines.extend(one_line(line) for line in _path_lines(path))
    return "".join(line + "\n" for line in lines)


def _heading(result: TreeDiff) -> str:
    old, new = result.old, result.new
    ids = old.id if old.id == new.id else f"{old.id} → {new.id}"
    return f"{ids}: version {old.version} ({old.path}) → version {new.version} ({new.path})"


def _walked(result: TreeDiff) -> str:
    count = result.scenarios
    return f"{count} scenario{'' if count == 1 else 's'} walked on both, same paths"


def _where(change: Change) -> str:
    return f"{change.node}: " if change.node else ""


def _path_lines(path: PathChange) -> Iterator[str]:
    before, after = split_paths(path.old_path, path.new_path)
    verdict = "passes" if path.passes else "fails its expectations"
    yield f"  {path.name} ({path.where}), {verdict} on the new version"
    yield f"    was: {_steps(before)} ({path.old_end})"
    yield f"    now: {_steps(after)} ({path.new_end})"


def _steps(path: Sequence[str]) -> str:
    return " → ".join(path) or "no step"


def split_paths(old: Sequence[str], new: Sequence[str]) -> tuple[list[str], list[str]]:
    """Both paths from the step before they part, the shared start shown as …."""
    from engine.authoring.scenarios import first_difference

    at = first_difference(old, new)
    since = max(0, at - 1)
    lead = ["…"] if since else []
    return [*lead, *old[since:]], [*lead, *new[since:]]


# Markdown, for a pull-request comment.


def markdown(result: TreeDiff) -> str:
    """The differences as a pull-request comment: every value escaped, shown as its text."""
    from engine.sessions.transcript import inline

    parts = [f"### Tree changes: {inline(_heading(result))}", ""]
    if result.same:
        parts += [f"No differences of meaning ({_walked(result)}).", ""]
    if result.changes:
        parts += ["| Node | Change |", "|---|---|"]
        parts += [
            f"| {inline(change.node or '(tree)')} | {inline(change.what)} |"
            for change in result.changes
        ]
        parts.append("")
    if result.paths:
        count = f"{len(result.paths)} of {result.scenarios}"
        parts += [f"#### Scenarios that now take another path or end otherwise ({count})", ""]
        parts += ["| Scenario | Was | Now | On the new version |", "|---|---|---|---|"]
        parts += [_markdown_path(path) for path in result.paths]
        parts.append("")
    return "\n".join(parts)


def _markdown_path(path: PathChange) -> str:
    from engine.sessions.transcript import inline

    before, after = split_paths(path.old_path, path.new_path)
    verdict = "passes" if path.passes else "**fails**"
    was = inline(f"{_steps(before)} ({path.old_end})")
    now = inline(f"{_steps(after)} ({path.new_end})")
    return f"| {inline(path.name)} ({inline(path.where)}) | {was} | {now} | {verdict} |"
