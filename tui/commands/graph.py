"""`branchwise graph`: a tree as a Mermaid or Graphviz diagram, printed, saved or rendered."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from engine.errors import BranchwiseError, UsageError
from tui.commands.stats import day, since_timestamp
from tui.options import common_options

if TYPE_CHECKING:
    from engine.authoring.diagram import Overlay
    from engine.library.index import Library
    from engine.sessions.stats import VersionStats
    from engine.tree.model import Tree

FORMATS = ("mermaid", "dot")
TEXT_SUFFIXES = {".mmd": "mermaid", ".mermaid": "mermaid", ".dot": "dot", ".gv": "dot"}
RENDERED_SUFFIXES = (".svg", ".png", ".pdf")
RENDER_TIMEOUT = 120.0
NO_GRAPHVIZ = (
    "Graphviz's 'dot' is not installed; use --format dot and render elsewhere, or install graphviz"
)


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "graph",
        help="draw a tree as a Mermaid or Graphviz diagram",
        description="Draw a tree (an id or a path) as a diagram: node shapes by type, outcomes "
        "coloured by status, choice and route labels on the arrows, links to other trees shown. "
        "A tree with errors is drawn too (missing nodes as dashed red boxes), its errors printed "
        "on stderr and the exit code 1. "
        "Prints Mermaid (renders on GitHub and GitLab) unless told otherwise. With -o, the file's "
        "suffix decides: .mmd writes Mermaid, .dot or .gv writes dot source, and .svg, .png or "
        ".pdf renders through Graphviz's 'dot', which must be installed. With --stats, the "
        "session store's figures for the tree's version are drawn on it: each node filled by how "
        "often walks were abandoned there (or, for an outcome, ended there), its visits under "
        "its title, and the times each choice or route was taken on its arrow, with a legend.",
        parents=[common_options()],
    )
    parser.add_argument("tree", metavar="TREE", help="a tree id or the path of a tree file")
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default=None,
        help="diagram language (default: mermaid, or what the -o suffix implies)",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        type=Path,
        help="write to FILE instead of printing (.mmd, .dot, .gv, or .svg/.png/.pdf to render)",
    )
    parser.add_argument(
        "--stats",
        action="store_true",
        help="colour each node by how often walks of the tree's version ended or were abandoned "
        "there (from the session store, --db), with a legend and counts on the arrows",
    )
    parser.add_argument(
        "--since",
        metavar="DATE",
        type=since_timestamp,
        help="with --stats: only sessions started at DATE or later (YYYY-MM-DD or ISO 8601)",
    )


def run(args: argparse.Namespace) -> int:
    from engine.authoring.diagram import to_dot, to_mermaid
    from tui.options import open_library

    output: Path | None = args.output
    language = chosen_format(args.format, output)
    if args.since is not None and not args.stats:
        raise UsageError("--since counts sessions for --stats; add --stats")
    tree, failed = _tree_to_draw(open_library(args), args.tree)
    overlay = usage_overlay(args, tree) if args.stats else None
    if output is not None and output.suffix.lower() in RENDERED_SUFFIXES:
        _write(output, render(_graphviz(), to_dot(tree, overlay), output.suffix.lower()[1:]))
        return failed
    text = to_dot(tree, overlay) if language == "dot" else to_mermaid(tree, overlay)
    if language == "mermaid":
        _warn_if_too_large(tree, text)
    if output is None:
        _print(text)
    else:
        _write(output, text.encode("utf-8"))
    return failed


def _tree_to_draw(library: Library, ref: str) -> tuple[Tree, int]:
    """The tree and the exit code: a tree with errors is drawn too, as that is when an author
    wants the picture, with its errors on stderr and exit 1; one that cannot be built is not."""
    from engine.errors import InvalidTree
    from engine.tree.report import format_text

    try:
        return library.load(ref), 0
    except InvalidTree as exc:
        checked = library.check(ref)
        errors = [p for p in checked.problems if p.is_error]
        sys.stderr.write(format_text(errors))
        if checked.tree is None:
            raise BranchwiseError(f"{checked.doc.path} cannot be drawn: {exc.message}") from None
        return checked.tree, 1


def usage_overlay(args: argparse.Namespace, tree: Tree) -> Overlay:
    """The figures of the tree's version from the session store, as a diagram overlay."""
    from engine.authoring.stats_overlay import stats_overlay

    versions = _version_figures(args, tree.id)
    figures = next((v for v in versions if v.summary.version == tree.version), None)
    since = f" since {day(args.since)}" if args.since is not None else ""
    if figures is None:
        others = ", ".join(str(v.summary.version) for v in versions)
        elsewhere = f" (versions with sessions: {others})" if others else ""
        print(
            f"branchwise: no sessions of {tree.id} version {tree.version}{since} in the session "
            f"store{elsewhere}; every node is drawn as never visited",
            file=sys.stderr,
        )
        return stats_overlay(tree, None, f"no walks of version {tree.version}{since}")
    walks = figures.summary.started
    caption = f"{walks} walk{'' if walks == 1 else 's'} of version {tree.version}{since}"
    return stats_overlay(tree, figures, caption)


