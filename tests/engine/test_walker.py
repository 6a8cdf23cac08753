"""The walker: every node type, conditions, inputs, actions, links, going back, notes, secrets."""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import pytest

from engine.actions.config import Config
from engine.actions.registry import ActionFailed, ActionSpec, CallPlan, Param, Registry
from engine.errors import BranchwiseError
from engine.tree.builder import build_tree
from engine.tree.model import Tree
from engine.walk.action_runner import ActionRunner
from engine.walk.masking import MASK
from engine.walk.walker import InvalidAnswer, Walk


def tree(tree_id: str, nodes: Mapping[str, Any], **extra: Any) -> Tree:
    """A tree model from a mapping of nodes; the first node is the start."""
    data = {"id": tree_id, "version": 4, "title": f"Tree {tree_id}", "nodes": dict(nodes)}
    data["start"] = extra.pop("start", next(iter(nodes)))
    data.update(extra)
    return build_tree(data)


def done(status: str = "resolved") -> dict[str, Any]:
    return {"type": "outcome", "status": status, "title": f"Ended {status}"}


class Grant:
    """`test.grant`: a configured action with side effects; remembers its calls."""

    spec = ActionSpec(
        "test.grant", "grant access", (Param("who", "text", True),), side_effects=True
    )

    def __init__(self) -> None:
        self.calls: list[Mapping[str, Any]] = []

    def configured(self, config: Config) -> bool:
        return True

    def plan(self, args: Mapping[str, Any], config: Config) -> CallPlan:
        return CallPlan(self.spec.name, "POST", f"https://admin.example/grant/{args.get('who')}")

    def call(self, args: Mapping[str, Any], config: Config) -> Mapping[str, Any]:
        self.calls.append(dict(args))
        if args.get("who") in (None, "nobody"):
            raise ActionFailed("no such person")
        return {"granted": True, "who": args["who"], "echo": args.get("token")}


class Lookup:
    """`test.lookup`: configured, read-only; its answer is set by the test."""

    spec = ActionSpec("test.lookup", "look something up", (Param("id", "text"),))

    def __init__(self) -> None:
        self.answer: Mapping[str, Any] = {"found": True}
        self.calls = 0

    def configured(self, config: Config) -> bool:
        return True

    def plan(self, args: Mapping[str, Any], config: Config) -> CallPlan:
        return CallPlan(self.spec.name, "GET", f"https://api.example/things/{args.get('id')}")

    def call(self, args: Mapping[str, Any], config: Config) -> Mapping[str, Any]:
        self.calls += 1
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


class Unconfigured(Lookup):
    spec = ActionSpec("test.offline", "not set up here")

    def configured(self, config: Config) -> bool:
        return False


@pytest.fixture
def grant() -> Grant:
    return Grant()


@pytest.fixture
def lookup() -> Lookup:
    return Lookup()


@pytest.fixture
def runner(grant: Grant, lookup: Lookup) -> ActionRunner:
    return ActionRunner(Registry([grant, lookup, Unconfigured()]), Config())


class Recording:
    """A recorder that writes down every event, to check what a store would be told."""

    def __init__(self) -> None:
        self.events: list[tuple[str, Any]] = []

    def change(self, walk: Walk) -> AbstractContextManager[None]:
        return nullcontext()

    def started(self, walk: Walk) -> None:
        self.events.append(("started", walk.id))

    def entered(self, walk: Walk, index: int) -> None:
        self.events.append(("entered", walk.visits[index].node_id))

    def answered(self, walk: Walk, index: int) -> None:
        self.events.append(("answered", walk.visits[index].answer))

    def rewound(self, walk: Walk, index: int) -> None:
        self.events.append(("rewound", index))

    def noted(self, walk: Walk, index: int, text: str) -> None:
        self.events.append(("noted", text))

    def note_edited(self, walk: Walk, index: int, note_index: int, text: str) -> None:
        self.events.append(("note_edited", (index, note_index, text)))

    def ended(self, walk: Walk) -> None:
        self.events.append(("ended", walk.status))

    def joined(self, walk: Walk) -> None:
        self.events.append(("joined", len(walk.visits)))


# Steps, questions, outcomes.

