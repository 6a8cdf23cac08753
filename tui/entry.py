"""The `branchwise` console script: the collector is slowed down before anything is imported.

A start allocates mostly objects that live until exit; the command line's own imports (argparse,
the engine) would already run half a dozen young collections, a third of a millisecond, before
`tui.cli.main` could slow the collector down (see tui.startup_collection).
"""

from __future__ import annotations

import sys


def main() -> int:
    """Run the command line; returns the exit code."""
    from tui.startup_collection import collect_rarely

    collect_rarely()
    from tui.cli import main as command_line

    return command_line()


if __name__ == "__main__":
    sys.exit(main())