def _version_figures(args: argparse.Namespace, tree_id: str) -> list[VersionStats]:
    """The one place `graph` reads the session store: each version's figures for the tree."""
    from engine.sessions.stats import tree_stats
    from engine.sessions.store import Store, store_exists
    from tui.options import db_url

    url = db_url(args)
    if not store_exists(url):
        return []
    with Store(url, read_only=True) as store:
        return tree_stats(store, tree_id, args.since)


def _warn_if_too_large(tree: Tree, text: str) -> None:
    from engine.authoring.diagram import mermaid_too_large

    too_large = mermaid_too_large(tree, text)
    if too_large:
        print(
            f"branchwise: warning: this diagram has {too_large}; GitHub and the Mermaid live "
            "editor refuse such diagrams: use --format dot or -o FILE.svg",
            file=sys.stderr,
        )


def chosen_format(given: str | None, output: Path | None) -> str:
    """The diagram language: --format if given, else the one the output's suffix implies."""
    suffix = output.suffix.lower() if output is not None else ""
    implied = "dot" if suffix in RENDERED_SUFFIXES else TEXT_SUFFIXES.get(suffix)
    if given == "mermaid" and suffix in RENDERED_SUFFIXES:
        raise UsageError(
            f"-o {output} is rendered by Graphviz from dot source; Mermaid cannot be rendered "
            "here: use -o FILE.mmd, or drop --format"
        )
    if given and implied and given != implied:
        raise UsageError(
            f"-o {output} means {implied}, but --format {given} was given; "
            f"use a {_suffixes_of(given)} file or drop --format"
        )
    return given or implied or "mermaid"


def _suffixes_of(language: str) -> str:
    return "/".join(suffix for suffix, name in TEXT_SUFFIXES.items() if name == language)


def _graphviz() -> str:
    dot = shutil.which("dot")
    if dot is None:
        raise BranchwiseError(NO_GRAPHVIZ)
    return dot


def render(dot: str, source: str, image_format: str) -> bytes:
    """The image Graphviz draws from dot source piped on its stdin."""
    try:
        done = subprocess.run(
            [dot, f"-T{image_format}"],
            input=source.encode("utf-8"),
            capture_output=True,
            timeout=RENDER_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise BranchwiseError(
            f"Graphviz's 'dot' took longer than {RENDER_TIMEOUT:.0f} s and was stopped"
        ) from exc
    except OSError as exc:
        raise BranchwiseError(f"could not run Graphviz's 'dot' ({dot}): {exc.strerror}") from exc
    if done.returncode != 0:
        from engine.text import plain

        reason = plain(done.stderr.decode("utf-8", "replace")).strip() or "no message"
        raise BranchwiseError(f"Graphviz's 'dot' failed (exit {done.returncode}): {reason}")
    return done.stdout


def _write(path: Path, content: bytes) -> None:
    try:
        path.write_bytes(content)
    except OSError as exc:
        raise BranchwiseError(f"cannot write {path}: {exc.strerror or exc}") from exc
    print(f"wrote {path}", file=sys.stderr)


def _print(text: str) -> None:
    # Diagram sources are UTF-8 whatever the terminal's locale says.
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        sys.stdout.write(text)
        return
    sys.stdout.flush()
    buffer.write(text.encode("utf-8"))
    buffer.flush()