QUESTIONS = {
    "intro": {"type": "step", "title": "Hello {{ name }}", "next": "ask"},
    "ask": {
        "type": "question",
        "title": "Which one?",
        "choices": [
            {"label": "Yes", "key": "y", "goto": "fine", "set": {"mood": "good"}},
            {"label": "No", "goto": "bad"},
            {"label": "Admin only", "goto": "fine", "when": {"var": "role", "equals": "admin"}},
        ],
    },
    "fine": done(),
    "bad": done("unresolved"),
}


def test_a_step_offers_continue_and_enter_takes_it() -> None:
    walk = Walk(tree("t", QUESTIONS), variables={"name": "Ada"})
    assert walk.text(walk.node.title) == "Hello Ada"
    assert [o.label for o in walk.options()] == ["Continue"]
    walk.answer("")
    assert walk.node.id == "ask"


@pytest.mark.parametrize("typed", ["Yes", "yes", "  YES ", "y", "1"])
def test_a_choice_is_picked_by_label_key_or_number(typed: str) -> None:
    walk = Walk(tree("t", QUESTIONS))
    walk.answer("Continue")
    walk.answer(typed)
    assert walk.finished and walk.status == "resolved"
    assert walk.outcome == "fine"
    assert walk.variables["mood"] == "good"


def test_when_hides_a_choice_until_its_condition_holds() -> None:
    plain = Walk(tree("t", QUESTIONS))
    plain.answer("Continue")
    assert [o.label for o in plain.options()] == ["Yes", "No"]
    with pytest.raises(InvalidAnswer, match="expected one of: 1 Yes \\(y\\), 2 No"):
        plain.answer("Admin only")
    admin = Walk(tree("t", QUESTIONS), variables={"role": "admin"})
    admin.answer("Continue")
    assert [o.label for o in admin.options()] == ["Yes", "No", "Admin only"]
    admin.answer("3")
    assert admin.outcome == "fine"
    assert "mood" not in admin.variables


def test_a_wrong_answer_changes_nothing() -> None:
    walk = Walk(tree("t", QUESTIONS))
    walk.answer("Continue")
    with pytest.raises(InvalidAnswer):
        walk.answer("4")
    assert walk.node.id == "ask" and not walk.finished


def test_an_ended_walk_takes_no_answer() -> None:
    walk = Walk(tree("t", QUESTIONS))
    walk.answer("Continue")
    walk.answer("No")
    assert walk.status == "unresolved" and walk.options() == []
    with pytest.raises(InvalidAnswer, match="has ended"):
        walk.answer("Yes")


def test_summary_has_the_shape_run_json_prints() -> None:
    walk = Walk(tree("t", QUESTIONS), session_id="s1")
    walk.answer("Continue")
    walk.answer("y")
    assert walk.summary() == {
        "session": "s1",
        "tree": "t",
        "version": 4,
        "status": "resolved",
        "outcome": "fine",
        "path": ["intro", "ask", "fine"],
        "variables": {"mood": "good"},
    }


def test_an_open_walk_reports_status_open_and_no_outcome() -> None:
    walk = Walk(tree("t", QUESTIONS))
    summary = walk.summary()
    assert summary["status"] == "open" and summary["outcome"] is None
    assert summary["path"] == ["intro"]


def test_defaults_are_set_and_given_variables_win() -> None:
    variables = {"name": {"default": "friend"}, "level": {"default": 2}}
    walk = Walk(tree("t", QUESTIONS, variables=variables), variables={"level": "5"})
    assert walk.variables == {"name": "friend", "level": "5"}


# Inputs.


def input_tree(**fields: Any) -> Tree:
    node = {"type": "input", "title": "Value?", "var": "value", "next": "end", **fields}
    return tree("t", {"ask": node, "end": done()})


@pytest.mark.parametrize(
    ("fields", "typed", "kept"),
    [
        ({}, "  hello ", "hello"),
        ({"kind": "number"}, "51", 51),
        ({"kind": "number"}, "2.5", 2.5),
        ({"kind": "email"}, "ann@example.com", "ann@example.com"),
        ({"pattern": "^[A-Z]{3}-[0-9]+$"}, "ABC-12", "ABC-12"),
        ({"required": False}, "", ""),
    ],
)
def test_an_input_keeps_a_valid_value(fields: dict[str, Any], typed: str, kept: Any) -> None:
    walk = Walk(input_tree(**fields))
    assert walk.validate_input(typed) is None
    walk.answer(typed)
    assert walk.variables["value"] == kept
    assert walk.finished


