"""Masking secrets: as is, in any case, URL-encoded, escaped, as keys, split by controls."""

from __future__ import annotations

import json
from urllib.parse import quote, quote_plus

from engine.actions.config import Config, PayaSettings
from engine.text import plain
from engine.walk.masking import MASK, Mask, mask_credential_fields

KEY = "key-Zt84hWq0sVn3RbYc"
EMAIL = "Plant.Secret+tag@example.com"
SPACED = 'plant ’secret’ "phrase"/é😀'


def test_a_secret_is_masked_exactly_and_in_any_letter_case() -> None:
    text = f"bad {KEY}, {KEY.lower()} and {KEY.upper()}"
    assert Mask([KEY]).text(text) == f"bad {MASK}, {MASK} and {MASK}"
    assert Mask(["Straße"]).text("STRASSE and strasse") == f"{MASK} and {MASK}"


def test_a_secret_is_masked_url_encoded_whole_or_in_part_with_either_space() -> None:
    mask = Mask([EMAIL, SPACED])
    for secret in (EMAIL, SPACED):
        for encoded in (
            quote(secret, safe=""),
            quote(secret),
            quote_plus(secret),
            quote_plus(secret, safe="@/"),
            quote(secret.lower(), safe="").lower(),
        ):
            assert mask.text(f"GET /v2/contacts?email={encoded}&x=1") == (
                f"GET /v2/contacts?email={MASK}&x=1"
            ), encoded


def test_a_secret_is_masked_json_and_python_escaped() -> None:
    mask = Mask([SPACED, EMAIL])
    for written in (
        json.dumps(SPACED),
        json.dumps(SPACED, ensure_ascii=False),
        repr(SPACED),
        ascii(SPACED),
        json.dumps(EMAIL.upper()),
    ):
        assert mask.text(f"x={written}!") in (f'x="{MASK}"!', f"x='{MASK}'!"), written


def test_a_secret_split_by_control_characters_is_masked_before_display_joins_it() -> None:
    half = len(KEY) // 2
    for splitter in ("\x00", "\x1b", "\u202e", "\x07\x08"):
        spliced = f"key: {KEY[:half]}{splitter}{KEY[half:]}!"
        masked = Mask([KEY]).text(spliced)
        assert KEY not in plain(masked)
        assert masked == f"key: {MASK}!"
    assert Mask([KEY]).text("tab\there \x1b[1m") == "tab\there \x1b[1m"  # nothing to mask


def test_longer_secrets_first_so_no_piece_is_left() -> None:
    assert Mask(["abc", "abcdef"]).text("abcdef") == MASK


def test_values_keys_nested_lists_and_credential_fields_are_masked() -> None:
    value = {KEY: "as a key", "list": [f"in {KEY}", {"deep": KEY.lower()}], "n": 5, "token": "t"}
    assert Mask([KEY]).value(value) == {
        MASK: "as a key",
        "list": [f"in {MASK}", {"deep": MASK}],
        "n": 5,
        "token": MASK,
    }
    assert Mask([KEY]).value(value, fields=False)["token"] == "t"
    assert mask_credential_fields({"api_key": "k", "is_user": True}) == {
        "api_key": MASK,
        "is_user": True,
    }


def test_the_walk_and_the_config_mask_the_same_way_with_one_mask_string() -> None:
    config = Config(paya=PayaSettings(developer_id="d-1", user_id="u-1", user_api_key=KEY))
    echoed = {"errors": {KEY: [f"{KEY.lower()} is wrong"]}}
    assert config.mask.value(echoed) == {"errors": {MASK: [f"{MASK} is wrong"]}}
    assert (Mask(["s"]) | config.mask).text(f"x{KEY[:3]}\x00{KEY[3:]}") == f"x{MASK}"
    assert not Mask(["", MASK])
