"""Text for the screen with every secret value a walk holds masked, as the store keeps it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.walk.action_runner import mask_text

if TYPE_CHECKING:
    from engine.walk.walker import Walk


def masked(walk: Walk, text: str) -> str:
    """A text for the screen with every secret value the walk holds masked, as the store keeps
    it (a secret shown in a title, an answer's label or a breadcrumb, say)."""
    if not walk.secrets and not walk.runner.config_secrets():
        return text  # the usual case: engine.sessions.record (ms) is not loaded for the first frame
    from engine.sessions.record import Redactor

    return mask_text(text, Redactor.of(walk).secrets)