@pytest.mark.parametrize(
    ("fields", "typed", "reason"),
    [
        ({}, "   ", "a value is required"),
        ({"kind": "number"}, "fifty", "is not a number"),
        ({"kind": "number"}, "nan", "is not a number"),
        ({"kind": "email"}, "ann at example", "is not an email address"),
        ({"pattern": "^[A-Z]{3}$"}, "abcd", "does not have the expected form"),
        ({"kind": "number", "pattern": "^[0-9]{4}$"}, "51", "does not have the expected form"),
    ],
)
def test_an_input_refuses_a_bad_value_with_the_reason(
    fields: dict[str, Any], typed: str, reason: str
) -> None:
    walk = Walk(input_tree(**fields))
    assert reason in str(walk.validate_input(typed))
    with pytest.raises(InvalidAnswer, match=reason):
        walk.submit(typed)
    assert walk.node.id == "ask" and "value" not in walk.variables
    assert walk.current.answer is None


def test_validate_input_is_none_off_an_input_and_submit_refuses() -> None:
    walk = Walk(tree("t", QUESTIONS))
    assert walk.validate_input("x") is None
    with pytest.raises(InvalidAnswer, match="does not take a value"):
        walk.submit("x")


def test_a_secret_input_is_masked_in_answers_and_summary() -> None:
    t = tree(
        "t",
        {
            "ask": {"type": "input", "title": "Token", "var": "token", "next": "end"},
            "end": {"type": "outcome", "status": "resolved", "title": "Used {{ token }}"},
        },
        variables={"token": {"secret": True}},
    )
    walk = Walk(t)
    walk.answer("s3cr3t-value")
    assert walk.visits[0].answer == MASK
    assert walk.public_variables() == {"token": MASK}
    assert "s3cr3t-value" not in repr(walk.summary())


# Actions.


def action_tree(uses: str, **fields: Any) -> Tree:
    node = {
        "type": "action",
        "title": "Look it up",
        "action": {"uses": uses, "with": {"id": "{{ thing }}"}, "save_as": "found"},
        "routes": [
            {"label": "Found", "when": {"var": "found.found", "equals": True}, "goto": "yes"},
            {"label": "Missing", "when": {"var": "found.found", "equals": False}, "goto": "no"},
        ],
        "manual": "Look for {{ thing }} yourself.",
        **fields,
    }
    nodes = {"act": node, "yes": done(), "no": done("unresolved"), "oops": done("escalated")}
    return tree("t", nodes)


def test_an_automatic_action_routes_on_its_result(runner: ActionRunner, lookup: Lookup) -> None:
    walk = Walk(action_tree("test.lookup"), runner=runner, variables={"thing": "42"})
    assert not walk.is_manual() and walk.options() == []
    call = walk.pending_call()
    assert call is not None and call.args == {"id": "42"}
    assert call.describe() == "test.lookup: GET https://api.example/things/42"
    walk.run_pending()
    assert lookup.calls == 1
    assert walk.outcome == "yes"
    assert walk.variables["found"] == {"found": True}
    record = walk.visits[0].action
    assert record is not None and record.mode == "called" and record.route == "Found"
    assert walk.visits[0].answer == "Found"


def test_an_unconfigured_action_is_done_by_hand(runner: ActionRunner) -> None:
    walk = Walk(action_tree("test.offline"), runner=runner, variables={"thing": "7"})
    assert walk.is_manual() and walk.pending_call() is None
    assert walk.text(walk.node.manual) == "Look for 7 yourself."  # type: ignore[attr-defined]
    assert [o.label for o in walk.options()] == ["Found", "Missing"]
    walk.answer("missing")
    assert walk.outcome == "no"
    record = walk.visits[0].action
    assert record is not None and record.mode == "manual" and record.route == "Missing"


