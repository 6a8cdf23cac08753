"""`branchwise test`: run scenarios, say where failing walks went, and print branch coverage."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from engine.errors import BranchwiseError, UsageError
from tui.options import common_options, library_dirs

if TYPE_CHECKING:
    from engine.authoring.scenarios import Coverage, Result, Scenario
    from engine.library.index import Library
    from engine.tree.model import Tree


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "test",
        help="run the scenarios of trees and print branch coverage",
        description="Run scenarios (NAME.test.yaml beside NAME.yaml, or a 'tests:' list inside a "
        "tree) with stubbed actions, then list the choices and routes no scenario takes. YAML "
        "that holds no tree (no 'schema' key, nor 'start' and 'nodes') is skipped. "
        "Exit 0 all pass, 1 a failure (or coverage under --min-coverage).",
        parents=[common_options()],
    )
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="tree files, scenario files or directories (default: .)",
    )
    parser.add_argument(
        "--min-coverage",
        type=float,
        default=None,
        metavar="N",
        help="fail when branch coverage is under N percent",
    )
    parser.add_argument(
        "--generate",
        metavar="TREE",
        help="write a starter scenario file for TREE (one scenario per outcome)",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help="with --generate: where to write (default: beside the tree)",
    )
    parser.add_argument("--force", action="store_true", help="with --generate: overwrite FILE")
    parser.add_argument(
        "--format",
        choices=("text", "github"),
        default="text",
        help="github: failing scenarios as ::error and branches not taken as ::warning GitHub "
        "Actions annotations, shown on the pull request at their line",
    )


def run(args: argparse.Namespace) -> int:
    if args.generate:
        return _generate(args)
    paths = args.paths or [Path()]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise UsageError(f"no such file or directory: {', '.join(missing)}")
    return _run_scenarios(args, paths)


def _scenario_files(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """(scenario files, tree files) under the paths."""
    from engine.files import is_tree_file

    scenario_files: list[Path] = []
    tree_files: list[Path] = []
    for path in paths:
        candidates = sorted(path.rglob("*.yaml")) if path.is_dir() else [path]
        for file in candidates:
            if file.name.endswith(".test.yaml"):
                scenario_files.append(file)
            elif is_tree_file(file):
                tree_files.append(file)
                sidecar = file.with_name(file.name[: -len(".yaml")] + ".test.yaml")
                if sidecar.is_file() and not path.is_dir():
                    scenario_files.append(sidecar)
    return sorted(set(scenario_files)), tree_files


def _run_scenarios(args: argparse.Namespace, paths: list[Path]) -> int:
    from engine.library.index import Library

    scenario_files, tree_files = _scenario_files(paths)
    own_dirs = sorted({p if p.is_dir() else p.parent for p in paths})
    library = Library([*own_dirs, *library_dirs(args)])
    scenarios = _collect(scenario_files, tree_files)
    if not scenarios:
        print(
            "branchwise: no scenarios found (write NAME.test.yaml beside NAME.yaml, or run "
            "'branchwise test --generate TREE')",
            file=sys.stderr,
        )
        return 1
    results = [_run_one(scenario, library) for scenario in scenarios]
    github = args.format == "github"
    for result in results:
        _print_result(result, github)
    cover, trees = _coverage(library, results)
    _print_coverage(cover, trees, github)
    failed = sum(not r.passed for r in results)
    print(f"{len(results) - failed} passed, {failed} failed")
    below = args.min_coverage is not None and cover.percent < args.min_coverage
    if below:
        print(f"branch coverage {cover.percent:.1f}% is under --min-coverage {args.min_coverage:g}")
    return 1 if failed or below else 0


def _collect(scenario_files: list[Path], tree_files: list[Path]) -> list[Scenario]:
    from engine.authoring.scenarios import scenarios_in
    from engine.files import holds_a_tree
    from engine.tree.reader import read_file

    scenarios = []
    for file in scenario_files:
        scenarios.extend(scenarios_in(read_file(file).data, str(file), None))
    for file in tree_files:
        data = read_file(file).data
        if holds_a_tree(data) and data.get("tests"):
            scenarios.extend(scenarios_in(data, str(file), None))
    return scenarios


def _run_one(scenario: Scenario, library: Library) -> Result:
    """A scenario's result; a tree that cannot be loaded fails the scenario, not the run."""
    from engine.authoring.scenarios import Result, run_scenario

    try:
        return run_scenario(scenario, library.load)
    except BranchwiseError as exc:
        return Result(scenario, failures=[exc.message])


def _coverage(library: Library, results: list[Result]) -> tuple[Coverage, list[Tree]]:
    from engine.authoring.scenarios import coverage

    taken: set[tuple[str, str, str]] = set().union(*(r.taken for r in results))
    trees = []
    for tree_id in sorted({r.scenario.tree_id for r in results}):
        try:
            trees.append(library.load(tree_id))
        except BranchwiseError:
            continue  # its scenarios already failed with the reason
    return coverage(trees, taken), trees


def _print_result(result: Result, github: bool) -> None:
    from engine.text import one_line
    from engine.tree.report import annotation

    scenario = result.scenario
    if result.passed:
        print(f"PASS {scenario.tree_id}: {one_line(scenario.name)}")
        return
    if github:
        text = f"{scenario.name}: {'; '.join(result.failures)}"
        sys.stdout.write(annotation("error", scenario.path, scenario.line, None, "scenario", text))
        return
    print(f"FAIL {scenario.path}:{scenario.line}: {one_line(scenario.name)}")
    for failure in result.failures:
        print(f"    {one_line(failure)}")


def _print_coverage(cover: Coverage, trees: Sequence[Tree], github: bool) -> None:
    print(
        f"branch coverage: {cover.total - len(cover.missed)}/{cover.total} "
        f"({cover.percent:.1f}%) over {len(trees)} tree(s)"
    )
    from engine.text import one_line
    from engine.tree.report import annotation

    for branch in cover.missed:
        kind = "on_error" if branch.taken == "on_error" else branch.taken.split(":")[0]
        if github:
            text = f"no scenario takes {kind} {branch.label!r} of node {branch.node_id!r}"
            where, line = branch.path, branch.line
            sys.stdout.write(annotation("warning", where, line, None, "not-taken", text))
            continue
        print(
            f"  not taken: {branch.path}:{branch.line}: {kind} {one_line(repr(branch.label))} "
            f"of node {branch.node_id!r}"
        )


def _generate(args: argparse.Namespace) -> int:
    from engine.authoring.starter import starter_scenarios
    from tui.options import open_library

    library = open_library(args)
    tree = library.load(args.generate)
    text = starter_scenarios(tree, library.load)
    target = args.output or Path(tree.path).with_name(Path(tree.path).stem + ".test.yaml")
    if str(target) == "-":
        sys.stdout.write(text)
        return 0
    if target.exists() and not args.force:
        raise BranchwiseError(
            f"{target} exists; use --force to overwrite it or -o to choose another file"
        )
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}: one scenario per outcome; run 'branchwise test {target}'")
    return 0
