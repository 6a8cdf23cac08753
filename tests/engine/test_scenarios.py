"""Scenario runs, failures that say where the walk went, coverage and starter scenarios."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from engine.authoring.scenarios import coverage, run_scenario, scenarios_in
from engine.authoring.starter import sample_for_pattern, shortest_answers, starter_scenarios
from engine.library.index import Library
from engine.tree.reader import read_file

DATA = Path(__file__).parent.parent / "data" / "scenarios"


def _library() -> Library:
    return Library([DATA])


def _scenarios(name: str):
    file = DATA / name
    return scenarios_in(read_file(file).data, str(file), None)


def test_passing_scenarios_take_stubbed_and_manual_ways():
    library = _library()
    results = [run_scenario(s, library.load) for s in _scenarios("router.test.yaml")]
    assert [r.failures for r in results] == [[], [], []]
    assert results[0].path == ["power", "plug-in", "fixed"]
    assert ("test/router", "lookup", "route:0") in results[1].taken
    assert ("test/router", "lookup", "on_error") in results[2].taken


def test_failures_say_where_the_walk_went_and_what_was_expected():
    library = _library()
    wrong, bad = (run_scenario(s, library.load) for s in _scenarios("broken.test.yaml"))
    assert wrong.failures == [
        "expected outcome 'sold', got fixed; the walk went power → plug-in → fixed"
    ]
    assert len(bad.failures) == 1
    assert "answer 1 'Maybe' does not fit node 'power'" in bad.failures[0]
    assert "expected: 1 Yes (y), 2 No" in bad.failures[0]
    assert wrong.scenario.line == 3 and bad.scenario.line == 6


def test_coverage_lists_branches_no_scenario_took_with_their_lines():
    library = _library()
    tree = library.load("test/router")
    first = run_scenario(_scenarios("router.test.yaml")[0], library.load)
    cover = coverage([tree], first.taken)
    assert cover.total == 5
    missed = {(b.node_id, b.taken, b.line) for b in cover.missed}
    assert missed == {
        ("power", "choice:0", 13),
        ("lookup", "route:0", 31),
        ("lookup", "route:1", 32),
        ("lookup", "on_error", 33),
    }
    assert round(cover.percent) == 20


def test_starter_scenarios_reach_every_outcome_and_pass(tmp_path):
    library = _library()
    tree = library.load("test/router")
    text = starter_scenarios(tree)
    data = yaml.safe_load(text)
    assert {s["expect"]["outcome"] for s in data["scenarios"]} == {"fixed", "sold"}
    file = tmp_path / "router.test.yaml"
    file.write_text(text)
    scenarios = scenarios_in(read_file(file).data, str(file), None)
    assert all(run_scenario(s, library.load).passed for s in scenarios)
    sold = next(s for s in data["scenarios"] if s["expect"]["outcome"] == "sold")
    assert sold["answers"] == ["Yes", "AA0000", "Out of warranty"]


# An error matcher: a pasted message shows only the choices whose regex it matches, and a
# later question reads the same message again.
MATCHER_TREE = r"""
schema: branchwise/v1
id: test/matcher
version: 1
title: Compiler error matcher
start: paste
nodes:
  paste:
    type: input
    title: Paste the error message
    var: error_text
    next: which
  which:
    type: question
    title: What do you see?
    choices:
      - label: invalid conversion [-fpermissive]
        goto: conversion
        when: {var: error_text, matches: "to 'char\\*' \\[-fpermissive\\]"}
      - label: no matching constructor
        goto: no-ctor
        when: {var: error_text, matches: "call to '.*(\\w+)::\\1\\(\\)'"}
      - label: incomplete type
        goto: incomplete
        when: {var: error_text, matches: "incomplete type 'class \\S+Invalid"}
      - label: None of the above
        goto: unknown
        when: {var: error_text, matches: ".*"}
  incomplete:
    type: question
    title: Which type is incomplete?
    choices:
      - label: To an array
        goto: array
        when: {var: error_text, matches: "Invalid<.*Const,.*Array>"}
      - label: To an object
        goto: unknown
        when: {var: error_text, matches: "Invalid<.*Const,.*Object>"}
  conversion: {type: outcome, status: resolved, title: Use const char*}
  no-ctor: {type: outcome, status: resolved, title: Add a default constructor}
  array: {type: outcome, status: resolved, title: Use JsonArrayConst}
  unknown: {type: outcome, status: escalated, title: Ask a person}
