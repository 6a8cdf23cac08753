"""Planted secrets and credentials reach no byte any face writes.

Every bundled tree, its inputs declared secret, is walked along its first scenarios that reach an
input (and once with a value of the wrong form typed there) through every face: the plain mode
on stdin, `--answers`, `--json`, `--dry-run`, `--manual`, and the terminal app under Pilot. The
Paya actions are configured against a local API that echoes what it was sent: the path and query
as sent (URL-encoded), decoded, in upper and lower case, and the credential headers. Then every
byte written is searched: stdout, stderr, the SQLite store and its -wal, exports in Markdown,
JSON and as a scenario, and the cache directory.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus, unquote_plus

import pytest
import yaml

from tests.cli import CLI, ROOT, isolated_env
from tests.fakes.paya_server import (
    DEVELOPER_ID,
    USER_API_KEY,
    USER_ID,
    FakeServer,
    RecordingHandler,
    running,
)

CONTACT = "Plant-C0ntact-7Qz"  # fits the contact id's pattern
EMAIL = "plant.S3cret+tag@example.com"
ACCOUNT = "Plant-Acct-91X"
# Typed where a secret is asked, refused for its form: the refusal must not quote it either.
BAD_ID = "PLANT-bad id!"
BAD_EMAIL = "PLANT-no-at-sign"
SECRETS = (CONTACT, EMAIL, ACCOUNT, BAD_ID, BAD_EMAIL)
CREDENTIALS = (DEVELOPER_ID, USER_ID, USER_API_KEY)
TREES = ROOT / "trees"


def spellings(value: str) -> set[str]:
    """Every way a leak of the value could be written."""
    forms = {value, quote(value, safe=""), quote(value), quote_plus(value), json.dumps(value)[1:-1]}
    return {f for form in forms for f in (form, form.lower(), form.upper())}


FORBIDDEN = sorted({s for value in (*SECRETS, *CREDENTIALS) for s in spellings(value)}, key=len)


class EchoingPaya(RecordingHandler):
    """Paya Connect as a careless API: every answer repeats the request and its credentials."""

    def do_GET(self) -> None:
        seen = self.record()
        echo = {
            "request": self.path,
            "lower": self.path.lower(),
            "upper": self.path.upper(),
            "decoded": unquote_plus(self.path),
            "headers": " ".join(f"{k}={v}" for k, v in sorted(seen.headers.items())),
            "is_user": True,
        }
        if seen.path == "/v2/contacts":
            email = seen.query.get("email", [""])[0]
            contact = {"id": "11ef2a3b4c5d6e7f8091a2b3", "email": email.upper(), **echo}
            meta = {"pagination": {"totalCount": 1, "pageCount": 1, "currentPage": 1}}
            self.send_json(200, {"contacts": [contact], "meta": meta})
            return
        contact_id = seen.path.rsplit("/", 1)[-1]
        self.send_json(200, {"contact": {"id": contact_id, "email": contact_id.lower(), **echo}})


def secret_library(folder: Path) -> Path:
    """The bundled trees with every input's variable declared secret."""
    folder.mkdir()
    for path in sorted(TREES.rglob("*.yaml")):
        if path.name.endswith(".test.yaml"):
            continue
        tree = yaml.safe_load(path.read_text(encoding="utf-8"))
        declared = tree.setdefault("variables", {})
        for node in tree["nodes"].values():
            if node["type"] == "input":
                declared.setdefault(node["var"], {"label": node["var"]})["secret"] = True
        (folder / path.name).write_text(yaml.safe_dump(tree, sort_keys=False), encoding="utf-8")
    return folder


def planted(tree_id: str, answer: str) -> str:
    """A scenario's answer with its sample value for an input replaced by a planted secret."""
    if "@" in answer:
        return EMAIL
    if re.fullmatch(r"[0-9a-f]{24}|[0-9]{3,}", answer):
        return ACCOUNT if "signup" in tree_id else CONTACT
    return answer


