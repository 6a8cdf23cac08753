"""Scenario runs, failures that say where the walk went, coverage and starter scenarios."""

from __future__ import annotations

from pathlib import Path

import yaml

from engine.library import Library
from engine.reader import read_file
from engine.scenario_starter import starter_scenarios
from engine.scenarios import coverage, run_scenario, scenarios_in

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
