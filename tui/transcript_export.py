"""The transcript of a walk, as the export gives it: shown, copied, saved, or downloaded."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.errors import BranchwiseError
from tui.literal import notify_plain

if TYPE_CHECKING:
    from textual.app import App

    from engine.walk.walker import Walk


def transcript_markdown(walk: Walk, store: Any = None) -> str:
    """The session's Markdown: from the store when it keeps the session (rewinds included)."""
    from engine.sessions.record import record_of
    from engine.sessions.transcript import to_markdown

    record = None
    if store is not None:
        try:
            record = store.load(walk.id)
        except BranchwiseError:
            record = None
    return to_markdown(record if record is not None else record_of(walk))


def write_transcript(text: str, given: str, cwd: Path | None = None) -> Path:
    """Write the transcript to a path (relative to cwd); a clear error when it cannot."""
    if not given.strip():
        raise BranchwiseError("a file name is needed")
    path = Path(given.strip()).expanduser()
    if not path.is_absolute():
        path = (cwd or Path.cwd()) / path
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise BranchwiseError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path


def copy_transcript(app: App[Any], text: str) -> None:
    """Put the transcript on the clipboard (through the terminal) and say so."""
    app.copy_to_clipboard(text)
    notify_plain(app, "Transcript copied to the clipboard.")


def download_transcript(app: App[Any], text: str, session_id: str) -> None:
    """In a browser: hand the transcript to it as a Markdown file to download."""
    import io

    app.deliver_text(io.StringIO(text), save_filename=f"{session_id}.md", mime_type="text/markdown")
    notify_plain(app, f"Transcript sent to the browser as {session_id}.md")


def offered_where(action: str, is_web: bool) -> bool:
    """Whether a transcript action is offered: in a browser, a download instead of a file saved
    on the server (which is not the agent's machine, nor theirs to write on)."""
    if action == "download":
        return is_web
    if action == "save":
        return not is_web
    return True


def save_transcript(app: App[Any], text: str, session_id: str) -> None:
    """Ask where to save the transcript (default `<session-id>.md`), then write it there."""
    from tui.screens.prompt import PromptScreen

    def save(given: str | None) -> None:
        if given is None:
            return
        try:
            path = write_transcript(text, given)
        except BranchwiseError as exc:
            notify_plain(app, exc.message, "error")
            return
        notify_plain(app, f"Transcript saved to {path}")

    app.push_screen(PromptScreen("Save the transcript to", f"{session_id}.md"), save)
