"""Tasks (Wexa's scheduled and queued agent tasks) for the table's task scope.

Tasks are a second kind of row on platforms that have them (`Kind.TASK` in an
adapter's `kinds`). They live in their own store, read only while a face shows
them: the run watchers' listings never see tasks, so mixing the two would have
each drop the other's rows. One listing per task profile a tick, newest first.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

from runtui.engine.store import RunStore
from runtui.errors import RuntuiError
from runtui.model import Kind
from runtui.providers.base import ListQuery, Provider


class TaskPoller:
    """Keeps `store` holding each task profile's newest tasks while it runs."""

    def __init__(self, providers: dict[str, Provider], store: RunStore, *, interval: float,
                 limit: int | None, on_error: Callable[[str, RuntuiError], None]) -> None:
        self.providers = {name: p for name, p in providers.items() if Kind.TASK in p.kinds}
        self.store = store
        self.interval = interval
        self.limit = limit
        self.on_error = on_error
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        if not self.running:
            self._task = asyncio.get_running_loop().create_task(self._loop(), name="tasks")

    def refresh_now(self) -> None:
        self._wake.set()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def poll_once(self) -> None:
        """Every profile at once: one whose key command hangs holds back none of the others."""
        await asyncio.gather(*(self._read(name, provider) for name, provider in self.providers.items()))

    async def _read(self, name: str, provider: Provider) -> None:
        try:
            tasks = await provider.list_runs(ListQuery(kind=Kind.TASK, limit=self.limit))
        except RuntuiError as exc:
            self.on_error(name, exc)  # the profile's rows stay as they were
            return
        self.store.upsert(tasks)
        if self.limit is None or len(tasks) < self.limit:
            self.store.drop_missing(name, {t.key for t in tasks})

    async def _loop(self) -> None:
        while True:
            await self.poll_once()
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.interval):
                    await self._wake.wait()