def test_manual_runner_forces_every_action_by_hand(grant: Grant, lookup: Lookup) -> None:
    runner = ActionRunner(Registry([grant, lookup]), Config(), manual=True)
    walk = Walk(action_tree("test.lookup"), runner=runner)
    assert walk.is_manual()
    assert walk.preview_call() is not None  # what would be called is still known
    walk.answer("1")
    assert lookup.calls == 0 and walk.outcome == "yes"


def test_dry_run_makes_side_effects_manual_but_runs_lookups(grant: Grant, lookup: Lookup) -> None:
    runner = ActionRunner(Registry([grant, lookup]), Config(), dry_run=True)
    assert runner.is_automatic("test.lookup")
    assert not runner.is_automatic("test.grant")


def test_a_failed_call_takes_on_error(runner: ActionRunner, grant: Grant) -> None:
    t = action_tree("test.grant", on_error="oops")
    walk = Walk(t, runner=runner)
    call = walk.pending_call()
    assert call is not None
    walk.complete(call, runner.invoke(call))  # the tree passes no `who`
    assert walk.outcome == "oops" and walk.error is None
    record = walk.visits[0].action
    assert record is not None and record.route == "error"
    assert record.error == "no such person" and record.mode == "called"
    assert walk.visits[0].answer == "error: no such person"


def test_a_failure_without_on_error_stops_with_the_message(runner: ActionRunner) -> None:
    t = tree(
        "t",
        {
            "act": {
                "type": "action",
                "title": "Grant",
                "action": {"uses": "test.grant", "with": {"who": "{{ who }}"}},
                "routes": [{"label": "Granted", "goto": "end"}],
                "manual": "Grant it by hand.",
            },
            "end": done(),
        },
    )
    walk = Walk(t, runner=runner, variables={"who": "nobody"})
    walk.run_pending()
    assert walk.error == "test.grant failed: no such person"
    assert not walk.finished and walk.node.id == "act"
    walk.variables["who"] = "ann"
    walk.run_pending()  # tried again, and this time it works
    assert not walk.error and walk.outcome == "end"


def test_after_a_failure_the_action_can_be_done_by_hand(
    runner: ActionRunner, lookup: Lookup
) -> None:
    lookup.answer = {"something": "else"}
    walk = Walk(action_tree("test.lookup"), runner=runner, variables={"thing": "x"})
    walk.run_pending()  # an answer, but no route matches it
    assert walk.error == "test.lookup failed: no route matched the result"
    walk.do_by_hand()
    assert not walk.error and walk.is_manual() and walk.pending_call() is None
    walk.answer("Found")
    assert walk.outcome == "yes"


def test_do_by_hand_is_refused_off_an_action() -> None:
    walk = Walk(tree("t", QUESTIONS))
    with pytest.raises(InvalidAnswer, match="only an action"):
        walk.do_by_hand()


def test_no_route_matching_takes_on_error(runner: ActionRunner, lookup: Lookup) -> None:
    lookup.answer = {"found": "perhaps"}
    walk = Walk(action_tree("test.lookup", on_error="oops"), runner=runner)
    walk.run_pending()
    assert walk.outcome == "oops"
    record = walk.visits[0].action
    assert record is not None and record.error == "no route matched the result"


def test_stubbed_actions_are_automatic_and_stub_errors_fail() -> None:
    ok = Walk(action_tree("any.thing"), runner=ActionRunner(stubs={"any.thing": {"found": False}}))
    ok.run_pending()
    assert ok.outcome == "no" and ok.visits[0].action.mode == "stubbed"  # type: ignore[union-attr]
    failing = ActionRunner(stubs={"any.thing": {"error": "down"}})
    bad = Walk(action_tree("any.thing", on_error="oops"), runner=failing)
    bad.run_pending()
    assert bad.outcome == "oops"


def test_a_plugin_that_breaks_becomes_a_failed_call(runner: ActionRunner, lookup: Lookup) -> None:
    lookup.answer = None  # type: ignore[assignment]
    walk = Walk(action_tree("test.lookup", on_error="oops"), runner=runner)
    walk.run_pending()
    record = walk.visits[0].action
    assert record is not None and record.error == "test.lookup gave NoneType, not a mapping"
    assert walk.outcome == "oops"


