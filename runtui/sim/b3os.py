"""B3OS routes, mounted at /b3os (paths /v1/... as api.b3os.org serves them)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from .b3os_runs import STATUSES, TERMINAL
from .catalog import WEBHOOK_SECRET, B3Workflow
from .routing import ApiError, Dialect, bearer_key, envelope, provider_route, qbool, qint, read_json
from .runs import SimRun
from .world import World


def _b3os_error(world: World, status: int, message: str, _label: str | None) -> Any:
    """B3OS's envelope, with the status as `code` and no data."""
    return {"code": status, "data": None, "message": message, "requestId": world.request_id()}


B3OS = Dialect("b3os", "/b3os", bearer_key, _b3os_error)


KEEPALIVE_SECONDS = 15.0
POLL_SECONDS = 0.05


def routes(world: World) -> list[Route]:
    sim = world.b3os
    cat = world.catalog

    def run_of(request: Request) -> SimRun:
        run = sim.store.get(request.path_params["run_id"])
        if run is None:
            raise ApiError(404, "Run not found")
        return run

    def workflow_of(request: Request) -> tuple[int, B3Workflow]:
        idx = cat.b3os_by_id.get(request.path_params["workflow_id"])
        if idx is None:
            raise ApiError(404, "Workflow not found")
        return idx, cat.b3os[idx]

    def page(request: Request, flow: int | None, status: str | None) -> dict[str, Any]:
        limit = qint(request, "limit", 20, 1, 100)
        offset = qint(request, "offset", 0, 0)
        if flow is None and status is None:
            pred = None
        else:

            def pred(run: SimRun) -> bool:
                return (flow is None or run.flow == flow) and (status is None or run.status == status)

        runs, more = sim.store.page(offset, limit, pred)
        return {"items": sim.items.array(runs), "limit": limit, "offset": offset, "hasMore": more}

    async def list_runs(request: Request) -> Response:
        # like the real backend, `status` is ignored here (the MCP filters client-side)
        wf_id = request.query_params.get("workflowId")
        flow = None
        if wf_id:
            flow = cat.b3os_by_id.get(wf_id, -1)
        return envelope(world, page(request, flow, None), code=0)

    async def list_workflow_runs(request: Request) -> Response:
        idx, _ = workflow_of(request)
        status = request.query_params.get("status") or None
        if status is not None and status not in STATUSES:
            raise ApiError(400, f"Invalid status: {status}")
        return envelope(world, page(request, idx, status), code=0)

    async def get_run(request: Request) -> Response:
        run = run_of(request)
        raw_ids = request.query_params.get("nodeIds")
        node_ids = {n for n in raw_ids.split(",") if n} if raw_ids else None
        return envelope(world, sim.run_json(run, summary=qbool(request, "summary"), node_ids=node_ids))

    async def get_workflow(request: Request) -> Response:
        _, wf = workflow_of(request)
        return envelope(world, sim.workflow_json(wf))

    async def list_workflows(request: Request) -> Response:
        limit = qint(request, "limit", 20, 1, 100)
        offset = qint(request, "offset", 0, 0)
        world.sync()
        flows = range(len(cat.b3os))[offset:offset + limit]
        items = [sim.workflow_item_json(i) for i in flows]
        return envelope(world, {"items": items, "limit": limit, "offset": offset,
                                "hasMore": offset + limit < len(cat.b3os)}, code=0)

    async def switch_workflow(request: Request) -> Response:
        idx, wf = workflow_of(request)
        action = request.url.path.rsplit("/", 1)[-1]
        error = sim.set_workflow_status(idx, action)
        if error:
            raise ApiError(409, error)
        return envelope(world, sim.workflow_json(wf))

    async def trigger(request: Request) -> Response:
        idx, wf = workflow_of(request)
        if wf.status == "archived":
            raise ApiError(400, "Workflow is archived")
        body = await read_json(request)
        if body is None:
            body = {}
        if not isinstance(body, dict):
            raise ApiError(400, "Body must be a JSON object")
        run_id = body.get("runId")
        if run_id is not None:
            if not isinstance(run_id, str) or not run_id.startswith("run_"):
                raise ApiError(400, "runId must start with 'run_'")
            if sim.store.get(run_id) is not None:
                raise ApiError(409, "runId already exists")
        if body.get("simulate") and body.get("dustTest"):
            raise ApiError(400, "simulate and dustTest are mutually exclusive")
        extra = {k: bool(body[k]) for k in ("simulate", "dustTest") if k in body}
        run = sim.create(world.rng, idx, world.sync(), body.get("payload"), run_id, extra)
        return envelope(world, {"runId": run.id})

    async def cancel(request: Request) -> Response:
        run = run_of(request)
        error = sim.cancel(run, world.sync())
        if error:
            raise ApiError(409, error)
        return envelope(world, sim.run_json(run))

    async def retry(request: Request) -> Response:
        run = run_of(request)
        new = sim.retry(world.rng, run, world.sync())
        if new is None:
            raise ApiError(409, "Only failed runs can be retried")
        return envelope(world, {"runId": new.id})

    async def resume_node(request: Request) -> Response:
        run = run_of(request)
        secret = request.query_params.get("secret")
        if not secret:
            raise ApiError(400, "secret is required")
        if secret != WEBHOOK_SECRET:
            raise ApiError(401, "Invalid secret")
        node_id = request.path_params["node_id"]
        wf = cat.b3os[run.flow]
        if node_id not in {n.id for n in wf.nodes}:
            raise ApiError(404, "Node not found")
        body = await read_json(request)
        data = body.get("data") if isinstance(body, dict) else None
        action, reason = sim.resume_node(run, node_id, data, world.sync())
        return envelope(world, {"action": action, "reason": reason})

    async def stream(request: Request) -> Response:
        run = run_of(request)

        def event(name: str) -> str:
            payload = json.dumps(sim.run_json(run), separators=(",", ":"))
            return f"event: {name}\ndata: {payload}\n\n"

        async def events() -> AsyncIterator[str]:
            loop = asyncio.get_running_loop()
            last = run.fingerprint()
            last_sent = loop.time()
            yield event("run")
            while run.status not in TERMINAL and not world.closing.is_set():
                await asyncio.sleep(POLL_SECONDS)
                world.sync()
                if run.fingerprint() != last:
                    last = run.fingerprint()
                    last_sent = loop.time()
                    yield event("run")
                elif loop.time() - last_sent >= KEEPALIVE_SECONDS:
                    last_sent = loop.time()
                    yield ": keepalive\n\n"
            if run.status in TERMINAL:
                yield event("end")

        headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        return StreamingResponse(events(), media_type="text/event-stream", headers=headers)

    r = [
        ("GET", "/v1/runs", list_runs, "list"),
        ("GET", "/v1/workflows/{workflow_id}/runs", list_workflow_runs, "list"),
        ("GET", "/v1/runs/{run_id}", get_run, "run"),
        ("GET", "/v1/workflows", list_workflows, "other"),
        ("GET", "/v1/workflows/{workflow_id}", get_workflow, "other"),
        ("POST", "/v1/workflows/{workflow_id}/pause", switch_workflow, "action"),
        ("POST", "/v1/workflows/{workflow_id}/resume", switch_workflow, "action"),
        ("POST", "/v1/workflows/{workflow_id}/run", trigger, "action"),
        ("POST", "/v1/runs/{run_id}/cancel", cancel, "action"),
        ("POST", "/v1/runs/{run_id}/retry", retry, "action"),
        ("POST", "/v1/runs/{run_id}/nodes/{node_id}/resume", resume_node, "action"),
        ("GET", "/v1/runs/{run_id}/stream", stream, "stream"),
    ]
    return [provider_route(world, B3OS, m, p, h, k) for m, p, h, k in r]