"""


def _matcher_library(tmp_path: Path, text: str = MATCHER_TREE) -> Library:
    (tmp_path / "matcher.yaml").write_text(text, encoding="utf-8")
    return Library([tmp_path])


def _run_starter(tmp_path: Path, library: Library, tree_id: str) -> list[Any]:
    file = tmp_path / "starter.test.yaml"
    file.write_text(starter_scenarios(library.load(tree_id)), encoding="utf-8")
    scenarios = scenarios_in(read_file(file).data, str(file), None)
    return [run_scenario(s, library.load) for s in scenarios]


def test_starter_input_values_show_the_regex_conditioned_choice_taken(tmp_path):
    library = _matcher_library(tmp_path)
    results = _run_starter(tmp_path, library, "test/matcher")
    assert {r.scenario.expect["outcome"] for r in results} == {
        "conversion",
        "no-ctor",
        "array",
        "unknown",
    }
    assert [r.failures for r in results] == [[]] * 4


def test_starter_input_value_satisfies_every_later_condition_on_its_variable(tmp_path):
    tree = _matcher_library(tmp_path).load("test/matcher")
    answers = shortest_answers(tree)
    pasted, *_ = answers["array"]
    assert re.search(r"incomplete type 'class \S+Invalid", pasted)
    assert re.search(r"Invalid<.*Const,.*Array>", pasted)
    assert answers["no-ctor"][0] == "call to 'aa::a()'"
    assert answers["conversion"] == [
        "to 'char*' [-fpermissive]",
        "invalid conversion [-fpermissive]",
    ]


def test_sample_for_pattern_repeats_what_a_group_took_for_a_backreference():
    assert sample_for_pattern(r"(\w+)-\1") == "a-a"
    assert re.search(
        r"no call to '.*(\w+)::\1\(\)'", sample_for_pattern(r"no call to '.*(\w+)::\1\(\)'")
    )


def test_starter_writes_fill_in_when_no_value_fits_both_the_input_and_the_choice(tmp_path):
    text = MATCHER_TREE.replace("var: error_text\n", "var: error_text\n    kind: number\n", 1)
    tree = _matcher_library(tmp_path, text).load("test/matcher")
    answers = shortest_answers(tree)
    assert answers["conversion"][0] == "FILL-IN"
    assert answers["unknown"][0] == "1001"  # '.*' holds for any number
    assert "# FILL-IN marks an input" in starter_scenarios(tree)


# Stubs as lists: the calls of one action take its results in order.

RETRY_TREE = """\
schema: branchwise/v1
id: test/retry
version: 1
title: Look up until found
start: lookup
nodes:
  lookup:
    type: action
    title: Look the contact up
    action: {uses: paya.get_contact, with: {contact_id: "1001"}, save_as: contact}
    routes:
      - {label: A user, goto: done, when: {var: contact.is_user, equals: true}}
      - {label: Not yet, goto: again}
    on_error: failed
  again:
    type: step
    title: Ask the merchant to create the user, then look again
    next: lookup
  done: {type: outcome, status: resolved, title: Found}
  failed: {type: outcome, status: unresolved, title: Lookup failed}
"""


def _retry_scenario(tmp_path: Path, stub: Any, answers: list[str], expect: dict[str, Any]):
    (tmp_path / "retry.yaml").write_text(RETRY_TREE)
    data = {
        "tree": "test/retry",
        "scenarios": [
            {
                "name": "retry",
                "answers": answers,
                "actions": {"paya.get_contact": stub},
                "expect": expect,
            }
        ],
    }
    (scenario,) = scenarios_in(data, "retry.test.yaml", None)
    return run_scenario(scenario, Library([tmp_path]).load)


def test_a_list_of_stubs_gives_each_call_the_next_result(tmp_path):
    stub = [{"is_user": False}, {"is_user": False}, {"is_user": True}]
    result = _retry_scenario(tmp_path, stub, ["Continue", "Continue"], {"outcome": "done"})
    assert result.failures == []
    assert result.path == ["lookup", "again", "lookup", "again", "lookup", "done"]


def test_a_stub_list_that_runs_out_fails_the_scenario_and_says_so(tmp_path):
    stub = [{"is_user": False}]
    result = _retry_scenario(tmp_path, stub, ["Continue"], {"outcome": "done"})
    assert (
        result.failures[0] == "paya.get_contact was called 2 times, but its stub lists 1 result(s)"
    )
    assert result.path == ["lookup", "again", "lookup", "failed"]


def test_one_stub_serves_every_call(tmp_path):
    result = _retry_scenario(tmp_path, {"error": "down"}, [], {"outcome": "failed"})
    assert result.failures == []


def test_a_path_failure_points_at_the_first_step_that_differs(tmp_path):
    stub = [{"is_user": False}, {"is_user": True}]
    expect = {"path": ["lookup", "again", "lookup", "failed"]}
    result = _retry_scenario(tmp_path, stub, ["Continue"], expect)
    assert result.failures == [
        "the path differs at step 4: expected 'failed', the walk went to 'done'; "
        "expected lookup → failed; went lookup → done"
    ]
