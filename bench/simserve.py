"""`runtui sim` plus a few benchmark-only knobs, served from its own process.

    python -m bench.simserve --runs N [--active-fraction F] [--speed X] [--spawn-every S]
                             [--seed S] [--write-config PATH]

It is the very same `SimServer` / `write_config` that `runtui sim` uses; it only
adds what the CLI does not expose and what the benchmark must control from the
outside with one cheap request:

* `--active-fraction` (SimConfig.active_fraction): 0 = every seeded run finished.
* Every run's list item is written once before the server starts (the simulator keeps
  it while the run is unchanged), so the benchmark times the app, not the simulator
  building answers on the core next to it.
* `--age SECONDS`: every timestamp the sim shows is that much older (the sim's epoch moves
  back), so an idle world has no "Ns ago" / seconds-granular texts ticking on screen.
* `/_bench/churn` (POST {"count": n, "seed": k} or {"prefix": "abc", "provider": "wexa"}):
  toggle n active runs between two *active* raw statuses (running <-> paused / BLOCKED /
  waiting), chosen by a seeded RNG, so the app's active-only listing sees the change
  and the run never leaves the active set. Deterministic for a given seed.
* `/_bench/active` (GET): ids of the active runs per provider (what a naive poller polls).
* `/_bench/polls` (GET): listing requests that start a listing (offset/skip 0), per
  provider, i.e. poll ticks, and requests by client (User-Agent "runtui-bench-naive" or not).

Printed lines are those of `runtui sim`: `runtui sim listening on URL` and `export ...`.
"""

from __future__ import annotations

import argparse
import random
import signal
import sys
import threading
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from runtui.sim.config import PROVIDERS, SimConfig
from runtui.sim.server import SimServer, write_config

# raw status -> the other active raw status it is toggled to
TOGGLE: dict[str, dict[str | None, str]] = {
    "wexa": {"running": "paused", "paused": "running", "ready": "paused"},
    "edges": {
        "RUNNING": "BLOCKED",
        "BLOCKED": "RUNNING",
        "CREATED": "RUNNING",
        "QUEUED": "RUNNING",
        "SCHEDULED": "RUNNING",
    },
    "b3os": {"running": "waiting", "waiting": "running"},
}

LIST_PATHS = {"wexa": "/execution_flows", "edges": "/edges/v1/flows/runs", "b3os": "/b3os/v1/runs"}
NAIVE_UA = "runtui-bench-naive"


class Counter:
    """An ASGI wrapper counting poll starts and requests per client (lives on the sim loop)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.polls = {p: 0 for p in PROVIDERS}
        self.by_client = {"runtui": 0, "naive": 0}

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            if not path.startswith(("/_sim", "/_bench")):
                ua = b""
                for k, v in scope.get("headers", ()):
                    if k == b"user-agent":
                        ua = v
                        break
                self.by_client["naive" if ua == NAIVE_UA.encode() else "runtui"] += 1
                for provider, suffix in LIST_PATHS.items():
                    if path.endswith(suffix) and path.startswith("/" + provider.split("-")[0]):
                        qs = parse_qs(scope.get("query_string", b"").decode())
                        start = qs.get("skip", qs.get("offset", ["0"]))[0]
                        if start in ("", "0"):
                            self.polls[provider] += 1
                        break
        await self.app(scope, receive, send)


def bench_routes(server: SimServer, counter: Counter) -> Mount:
    world = server.world

    def active_runs(provider: str) -> list[Any]:
        toggle = TOGGLE[provider]
        return [r for r in world.store(provider).runs if r.status in toggle]

    async def churn(request: Request) -> Response:
        body = await request.json() if (await request.body()).strip() else {}
        now = world.sync()
        pool: list[tuple[str, Any]] = []
        prefix = body.get("prefix")
        for provider in PROVIDERS:
            if body.get("provider") not in (None, provider):
                continue
            pool.extend(
                (provider, r) for r in active_runs(provider) if prefix is None or r.id.startswith(prefix)
            )
        count = min(int(body.get("count", 1)), len(pool))
        picked = random.Random(int(body.get("seed", 0))).sample(pool, count) if count < len(pool) else pool
        changed = []
        for provider, run in picked:
            new = TOGGLE[provider][run.status]
            world.life(provider).force(run, new, now)
            world.store(provider).reschedule(run)
            changed.append({"provider": provider, "id": run.id, "status": new})
        return JSONResponse({"changed": len(changed), "runs": changed[:50], "pool": len(pool)})

    async def active(request: Request) -> Response:
        world.sync()
        return JSONResponse({p: [r.id for r in active_runs(p)] for p in PROVIDERS})

    async def polls(request: Request) -> Response:
        return JSONResponse({"polls": dict(counter.polls), "clients": dict(counter.by_client)})

    async def reset(request: Request) -> Response:
        for p in counter.polls:
            counter.polls[p] = 0
        for c in counter.by_client:
            counter.by_client[c] = 0
        world.stats.reset()
        return JSONResponse({"ok": True})

    return Mount(
        "/_bench",
        routes=[
            Route("/churn", churn, methods=["POST"]),
            Route("/active", active, methods=["GET"]),
            Route("/polls", polls, methods=["GET"]),
            Route("/reset", reset, methods=["POST"]),
        ],
    )


def write_items(server: SimServer) -> None:
    """Every run's list item written before the app is timed, as a platform serves stored
    documents: built on demand, the simulator's answers kept the second core busy and
    the app waited on them (see `runtui.sim.runs.ItemTexts`)."""
    world = server.world
    world.sync()
    for provider in PROVIDERS:
        platform = world.platform(provider)
        platform.items.fill(platform.store.runs)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.simserve")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--runs", type=int, default=1000)
    p.add_argument("--speed", type=float, default=1.0)
    p.add_argument("--spawn-every", type=float, default=0.0)
    p.add_argument("--active-fraction", type=float, default=0.25)
    p.add_argument(
        "--age",
        type=float,
        default=0.0,
        help="shift every timestamp this many seconds into the past (no 'Ns ago' texts)",
    )
    p.add_argument("--write-config", type=Path)
    args = p.parse_args(argv)
    config = SimConfig(
        seed=args.seed,
        runs=args.runs,
        speed=args.speed,
        spawn_every=args.spawn_every,
        active_fraction=args.active_fraction,
    )
    server = SimServer(config, host=args.host, port=args.port)
    server.world.clock.base_epoch -= args.age
    write_items(server)
    counter = Counter(server.app)
    server.app.router.routes.append(bench_routes(server, counter))
    server.app = counter  # type: ignore[assignment]  # uvicorn serves the wrapper
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    url = server.start()
    print(f"runtui sim listening on {url}", flush=True)
    if args.write_config is not None:
        env = write_config(args.write_config, url, config)
        print("export " + " ".join(f"{k}={v}" for k, v in env.items()), flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
