"""A file as it was at a git revision, through `git show REV:PATH` run without a shell."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from engine.errors import UsageError
from engine.text import one_line

GIT_TIMEOUT = 30.0


def file_at_revision(path: Path, revision: str) -> bytes:
    """The bytes of `path` at `revision` of the git repository holding it."""
    if not revision or revision.startswith("-"):
        # A revision starting with `-` would reach git as an option.
        raise UsageError(f"--against {one_line(revision)!r} is not a git revision")
    git = shutil.which("git")
    if git is None:
        raise UsageError("--against needs git, which is not installed")
    folder = path.resolve().parent
    _git(git, folder, "rev-parse", "--show-toplevel", failed=_not_a_repository(path))
    _git(
        git,
        folder,
        "rev-parse",
        "--verify",
        "--quiet",
        "--end-of-options",
        f"{revision}^{{commit}}",
        failed=f"no git revision {one_line(revision)!r} in the repository holding {path}",
    )
    return _git(
        git,
        folder,
        "show",
        f"{revision}:./{path.name}",
        failed=f"{path} is not in git revision {one_line(revision)!r}",
    )


def _not_a_repository(path: Path) -> str:
    return f"{path} is not inside a git repository, so --against has nothing to compare with"


def _git(git: str, folder: Path, *args: str, failed: str) -> bytes:
    try:
        done = subprocess.run(
            [git, "-C", str(folder), *args],
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise UsageError(f"git took longer than {GIT_TIMEOUT:.0f} s and was stopped") from None
    except OSError as exc:
        raise UsageError(f"could not run git: {exc.strerror or exc}") from None
    if done.returncode != 0:
        raise UsageError(failed)
    return done.stdout
