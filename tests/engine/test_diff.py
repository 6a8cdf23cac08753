"""Trees compared by meaning: each kind of change found, formatting alone no change at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.authoring.diff import compare, read_version, tree_changes
from engine.authoring.scenarios import scenarios_in
from engine.errors import UsageError

OLD = """\
schema: branchwise/v1
id: test/printer
version: 1
title: Printer offline
start: power
variables:
  serial: {label: Serial number}
nodes:
  power:
    type: question
    title: Is the power light on?
    choices:
      - {label: "Yes", key: y, goto: serial-in}
      - {label: "No", goto: plug-in}
      - {label: "Blinking", goto: reset}
  plug-in:
    type: step
    title: Plug the printer in
    next: fixed
  reset:
    type: step
    title: Hold the reset button
    next: fixed
  serial-in:
    type: input
    title: Read the serial number
    var: serial
    next: lookup
  lookup:
    type: action
    title: Look the printer up
    action: {uses: paya.get_contact, with: {contact_id: "{{ serial }}"}, save_as: device}
    routes:
      - {label: Under warranty, goto: fixed, when: {var: device.is_user, equals: true}}
      - {label: Out of warranty, goto: sold}
    on_error: sold
  fixed: {type: outcome, status: resolved, title: Fixed}
  sold: {type: outcome, status: unresolved, title: Needs a new printer}
"""

# The same tree written otherwise: block style, other key and node order, comments.
REFORMATTED = """\
# A comment changes nothing.
id: test/printer
schema: branchwise/v1
title: "Printer offline"
version: 1
start: power
variables:
  serial:
    label: Serial number
nodes:
  sold: {type: outcome, title: Needs a new printer, status: unresolved}
  fixed: {type: outcome, status: resolved, title: Fixed}
  lookup:
    title: Look the printer up
    type: action
    on_error: sold
    action:
      save_as: device
      uses: paya.get_contact
      with: {contact_id: "{{ serial }}"}
    routes:
      - label: Under warranty
        when: {equals: true, var: device.is_user}
        goto: fixed
      - {goto: sold, label: Out of warranty}
  serial-in: {type: input, title: Read the serial number, var: serial, next: lookup}
  reset: {type: step, title: Hold the reset button, next: fixed}
  plug-in: {type: step, title: Plug the printer in, next: fixed}
  power:
    type: question
    title: Is the power light on?
    choices:
      - {label: "Yes", key: y, goto: serial-in}
      - {label: "No", goto: plug-in}
      - {label: "Blinking", goto: reset}
