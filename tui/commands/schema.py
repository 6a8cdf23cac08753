"""`branchwise schema`: print the JSON Schema of the tree format shipped in the package."""

from __future__ import annotations

import argparse
import sys

from engine.tree.checker import schema_text


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    subparsers.add_parser(
        "schema",
        help="print the JSON Schema of the tree format",
        description="Print the JSON Schema (draft 2020-12) that tree files are checked against. "
        "Point an editor at it with a first line such as "
        "'# yaml-language-server: $schema=PATH/tree.schema.json'.",
    )


def run(args: argparse.Namespace) -> int:
    sys.stdout.write(schema_text())
    return 0
