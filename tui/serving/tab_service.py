"""One browser tab's app: a child process started with the signed-in agent in its environment."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Sequence
from typing import Any

from textual_serve.app_service import AppService

AGENT_VARIABLE = "BRANCHWISE_AGENT"
STOP_GRACE = 5.0  # seconds a child has to quit on its own before it is terminated, then killed

log = logging.getLogger("branchwise.serve")


class TabService(AppService):
    """textual-serve's app service, with an argument list (no shell), the agent, and activity."""

    def __init__(self, argv: Sequence[str], agent: str | None, **options: Any) -> None:
        super().__init__(" ".join(argv), **options)
        self.argv = list(argv)
        self.agent = agent
        self.last_active = time.monotonic()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        environment = super()._build_environment(width, height)
        environment.pop(AGENT_VARIABLE, None)
        if self.agent:
            environment[AGENT_VARIABLE] = self.agent
        return environment

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Any:
        # A list, not a shell command: no path or name is ever parsed by a shell. Its own session,
        # so a Ctrl+C meant for the server is not also delivered to every tab's app.
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=self._build_environment(width=width, height=height),
            start_new_session=True,
        )
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    async def run(self) -> None:
        """Relay the app's output; once it has ended, however it ended (killed too), the tab's
        websocket is closed so the page says so instead of waiting."""
        await super().run()
        await self.remote_close()

    async def send_bytes(self, data: bytes) -> bool:
        """Keys and clicks from the browser: the tab is in use."""
        self.last_active = time.monotonic()
        sent: bool = await super().send_bytes(data)
        return sent

    async def stop(self) -> None:
        """Ask the app to quit (its walk stays open); terminate it if it does not, then kill it."""
        try:
            await asyncio.wait_for(super().stop(), STOP_GRACE)
        except TimeoutError:
            await self._end_process()
        await self._reap()

    async def _end_process(self) -> None:
        process = self._process
        if process is None or process.returncode is not None:
            return
        log.warning("the app of %s (pid %s) did not quit; terminating it", self.agent, self.pid)
        for send in (process.terminate, process.kill):
            with contextlib.suppress(ProcessLookupError):
                send()
            try:
                await asyncio.wait_for(process.wait(), STOP_GRACE)
                return
            except TimeoutError:
                continue

    async def _reap(self) -> None:
        """Wait for the child's exit status so no zombie is left behind."""
        process = self._process
        if process is None:
            return
        try:
            await asyncio.wait_for(process.wait(), STOP_GRACE)
        except TimeoutError:
            await self._end_process()
