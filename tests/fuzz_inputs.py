"""Hypothesis strategies for hostile answers and tree texts, for in-process and CLI fuzzers.

A tree text is a small valid tree with int-like or hostile scalars put where numbers, names and
texts stand (`version`, a default, a condition's bound, a key, a label); an answer is such a
scalar or any text, typed at every kind of node.
"""

from __future__ import annotations

import json

from hypothesis import strategies as st

BASES = ("", "0x", "0X", "0o", "0b", "0")
DIGITS = {"": "9", "0": "7", "0x": "f", "0X": "F", "0o": "7", "0b": "1"}


def _int_like(sign: str, base: str, length: int, underscores: bool) -> str:
    digits = DIGITS[base] * length
    if underscores:
        digits = "_".join(digits[i : i + 3] for i in range(0, len(digits), 3))
    return f"{sign}{base}{digits}"


int_like = st.builds(
    _int_like,
    st.sampled_from(["", "-", "+"]),
    st.sampled_from(BASES),
    st.sampled_from([1, 15, 17, 20, 300, 3300, 3400, 4000, 4301, 6000]),
    st.booleans(),
)
odd_numbers = st.sampled_from(
    ["²", "٣", "１２", "1e999", "-1e999", ".inf", "-.inf", ".nan", "1e-999", "0.1e1", "-0", "1,5"]
)
answers = int_like | odd_numbers | st.text(max_size=40)

TREE = """\
schema: branchwise/v1
id: fuzz/tree
version: {version}
title: Fuzzed {label}
start: ask
variables:
  n: {{label: A number, default: {default}}}
  s: {{label: A secret, secret: true}}
nodes:
  ask:
    type: question
    title: Pick {label}
    choices:
      - {{label: {label}, key: a, goto: number, when: {{var: n, lt: {bound}}}}}
      - {{label: Other, goto: number}}
      - {{label: Set, goto: number, set: {{n: {value}}}}}
  number:
    type: input
    title: A number
    var: n
    kind: number
    next: secret
  secret:
    type: input
    title: A secret
    var: s
    pattern: "^[a-z]+$"
    next: check
  check:
    type: question
    title: "Was {{{{ n }}}} {{{{ s }}}} right?"
    choices:
      - {{label: "Yes", goto: done, when: {{var: n, ge: {bound}}}}}
      - {{label: "No", goto: done}}
  done:
    type: outcome
    status: resolved
    title: Done {label}
"""
VALID_FIELDS = {"version": "1", "label": "Go", "default": "0", "bound": "5", "value": "3"}


def tree_text(**fields: str) -> str:
    """The fuzz tree with some of its fields replaced (texts as given: a plain YAML scalar)."""
    return TREE.format(**{**VALID_FIELDS, **fields})


scalar = int_like | odd_numbers | st.text(max_size=20).map(json.dumps)
tree_texts = st.builds(
    lambda field, value: tree_text(**{field: value}),
    st.sampled_from(sorted(VALID_FIELDS)),
    scalar,
)
