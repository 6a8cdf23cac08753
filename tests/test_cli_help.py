"""The command line loads only the command it runs, and still lists and explains every command."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from tests.cli import isolated_env, run_cli, run_python
from tui.cli import COMMANDS, build_parser, chosen_command

ARGVS: tuple[list[str], ...] = (
    ["run", "paya-connect/customer-portal-access", "--plain", "--var", "a=b"],
    ["--db", "/tmp/x.sqlite3", "run", "t", "--resume", "abc"],
    ["--library", "run", "validate", "a.yaml", "--format", "json"],
    ["sessions", "--status", "open", "--limit", "5"],
    ["stats", "--since", "2024-01-01"],
    ["graph", "t", "--format", "dot"],
    ["schema"],
    [],
    ["--db", "x"],
)


def comparable(args: argparse.Namespace) -> dict[str, object]:
    """A parse result without its handler (a function of the command's module)."""
    values = vars(args).copy()
    handler = values.pop("handler", None)
    values["handler"] = getattr(handler, "__module__", None)
    return values


@pytest.mark.parametrize("argv", ARGVS, ids=lambda argv: " ".join(argv) or "(none)")
def test_parsing_with_only_the_chosen_command_matches_the_whole_parser(argv: list[str]) -> None:
    command = chosen_command(argv)
    assert command == build_parser().parse_args(argv).command
    lean = build_parser(commands=() if command is None else (command,)).parse_args(argv)
    assert comparable(lean) == comparable(build_parser().parse_args(argv))


def test_an_option_value_that_looks_like_a_command_is_not_taken_for_one() -> None:
    assert chosen_command(["--library", "run", "validate", "x.yaml"]) == "validate"
    assert chosen_command(["--db=run", "schema"]) == "schema"


def test_top_level_help_lists_every_command_with_its_summary(tmp_path: Path) -> None:
    done = run_cli("--help", env=isolated_env(tmp_path))
    assert done.returncode == 0, done.stderr
    listing = " ".join(done.stdout.split("commands:", 1)[1].split())
    for name, _module, summary in COMMANDS:
        assert f" {name} {summary}" in listing, name
    assert "not available" not in listing


@pytest.mark.parametrize("prefix", [[], ["--db", "elsewhere.sqlite3"]])
def test_run_help_shows_the_options_of_run(tmp_path: Path, prefix: list[str]) -> None:
    done = run_cli(*prefix, "run", "--help", env=isolated_env(tmp_path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("usage: branchwise run")
    for option in ("--plain", "--answers", "--resume", "--watch", "--library", "--db"):
        assert option in done.stdout, option


def test_every_command_has_its_own_help(tmp_path: Path) -> None:
    for name, _module, _summary in COMMANDS:
        done = run_cli(name, "--help", env=isolated_env(tmp_path))
        assert done.returncode == 0, (name, done.stderr)
        assert done.stdout.startswith(f"usage: branchwise {name}"), name


def test_an_unknown_command_is_a_usage_error_naming_the_choices(tmp_path: Path) -> None:
    done = run_cli("frobnicate", env=isolated_env(tmp_path))
    assert done.returncode == 2
    assert "invalid choice: 'frobnicate'" in done.stderr
    assert "'run'" in done.stderr and "'schema'" in done.stderr


def test_running_a_command_loads_no_other_command_module(tmp_path: Path) -> None:
    script = (
        "import json, sys\n"
        "from tui.cli import main\n"
        "code = main(['schema'])\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('tui.commands.'))))\n"
    )
    printed = run_python(script, env=isolated_env(tmp_path))
    assert json.loads(printed.strip().splitlines()[-1]) == ["tui.commands.schema"]
