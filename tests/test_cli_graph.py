"""Tests for `branchwise graph`, run as a real command in a subprocess."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.cli import ROOT, isolated_env, run_cli

TREES = ROOT / "trees"
NO_GRAPHVIZ = "Graphviz's 'dot' is not installed; use --format dot and render elsewhere"
needs_graphviz = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz's 'dot' is not installed"
)


def branchwise(*args: str, home: Path, path: str | None = None) -> subprocess.CompletedProcess[str]:
    search = {} if path is None else {"PATH": path}
    return run_cli(*args, env=isolated_env(home, **search))


def graph(*args: str, home: Path, path: str | None = None) -> subprocess.CompletedProcess[str]:
    """`branchwise graph ARGS` on the bundled trees only."""
    return branchwise("graph", *args, "--library", str(TREES), home=home, path=path)


def test_prints_mermaid_of_a_tree_file(tmp_path: Path) -> None:
    done = branchwise(
        "graph",
        "trees/paya-connect/customer-portal-access.yaml",
        "--format",
        "mermaid",
        home=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "flowchart TD"
    assert '  n_open_contacts["Open Contacts from the left menu"]' in lines
    assert "  n_create_user_visible{\"Do you see the 'Create User' button?\"}" in lines
    assert '  n_check_is_user -.->|"error"| n_lookup_failed' in lines
    assert "  class n_escalated_solution_provider escalated" in lines
    assert "  entry --> n_open_contacts" in lines


def test_links_to_other_trees_by_id(tmp_path: Path) -> None:
    done = graph("paya-connect/portal-signup-help", home=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert '  t_paya_connectZ2fZportal_login_help[("paya-connect/portal-login-help")]' in lines
    assert '  n_login_help ==>|"walks"| t_paya_connectZ2fZportal_login_help' in lines


def test_unknown_tree_is_a_usage_error(tmp_path: Path) -> None:
    done = graph("no/such-tree", home=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "branchwise: no tree 'no/such-tree' in the library" in done.stderr
    assert "Traceback" not in done.stderr


BROKEN = (
    "schema: branchwise/v1\nid: t/broken\nversion: 1\ntitle: Broken\nstart: a\n"
    "nodes:\n  a: {type: step, title: A, next: nowhere}\n"
)


def test_a_tree_with_errors_is_drawn_with_its_errors_on_stderr(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(BROKEN, encoding="utf-8")
    done = graph(str(broken), home=tmp_path)
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"{broken}:7:35: error: 'next' names node 'nowhere', which does not exist (missing-target)"
    ]
    lines = done.stdout.splitlines()
    assert '  n_nowhere["missing#58; nowhere"]' in lines
    assert "  n_a -.-> n_nowhere" in lines
    assert "  class n_nowhere missing" in lines
    assert "  linkStyle 1 stroke:#c62828,color:#c62828" in lines


def test_a_missing_target_is_a_dashed_red_box_in_dot_too(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(BROKEN, encoding="utf-8")
    done = graph(str(broken), "--format", "dot", home=tmp_path)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    red = 'color="#c62828", fontcolor="#c62828"'
    assert f'  "node:nowhere" [label="missing: nowhere", shape=box, style="dashed", {red}]' in lines
    assert f'  "node:a" -> "node:nowhere" [style=dashed, {red}]' in lines


def test_a_file_that_is_not_yaml_is_not_drawn(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("schema: branchwise/v1\nid: [t/broken\n", encoding="utf-8")
    done = graph(str(broken), home=tmp_path)
    assert (done.returncode, done.stdout) == (1, "")
    assert f"{broken}:2:5: error:" in done.stderr
    assert f"branchwise: {broken} cannot be drawn" in done.stderr
    assert "Traceback" not in done.stderr


def test_writes_dot_source_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "portal.gv"
    done = graph("paya-connect/portal-login-help", "-o", str(out), home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    text = out.read_text(encoding="utf-8")
    assert text.startswith('digraph "paya-connect/portal-login-help" {\n')
    assert '"tree:paya-connect/customer-portal-access"' in text


def test_format_that_contradicts_the_suffix_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "portal.svg"
    done = graph(
        "paya-connect/portal-login-help", "--format", "mermaid", "-o", str(out), home=tmp_path
    )
    assert done.returncode == 2
    assert "Mermaid cannot be rendered here" in done.stderr
    assert not out.exists()


def test_rendering_without_graphviz_says_so(tmp_path: Path) -> None:
    empty_path = tmp_path / "bin"
    empty_path.mkdir()
    out = tmp_path / "portal.svg"
    done = graph(
        "paya-connect/portal-login-help", "-o", str(out), home=tmp_path, path=str(empty_path)
    )
    assert done.returncode == 1
    assert NO_GRAPHVIZ in done.stderr
    assert not out.exists()


@needs_graphviz
@pytest.mark.parametrize(
    ("suffix", "magic"), [(".svg", b"<svg"), (".png", b"\x89PNG"), (".pdf", b"%PDF")]
)
def test_renders_images_through_graphviz(tmp_path: Path, suffix: str, magic: bytes) -> None:
    out = tmp_path / f"portal{suffix}"
    done = graph("paya-connect/customer-portal-access", "-o", str(out), home=tmp_path)
    assert done.returncode == 0, done.stderr
    assert magic in out.read_bytes()[:400]
    assert f"wrote {out}" in done.stderr


@needs_graphviz
def test_graphviz_failure_is_reported_with_its_message() -> None:
    from engine.errors import BranchwiseError
    from tui.commands.graph import render

    dot = shutil.which("dot")
    assert dot is not None
    with pytest.raises(BranchwiseError, match=r"Graphviz's 'dot' failed \(exit \d+\): .*syntax"):
        render(dot, "digraph { a -> }", "svg")


def write_chain(path: Path, questions: int, title: str) -> Path:
    """A valid tree of `questions` questions in a row, each also able to stop."""
    lines = [
        "schema: branchwise/v1",
        "id: t/chain",
        "version: 1",
        "title: Chain",
        "start: q0",
        "nodes:",
        f"  done: {{type: outcome, status: resolved, title: {title}}}",
    ]
    for i in range(questions):
        after = f"q{i + 1}" if i + 1 < questions else "done"
        lines.append(
            f"  q{i}: {{type: question, title: Q{i}, choices: "
            f"[{{label: Next, goto: {after}}}, {{label: Stop, goto: done}}]}}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_warns_when_mermaid_renderers_would_refuse_the_diagram(tmp_path: Path) -> None:
    big = graph(str(write_chain(tmp_path / "big.yaml", 260, "Done")), home=tmp_path)
    assert big.returncode == 0, big.stderr
    assert "521 arrows, more than the 500 Mermaid draws by default" in big.stderr
    assert big.stdout.count(" -->") == 521
    small = graph(str(write_chain(tmp_path / "small.yaml", 3, "Done")), home=tmp_path)
    assert small.returncode == 0
    assert small.stderr == ""


def test_prints_utf8_whatever_the_locale(tmp_path: Path) -> None:
    tree = write_chain(tmp_path / "emoji.yaml", 1, '"Fixed 🙋🏻‍♂️ ✔"')
    ascii_env = isolated_env(tmp_path, PYTHONIOENCODING="ascii")
    done = run_cli("graph", str(tree), "--library", str(TREES), env=ascii_env)
    assert done.returncode == 0, done.stderr
    # run_cli decodes stdout strictly as UTF-8: an ASCII fallback would not compare equal.
    assert '  n_done(["Fixed 🙋🏻‍♂️ ✔"])' in done.stdout.splitlines()