"""

SCENARIOS = {
    "tree": "test/printer",
    "scenarios": [
        {"name": "unplugged", "answers": ["No", "Continue"], "expect": {"outcome": "fixed"}},
        {
            "name": "under warranty",
            "answers": ["y", "AB1234"],
            "actions": {"paya.get_contact": {"is_user": True}},
            "expect": {"outcome": "fixed", "path": ["power", "serial-in", "lookup", "fixed"]},
        },
    ],
}


def version(text: str, name: str = "printer.yaml"):
    return read_version(text.encode(), name)


def edited(*pairs: tuple[str, str]):
    text = OLD
    for before, after in pairs:
        assert before in text, before
        text = text.replace(before, after, 1)
    return version(text)


def test_formatting_comments_and_order_are_no_change():
    scenarios = scenarios_in(SCENARIOS, "printer.test.yaml", None)
    result = compare(version(OLD), version(REFORMATTED), scenarios)
    assert result.same
    assert result.scenarios == 2 and result.paths == []


def test_nodes_added_removed_retitled_and_retyped():
    new = edited(
        ("  reset:\n    type: step\n    title: Hold the reset button\n    next: fixed\n", ""),
        ("title: Plug the printer in", "title: Plug the printer into the wall"),
        ("sold: {type: outcome,", "sold: {type: step, next: fixed,"),
        ("  fixed:", "  call-us: {type: outcome, status: escalated, title: Call us}\n  fixed:"),
    )
    assert [(c.kind, c.node, c.what) for c in tree_changes(version(OLD), new)] == [
        ("node-removed", "reset", "removed (step): 'Hold the reset button'"),
        (
            "node-retitled",
            "plug-in",
            "title: 'Plug the printer in' → 'Plug the printer into the wall'",
        ),
        ("node-added", "call-us", "added (outcome, escalated): 'Call us'"),
        ("node-type", "sold", "type: outcome → step"),
    ]


def test_choices_and_routes_added_removed_repointed_and_relabelled():
    new = edited(
        ('{label: "Blinking", goto: reset}', '{label: "Flashing", goto: reset}'),
        ('{label: "No", goto: plug-in}', '{label: "No", goto: reset}'),
        ("      - {label: Out of warranty, goto: sold}\n", ""),
        ("    on_error: sold", "    on_error: fixed"),
        ('{label: "Yes", key: y, goto: serial-in}', '{label: "Yes", key: j, goto: serial-in}'),
    )
    assert [(c.kind, c.node, c.what) for c in tree_changes(version(OLD), new)] == [
        ("choice-changed", "power", "choice 'Yes' key: 'y' → 'j'"),
        ("choice-repointed", "power", "choice 'No' now goes to 'reset' (was 'plug-in')"),
        ("choice-relabelled", "power", "choice 'Blinking' relabelled 'Flashing'"),
        ("route-removed", "lookup", "route 'Out of warranty' removed (went to 'sold')"),
        ("on-error-repointed", "lookup", "on_error now goes to 'fixed' (was 'sold')"),
    ]


def test_statuses_variables_conditions_and_actions():
    new = edited(
        ("status: unresolved", "status: escalated"),
        ("  serial: {label: Serial number}", "  serial: {label: Serial, secret: true}\n  site: {}"),
        ("equals: true}", "equals: false}"),
        ("uses: paya.get_contact", "uses: paya.find_contacts"),
    )
    found = {c.what for c in tree_changes(version(OLD), new)}
    assert "status: 'unresolved' → 'escalated'" in found
    assert "variable 'site' added" in found
    assert "variable 'serial' label: 'Serial number' → 'Serial'" in found
    assert "variable 'serial' secret: false → true" in found
    assert (
        "route 'Under warranty' condition: device.is_user equals true → device.is_user equals false"
    ) in found
    assert "action: 'paya.get_contact' → 'paya.find_contacts'" in found


def test_scenarios_that_take_another_path_are_listed_with_both_paths():
    scenarios = scenarios_in(SCENARIOS, "printer.test.yaml", None)
    new = edited(("goto: fixed, when:", "goto: sold, when:"))
    result = compare(version(OLD), new, scenarios)
    assert not result.same
    (path,) = result.paths
    assert path.name == "under warranty"
    assert path.old_path == ("power", "serial-in", "lookup", "fixed")
    assert path.new_path == ("power", "serial-in", "lookup", "sold")
    assert (path.old_end, path.new_end) == ("resolved at fixed", "unresolved at sold")
    assert path.passes is False
    assert result.to_dict()["scenarios"]["changed"][0]["new_path"][-1] == "sold"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("nodes: [unclosed", "cannot compare x.yaml: 1:8: this '[' is never closed"),
        ("repos: []\n", "x.yaml is not a tree"),
        ("id: a\nstart: s\nnodes: {s: 1}\nnodes: {}\n", "(duplicate-key)"),
    ],
)
def test_what_is_no_tree_is_a_usage_error(text: str, message: str):
    with pytest.raises(UsageError) as raised:
        read_version(text.encode(), "x.yaml")
    assert message in raised.value.message


def test_a_version_with_errors_is_still_compared(tmp_path: Path):
    broken = OLD.replace("next: fixed", "next: nowhere", 1)
    (change,) = tree_changes(version(OLD), version(broken))
    assert change.what == "next now goes to 'nowhere' (was 'fixed')"


def test_a_version_the_scenario_cannot_walk_at_all_ends_it_with_the_reason():
    scenarios = scenarios_in(SCENARIOS, "printer.test.yaml", None)
    result = compare(version(OLD), edited(("start: power", "start: nowhere")), scenarios)
    assert [p.new_path for p in result.paths] == [(), ()]
    assert result.paths[0].new_end == (
        "not walked: tree 'test/printer' has no start node 'nowhere'; run 'branchwise validate'"
    )
