"""Settings of one simulator instance: what the CLI flags and the tests tune."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field

ALL_FAULT_KINDS: tuple[str, ...] = (
    "latency",
    "429",
    "500",
    "502",
    "503",
    "timeout",
    "reset",
    "truncated",
    "html",
    "malformed",
    "wrongtypes",
    "unknown_status",
    "duplicate",
    "vanish",
    "lost_response",
)

PROVIDERS: tuple[str, ...] = ("wexa", "edges", "b3os")

# Seeded runs at most: each run is held in memory (99,999,999,999 asked for 24 GB).
# The benchmarks use at most 100,000.
MAX_RUNS = 1_000_000

KEY_ENV: dict[str, str] = {
    "wexa": "RUNTUI_SIM_WEXA_KEY",
    "edges": "RUNTUI_SIM_EDGES_KEY",
    "b3os": "RUNTUI_SIM_B3OS_KEY",
}

DEFAULT_KEYS: dict[str, str] = {
    "wexa": "sim-wexa-key",
    "edges": "sim-edges-key",
    "b3os": "sim-b3os-key",
}


def default_keys() -> dict[str, str]:
    """Keys from the environment so a shell that exported them keeps working."""
    return {p: os.environ.get(KEY_ENV[p]) or DEFAULT_KEYS[p] for p in PROVIDERS}


@dataclass
class SimConfig:
    """Everything that shapes the simulated world; same values give the same seeded runs."""

    seed: int = 7
    runs: int = 60
    speed: float = 1.0
    faults: float = 0.0
    fault_kinds: tuple[str, ...] = ALL_FAULT_KINDS
    active_fraction: float = 0.25
    spawn_every: float = 20.0
    inbox: int = 0  # Wexa executions parked on an inbox item at start (the demo shows some)
    keys: dict[str, str] = field(default_factory=default_keys)

    def __post_init__(self) -> None:
        unknown = [k for k in self.fault_kinds if k not in ALL_FAULT_KINDS]
        if unknown:
            raise ValueError(f"unknown fault kinds: {', '.join(unknown)}")
        if not 0.0 <= self.faults <= 1.0:
            raise ValueError("faults must be between 0 and 1")
        if not math.isfinite(self.speed) or self.speed <= 0:
            raise ValueError("speed must be a positive number")  # nan compared as neither
        if not math.isfinite(self.spawn_every) or self.spawn_every < 0:
            raise ValueError("spawn-every must be 0 or more seconds")
        if not 0 <= self.inbox <= MAX_RUNS:
            raise ValueError(f"inbox must be 0 to {MAX_RUNS:,}")
        if not 0 <= self.runs <= MAX_RUNS:
            raise ValueError(f"runs must be 0 to {MAX_RUNS:,}")
        self.fault_kinds = tuple(self.fault_kinds)
