"""A stored session as a scenario: answers, stubs from recorded results, no secret written."""

from __future__ import annotations

import yaml

from engine.authoring.scenarios import run_scenario, scenarios_in
from engine.authoring.session_scenario import scenario_text
from engine.sessions.store import Store
from engine.walk.masking import MASK
from tests.session_walks import PLANTED, library, runner, start, walk_to_confirm, walk_to_wrap_up


def test_a_walk_with_a_secret_becomes_a_scenario_without_it(tmp_path):
    with Store(tmp_path / "s.sqlite3") as store:
        walk = walk_to_wrap_up(walk_to_confirm(start(store, runner(tmp_path))))
        walk.answer("Continue")
        record = store.load(walk.id)
    text, warnings = scenario_text(record)
    for secret in PLANTED:
        assert secret not in text, secret
    assert warnings == [
        f"the answer to “Paste the support token” was a secret and is not kept: replace {MASK} "
        "with a test value"
    ]
    assert text.startswith(f"# Recorded from session {record.id} of tests/sessions-support ")
    (scenario,) = yaml.safe_load(text)["scenarios"]
    assert scenario["answers"] == ["Continue", "Ada | admin", "1001", "Continue", "Yes", MASK,
                                   "Continue"]  # fmt: skip
    stub = scenario["actions"]["paya.get_contact"]
    assert stub["is_user"] is True and stub["debug"] == f"sent user-api-key {MASK}"
    assert scenario["expect"]["path"][4] == "guide"
    assert scenario["expect"]["path"][5].startswith("tests/sessions-guide:")
    assert (scenario["expect"]["outcome"], scenario["expect"]["status"]) == ("fixed", "resolved")

    # With a test value in place of the secret, the scenario walks the session again.
    (loaded,) = scenarios_in(yaml.safe_load(text.replace(MASK, "test-token")), "s.test.yaml", None)
    result = run_scenario(loaded, library().load)
    assert result.failures == []
