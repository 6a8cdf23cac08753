"""Walks of tests/data/sessions trees for the store, transcript and CLI tests, secrets planted."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from engine.actions.config import Config, load_config
from engine.library.index import Library
from engine.sessions.store import Store
from engine.walk.action_runner import ActionRunner
from engine.walk.walker import Walk

TREES = Path(__file__).parent / "data" / "sessions"
TREE_ID = "tests/sessions-support"

# Planted secrets: none of these may ever reach a store file, a transcript or an export.
SECRET_TOKEN = "tok-PLANTED-5521x"  # typed into an input whose variable is declared secret
API_KEY = "key-PLANTED-9c8b7a"  # a config credential
DEVELOPER_ID = "dev-PLANTED-1f2e"
USER_ID = "uid-PLANTED-3d4c"
PLANTED = (SECRET_TOKEN, API_KEY, DEVELOPER_ID, USER_ID)

CONTACT = {
    "is_user": True,
    "email": "ada@example.com",
    # An action that echoes what it was sent: the credential must still not be kept.
    "debug": f"sent user-api-key {API_KEY}",
    "first_name": "Ada",
}


def library(directory: Path = TREES) -> Library:
    return Library([directory])


def config(tmp_path: Path) -> Config:
    env = {
        "BRANCHWISE_PAYA_DEVELOPER_ID": DEVELOPER_ID,
        "BRANCHWISE_PAYA_USER_ID": USER_ID,
        "BRANCHWISE_PAYA_USER_API_KEY": API_KEY,
    }
    return load_config(tmp_path / "no-config.toml", env)


def runner(tmp_path: Path, result: Any = None) -> ActionRunner:
    """A runner whose paya.get_contact answers `result` (default CONTACT) without the network."""
    lib = library()
    stub = CONTACT if result is None else result
    return ActionRunner(lib.registry, config(tmp_path), stubs={"paya.get_contact": stub})


def start(store: Store, run: ActionRunner, lib: Library | None = None, **kwargs: Any) -> Walk:
    lib = lib or library()
    return Walk(
        lib.load(TREE_ID),
        resolve_tree=lib.load,
        runner=run,
        recorder=store.recorder(),
        agent=kwargs.pop("agent", "ann"),
        ticket=kwargs.pop("ticket", "T-100"),
        **kwargs,
    )


def walk_to_confirm(walk: Walk) -> Walk:
    """welcome → which (Ada) → contact id 1001 → look-up (stubbed) → linked guide → confirm."""
    walk.answer("Continue")
    walk.answer("a")
    walk.note("customer called twice")
    walk.answer("1001")
    walk.run_pending()
    walk.answer("Continue")
    assert walk.node.id == "confirm", walk.path()
    return walk


def walk_to_wrap_up(walk: Walk) -> Walk:
    """On from confirm: Yes, the secret token typed in, a note that repeats it."""
    walk.answer("y")
    walk.answer(SECRET_TOKEN)
    walk.note(f"token given was {SECRET_TOKEN}")
    assert walk.node.id == "wrap-up", walk.path()
    return walk


def store_bytes(path: Path) -> bytes:
    """Every byte of a SQLite store: the file and its write-ahead log, if any."""
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
