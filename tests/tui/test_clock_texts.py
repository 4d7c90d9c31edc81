"""The tick skips a row until `next_change`: that must never be later than a real change."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from runtui.model import Run, Status
from runtui.tui.widgets.columns import next_change, time_texts

KEYS = ("created", "duration", "updated")
NOW = datetime(2026, 11, 24, 12, 0, 0, tzinfo=UTC)


def _run(rng: random.Random) -> Run:
    status = rng.choice([Status.RUNNING, Status.PAUSED, Status.QUEUED, Status.SUCCEEDED, Status.FAILED])

    def when() -> datetime | None:
        if rng.random() < 0.1:
            return None
        # mostly the recent past, some days old, a few in the (skewed) future
        seconds = rng.choice([rng.uniform(-120, 120), rng.uniform(0, 7200), rng.uniform(0, 4 * 86400)])
        return NOW - timedelta(seconds=seconds)

    created = when()
    started = None if status is Status.QUEUED and rng.random() < 0.5 else when()
    finished = when() if status.terminal and rng.random() < 0.8 else None
    return Run(profile="p", provider="edges", id="r", status=status, raw_status=status.value,
               created_at=created, started_at=started, finished_at=finished, updated_at=when())


def test_no_clock_text_changes_before_next_change() -> None:
    rng = random.Random(7)
    for _ in range(400):
        run = _run(rng)
        start = NOW + timedelta(seconds=rng.uniform(0, 60))
        texts = time_texts(KEYS, run, start)
        until = next_change(KEYS, run, start.timestamp())
        assert until >= start.timestamp()
        # every second (and just before `until`) up to it, or two hours if it never changes
        horizon = min(until - start.timestamp(), 7200.0)
        points = [float(s) for s in range(1, int(horizon))] + [max(0.0, horizon - 0.001)]
        for offset in points:
            later = start + timedelta(seconds=offset)
            assert time_texts(KEYS, run, later) == texts, (run, start, offset, until)


def test_a_running_run_is_looked_at_every_step_and_a_finished_one_never() -> None:
    running = Run(profile="p", provider="edges", id="r", status=Status.RUNNING, raw_status="RUNNING",
                  started_at=NOW - timedelta(seconds=12))
    assert next_change(("duration",), running, NOW.timestamp()) == NOW.timestamp() + 3  # 12 s -> 15 s
    done = Run(profile="p", provider="edges", id="r", status=Status.SUCCEEDED, raw_status="SUCCEEDED",
               started_at=NOW - timedelta(seconds=90), finished_at=NOW - timedelta(seconds=30))
    assert next_change(("duration",), done, NOW.timestamp()) == float("inf")
    # no created time: the start time stands in, "1m ago" until it is two minutes old
    assert next_change(("created",), done, NOW.timestamp()) == NOW.timestamp() + 30
    aged = Run(profile="p", provider="edges", id="r", status=Status.SUCCEEDED, raw_status="SUCCEEDED",
               created_at=NOW - timedelta(seconds=150))
    assert next_change(("created",), aged, NOW.timestamp()) == NOW.timestamp() + 30  # "2m ago" -> "3m ago"
