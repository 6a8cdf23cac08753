"""Hostile answers and tree texts through the real CLI: exit 0, 1 or 2, never a traceback.

Few examples each (every one starts the command), chosen the same way on every run so CI is
stable; the in-process fuzzers (tests/engine/test_int_like_inputs.py, bench/fuzz.py) try many.
"""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cli import isolated_env, run_cli
from tests.fuzz_inputs import answers, tree_text, tree_texts

THROUGH_THE_CLI = settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def assert_clean(done: object, *, json_out: bool = False) -> None:
    code, out, err = done.returncode, done.stdout, done.stderr  # type: ignore[attr-defined]
    assert code in (0, 1, 2), (code, err[-2000:])
    assert "Traceback" not in err and "Traceback" not in out, err[-4000:]
    if json_out and code in (0, 1):
        assert json.loads(out)["tree"] == "fuzz/tree"


@THROUGH_THE_CLI
@given(st.lists(answers, min_size=1, max_size=4), st.sampled_from([0, 1, 2]))
def test_any_answers_end_in_an_exit_code_not_a_traceback(
    tmp_path: Path, typed: list[str], at: int
) -> None:
    tree = tmp_path / "fuzz.yaml"
    tree.write_text(tree_text(), encoding="utf-8")
    given_answers = [*["Other", "12", "abc"][:at], *typed]
    listed = ",".join(a.replace("\\", "\\\\").replace(",", "\\,") for a in given_answers)
    env = isolated_env(tmp_path)
    assert_clean(run_cli("run", str(tree), "--answers", listed, "--json", env=env), json_out=True)
    lines = "\n".join(a.replace("\n", " ").replace("\r", " ") for a in given_answers)
    assert_clean(run_cli("run", str(tree), "--plain", env=env, input=lines + "\n"))


@THROUGH_THE_CLI
@given(tree_texts)
def test_any_tree_text_validates_runs_and_draws_without_a_traceback(
    tmp_path: Path, text: str
) -> None:
    tree = tmp_path / "fuzz.yaml"
    tree.write_text(text, encoding="utf-8")
    env = isolated_env(tmp_path)
    assert_clean(run_cli("validate", str(tree), "--format", "json", env=env))
    assert_clean(run_cli("run", str(tree), "--answers", "Other,12,abc,No", "--json", env=env))
    assert_clean(run_cli("graph", str(tree), env=env))


def test_a_huge_version_is_a_schema_error_not_a_crash_at_the_store(tmp_path: Path) -> None:
    tree = tmp_path / "fuzz.yaml"
    env = isolated_env(tmp_path)
    for version in ("99999999999999999999", "0x" + "f" * 4000, "9007199254740992"):
        tree.write_text(tree_text(version=version), encoding="utf-8")
        done = run_cli("validate", str(tree), env=env)
        assert done.returncode == 1 and "'version' must be" in done.stdout, done.stdout
        ran = run_cli("run", str(tree), "--answers", "Other", "--json", env=env)
        assert ran.returncode == 1 and "Traceback" not in ran.stderr, ran.stderr
        assert "'version' must be" in ran.stderr
    tree.write_text(tree_text(version="9007199254740991"), encoding="utf-8")
    done = run_cli("run", str(tree), "--answers", "Other,12,abc,No", "--json", env=env)
    assert done.returncode == 0 and json.loads(done.stdout)["version"] == 2**53 - 1


def test_an_answer_of_thousands_of_digits_is_refused_not_a_crash(tmp_path: Path) -> None:
    tree = tmp_path / "fuzz.yaml"
    tree.write_text(tree_text(), encoding="utf-8")
    env = isolated_env(tmp_path)
    done = run_cli("run", str(tree), "--answers", "9" * 5000, "--json", env=env)
    assert done.returncode == 1 and "is not an answer here" in done.stderr, done.stderr[-500:]
    assert json.loads(done.stdout)["status"] == "open"
    done = run_cli("run", str(tree), "--answers", "Other," + "9" * 5000, env=env)
    assert done.returncode == 1 and "is not a number (at 'number'" in done.stderr, done.stderr
