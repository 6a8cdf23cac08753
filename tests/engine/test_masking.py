"""Hiding secrets: exact, in any case, as keys, and through control characters display drops."""

from __future__ import annotations

from engine.actions.config import Config, PayaSettings
from engine.text import plain
from engine.walk.action_runner import MASK, mask, mask_text
from engine.walk.masking import hide, hide_value

KEY = "key-Zt84hWq0sVn3RbYc"


def test_a_secret_is_hidden_exactly_and_in_any_letter_case() -> None:
    text = f"bad {KEY}, {KEY.lower()} and {KEY.upper()}"
    assert hide(text, [KEY], "#") == "bad #, # and #"


def test_a_secret_split_by_control_characters_is_hidden_before_display_joins_it() -> None:
    half = len(KEY) // 2
    for splitter in ("\x00", "\x1b", "\u202e", "\x07\x08"):
        spliced = f"key: {KEY[:half]}{splitter}{KEY[half:]}!"
        hidden = hide(spliced, [KEY], "#")
        assert KEY not in plain(hidden)
        assert hidden == "key: #!"
    assert hide("tab\there \x1b[1m", [KEY], "#") == "tab\there \x1b[1m"  # nothing to hide


def test_longer_secrets_first_so_no_piece_is_left() -> None:
    assert hide("abcdef", ["abc", "abcdef"], "#") == "#"


def test_values_keys_and_nested_lists_are_hidden() -> None:
    value = {KEY: "as a key", "list": [f"in {KEY}", {"deep": KEY.lower()}], "n": 5}
    assert hide_value(value, [KEY], "#") == {
        "#": "as a key",
        "list": ["in #", {"deep": "#"}],
        "n": 5,
    }
    assert hide_value(value, [], "#") is value


def test_the_walk_and_the_config_mask_the_same_way() -> None:
    config = Config(paya=PayaSettings(developer_id="d-1", user_id="u-1", user_api_key=KEY))
    echoed = {"errors": {KEY: [f"{KEY.lower()} is wrong"]}}
    assert config.scrub_value(echoed) == {"errors": {"***": ["*** is wrong"]}}
    assert mask(echoed, frozenset({KEY})) == {"errors": {MASK: [f"{MASK} is wrong"]}}
    assert mask_text(f"x{KEY[:3]}\x00{KEY[3:]}", frozenset({KEY})) == f"x{MASK}"
