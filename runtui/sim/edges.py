"""Edges routes, mounted at /edges/v1 (paths as api.edges.run/v1 serves them)."""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .edges_runs import STATUSES
from .edges_schedules import TRANSITIONS
from .routing import ApiError, Dialect, JSONResponse, header_key, provider_route, qbool, qint, read_json
from .runs import SimRun
from .world import World

LABELS = {  # Edges' error labels by status, where a handler gives none
    400: "BAD_PARAMETERS",
    401: "UNAUTHORIZED",
    404: "NOT_FOUND",
    409: "INVALID_STATE",
    429: "STATUS_429",
    500: "INTERNAL_ERROR",
    502: "BAD_GATEWAY",
    503: "SERVICE_UNAVAILABLE",
}


def _edges_error(_world: World, status: int, message: str, label: str | None) -> dict[str, str]:
    """Edges' error body: a label and a message."""
    return {"label": label or LABELS.get(status, "ERROR"), "message": message}


EDGES = Dialect("edges", "/edges/v1", header_key("x-api-key"), _edges_error)


def routes(world: World) -> list[Route]:
    sim = world.edges
    cat = world.catalog

    def flow_run(request: Request) -> SimRun:
        run = sim.store.get(request.path_params["uid"])
        if run is None:
            raise ApiError(404, "Flow run not found", "NOT_FOUND")
        return run

    async def list_runs(request: Request) -> Response:
        statuses = request.query_params.getlist("status")
        bad = [s for s in statuses if s not in STATUSES]
        if bad:
            raise ApiError(400, f"Invalid status: {', '.join(bad)}", "BAD_PARAMETERS")
        uids = request.query_params.getlist("uid")
        limit = qint(request, "limit", 10, 1, 100)
        offset = qint(request, "offset", 0, 0)
        sort = request.query_params.get("sort", "-created_at")
        if sort not in ("-created_at", "created_at"):
            raise ApiError(400, f"Unsupported sort: {sort}", "BAD_PARAMETERS")
        newest = sort.startswith("-")
        wanted = set(statuses)
        if uids:
            found = [r for r in (sim.store.get(u) for u in dict.fromkeys(uids)) if r is not None]
            found = [r for r in found if not wanted or r.status in wanted]
            found.sort(key=lambda r: r.created, reverse=newest)
            runs = found[offset : offset + limit]
        else:
            pred: Callable[[SimRun], bool] | None = (lambda r: r.status in wanted) if wanted else None
            runs, _ = sim.store.page(offset, limit, pred, newest_first=newest)
        return JSONResponse(sim.items.array(runs))

    async def get_run(request: Request) -> Response:
        return JSONResponse(sim.run_json(flow_run(request), include_steps=qbool(request, "include_steps")))

    async def get_status(request: Request) -> Response:
        return JSONResponse(sim.status_json(flow_run(request)))

    async def get_outputs(request: Request) -> Response:
        run = flow_run(request)
        limit = qint(request, "limit", 100, 1, 1000, clamp=False)
        offset = qint(request, "offset", 0, 0)
        step_uid = request.query_params.get("step_uid")
        return JSONResponse(sim.outputs_json(run, offset, limit, step_uid))

    async def cancel(request: Request) -> Response:
        run = flow_run(request)
        error = sim.cancel(run, world.sync())
        if error:
            raise ApiError(409, error, "INVALID_STATE")
        return JSONResponse(sim.run_json(run))

    async def resume(request: Request) -> Response:
        run = flow_run(request)
        error = sim.resume(run, world.sync())
        if error:
            raise ApiError(409, error, "INVALID_STATE")
        return JSONResponse(sim.run_json(run))

    async def run_async(request: Request) -> Response:
        flow = cat.edges_by_slug.get(request.path_params["flow_slug"])
        if flow is None:
            raise ApiError(404, "Flow not found", "NOT_FOUND")
        body = await read_json(request)
        if not isinstance(body, dict):
            raise ApiError(400, "Body must be a JSON object with 'inputs'", "BAD_INPUT")
        inputs = body.get("inputs")
        if (
            not isinstance(inputs, list)
            or not 1 <= len(inputs) <= 1000
            or not all(isinstance(i, dict) for i in inputs)
        ):
            raise ApiError(400, "'inputs' must be a list of 1 to 1000 objects", "BAD_INPUT")
        parameters = body.get("parameters") or {}
        if not isinstance(parameters, dict):
            raise ApiError(400, "'parameters' must be an object", "BAD_INPUT")
        run = sim.create(world.rng, flow, world.sync(), inputs, parameters)
        return JSONResponse({"flow_run_uid": run.id, "uid": run.id, "id": run.num, "status": run.status})

    async def action_runs(request: Request) -> Response:
        """Action runs, filtered by the integer id of the flow run they belong to."""
        number = request.query_params.get("flow_run_id")
        if number is None or not number.isdigit():
            raise ApiError(400, "flow_run_id must be an integer", "BAD_PARAMETERS")
        run = next((r for r in sim.store.runs if r.num == int(number)), None)
        return JSONResponse([] if run is None else sim.action_runs_json(run))

    async def list_schedules(request: Request) -> Response:
        limit = qint(request, "limit", 10, 1, 100)
        offset = qint(request, "offset", 0, 0)
        status = request.query_params.get("status")
        slug = request.query_params.get("flow_preset_slug")
        now = world.sync()
        found = [s for s in sim.schedules.items
                 if (not status or s.status == status) and (not slug or cat.edges[s.flow].slug == slug)]
        return JSONResponse([sim.schedules.json(s, now) for s in found[offset:offset + limit]])

    async def schedule_action(request: Request) -> Response:
        action = request.path_params["action"]
        if action not in TRANSITIONS:
            raise ApiError(404, "Not found", "NOT_FOUND")
        schedule = sim.schedules.get(request.path_params["uid"])
        if schedule is None:
            raise ApiError(404, "Schedule not found", "NOT_FOUND")
        now = world.sync()
        error = sim.schedules.act(schedule, action)
        if error:
            raise ApiError(409, error, "CONFLICT")
        return JSONResponse(sim.schedules.json(schedule, now))

    r = [
        ("GET", "/flows/schedules", list_schedules, "list"),
        ("POST", "/flows/schedules/{uid}/{action}", schedule_action, "action"),
        ("GET", "/runs", action_runs, "other"),
        ("GET", "/flows/runs", list_runs, "list"),
        ("GET", "/flows/runs/{uid}", get_run, "run"),
        ("GET", "/flows/runs/{uid}/status", get_status, "run"),
        ("GET", "/flows/runs/{uid}/outputs", get_outputs, "other"),
        ("POST", "/flows/runs/{uid}/cancel", cancel, "action"),
        ("POST", "/flows/runs/{uid}/resume", resume, "action"),
        ("POST", "/flows/{flow_slug}/run/async", run_async, "action"),
    ]
    return [provider_route(world, EDGES, m, p, h, k) for m, p, h, k in r]
