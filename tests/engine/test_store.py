"""The SQLite session store: rows written as the walk moves, going back, notes, resume, secrets."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from engine.errors import BranchwiseError, StoreFailed
from engine.sessions.record import record_of
from engine.sessions.resume import resume_walk
from engine.sessions.store import SCHEMA_VERSION, Store
from engine.walk.masking import MASK
from engine.walk.walker import Walk
from tests.session_walks import (
    CONTACT,
    PLANTED,
    SECRET_TOKEN,
    TREE_ID,
    TREES,
    library,
    runner,
    start,
    walk_to_confirm,
    walk_to_wrap_up,
)


def _rows(path: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    """Rows read through a connection of its own: only what was committed is seen."""
    db = sqlite3.connect(path)
    try:
        return db.execute(sql, params).fetchall()
    finally:
        db.close()


def test_a_new_store_creates_its_folder_and_schema(tmp_path):
    path = tmp_path / "deep" / "er" / "sessions.sqlite3"
    with Store(path):
        pass
    assert _rows(path, "SELECT max(version) FROM schema_version") == [(SCHEMA_VERSION,)]
    assert _rows(path, "PRAGMA journal_mode") == [("wal",)]
    with Store(path):  # opening again migrates nothing twice
        pass
    assert _rows(path, "SELECT count(*) FROM schema_version") == [(SCHEMA_VERSION,)]


def test_a_store_from_a_newer_version_or_not_sqlite_is_refused_clearly(tmp_path):
    newer = tmp_path / "newer.sqlite3"
    with Store(newer):
        pass
    db = sqlite3.connect(newer)
    db.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION + 1,))
    db.commit()
    db.close()
    with pytest.raises(BranchwiseError, match="made by a newer branchwise"):
        Store(newer)
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is not a database, just text " * 100)
    with pytest.raises(BranchwiseError, match="cannot use the session store"):
        Store(junk)


def test_each_step_is_committed_as_it_is_taken(backend, tmp_path):
    store = backend.open()
    walk = start(store, runner(tmp_path))
    steps = "SELECT idx, node_id, answer, auto FROM steps WHERE session_id = ? ORDER BY idx"
    assert backend.rows(steps, walk.id) == [(0, "welcome", None, 0)]
    walk.answer("Continue")
    assert backend.rows(steps, walk.id) == [(0, "welcome", "Continue", 0), (1, "which", None, 0)]
    walk_to_confirm_from_which(walk)
    assert backend.rows(steps, walk.id) == [
        (0, "welcome", "Continue", 0),
        (1, "which", "Ada | admin", 0),
        (2, "ask-id", "1001", 0),
        (3, "look-up", "Is a user", 0),
        (4, "guide", "→ Portal guide", 1),
        (5, "read", "Continue", 0),
        (6, "done", "resolved", 1),
        (7, "confirm", None, 0),
    ]
    session = backend.rows("SELECT tree_id, agent, ticket, status, ended_at FROM sessions")
    assert session == [(TREE_ID, "ann", "T-100", "open", None)]
    store.close()


def walk_to_confirm_from_which(walk):
    walk.answer("a")
    walk.answer("1001")
    walk.run_pending()
    walk.answer("Continue")


def test_action_calls_keep_params_mode_result_and_route(backend, tmp_path):
    with backend.open() as store:
        walk = walk_to_confirm(start(store, runner(tmp_path)))
    (call,) = backend.rows(
        "SELECT step_idx, uses, params_json, mode, side_effects, result_json, error, route "
        "FROM action_calls WHERE session_id = ?",
        walk.id,
    )
    assert call[:2] == (3, "paya.get_contact")
    assert json.loads(str(call[2])) == {"contact_id": "1001"}
    assert call[3:5] == ("stubbed", 0)
    result = json.loads(str(call[5]))
    assert result["is_user"] is True and result["email"] == CONTACT["email"]
    assert result["debug"] == f"sent user-api-key {MASK}"
    assert call[6:] == (None, "Is a user")


def test_the_outcome_ends_the_session_with_its_status(backend, tmp_path):
    with backend.open() as store:
        walk = walk_to_wrap_up(walk_to_confirm(start(store, runner(tmp_path))))
        walk.answer("Continue")
        assert walk.status == "resolved"
        record = store.load(walk.id)
    assert (record.status, record.outcome) == ("resolved", "fixed")
    assert record.ended_at is not None and record.ended_at >= record.started_at
    assert record.steps[-1].node_id == "fixed"
    assert record.variables["contact_id"] == "1001"
    assert record.variables["api_token"] == MASK


def test_going_back_drops_later_steps_and_keeps_what_was_dropped(backend, tmp_path):
    with backend.open() as store:
        walk = start(store, runner(tmp_path))
        walk.answer("Continue")
        walk.answer("b")
        walk.note("wrong contact at first")
        walk.answer("2002")
        walk.run_pending()
        assert walk.node.id == "read"
        walk.jump(1)
        walk.answer("a")
        record = store.load(walk.id)
    assert [s.node_id for s in record.steps] == ["welcome", "which", "ask-id"]
    assert record.steps[1].answer == "Ada | admin"
    assert record.steps[2].answer is None and record.steps[2].notes == ()
    assert record.variables.get("area") == "admin" and "contact" not in record.variables
    (rewind,) = record.rewinds
    assert (rewind.to_idx, rewind.reason) == (1, "went back")
    dropped = {s.node_id: s for s in rewind.dropped}
    assert dropped["which"].answer == "Bob"
    assert dropped["ask-id"].answer == "2002"
    assert [n.text for n in dropped["ask-id"].notes] == ["wrong contact at first"]
    assert dropped["look-up"].action is not None
    assert backend.rows("SELECT count(*) FROM action_calls") == [(0,)]


def test_notes_stay_with_their_step_in_order(backend, tmp_path):
    with backend.open() as store:
        walk = start(store, runner(tmp_path))
        walk.note("first")
        walk.note("second")
        walk.answer("Continue")
        walk.note("on the question")
        record = store.load(walk.id)
    assert [n.text for n in record.steps[0].notes] == ["first", "second"]
    assert [n.text for n in record.steps[1].notes] == ["on the question"]
    assert all(n.at is not None for s in record.steps for n in s.notes)


def test_an_edited_note_is_updated_in_its_row_and_keeps_its_place_and_time(backend, tmp_path):
    with backend.open() as store:
        walk = start(store, runner(tmp_path))
        walk.note("first")
        walk.note("secnd")
        walk.answer("Continue")
        walk.note("on the question")
        taken_at = backend.rows("SELECT at FROM notes ORDER BY id")
        walk.edit_note(0, 1, "second")
        walk.edit_note(1, 0, "the question, edited")
        record = store.load(walk.id)
    assert [n.text for n in record.steps[0].notes] == ["first", "second"]
    assert [n.text for n in record.steps[1].notes] == ["the question, edited"]
    assert backend.rows("SELECT at FROM notes ORDER BY id") == taken_at
    assert backend.rows("SELECT count(*) FROM notes") == [(3,)]


def test_an_edited_note_is_stored_with_secrets_masked(backend, tmp_path):
    with backend.open() as store:
        walk = walk_to_wrap_up(walk_to_confirm(start(store, runner(tmp_path))))
        walk.note("nothing secret yet")
        walk.edit_note(len(walk.visits) - 1, 0, f"token was {SECRET_TOKEN}")
        record = store.load(walk.id)
    assert record.steps[-1].notes[0].text == f"token was {MASK}"
    assert SECRET_TOKEN.encode() not in backend.everything()


def test_the_store_holds_what_a_live_record_holds(backend, tmp_path):
    with backend.open() as store:
        walk = walk_to_wrap_up(walk_to_confirm(start(store, runner(tmp_path))))
        stored = store.load(walk.id)
    live = record_of(walk)
    assert [(s.idx, s.node_id, s.answer, s.auto) for s in stored.steps] == [
        (s.idx, s.node_id, s.answer, s.auto) for s in live.steps
    ]
    assert stored.variables == live.variables
    assert [s.node_title for s in stored.steps] == [s.node_title for s in live.steps]


def test_a_walk_begun_unrecorded_is_stored_whole_when_it_joins_the_store(backend, tmp_path):
    # The terminal app paints the first question, then opens the store: nothing may be lost,
    # whatever the walk did meanwhile (steps, an action's result, notes, a secret).
    with backend.open("recorded") as store:
        recorded = walk_to_wrap_up(walk_to_confirm(start(store, runner(tmp_path))))
        expected = store.load(recorded.id)
    lib = library()
    late = Walk(lib.load(TREE_ID), resolve_tree=lib.load, runner=runner(tmp_path), agent="ann",
                ticket="T-100")  # fmt: skip
    walk_to_wrap_up(walk_to_confirm(late))
    with backend.open("joined") as store:
        late.record_with(store.recorder())
        late.answer("Continue")  # recorded as usual from now on
        joined = store.load(late.id)
    before = joined.steps[: len(expected.steps)]
    assert [(s.node_id, s.answer, s.auto) for s in before[:-1]] == [
        (s.node_id, s.answer, s.auto) for s in expected.steps[:-1]
    ]
    assert (before[-1].node_id, before[-1].answer) == (expected.steps[-1].node_id, "Continue")
    assert [[n.text for n in s.notes] for s in before] == [
        [n.text for n in s.notes] for s in expected.steps
    ]
    assert [s.action.result if s.action else None for s in before] == [
        s.action.result if s.action else None for s in expected.steps
    ]
    assert len(joined.steps) == len(expected.steps) + 1
    assert joined.variables == record_of(late).variables
    assert (joined.agent, joined.ticket, joined.status) == ("ann", "T-100", late.status)
    assert SECRET_TOKEN.encode() not in backend.everything("joined")


def test_list_filters_by_status_and_tree_newest_first(backend, tmp_path):
    with backend.open() as store:
        ended = walk_to_confirm(start(store, runner(tmp_path), ticket="T-1"))
        ended.answer("n")
        open_one = start(store, runner(tmp_path), ticket="T-2")
        rows = store.list_sessions()
        assert [r.id for r in rows] == [open_one.id, ended.id]
        assert [r.status for r in rows] == ["open", "escalated"]
        assert rows[1].steps == 7 and rows[1].outcome == "stuck"
        assert [r.id for r in store.list_sessions(status="escalated")] == [ended.id]
        assert [r.id for r in store.open_sessions()] == [open_one.id]
        assert store.list_sessions(tree="tests/other") == []
        assert len(store.list_sessions(limit=1)) == 1


def test_load_takes_a_unique_prefix_and_says_what_is_wrong(backend, tmp_path):
    with backend.open() as store:
        run = runner(tmp_path)
        first = start(store, run, session_id="abc111111111")
        start(store, run, session_id="abc222222222")
        assert store.load("abc1").id == first.id
        with pytest.raises(BranchwiseError, match="ambiguous: abc111111111, abc222222222"):
            store.load("abc")
        with pytest.raises(BranchwiseError, match="no session 'ffff'"):
            store.load("ffff")
        with pytest.raises(BranchwiseError, match="already exists"):
            start(store, run, session_id="abc111111111")


def test_resume_replays_to_the_same_node_with_the_same_variables(backend, tmp_path):
    with backend.open() as store:
        walk = walk_to_confirm(start(store, runner(tmp_path), variables={"region": "eu"}))
        steps_before = backend.rows("SELECT * FROM steps ORDER BY idx")
        calls_before = backend.rows("SELECT * FROM action_calls")
    with backend.open() as store:
        # A runner whose action would give another answer: nothing is called again.
        resumed = resume_walk(store, walk.id[:6], library(), runner(tmp_path, {"is_user": False}))
        again = resumed.walk
        assert resumed.messages == ()
        assert again.id == walk.id and again.node.id == "confirm"
        assert again.public_variables() == walk.public_variables()
        assert again.path() == walk.path()
        assert (again.agent, again.ticket) == ("ann", "T-100")
        assert again.visits[2].notes == ["customer called twice"]
        assert backend.rows("SELECT * FROM steps ORDER BY idx") == steps_before
        assert backend.rows("SELECT * FROM action_calls") == calls_before
        again.answer("n")
        record = store.load(walk.id)
    assert record.status == "escalated" and record.rewinds == ()
    assert [s.idx for s in record.steps] == list(range(9))
    assert len([n for s in record.steps for n in s.notes]) == 1


def test_resume_asks_for_a_secret_again(backend, tmp_path):
    with backend.open() as store:
        walk = walk_to_wrap_up(walk_to_confirm(start(store, runner(tmp_path))))
    with backend.open() as store:
        resumed = resume_walk(store, walk.id, library(), runner(tmp_path))
        again = resumed.walk
        assert again.node.id == "token"
        assert resumed.messages == (
            "“Paste the support token” takes a secret, which is not kept: give it again",
        )
        again.answer(SECRET_TOKEN)
        again.answer("Continue")
        record = store.load(walk.id)
    assert record.status == "resolved"
    assert [s.node_id for s in record.steps][-3:] == ["token", "wrap-up", "fixed"]
    (rewind,) = record.rewinds
    assert rewind.to_idx == 8 and "takes a secret" in rewind.reason
    assert [n.text for s in rewind.dropped for n in s.notes] == [f"token given was {MASK}"]


def test_resume_after_the_tree_changed_stops_where_an_answer_no_longer_fits(backend, tmp_path):
    trees = tmp_path / "trees"
    shutil.copytree(TREES, trees)
    with backend.open() as store:
        walk = start(store, runner(tmp_path), lib=library(trees))
        walk.answer("Continue")
        walk.answer("Bob")
        walk.answer("2002")
    tree_file = trees / "support.yaml"
    text = tree_file.read_text("utf-8").replace("label: Bob,", "label: Robert,")
    tree_file.write_text(text.replace("version: 4", "version: 5"), "utf-8")
    with backend.open() as store:
        resumed = resume_walk(store, walk.id, library(trees), runner(tmp_path))
        assert resumed.walk.node.id == "which"
        assert "changed since this session began (version 4, now 5)" in resumed.messages[0]
        assert "'Bob' no longer fits" in resumed.messages[1]
        record = store.load(walk.id)
    assert [(s.node_id, s.answer) for s in record.steps] == [
        ("welcome", "Continue"),
        ("which", None),
    ]
    assert [s.answer for s in record.rewinds[0].dropped] == ["Bob", "2002"]


def test_resume_replays_a_step_done_by_hand(backend, tmp_path):
    from engine.walk.action_runner import ActionRunner

    by_hand = ActionRunner(library().registry)  # no config: paya.get_contact is manual
    with backend.open() as store:
        walk = start(store, by_hand)
        for answer in ("Continue", "a", "1001", "Is a user", "Continue"):
            walk.answer(answer)
        assert walk.node.id == "confirm"
    with backend.open() as store:
        resumed = resume_walk(store, walk.id, library(), runner(tmp_path))
        assert resumed.walk.node.id == "confirm" and resumed.messages == ()
        call = store.load(walk.id).steps[3].action
    assert call is not None and (call.mode, call.route) == ("manual", "Is a user")


def test_resume_refuses_an_ended_session(backend, tmp_path):
    with backend.open() as store:
        walk = walk_to_confirm(start(store, runner(tmp_path)))
        walk.answer("n")
        with pytest.raises(BranchwiseError, match="has ended \\(escalated\\)"):
            resume_walk(store, walk.id, library(), runner(tmp_path))


def test_planted_secrets_never_reach_the_store_file(backend, tmp_path):
    with backend.open() as store:
        walk = walk_to_wrap_up(walk_to_confirm(start(store, runner(tmp_path))))
        walk.back()
        walk.answer(SECRET_TOKEN)
        assert walk.variables["api_token"] == SECRET_TOKEN  # the walk itself has it
        raw_while_open = backend.everything()
    raw = backend.everything()
    for secret in PLANTED:
        assert secret.encode() not in raw_while_open, secret
        assert secret.encode() not in raw, secret
    assert MASK.encode() in raw


# Two walks of one session at once, and stores that are damaged or not ours.


def test_two_walks_resuming_one_session_cannot_overwrite_each_other(backend, tmp_path):
    from engine.sessions.store import SessionChanged

    with backend.open() as store:
        walk = start(store, runner(tmp_path))
        walk.answer("Continue")
        session = walk.id
    with backend.open() as first_store, backend.open() as second_store:
        first = resume_walk(first_store, session, library(), runner(tmp_path)).walk
        # Resuming writes (the session is caught up), so the later resume takes the session
        # over and the earlier walk is refused at its next step, before it writes anything.
        second = resume_walk(second_store, session, library(), runner(tmp_path)).walk
        with pytest.raises(SessionChanged, match=f"session {session} was changed by another walk"):
            first.answer("b")
        second.answer("a")
        second.answer("1001")
        with pytest.raises(SessionChanged):
            first.note("too late")
        record = second_store.load(session)
    assert [step.answer for step in record.steps] == ["Continue", "Ada | admin", "1001", None]
    assert record.rewinds == () and all(not step.notes for step in record.steps)


def test_a_walk_whose_session_was_pruned_meanwhile_is_refused_and_writes_nothing(backend, tmp_path):
    from engine.sessions.store import SessionChanged

    with backend.open() as store, backend.open() as other:
        walk = start(store, runner(tmp_path))
        walk.answer("Continue")
        shown = walk.node.id
        assert other.prune(before=walk.clock() + 86400) == 1
        with pytest.raises(SessionChanged, match=f"session {walk.id} was changed"):
            walk.answer("a")
        with pytest.raises(SessionChanged):
            walk.note("after the prune")
        assert walk.node.id == shown  # the walk is put back where it was
        assert other.list_sessions() == []
        with other.reading() as db:
            for table in ("steps", "notes", "action_calls", "rewinds"):
                rows = db.execute(f"SELECT count(*) FROM {table}").fetchone()
                assert rows[0] == 0, table


def test_a_walk_of_its_own_keeps_writing_after_many_steps(backend, tmp_path):
    with backend.open() as store:
        walk = walk_to_confirm(start(store, runner(tmp_path)))
        walk.note("checked twice")
        assert store.revision(walk.id) >= 6
        resumed = resume_walk(store, walk.id, library(), runner(tmp_path)).walk
        resumed.answer("y")  # the resumed walk took the revision it read
        assert store.load(walk.id).steps[-2].answer == "Yes"


def test_a_schema_version_that_is_not_a_number_is_refused(tmp_path):
    path = tmp_path / "other.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE schema_version (version TEXT)")
    db.execute("INSERT INTO schema_version VALUES ('abc')")
    db.commit()
    db.close()
    with pytest.raises(
        BranchwiseError, match=r"not a session store of branchwise \(schema 'abc'\)"
    ):
        Store(path)


@pytest.mark.parametrize(
    ("sql", "says"),
    [
        ("UPDATE sessions SET variables_json = '{'", "Expecting property name"),
        ("UPDATE sessions SET started_at = 'yesterday'", "started_at has the wrong type"),
        ("UPDATE steps SET answer = x'ff00'", "steps.answer has the wrong type"),
        ("UPDATE steps SET entered_at = 'soon'", "steps.entered_at has the wrong type"),
        (
            "INSERT INTO rewinds (session_id, to_idx, at, reason, dropped_json) "
            "SELECT id, 0, 0, 'x', '[{\"bogus\": 1}]' FROM sessions",
            "unexpected keyword argument 'bogus'",
        ),
    ],
)
def test_a_damaged_session_is_refused_with_its_id_not_a_traceback(tmp_path, sql, says):
    path = tmp_path / "s.sqlite3"
    with Store(path) as store:
        walk = start(store, runner(tmp_path))
        walk.answer("Continue")
    db = sqlite3.connect(path)
    db.execute(sql)
    db.commit()
    db.close()
    with Store(path) as store:
        with pytest.raises(BranchwiseError, match=f"session {walk.id} is damaged") as damaged:
            store.load(walk.id)
        assert says in damaged.value.message
        with pytest.raises(BranchwiseError, match="is damaged"):
            resume_walk(store, walk.id, library(), runner(tmp_path))


def test_sqlite_failures_reach_callers_as_store_failed_with_the_file(tmp_path):
    path = tmp_path / "s.sqlite3"
    with Store(path) as store:
        walk = start(store, runner(tmp_path))
        damage = sqlite3.connect(path)
        damage.execute("DROP TABLE steps")
        damage.commit()
        damage.close()
        with pytest.raises(StoreFailed, match=r"s\.sqlite3: cannot write to the session store"):
            walk.answer("Continue")
        with pytest.raises(StoreFailed, match=r"cannot read the session store \(no such table"):
            store.load(walk.id)


def test_a_store_of_a_newer_schema_is_refused_on_either_backend(backend):
    with backend.open() as store, store.writing() as db:
        db.execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION + 1,))
    with pytest.raises(BranchwiseError, match="made by a newer branchwise"):
        backend.open()


def test_both_backends_know_the_same_schema_versions():
    from engine.sessions import postgres, sqlite

    assert len(postgres.MIGRATIONS) == len(sqlite.MIGRATIONS) == SCHEMA_VERSION
