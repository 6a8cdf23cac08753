"""Generated trees of any size for benchmarks: valid, every node reachable, every branch ends."""

from __future__ import annotations

import yaml


def generate_tree(nodes: int, tree_id: str = "bench/generated") -> dict[str, object]:
    """A tree of about `nodes` nodes: questions fanning out to steps, inputs and outcomes."""
    body: dict[str, object] = {}
    count = max(nodes - 3, 1)
    # Children are numbered in the order nodes are made, so every node has a parent before it.
    following = 1
    for i in range(count):
        a, b = following, following + 1
        following += 1 if i % 10 == 7 or i % 5 == 3 else 2
        target = lambda n: f"n{n}" if n < count else "done"  # noqa: E731
        if i % 10 == 7:
            body[f"n{i}"] = {
                "type": "input",
                "title": f"Enter the reference for item {i}",
                "var": f"ref{i}",
                "pattern": "^[A-Z0-9-]+$",
                "next": target(a),
            }
        elif i % 5 == 3:
            body[f"n{i}"] = {
                "type": "step",
                "title": f"Step {i}: open the settings page",
                "body": f"Click **Settings**, then the *Advanced* tab for item {i}.",
                "next": target(a),
            }
        else:
            body[f"n{i}"] = {
                "type": "question",
                "title": f"Question {i}: do you see the button?",
                "body": f"Look at the top right of the page for item {i}.",
                "choices": [
                    {"label": "Yes", "key": "y", "goto": target(a)},
                    {"label": "No", "goto": target(b)},
                    {"label": "Not sure", "goto": "escalate"},
                ],
            }
    body["done"] = {"type": "outcome", "status": "resolved", "title": "Resolved"}
    body["escalate"] = {"type": "outcome", "status": "escalated", "title": "Escalate"}
    return {
        "schema": "branchwise/v1",
        "id": tree_id,
        "version": 1,
        "title": f"Generated tree of {nodes} nodes",
        "start": "n0",
        "nodes": body,
    }


def generate_yaml(nodes: int, tree_id: str = "bench/generated") -> str:
    """The generated tree as YAML text."""
    return yaml.dump(
        generate_tree(nodes, tree_id), Dumper=yaml.CSafeDumper, sort_keys=False, width=120
    )
