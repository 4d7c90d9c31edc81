"""Per-profile health, as the status bar and `profiles test` show it."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

import msgspec


class HealthState(enum.StrEnum):
    LOADING = "loading"
    OK = "ok"
    ERROR = "error"
    RATE_LIMITED = "rate-limited"
    STALE = "stale"
    CONFIG = "config-error"
    PAUSED = "paused"


class Health(msgspec.Struct, frozen=True):
    profile: str
    state: HealthState = HealthState.LOADING
    message: str | None = None
    since: datetime | None = None  # when this state began
    last_ok: datetime | None = None
    retry_at: datetime | None = None
    runs: int = 0
    requests: int = 0

    def describe(self, now: datetime | None = None) -> str:
        now = now or datetime.now(UTC)
        if self.state is HealthState.RATE_LIMITED and self.retry_at is not None:
            wait = max(0, int((self.retry_at - now).total_seconds()))
            said = f" ({self.message})" if self.message else ""
            return f"rate-limited{said}, retry in {wait}s"
        if self.state in (HealthState.ERROR, HealthState.CONFIG, HealthState.STALE):
            text = f"{self.state.value}: {self.message or 'unknown error'}"
            if self.last_ok is not None:
                text += f" (stale since {self.last_ok.astimezone().strftime('%H:%M:%S')})"
            return text
        if self.state is HealthState.LOADING and self.message:
            waited = f" ({int((now - self.since).total_seconds())} s)" if self.since else ""
            return f"{self.message}{waited}"  # what it waits for, e.g. its key command
        return self.state.value
