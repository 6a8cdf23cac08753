"""Hostile trees, arguments, files and stores fed to the real CLI in a process.

Whatever comes in (escape sequences, bidi overrides, bytes that are not UTF-8, FIFOs, devices,
huge files, broken stores, tampered caches, an API that echoes credentials) the command answers
with a clear message or a result: never a traceback, never a raw control sequence on the
terminal, never a credential in its output or its session store.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from tests.cli import CLI, ROOT, isolated_env

# Everything a value may carry that a terminal acts on, plus markup other faces could act on.
PAYLOAD = (
    "X\x1b[2JY\x1b]8;;http://x\x07L\x1b]8;;\x07 \r CR \x00NUL \u202eRLO \u2066ISO "
    "[bold red]R[/] [link=https://x]y[/link] <b>h</b> **md** \x9b31m"
)
# Command-line arguments cannot hold NUL.
ARG_PAYLOAD = PAYLOAD.replace("\x00", "")
# What must never reach stdout or stderr raw: ESC, BEL, CR, NUL, C1 CSI, bidi controls.
FORBIDDEN = ("\x1b", "\x07", "\r", "\x00", "\x9b", "\u202e", "\u2066")


def q(text: str) -> str:
    """A YAML double-quoted scalar for any text (JSON strings are YAML)."""
    return json.dumps(text)


HOSTILE_TREE = f"""\
schema: branchwise/v1
id: hostile/tree
version: 1
title: {q("Title " + PAYLOAD)}
summary: {q(PAYLOAD)}
start: step
variables:
  v: {{label: {q(PAYLOAD)}, default: {q(PAYLOAD)}}}
nodes:
  step:
    type: step
    title: {q("Step " + PAYLOAD + " {{ v }}")}
    body: {q("Body " + PAYLOAD + chr(10) + "{{ v }}" + chr(10) + "L" * 5000)}
    next: ask
  ask:
    type: question
    title: {q("Ask " + PAYLOAD)}
    choices:
      - {{label: {q("Yes " + PAYLOAD)}, key: y, goto: typed}}
      - {{label: "No", key: n, goto: escalated}}
  typed:
    type: input
    title: {q("Type " + PAYLOAD)}
    prompt: {q("Prompt " + PAYLOAD)}
    var: w
    next: done
  done:
    type: outcome
    status: resolved
    title: {q("Done " + PAYLOAD + " {{ w }} {{ v }}")}
  escalated:
    type: outcome
    status: escalated
    title: {q("Escalated " + PAYLOAD)}