def test_a_plugin_that_raises_becomes_a_failed_call(runner: ActionRunner, lookup: Lookup) -> None:
    lookup.answer = ZeroDivisionError("division by zero")  # type: ignore[assignment]
    walk = Walk(action_tree("test.lookup"), runner=runner)
    walk.run_pending()
    assert (
        walk.error == "test.lookup failed: test.lookup broke: ZeroDivisionError: division by zero"
    )


def test_an_unknown_action_without_registry_is_manual() -> None:
    walk = Walk(action_tree("nowhere.at_all"))
    assert walk.is_manual()
    assert walk.pending_call() is None


def test_secrets_are_masked_in_call_records_and_summary(runner: ActionRunner) -> None:
    t = tree(
        "t",
        {
            "act": {
                "type": "action",
                "title": "Grant",
                "action": {
                    "uses": "test.grant",
                    "with": {"who": "ann", "token": "{{ token }}"},
                    "save_as": "grant",
                },
                "routes": [{"label": "Granted", "goto": "end"}],
            },
            "end": done(),
        },
        variables={"token": {"secret": True}},
    )
    walk = Walk(t, runner=runner, variables={"token": "tok-SECRET-99"})
    call = walk.pending_call()
    assert call is not None and call.shown["token"] == MASK
    assert call.args["token"] == "tok-SECRET-99"  # the real call gets the real value
    walk.complete(call, runner.invoke(call))
    record = walk.visits[0].action
    assert record is not None and record.params["token"] == MASK
    assert record.result is not None and record.result["echo"] == MASK
    assert walk.summary()["variables"]["token"] == MASK
    assert "tok-SECRET-99" not in repr(walk.summary()) + repr(record)


# Links.


def linked_trees() -> dict[str, Tree]:
    main = tree(
        "main",
        {
            "ask": {
                "type": "question",
                "title": "Go where?",
                "choices": [
                    {"label": "Help and back", "goto": "help-back"},
                    {"label": "Help and stay", "goto": "help-end"},
                ],
            },
            "help-back": {"type": "link", "title": "Help", "tree": "help", "next": "after"},
            "help-end": {"type": "link", "title": "Help", "tree": "help"},
            "after": {"type": "step", "title": "Back in main", "next": "end"},
            "end": done(),
        },
    )
    help_tree = tree(
        "help",
        {
            "read": {"type": "input", "title": "Name?", "var": "who", "next": "finish"},
            "finish": done("escalated"),
        },
        variables={"who": {"default": "someone"}, "colour": {"default": "blue"}},
    )
    return {"main": main, "help": help_tree}


def test_a_link_walks_the_other_tree_and_comes_back_to_next() -> None:
    trees = linked_trees()
    walk = Walk(trees["main"], resolve_tree=trees.__getitem__)
    walk.answer("Help and back")
    assert walk.current_tree.id == "help" and walk.node.id == "read"
    assert walk.variables["colour"] == "blue"  # the linked tree's defaults apply
    walk.answer("Ann")
    assert walk.node.id == "after" and not walk.finished
    walk.answer("Continue")
    assert walk.outcome == "end" and walk.status == "resolved"
    assert walk.path() == ["ask", "help-back", "help:read", "help:finish", "after", "end"]
    assert [v.auto for v in walk.visits] == [False, True, False, True, False, False]


def test_a_link_without_next_ends_on_the_linked_outcome() -> None:
    trees = linked_trees()
    walk = Walk(trees["main"], resolve_tree=trees.__getitem__)
    walk.answer("Help and stay")
    walk.answer("Ann")
    assert walk.status == "escalated"
    assert walk.outcome == "help:finish"
    assert walk.path() == ["ask", "help-end", "help:read", "help:finish"]


def test_a_link_cycle_between_trees_stops_with_a_message() -> None:
    one = tree(
        "one",
        {"go": {"type": "link", "title": "To two", "tree": "two", "next": "end"}, "end": done()},
    )
    two = tree("two", {"go": {"type": "link", "title": "To one", "tree": "one"}})
    trees = {"one": one, "two": two}
    walk = Walk(one, resolve_tree=trees.__getitem__)
    assert walk.error == "link cycle between trees: one → two → one"
    assert not walk.finished