def walks(per_tree: int = 2) -> Iterator[tuple[str, list[str]]]:
    """Each bundled tree's first scenarios that reach an input, answers planted; then the first
    of them with a value of the wrong form typed at its first input."""
    for path in sorted(TREES.rglob("*.test.yaml")):
        suite = yaml.safe_load(path.read_text(encoding="utf-8"))
        tree_id = suite["tree"]
        chosen = []
        for scenario in suite["scenarios"]:
            answers = [planted(tree_id, str(a)) for a in scenario["answers"]]
            if answers != [str(a) for a in scenario["answers"]]:
                chosen.append(answers)
        yield from ((tree_id, answers) for answers in chosen[:per_tree])
        first = next(i for i, a in enumerate(chosen[0]) if a in SECRETS)
        bad = BAD_EMAIL if "@" in chosen[0][first] else BAD_ID
        yield tree_id, [*chosen[0][:first], bad]


def bw(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [*CLI, *args],
        input=stdin.encode(),
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.fixture
def echoing_paya() -> Iterator[FakeServer]:
    with running(EchoingPaya) as server:
        yield server


def paya_env(home: Path, server: FakeServer) -> dict[str, str]:
    return isolated_env(
        home,
        BRANCHWISE_PAYA_BASE_URL=server.url,
        BRANCHWISE_PAYA_DEVELOPER_ID=DEVELOPER_ID,
        BRANCHWISE_PAYA_USER_ID=USER_ID,
        BRANCHWISE_PAYA_USER_API_KEY=USER_API_KEY,
    )


def leaks(raw: bytes, where: str) -> list[str]:
    text = raw.decode("utf-8", "replace")
    return [f"{form!r} in {where}" for form in FORBIDDEN if form in text]


def written_files(home: Path) -> Iterator[tuple[str, bytes]]:
    for path in sorted(home.rglob("*")):
        if path.is_file():
            yield str(path.relative_to(home)), path.read_bytes()


def test_no_planted_secret_or_credential_reaches_any_byte_written(
    tmp_path: Path, echoing_paya: FakeServer
) -> None:
    library = secret_library(tmp_path / "lib")
    home = tmp_path / "home"
    env = paya_env(home, echoing_paya)
    faces = (("--answers",), ("--answers", "--json"), ("--answers", "--dry-run"), ("--plain",))
    outputs: list[tuple[str, bytes]] = []
    sessions: list[str] = []
    codes: set[int] = set()
    for tree_id, answers in walks():
        for face in faces:
            args = ["run", tree_id, "--library", str(library), *face[1:]]
            if face[0] == "--answers":
                args += ["--answers", ",".join(answers)]
                done = bw(env, *args)
            else:
                done = bw(env, *args, "--plain", stdin="\n".join(answers) + "\n")
            codes.add(done.returncode)
            assert b"Traceback" not in done.stderr, done.stderr.decode()
            outputs += [(f"{face} stdout", done.stdout), (f"{face} stderr", done.stderr)]
            if "--json" in face:
                sessions.append(json.loads(done.stdout)["session"])
        manual = bw(env, "run", tree_id, "--library", str(library), "--manual", "--answers",
                    ",".join(answers))  # fmt: skip
        outputs += [("--manual stdout", manual.stdout), ("--manual stderr", manual.stderr)]
    assert codes <= {0, 1} and 0 in codes and 1 in codes
    assert echoing_paya.requests, "the actions were called for real"
    assert any(CONTACT in r.path for r in echoing_paya.requests)
    refusals = b"".join(out for where, out in outputs if "stderr" in where)
    assert b"that value does not have the expected form" in refusals
    assert b"that value is not an email address" in refusals
    assert "•••".encode() in b"".join(out for _, out in outputs)

    exports = home / "exports"
    exports.mkdir()
    for session in sessions:
        for fmt in ("md", "json", "scenario"):
            out = exports / f"{session}.{fmt}"
            done = bw(env, "sessions", "export", session, "--format", fmt, "-o", str(out))
            assert done.returncode == 0 and out.stat().st_size, done.stderr.decode()
            outputs.append((f"export {fmt} stderr", done.stderr))
        shown = bw(env, "sessions", "show", session)
        outputs.append(("sessions show", shown.stdout + shown.stderr))
    listed = bw(env, "sessions", "list", "--format", "json")
    outputs.append(("sessions list", listed.stdout + listed.stderr))

    files = list(written_files(home))
    names = {name for name, _ in files}
    assert "sessions.sqlite3" in names and any(n.startswith("cache/") for n in names)
    assert any(n.endswith(".md") for n in names) and any(n.endswith(".json") for n in names)
    found = [leak for where, raw in [*outputs, *files] for leak in leaks(raw, where)]
    assert not found, found[:20]


# Keys for the app: up to a secret input, a value of the wrong form, then the planted value.
APP_WALKS = {
    "paya-connect/customer-portal-access": (("enter", "enter", "enter", "2", "1"), BAD_ID, CONTACT),
    "paya-connect/portal-login-help": (("c",), BAD_EMAIL, EMAIL),
}


@pytest.mark.parametrize("tree_id", sorted(APP_WALKS))
async def test_no_planted_secret_reaches_the_terminal_app_or_its_store(
    tmp_path: Path, echoing_paya: FakeServer, tree_id: str
) -> None:
    from engine.actions.catalog import default_registry
    from engine.actions.config import load_config
    from engine.sessions.store import Store
    from engine.walk.action_runner import ActionRunner
    from tests.tui.conftest import app_for, library, new_walk
    from tests.tui.pilot_steps import press, screen_text, wait_for
    from tui.widgets.action_panel import ActionPanel

    keys, bad, secret = APP_WALKS[tree_id]
    lib = library(secret_library(tmp_path / "lib"))
    config = load_config(tmp_path / "absent.toml", paya_env(tmp_path, echoing_paya))
    runner = ActionRunner(default_registry(), config)
    seen: list[str] = []
    with Store(tmp_path / "sessions.sqlite3") as store:
        walk = new_walk(tree_id, lib=lib, runner=runner, store=store)
        async with app_for(walk, lib, store=store).run_test(size=(120, 40)) as pilot:
            await press(pilot, *keys)
            asked = walk.node.id
            await press(pilot, *bad, "enter")
            seen.append(screen_text(pilot))
            assert walk.node.id == asked and "that value " in seen[-1]
            await press(pilot, *["backspace"] * len(bad), *secret, "enter")
            action = pilot.app.screen.query_one(ActionPanel)
            await wait_for(pilot, lambda: action.has_class("-done"))
            seen.append(screen_text(pilot))
            await press(pilot, "1")
            seen.append(screen_text(pilot))
            await press(pilot, "ctrl+t")
            await pilot.pause(0.2)
            seen.append(screen_text(pilot))
        assert secret in walk.variables.values()
        assert echoing_paya.requests
    files = [(p.name, p.read_bytes()) for p in tmp_path.glob("sessions.sqlite3*")]
    found = [leak for i, text in enumerate(seen) for leak in leaks(text.encode(), f"screen {i}")]
    found += [leak for name, raw in files for leak in leaks(raw, name)]
    assert not found, found[:20]
    assert any("•••" in text for text in seen)


def test_a_secret_the_echo_sends_back_encoded_is_stored_masked(tmp_path: Path) -> None:
    """The unit below the walks above: a result echoing the value in every spelling."""
    from engine.walk.masking import MASK, Mask

    echoed: dict[str, Any] = {form: form for form in spellings(EMAIL)}
    masked = Mask([EMAIL]).value(echoed)
    assert set(masked) == {MASK} and set(masked.values()) == {MASK}