"""


def bw(
    home: Path,
    *args: str | bytes,
    stdin: bytes = b"",
    env: Mapping[str, str] | None = None,
    timeout: float = 60,
    wrapper: tuple[str, ...] = (),
) -> subprocess.CompletedProcess[bytes]:
    """The real command with bytes in and out (arguments may be bytes that are not UTF-8),
    run through `wrapper` (a command that runs the next) when one is given."""
    return subprocess.run(
        [*wrapper, *CLI, *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        env=dict(env if env is not None else isolated_env(home)),
        timeout=timeout,
        check=False,
    )


def text_of(done: subprocess.CompletedProcess[bytes]) -> tuple[str, str]:
    """stdout and stderr, which must both be UTF-8 and free of tracebacks and raw controls."""
    out, err = done.stdout.decode("utf-8"), done.stderr.decode("utf-8")
    assert "Traceback" not in err, err
    for stream in (out, err):
        leaked = [repr(char) for char in FORBIDDEN if char in stream]
        assert not leaked, f"raw {leaked} in {stream[:400]!r}"
    return out, err


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    path = tmp_path / "lib" / "hostile.yaml"
    path.parent.mkdir()
    path.write_text(HOSTILE_TREE, encoding="utf-8")
    return path


def session_of(done: subprocess.CompletedProcess[bytes]) -> str:
    summary: dict[str, str] = json.loads(done.stdout)
    return summary["session"]


# Values from a tree, the arguments and the answers are shown as text, never as escapes.


def test_a_hostile_tree_validates_clean_and_walks_as_plain_text(
    tmp_path: Path, hostile: Path
) -> None:
    done = bw(tmp_path, "validate", str(hostile))
    assert done.returncode == 0
    text_of(done)
    walked = bw(tmp_path, "run", str(hostile), "--answers", "Continue,y,typed")
    out, _ = text_of(walked)
    assert walked.returncode == 0
    # Markup and Markdown are shown as the characters they are.
    assert "[bold red]R[/] [link=https://x]y[/link] <b>h</b> **md**" in out
    assert "X[2JY]8;;http://xL]8;; " in out


def test_json_output_escapes_controls_and_keeps_every_value(tmp_path: Path, hostile: Path) -> None:
    done = bw(tmp_path, "run", str(hostile), "--answers", "Continue,y,typed", "--json")
    out, _ = text_of(done)
    assert json.loads(out)["variables"] == {"v": PAYLOAD, "w": "typed"}
    assert "\\u009b" in out and "\\u202e" in out


@pytest.mark.parametrize(
    "command",
    [
        ("sessions", "show", "{id}"),
        ("sessions", "export", "{id}", "--format", "md"),
        ("sessions", "export", "{id}", "--format", "json"),
        ("sessions",),
        ("stats",),
        ("stats", "hostile/tree"),
        ("stats", "--format", "json"),
        ("graph", "{tree}"),
        ("graph", "{tree}", "--format", "dot"),
    ],
)
def test_every_view_of_a_hostile_session_is_plain_text(
    tmp_path: Path, hostile: Path, command: Sequence[str]
) -> None:
    walked = bw(tmp_path, "run", str(hostile), "--answers", f"Continue,y,{ARG_PAYLOAD}", "--json")
    assert walked.returncode == 0
    args = [word.format(id=session_of(walked), tree=hostile) for word in command]
    done = bw(tmp_path, *args)
    assert done.returncode == 0, done.stderr
    out, _ = text_of(done)
    assert out.strip()


def test_hostile_arguments_and_answers_are_recorded_as_text(tmp_path: Path, hostile: Path) -> None:
    done = bw(
        tmp_path,
        "run",
        str(hostile),
        "--var",
        f"v={ARG_PAYLOAD}",
        "--agent",
        ARG_PAYLOAD,
        "--ticket",
        ARG_PAYLOAD,
        "--answers",
        f"Continue,:note {ARG_PAYLOAD},y,{ARG_PAYLOAD}",
        "--json",
    )
    out, _ = text_of(done)
    assert json.loads(out)["variables"] == {"v": ARG_PAYLOAD, "w": ARG_PAYLOAD.strip()}
    exported = bw(tmp_path, "sessions", "export", session_of(done), "--format", "json")
    record = json.loads(text_of(exported)[0])
    assert record["agent"] == ARG_PAYLOAD and record["ticket"] == ARG_PAYLOAD


def test_error_messages_quote_hostile_arguments_without_their_escapes(tmp_path: Path) -> None:
    for args in (
        ("validate", f"/nonexistent/{ARG_PAYLOAD}.yaml"),
        ("run", f"/nonexistent/{ARG_PAYLOAD}.yaml"),
        ("run", ARG_PAYLOAD),
        ("run", "--bogus" + ARG_PAYLOAD),
        ("sessions", "show", ARG_PAYLOAD),
        ("run", "x", "--var", ARG_PAYLOAD),
        ("run", "x", "--library", f"/nonexistent/{ARG_PAYLOAD}"),
    ):
        done = bw(tmp_path, *args)
        assert done.returncode in (1, 2), args
        _, err = text_of(done)
        assert err.startswith(("branchwise: ", "usage: ")), err


def test_a_var_name_no_tree_could_use_is_a_usage_error(tmp_path: Path, hostile: Path) -> None:
    done = bw(tmp_path, "run", str(hostile), "--var", "contact.id=5", "--answers", "Continue")
    assert done.returncode == 2
    assert "'contact.id' is not a variable name" in text_of(done)[1]


# Bytes that are not UTF-8: in arguments, on stdin, under a strict locale.


def test_undecodable_argument_bytes_become_replacement_characters(
    tmp_path: Path, hostile: Path
) -> None:
    done = bw(
        tmp_path,
        "run",
        str(hostile),
        "--var",
        b"v=caf\xe9",
        "--agent",
        b"\xff",
        "--answers",
        b"Continue,:note \xfe,y,na\xefve",
        "--json",
    )
    assert done.returncode == 0
    out, _ = text_of(done)
    assert json.loads(out)["variables"] == {"v": "caf\ufffd", "w": "na\ufffdve"}
    exported = bw(tmp_path, "sessions", "export", session_of(done), "--format", "json")
    record = json.loads(text_of(exported)[0])
    assert record["agent"] == "\ufffd"
    assert record["steps"][1]["notes"][0]["text"] == "\ufffd"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8:strict", "ascii"])
def test_binary_stdin_is_read_as_text_under_any_locale(
    tmp_path: Path, hostile: Path, encoding: str
) -> None:
    env = isolated_env(tmp_path, PYTHONIOENCODING=encoding)
    stdin = b"Continue\ny\n\xff\xfe\x00bin\n"
    done = bw(tmp_path, "run", str(hostile), "--json", stdin=stdin, env=env)
    assert done.returncode == 0, done.stderr
    out, _ = text_of(done)
    # Kept as typed (a NUL too: JSON escapes it); an ASCII stdout can only print '?' for U+FFFD.
    replaced = "?" if encoding == "ascii" else "\ufffd"
    assert json.loads(out)["variables"]["w"] == f"{replaced * 2}\x00bin"


def test_a_strict_ascii_terminal_gets_replacement_marks_not_a_traceback(
    tmp_path: Path, hostile: Path
) -> None:
    env = isolated_env(tmp_path, PYTHONIOENCODING="ascii")
    done = bw(tmp_path, "run", str(hostile), "--answers", "Continue,y,caf\u00e9", env=env)
    assert done.returncode == 0
    out, _ = text_of(done)
    assert "caf?" in out


def test_a_non_utf8_file_name_is_reported_in_valid_utf8(tmp_path: Path) -> None:
    folder = tmp_path / "trees"
    folder.mkdir()
    name = os.fsencode(folder) + b"/bad\xff\x1b[2J.yaml"
    with open(name, "wb") as broken:
        broken.write(b"schema: [\n")  # a tree by its top-level key, though not YAML
    for fmt in ("text", "json"):
        done = bw(tmp_path, "validate", "--format", fmt, str(folder))
        assert done.returncode == 1
        out, _ = text_of(done)
        assert "bad\ufffd[2J.yaml" in out


def test_empty_stdin_leaves_the_session_open(tmp_path: Path, hostile: Path) -> None:
    done = bw(tmp_path, "run", str(hostile), "--json")
    assert done.returncode == 1
    out, err = text_of(done)
    assert json.loads(out)["status"] == "open"
    assert "input ended" in err or "out of answers" in err


def test_answers_escapes_reach_an_input_as_written(tmp_path: Path, hostile: Path) -> None:
    done = bw(tmp_path, "run", str(hostile), "--answers", "Continue,y,a\\,b\\", "--json")
    assert done.returncode == 0
    assert json.loads(text_of(done)[0])["variables"]["w"] == "a,b\\"


def test_a_closed_stdout_ends_quietly(tmp_path: Path, hostile: Path) -> None:
    big = hostile.parent / "big.yaml"
    body = ("word " * 20 + "\n") * 9000
    big.write_text(HOSTILE_TREE.replace("hostile/tree", "hostile/big").replace("L" * 5000, body))
    reader, writer = os.pipe()
    os.close(reader)  # nobody reads: the first big write meets a broken pipe
    with os.fdopen(writer, "wb") as closed:
        done = subprocess.run(
            [*CLI, "run", str(big), "--answers", "Continue"],
            stdout=closed,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            env=isolated_env(tmp_path),
            timeout=60,
            check=False,
        )
    assert done.returncode == 1
    assert b"Traceback" not in done.stderr and b"Exception ignored" not in done.stderr


# Files that are not files: FIFOs, devices, directories, huge sparse files, symlink loops.


def test_a_fifo_a_device_and_a_huge_sparse_file_are_refused_without_reading(
    tmp_path: Path,
) -> None:
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as handle:
        handle.write(b"schema: branchwise/v1\n")  # a tree: only its head is read to tell
        handle.truncate(3 * 1024**3)
    loop = tmp_path / "loop.yaml"
    loop.symlink_to(loop)
    started = time.monotonic()
    done = bw(tmp_path, "validate", str(fifo), "/dev/zero", str(huge), str(loop), timeout=30)
    assert time.monotonic() - started < 20
    assert done.returncode == 1
    out, _ = text_of(done)
    assert f"{fifo}:1:1: error: cannot read: not a regular file (a FIFO) (yaml-syntax)" in out
    assert "/dev/zero:1:1: error: cannot read: not a regular file (a device)" in out
    assert f"{huge}:1:1: error: the file is 3,221,225,472 bytes, over the limit" in out
    assert f"{loop}:1:1: error: cannot read: Too many levels of symbolic links" in out


def test_a_fifo_or_huge_file_in_a_library_folder_does_not_stop_a_walk(
    tmp_path: Path, hostile: Path
) -> None:
    os.mkfifo(hostile.parent / "waiting.yaml")
    with (hostile.parent / "huge.yaml").open("wb") as handle:
        handle.truncate(3 * 1024**3)
    (hostile.parent / "up").symlink_to("..")
    args = ("run", "hostile/tree", "--library", str(hostile.parent), "--answers", "Continue,n")
    done = bw(tmp_path, *args, timeout=30)
    assert done.returncode == 0, done.stderr
    text_of(done)


def test_a_config_that_is_a_fifo_is_refused_at_once(tmp_path: Path, hostile: Path) -> None:
    config = tmp_path / "config.toml"
    os.mkfifo(config)
    done = bw(tmp_path, "run", str(hostile), "--answers", "Continue", timeout=30)
    assert done.returncode == 1
    assert text_of(done)[1] == (
        f"branchwise: {config}: cannot read the config file: not a regular file (a FIFO)\n"
    )


def test_a_directory_where_a_tree_file_is_expected(tmp_path: Path) -> None:
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    done = bw(tmp_path, "run", str(folder))
    assert done.returncode == 2
    assert text_of(done)[1] == f"branchwise: no tree file at {folder}\n"


without_permission_checks = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("setpriv") is None,
    reason="needs root and setpriv to drop the capability that ignores file permissions",
)


@without_permission_checks
def test_files_without_permission_are_reported_not_raised(tmp_path: Path, hostile: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    inside = locked / "tree.yaml"
    inside.write_text(HOSTILE_TREE)
    locked.chmod(0o600)  # no x: nothing inside can even be looked at
    unreadable = tmp_path / "unreadable.yaml"
    unreadable.write_text(HOSTILE_TREE)
    unreadable.chmod(0)
    drop = ("setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--")

    def as_user(*args: str) -> subprocess.CompletedProcess[bytes]:
        return bw(tmp_path, *args, wrapper=drop)

    validated = as_user("validate", str(unreadable), str(inside), str(hostile))
    out, _ = text_of(validated)
    assert validated.returncode == 1
    assert f"{unreadable}:1:1: error: cannot read: Permission denied" in out
    assert f"{inside}:1:1: error: cannot read: Permission denied" in out
    walked = as_user("run", str(inside))
    assert walked.returncode == 1
    assert text_of(walked)[1] == f"branchwise: {inside}: Permission denied\n"
    listed = as_user("sessions", "--db", str(locked / "s.sqlite3"))
    assert listed.returncode == 1
    assert text_of(listed)[1] == f"branchwise: {locked / 's.sqlite3'}: Permission denied\n"


# Session stores that are not ours, not files, damaged, newer, or walked twice at once.


def _sqlite(path: Path, *statements: str) -> Path:
    import sqlite3

    db = sqlite3.connect(path)
    for statement in statements:
        db.execute(statement)
    db.commit()
    db.close()
    return path


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda d: (d / "text.db").write_text("just text") and d / "text.db", "file is not a db"),
        (lambda d: (d / "folder.db").mkdir() or d / "folder.db", "folder.db: cannot "),
        (lambda d: Path("/dev/zero"), "/dev/zero: cannot "),
        (
            lambda d: _sqlite(
                d / "future.db",
                "CREATE TABLE schema_version (version INTEGER)",
                "INSERT INTO schema_version VALUES (99)",
            ),
            "made by a newer branchwise (schema 99",
        ),
        (
            lambda d: _sqlite(
                d / "words.db",
                "CREATE TABLE schema_version (version TEXT)",
                "INSERT INTO schema_version VALUES ('abc')",
            ),
            "not a session store of branchwise (schema 'abc')",
        ),
        (
            lambda d: _sqlite(d / "other.db", "CREATE TABLE sessions (x)", "CREATE TABLE t (y)"),
            "not a session store of branchwise (it holds other tables: sessions, t)",
        ),
    ],
)
def test_a_store_that_is_not_a_branchwise_store_is_refused_by_every_command(
    tmp_path: Path, hostile: Path, make, says: str
) -> None:
    store = make(tmp_path)
    before = store.read_bytes() if store.is_file() else None
    for args in (
        ("sessions",),
        ("stats",),
        ("run", str(hostile), "--answers", "Continue"),
    ):
        done = bw(tmp_path, *args, "--db", str(store), timeout=30)
        assert done.returncode == 1, (args, done.stderr)
        _, err = text_of(done)
        assert err.startswith(f"branchwise: {store}: "), err
        assert says.replace("file is not a db", "file is not a database") in err, err
    if before is not None:
        assert store.read_bytes() == before  # nothing was written into it, not even WAL mode


def test_db_urls_that_name_no_file_are_usage_errors(tmp_path: Path) -> None:
    for url, says in (
        ("sqlite://", "the URL names no file"),
        ("~nosuchuser-branchwise/s.db", "there is no user 'nosuchuser-branchwise'"),
        ("mysql://db/x", "not a session store URL"),
    ):
        done = bw(tmp_path, "sessions", "--db", url)
        assert done.returncode == 2
        assert says in text_of(done)[1]
    done = bw(tmp_path, "sessions", env=isolated_env(tmp_path, BRANCHWISE_DB="sqlite://"))
    assert done.returncode == 2


def test_a_sqlite_url_in_the_environment_is_a_store(tmp_path: Path, hostile: Path) -> None:
    url = f"sqlite:///{tmp_path / 'url.db'}"
    env = isolated_env(tmp_path, BRANCHWISE_DB=url)
    done = bw(tmp_path, "run", str(hostile), "--answers", "Continue,n", "--json", env=env)
    assert done.returncode == 0
    assert (tmp_path / "url.db").is_file()
    listed = bw(tmp_path, "sessions", env=env)
    assert session_of(done) in text_of(listed)[0]


def test_a_damaged_session_row_is_named_not_a_traceback(tmp_path: Path, hostile: Path) -> None:
    done = bw(tmp_path, "run", str(hostile), "--answers", "Continue", "--json")
    session = session_of(done)
    _sqlite(tmp_path / "sessions.sqlite3", "UPDATE sessions SET variables_json = '{'")
    for args in (("sessions", "show", session), ("run", str(hostile), "--resume", session)):
        shown = bw(tmp_path, *args)
        assert shown.returncode == 1
        assert f"session {session} is damaged" in text_of(shown)[1]


def test_two_resumes_of_one_session_at_once_never_overwrite_each_other(
    tmp_path: Path, hostile: Path
) -> None:
    for _ in range(3):
        started = bw(tmp_path, "run", str(hostile), "--answers", "Continue", "--json")
        session = session_of(started)
        racers = [
            subprocess.Popen(
                [*CLI, "run", str(hostile), "--resume", session, "--answers", answers, "--json"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=ROOT,
                env=isolated_env(tmp_path),
            )
            for answers in ("y,first", "n")
        ]
        results = [(racer.wait(timeout=60), *racer.communicate()) for racer in racers]
        finished = [json.loads(out) for code, out, _ in results if code == 0]
        assert len(finished) <= 2
        exported = bw(tmp_path, "sessions", "export", session, "--format", "json")
        record = json.loads(text_of(exported)[0])
        for code, _out, err in results:
            assert b"Traceback" not in err
            if code == 0:
                continue
            assert b"was changed by another walk" in err or b"has ended" in err, err
        # What the store holds is exactly one walk's story, and that walk said it finished.
        winners = [s for s in finished if s["path"] == [st["node_id"] for st in record["steps"]]]
        assert winners and record["status"] == winners[0]["status"]
        assert len(finished) == 1 or finished[0]["status"] == finished[1]["status"]


# Credentials: planted in the environment, echoed back by the API in every form we know of.

LOOKUP = ("Continue", "Continue", "Continue", "No", "Yes")  # the bundled tree, to its lookup


def _echoing_handler() -> type:
    from tests.fakes.paya_server import DEVELOPER_ID, USER_API_KEY, RecordingHandler

    key, half = USER_API_KEY, len(USER_API_KEY) // 2

    class EchoingPaya(RecordingHandler):
        """A Paya Connect that repeats the credentials back: in errors, keys and values."""

        def do_GET(self) -> None:
            seen = self.record()
            contact = seen.path.rsplit("/", 1)[-1]
            if contact.startswith("e"):
                self.send_json(
                    401,
                    {
                        "errors": {
                            "user-api-key": [f"{key} is not valid for {seen.headers}"],
                            key: [f"bad {DEVELOPER_ID.upper()}"],
                            "split": [key[:half] + "\x00" + key[half:]],
                        }
                    },
                )
                return
            echoed = {
                "id": contact,
                "is_user": False,
                "note": f"your key {key}",
                key: "as a key",
                "split": key[:half] + "\u202e" + key[half:],
                "lower": key.lower(),
                "nested": {"deep": [{key.upper(): DEVELOPER_ID}]},
                "first_name": "\x1b]8;;http://evil\x07click\x1b]8;;\x07\udcff",
            }
            # \udcff goes out as the JSON escape an API may send for a byte it could not decode.
            self.send_body(200, json.dumps({"contact": echoed}).encode(), "application/json")

    return EchoingPaya


@pytest.mark.parametrize("contact", ["e0000000000000000000000a", "f0000000000000000000000b"])
def test_credentials_an_api_echoes_reach_no_output_session_or_file(
    tmp_path: Path, contact: str
) -> None:
    from tests.fakes.paya_server import DEVELOPER_ID, USER_API_KEY, USER_ID, running

    planted = (DEVELOPER_ID, USER_ID, USER_API_KEY)
    shapes = [*planted, USER_API_KEY.lower(), USER_API_KEY.upper(), DEVELOPER_ID.upper()]
    half = USER_API_KEY[: len(USER_API_KEY) // 2]
    with running(_echoing_handler()) as server:
        env = isolated_env(
            tmp_path,
            BRANCHWISE_PAYA_BASE_URL=server.url,
            BRANCHWISE_PAYA_DEVELOPER_ID=DEVELOPER_ID,
            BRANCHWISE_PAYA_USER_ID=USER_ID,
            BRANCHWISE_PAYA_USER_API_KEY=USER_API_KEY,
        )
        answers = ",".join([*LOOKUP, contact])
        seen = []
        for extra in ((), ("--json",)):
            done = bw(tmp_path, "run", "paya-connect/customer-portal-access", "--answers",
                      answers, *extra, env=env)  # fmt: skip
            seen.append(done)
        assert server.requests, "the lookup was made for real"
    session = session_of(seen[1])
    for args in (
        ("sessions", "show", session),
        ("sessions", "export", session, "--format", "json"),
        ("sessions",),
        ("stats", "paya-connect/customer-portal-access"),
    ):
        seen.append(bw(tmp_path, *args, env=env))
    outputs = [text for done in seen for text in text_of(done)]
    files = [p.read_bytes() for p in tmp_path.glob("sessions.sqlite3*")]
    assert files
    for shape in shapes:
        assert not any(shape in text for text in outputs), shape
        assert not any(shape.encode() in raw for raw in files), shape
    assert not any(half in text for text in outputs)
    assert not any(half.encode() in raw for raw in files)
    if contact.startswith("f"):
        assert "note=your key •••, •••=as a key, split=•••" in seen[0].stdout.decode()


# Caches in BRANCHWISE_CACHE_DIR that are damaged or lie.


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],
        lambda text: "[]",
        lambda text: text.replace('"tags": []', '"tags": 5'),
        lambda text: text.replace('"id": "hostile/tree"', '"id": 5'),
        lambda text: text.replace('"title": ', '"extra": 1, "title": '),
        lambda text: text.replace('"id": "hostile/tree"', '"id": "hostile/other"'),
    ],
)
def test_a_damaged_or_lying_catalog_changes_nothing_a_user_sees(
    tmp_path: Path, hostile: Path, damage
) -> None:
    library = ("--library", str(hostile.parent))
    assert bw(tmp_path, "run", "hostile/tree", *library, "--answers", "Continue,n").returncode == 0
    catalog = tmp_path / "cache" / "catalog.json"
    catalog.write_text(damage(catalog.read_text()))
    done = bw(tmp_path, "run", "hostile/tree", *library, "--answers", "Continue,n", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(text_of(done)[0])["tree"] == "hostile/tree"


def test_a_schema_cache_saying_a_broken_tree_is_clean_never_crashes_a_walk(
    tmp_path: Path,
) -> None:
    from engine.files import engine_key
    from engine.tree.reader import read_file

    broken = tmp_path / "lib" / "broken.yaml"
    broken.parent.mkdir()
    broken.write_text(
        "schema: branchwise/v1\nid: hostile/broken\nversion: 1\ntitle: Broken\nstart: ask\n"
        "nodes:\n"
        "  ask:\n    type: question\n    title: Pick\n    choices:\n"
        '      - {label: Regex, goto: typed, when: {var: x, matches: "(["}}\n'
        "      - {label: Nowhere, goto: 7}\n"
        '  typed: {type: input, title: Type, var: x, pattern: "(", next: end}\n'
        "  end: {type: outcome, status: open, title: End}\n"
    )
    refused = bw(tmp_path, "run", str(broken), "--answers", "Regex")
    assert refused.returncode == 1
    assert "(schema)" in text_of(refused)[1]
    verdict = tmp_path / "cache" / "schema" / f"{read_file(broken).sha256}-{engine_key()}.json"
    assert verdict.is_file()
    verdict.write_text("[]")  # the lie: "no problems"
    for answers, says in (
        ("Regex,anything", "is not a valid regular expression, so no answer fits"),
        ("Nowhere", "'Nowhere' leads to node '', which tree 'hostile/broken' does not have"),
    ):
        done = bw(tmp_path, "run", str(broken), "--answers", answers)
        assert done.returncode == 1
        assert says in text_of(done)[1]


def test_ctrl_c_in_plain_mode_leaves_the_session_resumable(tmp_path: Path, hostile: Path) -> None:
    import signal

    walking = subprocess.Popen(
        [*CLI, "run", str(hostile), "--plain"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=isolated_env(tmp_path),
    )
    assert walking.stdin is not None and walking.stdout is not None
    walking.stdin.write(b"Continue\n")
    walking.stdin.flush()
    line = b""
    while not line.startswith(b"[2] Ask"):  # then the first answer is stored
        line = walking.stdout.readline()
        assert line, "the walk ended before its second question"
    walking.send_signal(signal.SIGINT)
    _, err_bytes = walking.communicate(timeout=60)
    assert walking.returncode == 130
    err = err_bytes.decode()
    assert "Traceback" not in err and not any(char in err for char in FORBIDDEN)
    assert err.startswith("branchwise: interrupted (at 'ask' (Ask ")
    assert "the session stays open.\nResume with: branchwise run " in err
    session = err.rsplit("--resume ", 1)[1].split()[0]
    resumed = bw(tmp_path, "run", str(hostile), "--resume", session, "--answers", "n", "--json")
    assert resumed.returncode == 0
    summary = json.loads(text_of(resumed)[0])
    assert (summary["session"], summary["path"]) == (session, ["step", "ask", "escalated"])