def test_a_missing_linked_tree_stops_with_a_message() -> None:
    def missing(tree_id: str) -> Tree:
        raise BranchwiseError(f"no tree {tree_id!r}")

    t = tree("t", {"go": {"type": "link", "title": "Elsewhere", "tree": "gone"}})
    walk = Walk(t, resolve_tree=missing)
    assert walk.error == "cannot open linked tree 'gone': no tree 'gone'"
    no_resolver = Walk(t)
    assert no_resolver.error is not None and "not available" in no_resolver.error


# Going back, restarting, notes.

FORM = {
    "name": {"type": "input", "title": "Name?", "var": "name", "next": "pick"},
    "pick": {
        "type": "question",
        "title": "Pick",
        "choices": [{"label": "A", "goto": "grant", "set": {"picked": "a"}}],
    },
    "grant": {
        "type": "action",
        "title": "Grant to {{ name }}",
        "action": {"uses": "test.grant", "with": {"who": "{{ name }}"}, "save_as": "g"},
        "routes": [{"label": "Granted", "goto": "check"}],
    },
    "check": {
        "type": "question",
        "title": "Works?",
        "choices": [{"label": "Yes", "goto": "end"}, {"label": "No", "goto": "end"}],
    },
    "end": done(),
}


def walked_form(runner: ActionRunner, recorder: Recording | None = None) -> Walk:
    walk = Walk(tree("t", FORM), runner=runner, recorder=recorder)
    walk.answer("Ann")
    walk.answer("A")
    walk.run_pending()
    assert walk.node.id == "check"
    return walk


def test_back_steps_over_an_automatic_call_and_warns_of_its_side_effects(
    runner: ActionRunner, grant: Grant
) -> None:
    walk = walked_form(runner)
    undone = walk.back()
    assert walk.node.id == "pick"  # not the grant node, which would only run again
    assert [r.uses for r in undone] == ["test.grant"]
    assert undone[0].params == {"who": "Ann"}
    assert "picked" not in walk.variables and "g" not in walk.variables
    assert walk.variables == {"name": "Ann"}
    assert walk.path() == ["name", "pick"]
    assert len(grant.calls) == 1


def test_going_back_before_any_side_effect_warns_of_nothing(runner: ActionRunner) -> None:
    walk = Walk(tree("t", FORM), runner=runner)
    walk.answer("Ann")
    assert walk.back() == []
    assert walk.node.id == "name" and walk.variables == {}


def test_back_on_the_first_step_is_refused() -> None:
    walk = Walk(tree("t", QUESTIONS))
    with pytest.raises(InvalidAnswer, match="first step"):
        walk.back()


def test_jump_and_forgets(runner: ActionRunner) -> None:
    walk = walked_form(runner)
    assert [v.node_id for v in walk.forgets(1)] == ["pick", "grant"]
    undone = walk.jump(0)
    assert len(undone) == 1
    assert walk.path() == ["name"] and walk.variables == {}
    assert walk.current.answer is None and walk.current.action is None
    with pytest.raises(InvalidAnswer, match="no step 5"):
        walk.jump(4)


def test_restart_reopens_an_ended_walk(runner: ActionRunner) -> None:
    walk = walked_form(runner)
    walk.answer("Yes")
    assert walk.status == "resolved"
    walk.restart()
    assert walk.status == "open" and walk.outcome is None
    assert walk.path() == ["name"]


def test_restart_keeps_given_variables_and_defaults(runner: ActionRunner) -> None:
    t = tree("t", FORM, variables={"lang": {"default": "en"}})
    walk = Walk(t, runner=runner, variables={"ticket": "T-1"})
    walk.answer("Ann")
    walk.restart()
    assert walk.variables == {"lang": "en", "ticket": "T-1"}


def test_notes_attach_to_the_current_step(runner: ActionRunner) -> None:
    recorder = Recording()
    walk = walked_form(runner, recorder)
    walk.note("  customer is on the phone  ")
    assert walk.current.notes == ["customer is on the phone"]
    assert ("noted", "customer is on the phone") in recorder.events
    with pytest.raises(InvalidAnswer, match="needs some text"):
        walk.note("   ")


