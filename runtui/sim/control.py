"""The /_sim control routes: stats, faults, forced statuses and the manual clock.

No auth and no faults here: these are for tests, demos and the benchmark.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .config import ALL_FAULT_KINDS, PROVIDERS
from .routing import JSONResponse
from .world import World


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def _body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise ValueError("body must be a JSON object")
    return data


def routes(world: World) -> list[Route]:
    async def stats(request: Request) -> Response:
        s = world.stats
        return JSONResponse(
            {
                "total": s.total,
                "providers": dict(s.providers),
                "routes": dict(s.routes),
                "faults": dict(world.faults.counts),
                "runs": {p: len(world.store(p)) for p in PROVIDERS},
                "now": world.clock.now(),
            }
        )

    async def reset_stats(request: Request) -> Response:
        world.stats.reset()
        world.faults.counts.clear()
        return JSONResponse({"ok": True})

    async def faults(request: Request) -> Response:
        try:
            body = await _body(request)
            kinds = body.get("kinds", list(world.faults.kinds))
            if isinstance(kinds, str):
                kinds = [k for k in kinds.split(",") if k]
            rate = float(body.get("rate", world.faults.rate))
            world.faults.configure(rate, tuple(str(k) for k in kinds))
        except (ValueError, TypeError) as exc:
            return _error(400, str(exc))
        return JSONResponse(
            {"rate": world.faults.rate, "kinds": list(world.faults.kinds), "all": list(ALL_FAULT_KINDS)}
        )

    async def force_status(request: Request) -> Response:
        provider = request.path_params["provider"]
        if provider not in PROVIDERS:
            return _error(404, f"unknown provider {provider}")
        try:
            body = await _body(request)
        except ValueError as exc:
            return _error(400, str(exc))
        if "status" not in body:
            return _error(400, "body needs 'status'")
        status = body["status"]
        if status is not None and not isinstance(status, str):
            return _error(400, "'status' must be a string or null")
        now = world.sync()
        store = world.store(provider)
        run = store.get(request.path_params["run_id"])
        if run is None:
            return _error(404, "run not found")
        world.life(provider).force(run, status, now)
        store.reschedule(run)
        return JSONResponse({"id": run.id, "status": run.status})

    async def ask_inbox(request: Request) -> Response:
        """Park a Wexa execution on a new inbox item (`{"execution_id", "type"}`)."""
        try:
            body = await _body(request)
        except ValueError as exc:
            return _error(400, str(exc))
        run = world.wexa.store.get(str(body.get("execution_id", "")))
        if run is None:
            return _error(404, "run not found")
        now = world.sync()
        agents = world.catalog.wexa[run.flow].agents
        try:
            item = world.wexa.inbox.ask(run, str(body.get("type", "runtime_input")),
                                        agents[min(run.step, len(agents) - 1)].id, now)
        except ValueError as exc:
            return _error(400, str(exc))
        return JSONResponse({"id": item.id, "type": item.type, "execution_id": run.id})

    async def tick(request: Request) -> Response:
        try:
            body = await _body(request)
            seconds = float(body.get("seconds", 0.0))
            world.clock.tick(seconds)
        except (ValueError, TypeError) as exc:
            return _error(400, str(exc))
        return JSONResponse({"now": world.sync(), "seconds": seconds})

    async def catalog(request: Request) -> Response:
        return JSONResponse(world.catalog.describe())

    async def find_runs(request: Request) -> Response:
        """Ids of runs by raw status (newest first), to pick test subjects."""
        provider = request.path_params["provider"]
        if provider not in PROVIDERS:
            return _error(404, f"unknown provider {provider}")
        world.sync()
        status = request.query_params.get("status")
        limit = int(request.query_params.get("limit", "20"))
        pred = None if status is None else (lambda r: r.status == status)
        runs, _ = world.store(provider).page(0, limit, pred)
        return JSONResponse([{"id": r.id, "status": r.status, "task_id": r.task or None} for r in runs])

    return [
        Route("/stats", stats, methods=["GET"]),
        Route("/reset-stats", reset_stats, methods=["POST"]),
        Route("/faults", faults, methods=["POST"]),
        Route("/runs/{provider}/{run_id}/status", force_status, methods=["POST"]),
        Route("/tick", tick, methods=["POST"]),
        Route("/wexa/inbox", ask_inbox, methods=["POST"]),
        Route("/catalog", catalog, methods=["GET"]),
        Route("/runs/{provider}", find_runs, methods=["GET"]),
    ]
