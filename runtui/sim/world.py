"""The whole simulated world: clock, catalog, the three providers, faults, stats.

Every provider request calls `sync()` first, which spawns the runs that are due
and advances the runs whose next event has passed.
"""

from __future__ import annotations

import random
import threading

from .b3os_runs import B3osSim
from .catalog import Catalog
from .config import PROVIDERS, SimConfig
from .edges_runs import EdgesSim
from .faults import FaultState
from .runs import INF, Lifecycle, RunStore
from .state import SimClock
from .wexa_runs import WexaSim

MAX_SPAWNS_PER_SYNC = 500


class Stats:
    """Request counts since start (or the last reset), for tests and the benchmark."""

    def __init__(self) -> None:
        self.total = 0
        self.providers: dict[str, int] = {}
        self.routes: dict[str, int] = {}

    def record(self, provider: str, route: str) -> None:
        self.total += 1
        self.providers[provider] = self.providers.get(provider, 0) + 1
        self.routes[route] = self.routes.get(route, 0) + 1

    def reset(self) -> None:
        self.total = 0
        self.providers.clear()
        self.routes.clear()


def split_runs(total: int) -> dict[str, int]:
    """About a third each, the remainder going to the first providers."""
    base, rem = divmod(total, len(PROVIDERS))
    return {p: base + (1 if i < rem else 0) for i, p in enumerate(PROVIDERS)}


class World:
    """One simulator instance; lives on the server's event loop thread."""

    def __init__(self, config: SimConfig) -> None:
        self.config = config
        self.clock = SimClock(config.speed)
        self.catalog = Catalog(config.seed)
        self.wexa = WexaSim(self.catalog, self.clock)
        self.edges = EdgesSim(self.catalog, self.clock)
        self.b3os = B3osSim(self.catalog, self.clock)
        counts = split_runs(config.runs)
        for k, provider in enumerate(PROVIDERS):
            rng = random.Random(config.seed * 1000 + k + 1)
            self.platform(provider).seed_runs(rng, counts[provider], config.active_fraction)
        self.wexa.seed_inbox(config.inbox)
        self.rng = random.Random(config.seed * 1000 + 99)
        self.next_spawn = config.spawn_every if config.spawn_every > 0 else INF
        self.spawn_turn = 0
        self.faults = FaultState(config.faults, config.fault_kinds, config.seed)
        self.stats = Stats()
        self.closing = threading.Event()
        self._requests = 0

    def platform(self, provider: str) -> WexaSim | EdgesSim | B3osSim:
        """The simulated platform by name (KeyError for one it does not simulate)."""
        platforms: dict[str, WexaSim | EdgesSim | B3osSim] = {
            "wexa": self.wexa, "edges": self.edges, "b3os": self.b3os}
        return platforms[provider]

    def store(self, provider: str) -> RunStore:
        return self.platform(provider).store

    def life(self, provider: str) -> Lifecycle:
        return self.platform(provider).life

    def sync(self) -> float:
        """Bring the world up to the current sim time and return it."""
        now = self.clock.now()
        spawned = 0
        while self.next_spawn <= now:
            if spawned >= MAX_SPAWNS_PER_SYNC:
                self.next_spawn = now + self.config.spawn_every
                break
            provider = PROVIDERS[self.spawn_turn % len(PROVIDERS)]
            self.spawn_turn += 1
            self.platform(provider).spawn(self.rng, self.next_spawn, now)
            self.next_spawn += self.config.spawn_every
            spawned += 1
        self.wexa.store.advance(now)
        self.edges.store.advance(now)
        self.b3os.store.advance(now)
        return now

    def request_id(self) -> str:
        self._requests += 1
        return f"req_{self.config.seed:x}{self._requests:08x}"
