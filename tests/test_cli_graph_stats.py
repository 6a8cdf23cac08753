"""`branchwise graph --stats` for real: a store of generated walks drawn as Mermaid, dot and SVG."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from engine.authoring.stats_overlay import ABANDONED, ENDED, UNVISITED
from tests.cli import isolated_env, run_cli
from tests.generated_sessions import PORTAL, fill_store

WALKS = 150
OUTCOMES = {
    "done-user-created": "resolved",
    "done-advised": "resolved",
    "escalated-solution-provider": "escalated",
}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("store") / "sessions.sqlite3"
    fill_store(db, walks=WALKS, seed=3)
    return db


def graph(tmp_path: Path, store: Path, *args: str):
    return run_cli(
        "graph", PORTAL, "--stats", *args, env=isolated_env(tmp_path, BRANCHWISE_DB=str(store))
    )


def figures(tmp_path: Path, store: Path) -> dict:
    done = run_cli(
        "stats", PORTAL, "--format", "json", env=isolated_env(tmp_path, BRANCHWISE_DB=str(store))
    )
    (version,) = json.loads(done.stdout)["versions"]
    return version


def dot_nodes(text: str) -> dict[str, str]:
    return dict(re.findall(r'^  "node:([a-z-]+)" \[(.*)\]$', text, re.MULTILINE))


def test_dot_colours_nodes_by_where_walks_stopped_and_counts_the_ways(tmp_path: Path, store: Path):
    done = graph(tmp_path, store, "--format", "dot")
    assert done.returncode == 0, done.stderr
    version = figures(tmp_path, store)
    by_node = {node["node"]: node for node in version["nodes"]}
    nodes = dot_nodes(done.stdout)

    assert f"· {WALKS} walks of version 1" in done.stdout.splitlines()[1]
    for node_id, attributes in nodes.items():
        fill = re.findall(r'fillcolor="(#[0-9a-f]{6})"', attributes)[-1]
        seen = by_node.get(node_id)
        if seen is None:
            assert (fill, "never visited") == (UNVISITED[0], attributes.split("\\n")[1][:13])
        elif node_id in OUTCOMES:
            ended = version["outcomes"].get(node_id, 0)
            assert f"ended here: {ended} of {WALKS} walks" in attributes
            pale, medium, strong, _ = ENDED[OUTCOMES[node_id]]
            share = ended / WALKS
            assert fill == (strong if share >= 0.5 else medium if share >= 0.2 else pale), node_id
        elif seen["exits"]:
            share = seen["exits"] / seen["visits"]
            expected = next(f for lowest, f, _, _ in ABANDONED if share >= lowest)
            assert fill == expected, node_id
            assert f"{seen['visits']} visits · abandoned here: {seen['exits']} (" in attributes
        else:
            assert fill == "#ffffff"

    question = by_node["create-user-visible"]["taken"]
    assert (
        f'"node:create-user-visible" -> "node:create-user" [label="Yes ({question["Yes"]})"'
        in done.stdout
    )
    assert (
        f'label="error ({by_node["check-is-user"]["taken"]["error"]})", style=dashed' in done.stdout
    )
    assert 'subgraph "cluster_legend"' in done.stdout
    assert "abandoned here: 25% or more of the walks reaching it" in done.stdout


def test_mermaid_has_the_same_figures_styles_and_a_legend(tmp_path: Path, store: Path):
    done = graph(tmp_path, store)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert any(line.startswith("  style n_not_user_yet fill:#") for line in lines)
    assert any(re.fullmatch(r"  linkStyle \d+ stroke-width:6\.0px", line) for line in lines)
    assert '  subgraph legend["Legend"]' in lines
    assert any(
        re.search(r'n_create_user_visible -->\|"Yes #40;\d+#41;"\| n_create_user', line)
        for line in lines
    )


def test_since_after_every_walk_draws_every_node_as_never_visited(tmp_path: Path, store: Path):
    elsewhere = tmp_path / "empty.sqlite3"  # --db wins over BRANCHWISE_DB
    done = graph(
        tmp_path, elsewhere, "--since", "2030-01-01", "--format", "dot", "--db", str(store)
    )
    assert done.returncode == 0
    assert (
        "no sessions of paya-connect/customer-portal-access version 1 since 2030-01-01"
        in done.stderr
    )
    assert all("never visited" in attributes for attributes in dot_nodes(done.stdout).values())


def test_since_without_stats_is_a_usage_error(tmp_path: Path):
    done = run_cli("graph", PORTAL, "--since", "2026-01-01", env=isolated_env(tmp_path))
    assert done.returncode == 2
    assert done.stderr == "branchwise: --since counts sessions for --stats; add --stats\n"


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")
def test_svg_through_graphviz_shows_the_figures_and_the_legend(tmp_path: Path, store: Path):
    output = tmp_path / "stats.svg"
    done = graph(tmp_path, store, "-o", str(output))
    assert done.returncode == 0, done.stderr
    svg = output.read_text()
    assert "<title>cluster_legend</title>" in svg
    assert "never visited" in svg and "ended here (resolved)" in svg
    assert f"{WALKS} visits" in svg  # every walk shows its first step
    assert 'fill="#ef5350"' in svg or 'fill="#ffa726"' in svg  # some node loses walks
