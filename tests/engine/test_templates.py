"""Templates: `{{ name }}` filled in as plain text; dotted names; missing ones empty."""

from __future__ import annotations

from typing import Any

import pytest

from engine.walk.templates import lookup, names_in, render, render_value

VARIABLES: dict[str, Any] = {
    "name": "Ann",
    "count": 3,
    "ok": False,
    "contact": {"email": "ann@example.com", "user": {"id": 7}, "tags": ["x", "y"]},
    "nothing": None,
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello {{ name }}!", "Hello Ann!"),
        ("{{name}} has {{ count }} items", "Ann has 3 items"),
        ("ok: {{ ok }}", "ok: false"),
        ("mail {{ contact.email }}", "mail ann@example.com"),
        ("id {{ contact.user.id }}", "id 7"),
        ("second tag {{ contact.tags.1 }}", "second tag y"),
        ("whole {{ contact.user }}", 'whole {"id": 7}'),
        ("missing [{{ ghost }}] [{{ contact.ghost.deep }}]", "missing [] []"),
        ("null [{{ nothing }}]", "null []"),
        ("no template here", "no template here"),
        ("{{ not a name }} and {{ 1abc }}", "{{ not a name }} and {{ 1abc }}"),
        ("{ {name} }", "{ {name} }"),
    ],
)
def test_render(text: str, expected: str) -> None:
    assert render(text, VARIABLES) == expected


def test_missing_can_be_shown_by_a_callback() -> None:
    assert render("to {{ who }}", {}, missing=lambda name: f"<{name}?>") == "to <who?>"


@pytest.mark.parametrize(
    "value",
    [
        "[bold]loud[/bold]",
        "[link=https://evil.example]click[/link]",
        "<script>alert(1)</script>",
        "**not bold** _nor this_",
        "{{ name }}",  # a value is never rendered a second time
    ],
)
def test_markup_in_values_is_shown_literally(value: str) -> None:
    assert render("say {{ v }}", {"v": value, "name": "Ann"}) == f"say {value}"


def test_control_sequences_are_stripped_from_values_and_text() -> None:
    hostile = "a\x1b[2Jb\x1b]8;;http://x\x07c\x9bd\x00e\x7f"
    assert render("{{ v }}", {"v": hostile}) == "a[2Jb]8;;http://xcde"
    assert render("x\x1b[31my {{ n }}", {"n": 1}) == "x[31my 1"
    assert render("keep\ttabs\nand lines", {}) == "keep\ttabs\nand lines"


def test_control_characters_inside_nested_values_never_reach_the_text() -> None:
    shown = render("{{ m }}", {"m": {"k": "\x1b[2J"}})
    assert "\x1b" not in shown
    assert shown == '{"k": "\\u001b[2J"}'  # JSON spells it out as text


def test_names_in_finds_each_reference_in_order() -> None:
    text = "{{ a }} {{ b.c }} {{a}} {{ bad name }}"
    assert list(names_in(text)) == ["a", "b.c", "a"]
    assert list(names_in("plain")) == []


def test_lookup_reports_absence_separately_from_none() -> None:
    assert lookup(VARIABLES, "nothing") == (True, None)
    assert lookup(VARIABLES, "ghost") == (False, None)
    assert lookup(VARIABLES, "contact.tags.5") == (False, None)
    assert lookup(VARIABLES, "contact.tags.0") == (True, "x")


def test_render_value_keeps_the_type_of_a_lone_reference() -> None:
    params = {
        "count": "{{ count }}",
        "user": "{{ contact.user }}",
        "greeting": "hi {{ name }}",
        "nested": {"list": ["{{ ok }}", "n={{ count }}", 5]},
        "ghost": "{{ ghost }}",
        "plain": 12,
    }
    assert render_value(params, VARIABLES) == {
        "count": 3,
        "user": {"id": 7},
        "greeting": "hi Ann",
        "nested": {"list": [False, "n=3", 5]},
        "ghost": None,
        "plain": 12,
    }
