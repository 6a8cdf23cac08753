"""The benchmarks given real tree files: walk.py walks to every outcome; bad paths get a message."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROUTER = ROOT / "tests" / "data" / "scenarios" / "router.yaml"


def _bench(*args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(ROOT / "bench" / "walk.py"), *args, "--seconds", "0.05"]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def test_walk_bench_times_walks_to_each_outcome_of_a_tree_file():
    done = _bench(str(ROUTER))
    lines = done.stdout.splitlines()
    assert lines[0] == (
        "tree: test/router, 6 nodes; walks to each of its 2 outcomes (checked), 3 steps at the most"
    )
    assert lines[1].startswith("store on ") and " steps/s " in lines[1]
    assert lines[2].startswith("store off ") and " steps/s " in lines[2]
    assert done.stderr == ""


def test_walk_bench_says_when_the_tree_file_is_missing_or_broken(tmp_path):
    missing = _bench(str(tmp_path / "nope.yaml"))
    assert missing.returncode == 1
    assert missing.stderr.strip() == f"no tree file at {tmp_path / 'nope.yaml'}"
    broken = tmp_path / "broken.yaml"
    broken.write_text(ROUTER.read_text().replace("goto: sold", "goto: gone"))
    refused = _bench(str(broken))
    assert refused.returncode == 1
    assert refused.stderr.strip() == f"{broken} has errors; run 'branchwise validate {broken}'"
    assert "Traceback" not in missing.stderr + refused.stderr


def test_validate_bench_refuses_a_missing_tree_before_generating_anything(tmp_path):
    command = [sys.executable, str(ROOT / "bench" / "validate.py"), str(tmp_path / "nope.yaml")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines()[-1] == (
        f"validate.py: error: no tree file at {tmp_path / 'nope.yaml'}"
    )


def test_fuzz_bench_counts_tracebacks_and_slow_inputs(tmp_path):
    command = [sys.executable, str(ROOT / "bench" / "fuzz.py"), "-n", "40", "--seed", "3"]
    command += ["--keep", str(tmp_path / "kept")]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    lines = done.stdout.splitlines()
    assert lines[0].startswith("inputs: 40 (seed 3) in ") and lines[0].endswith(" inputs/s")
    assert lines[1:3] == ["tracebacks: 0", "over 2 s: 0"], done.stdout
    assert done.returncode == 0 and "Traceback" not in done.stderr
    assert not (tmp_path / "kept").exists()
