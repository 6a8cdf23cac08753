"""Display text and JSON output: nothing a terminal acts on gets through, and no value is lost."""

from __future__ import annotations

import json

import pytest

from engine.text import display, json_text, one_line, plain, well_formed, well_formed_value

PAYLOAD = "a\x1b[2Jb\x1b]8;;http://x\x07c\rd\x00e\u202ef\x9b31mg\u2066h"


def test_plain_removes_escapes_and_bidi_overrides_and_keeps_words() -> None:
    assert plain(PAYLOAD) == "a[2Jb]8;;http://xcdef31mgh"
    assert plain("tab\tand\nline") == "tab\tand\nline"


@pytest.mark.parametrize(
    "char", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2069"]
)
def test_every_bidi_embedding_override_and_isolate_is_removed(char: str) -> None:
    assert plain(f"x{char}y") == "xy"
    assert one_line(f"x{char}\ny") == "x\\ny"


def test_lone_surrogates_become_replacement_characters() -> None:
    undecodable = b"caf\xe9".decode("utf-8", "surrogateescape")
    assert well_formed(undecodable) == "caf\ufffd"
    assert plain(undecodable).encode("utf-8") == "caf\ufffd".encode()
    assert display({"k": "\udcff"}) == '{"k": "\ufffd"}'
    assert well_formed("é\udc80 ‘x’\ud800\udfff") == "é\ufffd ‘x’\ufffd\ufffd"  # one for one
    assert well_formed("café ‘ok’") == "café ‘ok’"


def test_json_text_escapes_what_json_leaves_raw_and_decodes_to_the_same_value() -> None:
    value = {"title": PAYLOAD, "n": [1, "\x7f", "\u2067"]}
    text = json_text(value, indent=2)
    assert not any(ch in text for ch in "\x1b\x07\r\x00\x7f\x9b\u202e\u2066\u2067")
    assert "\\u009b" in text and "\\u202e" in text
    assert json.loads(text) == value


def test_json_text_is_valid_utf8_even_with_lone_surrogates() -> None:
    text = json_text({"\udcff key": ["\ud800"]})
    text.encode("utf-8")  # raises if a surrogate were left
    assert json.loads(text) == {"\ufffd key": ["\ufffd"]}


def test_well_formed_value_reaches_keys_and_nested_lists() -> None:
    value = {"a\udcff": [{"b": "\udc80"}, ("c\udcfe",), 3, None]}
    assert well_formed_value(value) == {"a\ufffd": [{"b": "\ufffd"}, ["c\ufffd"], 3, None]}
