"""`branchwise validate`: diagnostics for tree files, as text lines or JSON."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from engine.errors import UsageError
from tui.options import common_options


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check tree files: YAML, schema and graph",
        description="Check tree files (directories are searched recursively; *.test.yaml files "
        "are scenarios and skipped, and so is YAML that holds no tree: a tree has a 'schema' key, "
        "or 'start' and 'nodes'). Prints PATH:LINE:COL: severity: message (rule). "
        "Exit 0 clean, 1 problems, 2 usage.",
        parents=[common_options()],
    )
    parser.add_argument(
        "paths", nargs="+", type=Path, metavar="PATH", help="tree files or directories"
    )
    parser.add_argument(
        "--format",
        choices=("text", "json", "github"),
        default="text",
        help="output format: text lines, a JSON list, or GitHub Actions annotations "
        "(::error file=PATH,line=L,col=C,title=RULE::MESSAGE)",
    )
    parser.add_argument("--strict", action="store_true", help="fail on warnings too")
    parser.add_argument(
        "--max-bytes",
        type=int,
        default=None,
        metavar="N",
        help="refuse files larger than N bytes (default 2 MiB)",
    )


def run(args: argparse.Namespace) -> int:
    from engine.tree.reader import Limits
    from engine.tree.report import format_github, format_json, format_text, summary
    from engine.tree.validation import validate_trees
    from tui.options import open_library

    missing = [str(p) for p in args.paths if not _exists(p)]
    if missing:
        raise UsageError(f"no such file or directory: {', '.join(missing)}")
    limits = Limits(max_bytes=args.max_bytes) if args.max_bytes else Limits()
    library = open_library(args)
    found = validate_trees(args.paths, library.registry, library.ids, limits, library.ids_beside)
    problems = found.problems
    if args.format == "json":
        sys.stdout.write(format_json(problems))
    else:
        sys.stdout.write(
            format_github(problems) if args.format == "github" else format_text(problems)
        )
        print(summary(problems, found.trees, found.skipped), file=sys.stderr)
    failing = [p for p in problems if p.is_error or args.strict]
    return 1 if failing else 0


def _exists(path: Path) -> bool:
    """Whether a path names something; one that cannot be looked at is reported when read."""
    try:
        return path.exists() or path.is_symlink()
    except OSError:
        return True
