"""A session store filled with many walks of the bundled Paya tree, answers and times varied.

For the statistics tests, and by hand (a store to draw `graph --stats` from):

    python -m tests.generated_sessions OUT.sqlite3 [--walks 400] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from engine.library.index import Library
from engine.sessions.store import Store
from engine.tree.model import Action, Input, Outcome
from engine.walk.action_runner import ActionRunner
from engine.walk.walker import Walk

ROOT = Path(__file__).resolve().parents[1]
PORTAL = "paya-connect/customer-portal-access"
START = 1_796_000_000.0  # 2026-11-29, a fixed day so figures do not depend on today
AGENTS = ("ann", "bo", "cy")
# Per node: the chance a walk is abandoned there, and the median seconds spent before answering.
ABANDON = {"find-contact": 0.06, "created-before": 0.12, "not-user-yet": 0.3}
SECONDS = {"find-contact": 40.0, "enter-contact-id": 25.0, "not-user-yet": 60.0}
# The first choice of each question is the likelier one.
FIRST_CHOICE = 0.6
LOOKUPS = ({"is_user": True}, {"is_user": False}, {"error": "Contact not found"})


class Clock:
    """Time that moves on only when told, so each answer takes a chosen number of seconds."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def fill_store(
    db: Path, walks: int = 200, seed: int = 7, trees: Path = ROOT / "trees", start: float = START
) -> None:
    """Walk the Paya tree (the one in `trees`) `walks` times into the store at `db`."""
    chance = random.Random(seed)
    library = Library([trees])
    tree = library.load(PORTAL)
    with Store(db) as store:
        for number in range(walks):
            clock = Clock(start + number * 900 + chance.uniform(0, 600))
            runner = ActionRunner(stubs={"paya.get_contact": chance.choice(LOOKUPS)})
            walk = Walk(
                tree,
                resolve_tree=library.load,
                runner=runner,
                recorder=store.recorder(),
                clock=clock,
                agent=chance.choice(AGENTS),
                ticket=f"T-{1000 + number}",
            )
            _walk_on(walk, clock, chance)


def _walk_on(walk: Walk, clock: Clock, chance: random.Random) -> None:
    """Answer until an outcome, or stop (the walk abandoned, left open) by each node's chance."""
    while not walk.finished and walk.error is None:
        node = walk.node
        if isinstance(node, Outcome):
            return
        if chance.random() < ABANDON.get(node.id, 0.01):
            return
        clock.now += chance.lognormvariate(0, 0.5) * SECONDS.get(node.id, 8.0)
        if isinstance(node, Action) and walk.pending_call() is not None:
            walk.run_pending()
            continue
        walk.answer("c-1001" if isinstance(node, Input) else _pick(walk, chance))


def _pick(walk: Walk, chance: random.Random) -> str:
    options = walk.options()
    if len(options) == 1 or chance.random() < FIRST_CHOICE:
        return options[0].label
    return chance.choice(options[1:]).label


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path, help="the SQLite store to fill (created if missing)")
    parser.add_argument("--walks", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    fill_store(args.db, args.walks, args.seed)
    print(f"{args.walks} walks of {PORTAL} in {args.db}")


if __name__ == "__main__":
    main()
