"""Wexa AI routes, mounted at /wexa (paths as api.wexa.ai serves them)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .routing import ApiError, Dialect, JSONResponse, header_key, provider_route, qint, read_json
from .runs import SimRun
from .wexa_inbox import TYPES as INBOX_TYPES
from .wexa_runs import WexaTask
from .world import World

WEXA = Dialect("wexa", "/wexa", header_key("x-api-key"), lambda _w, _s, message, _l: {"detail": message})


LIST_DEFAULT = 100  # real paging is undocumented; the sim pages anyway
LIST_MAX = 500


def routes(world: World) -> list[Route]:
    sim = world.wexa
    cat = world.catalog

    def check_project(pid: str | None) -> None:
        if pid is not None and pid != cat.project_id:
            raise ApiError(404, "Project not found")

    def execution(request: Request) -> SimRun:
        run = sim.store.get(request.path_params["execution_id"])
        if run is None:
            raise ApiError(404, "Execution not found")
        return run

    def task_of(request: Request) -> WexaTask:
        task = sim.task_by_id.get(request.path_params["task_id"])
        if task is None:
            raise ApiError(404, "Task not found")
        return task

    async def create(request: Request) -> Response:
        check_project(request.query_params.get("projectID"))
        body = await read_json(request)
        if not isinstance(body, dict):
            raise ApiError(422, "Request body must be a JSON object")
        flow_id = body.get("agentflow_id")
        if not isinstance(flow_id, str) or not flow_id:
            raise ApiError(422, "agentflow_id is required")
        flow = cat.wexa_by_id.get(flow_id)
        if flow is None:
            raise ApiError(404, "AgentFlow not found")
        goal = body.get("goal", "")
        variables = body.get("input_variables") or {}
        if not isinstance(goal, str) or not isinstance(variables, dict):
            raise ApiError(422, "goal must be a string and input_variables an object")
        executed_by = body.get("executed_by")
        schedule = body.get("schedule")
        # sim extension: `"auto_start": false` creates a held execution (like a schedule does)
        held = schedule is not None or body.get("auto_start") is False
        run = sim.create(
            world.rng,
            flow,
            world.sync(),
            goal or f"Run {cat.wexa[flow].name}",
            variables,
            executed_by if isinstance(executed_by, str) else cat.user_id,
            held,
            schedule,
        )
        return JSONResponse(sim.execution_json(run))

    async def list_executions(request: Request) -> Response:
        check_project(request.path_params["project_id"])
        check_project(request.query_params.get("projectID"))
        limit = qint(request, "limit", LIST_DEFAULT, 1, LIST_MAX)
        skip = qint(request, "skip", 0, 0)
        wanted = {s for v in request.query_params.getlist("status") for s in v.split(",") if s}
        flow = request.query_params.get("agentflow_id")
        pred = None
        if wanted or flow:
            flow_idx = cat.wexa_by_id.get(flow, -1) if flow else None

            def pred(run: SimRun) -> bool:
                return (not wanted or run.status in wanted) and (flow_idx is None or run.flow == flow_idx)

        runs, _ = sim.store.page(skip, limit, pred)
        return JSONResponse(sim.items.array(runs))

    async def get_execution(request: Request) -> Response:
        return JSONResponse(sim.execution_json(execution(request)))

    def action(name: str) -> Any:
        async def handler(request: Request) -> Response:
            check_project(request.query_params.get("projectID"))
            await read_json(request)  # accepted and ignored: the path id is what counts
            run = execution(request)
            now = world.sync()
            error = getattr(sim, name)(run, now)
            if error:
                raise ApiError(400, error)
            status = "ready" if name == "execute" else run.status
            return JSONResponse({"execution_id": run.id, "status": status})

        handler.__name__ = name
        return handler

    async def monitor(request: Request) -> Response:
        flow = cat.wexa_by_id.get(request.path_params["agentflow_id"])
        if flow is None:
            raise ApiError(404, "AgentFlow not found")
        return JSONResponse(sim.monitor_json(flow))

    async def list_tasks(request: Request) -> Response:
        check_project(request.path_params["project_id"])
        limit = qint(request, "limit", 50, 1, LIST_MAX)
        skip = qint(request, "skip", 0, 0)
        created_by = request.query_params.get("created_by")
        items: list[dict[str, Any]] = []
        seen = 0
        for task in reversed(sim.tasks):
            if created_by and task.created_by != created_by:
                continue
            if seen >= skip:
                items.append(sim.task_json(task, with_executions=False))
                if len(items) >= limit:
                    break
            seen += 1
        return JSONResponse(items)

    async def get_task(request: Request) -> Response:
        check_project(request.query_params.get("projectID"))
        return JSONResponse(sim.task_json(task_of(request), with_executions=True))

    async def pause_task(request: Request) -> Response:
        task = task_of(request)
        now = world.sync()
        running = [e for e in task.executions if e.status == "running"]
        if not running or task.stopped:
            raise ApiError(400, "Task is not running")
        for run in running:
            sim.pause(run, now)
        return JSONResponse(sim.task_json(task, with_executions=False))

    async def resume_task(request: Request) -> Response:
        task = task_of(request)
        now = world.sync()
        paused = [e for e in task.executions if e.status == "paused"]
        if not paused or task.stopped:
            raise ApiError(400, "Task is not paused")
        for run in paused:
            sim.resume(run, now)
        return JSONResponse(sim.task_json(task, with_executions=False))

    async def stop_task(request: Request) -> Response:
        task = task_of(request)
        now = world.sync()
        if task.stopped or sim.task_status(task) in ("completed", "failed", "cancelled"):
            raise ApiError(400, "Task is already finished")
        for run in task.executions:
            sim.cancel(run, now)  # refuses quietly for finished executions
        task.stopped = True
        return JSONResponse(sim.task_json(task, with_executions=False), status_code=201)

    async def list_inbox(request: Request) -> Response:
        check_project(request.query_params.get("projectID"))
        limit = qint(request, "limit", LIST_DEFAULT, 1, LIST_MAX)
        q = request.query_params
        items = sim.inbox.listing(q.get("status") or None, q.get("type") or None, q.get("after_id"), limit)
        return JSONResponse([sim.inbox.to_json(i, cat.project_id, world.clock.epoch(i.created))
                             for i in items])

    async def answer_inbox(request: Request) -> Response:
        check_project(request.query_params.get("projectID"))
        kind = request.path_params["kind"]
        if kind not in INBOX_TYPES:
            raise ApiError(404, "Not Found")
        body = await read_json(request)
        if not isinstance(body, dict):
            raise ApiError(422, "Request body must be a JSON object")
        status, error = sim.inbox.answer(kind, execution(request), body, world.sync())
        if error:
            raise ApiError(status, error)
        return JSONResponse({"message": "updated", "execution_id": request.path_params["execution_id"]})

    r = [
        ("POST", "/execute_flow", create, "run"),
        ("GET", "/{project_id}/execution_flows", list_executions, "list"),
        ("GET", "/execute_flow/{execution_id}", get_execution, "run"),
        ("POST", "/execute_flow/{execution_id}/execute", action("execute"), "action"),
        ("POST", "/execute_flow/{execution_id}/pause", action("pause"), "action"),
        ("POST", "/execute_flow/{execution_id}/resume", action("resume"), "action"),
        ("POST", "/execute_flow/{execution_id}/cancel", action("cancel"), "action"),
        ("GET", "/execute_flow/{agentflow_id}/monitor", monitor, "other"),
        ("GET", "/tasks/{project_id}", list_tasks, "list"),
        ("GET", "/task/{task_id}", get_task, "run"),
        ("POST", "/task/{task_id}/pause", pause_task, "action"),
        ("POST", "/task/{task_id}/resume", resume_task, "action"),
        ("POST", "/task/{task_id}/stop", stop_task, "action"),
        ("GET", "/inbox", list_inbox, "list"),
        ("POST", "/inbox/update/{kind}/{execution_id}", answer_inbox, "action"),
    ]
    return [provider_route(world, WEXA, m, p, h, k) for m, p, h, k in r]