def test_a_note_is_edited_in_its_place_on_any_step(runner: ActionRunner) -> None:
    recorder = Recording()
    walk = walked_form(runner, recorder)
    walk.visits[0].notes.extend(["first", "second"])
    walk.note("on check")
    walk.edit_note(0, 1, "  second, corrected  ")
    assert walk.visits[0].notes == ["first", "second, corrected"]
    assert walk.current.notes == ["on check"]
    assert recorder.events[-1] == ("note_edited", (0, 1, "second, corrected"))
    with pytest.raises(InvalidAnswer, match="needs some text"):
        walk.edit_note(0, 0, "  ")
    with pytest.raises(InvalidAnswer, match="step 1 has no note 3"):
        walk.edit_note(0, 2, "nowhere")
    with pytest.raises(InvalidAnswer, match="has no note"):
        walk.edit_note(len(walk.visits), 0, "nowhere")
    assert walk.visits[0].notes == ["first", "second, corrected"]


def test_the_recorder_hears_every_change(runner: ActionRunner) -> None:
    recorder = Recording()
    walk = walked_form(runner, recorder)
    walk.back()
    walk.answer("A")
    walk.run_pending()
    walk.answer("Yes")
    assert recorder.events == [
        ("started", walk.id),
        ("entered", "name"),
        ("answered", "Ann"),
        ("entered", "pick"),
        ("answered", "A"),
        ("entered", "grant"),
        ("answered", "Granted"),
        ("entered", "check"),
        ("rewound", 1),
        ("answered", "A"),
        ("entered", "grant"),
        ("answered", "Granted"),
        ("entered", "check"),
        ("answered", "Yes"),
        ("entered", "end"),
        ("ended", "resolved"),
    ]


def test_visits_remember_the_variables_before_them(runner: ActionRunner) -> None:
    walk = walked_form(runner)
    assert [v.vars_before for v in walk.visits[:3]] == [
        {},
        {"name": "Ann"},
        {"name": "Ann", "picked": "a"},
    ]


def test_text_never_carries_markup_or_control_sequences() -> None:
    walk = Walk(tree("t", QUESTIONS), variables={"name": "[bold]x\x1b[2J\x07"})
    assert walk.text(walk.node.title) == "Hello [bold]x[2J"
    assert walk.text("\x1b]8;;https://evil\x07link") == "]8;;https://evillink"


# Trees that skipped validation (a cache that lied): the walk refuses, it never fails.


def test_a_tree_whose_start_is_no_node_cannot_be_walked() -> None:
    from engine.walk.walker import WalkError

    broken = tree("t/no-start", {"end": done()}, start="missing")
    with pytest.raises(WalkError, match="tree 't/no-start' has no start node 'missing'"):
        Walk(broken)


def test_an_answer_leading_to_no_node_is_refused_and_the_others_still_work() -> None:
    nodes = {
        "ask": {
            "type": "question",
            "title": "Pick",
            "choices": [{"label": "Gone", "goto": "nowhere"}, {"label": "Fine", "goto": "end"}],
        },
        "end": done(),
    }
    walk = Walk(tree("t/dangling", nodes))
    with pytest.raises(InvalidAnswer, match="'Gone' leads to node 'nowhere', which tree"):
        walk.answer("Gone")
    assert walk.current.answer is None and walk.error is None
    walk.answer("Fine")
    assert walk.status == "resolved"


def test_a_link_to_a_tree_whose_start_is_no_node_stops_with_a_message() -> None:
    inner = tree("t/inner", {"end": done()}, start="missing")
    linking = tree("t/outer", {"go": {"type": "link", "tree": "t/inner"}, "end": done()})
    walk = Walk(linking, resolve_tree=lambda tree_id: inner)
    assert walk.error == "tree 't/inner' has no node 'missing'; run 'branchwise validate'"
    assert not walk.finished


def test_an_outcome_with_a_status_the_format_lacks_still_ends_the_walk() -> None:
    walk = Walk(tree("t/odd", {"end": {"type": "outcome", "status": "open", "title": "Odd"}}))
    assert walk.finished and walk.status == "unresolved"
