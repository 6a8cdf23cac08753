"""The command line's own safety nets: cleaned argparse complaints and OS errors as one line."""

from __future__ import annotations

import errno

import pytest

from tui.cli import build_parser, describe_os_error, main


def test_argparse_complaints_never_echo_an_escape_sequence(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as stopped:
        build_parser().parse_args(["run", "--bogus\x1b[2J\x07"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert "unrecognized arguments: --bogus[2J" in err
    assert "\x1b" not in err and "\x07" not in err


def test_usage_error_messages_are_cleaned(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", "/nonexistent/\x1b[2Jtree.yaml"]) == 2
    err = capsys.readouterr().err
    assert err == "branchwise: no such file or directory: /nonexistent/[2Jtree.yaml\n"


def test_an_os_error_is_one_line_naming_the_file() -> None:
    denied = PermissionError(errno.EACCES, "Permission denied", "/srv/trees/a.yaml")
    assert describe_os_error(denied) == "/srv/trees/a.yaml: Permission denied"
    assert describe_os_error(OSError("disk on fire")) == "disk on fire"
