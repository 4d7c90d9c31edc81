"""Wexa executions and tasks: state machine, seeding and JSON shapes.

Execution: ready -> running -> completed | failed, with paused (pause/resume)
and cancelled/canceled. Some executions are created "held" (status ready, not
started until POST .../execute). Executions are grouped into tasks; some have a
parent execution inside their task (`execution_nodes` children).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from .catalog import Catalog, WexaFlow
from .runs import HELD, INF, STUCK, ItemTexts, RunStore, SimRun, finish, force_status, new_run
from .state import SimClock, frac, hex_of, mix, pick, uuid4
from .wexa_inbox import TYPES, Inbox

TERMINAL: frozenset[str | None] = frozenset({"completed", "failed", "cancelled", "canceled"})
ACTIVE = ("ready", "running", "paused")

_GOALS = (
    "Prepare the weekly summary for {team}",
    "Process the new batch for {team}",
    "Review the latest items flagged by {team}",
    "Draft recommendations for {team}",
    "Qualify inbound leads from {team}",
)
_TEAMS = ("ACME Corp", "Globex", "Initech", "Umbrella", "Hooli", "Stark Industries")
_ERRORS = (
    "LLM provider timeout after 60s",
    "Tool call failed: upstream returned 502",
    "Context length exceeded for model",
    "Missing required input variable",
)


class WexaLife:
    """Transitions of one execution at its scheduled times."""

    terminal = TERMINAL

    def step(self, run: SimRun, t: float) -> None:
        run.updated = t
        if run.status == "ready":
            run.status = "running"
            run.started = t
            run.next_at = t + run.step_dur
            return
        if run.status != "running":
            run.next_at = INF
            return
        k = run.step
        if k == run.stop_step and run.outcome == "failed":
            finish(run, "failed", t)
        elif k == run.stop_step and run.outcome in ("cancelled", "canceled"):
            finish(run, run.outcome, t)
        elif k == run.stop_step and run.flags & STUCK:
            run.flags &= ~STUCK
            run.status = "paused"
            run.left = run.step_dur
            run.next_at = INF
        else:
            run.step += 1
            if run.step >= run.nsteps:
                finish(run, "completed", t)
            else:
                run.next_at = t + run.step_dur

    def force(self, run: SimRun, status: str | None, t: float) -> None:
        if force_status(run, status, t, clear=(HELD | STUCK), outcome="completed",
                        terminal=TERMINAL):
            return
        if status == "running":
            run.step = min(run.step, run.nsteps - 1)
            run.started = run.started if run.started is not None else t
            run.next_at = t + run.step_dur
        elif status == "paused":
            run.step = min(run.step, run.nsteps - 1)
            run.started = run.started if run.started is not None else t
            run.left = run.step_dur
        elif status == "ready":
            run.flags |= HELD
            run.started = None
            run.step = 0


@dataclass(slots=True, eq=False)
class WexaTask:
    id: str
    name: str
    created: float
    created_by: str
    executions: list[SimRun] = field(default_factory=list)
    stopped: bool = False


class WexaSim:
    """The Wexa half of the world: executions, tasks and how they look as JSON."""

    def __init__(self, catalog: Catalog, clock: SimClock) -> None:
        self.cat = catalog
        self.clock = clock
        self.life = WexaLife()
        self.store = RunStore(self.life)
        self.items = ItemTexts(self.execution_json, clock)  # list items, kept while a run is unchanged
        self.tasks: list[WexaTask] = []
        self.task_by_id: dict[str, WexaTask] = {}
        self.inbox = Inbox(self.store)

    # ---- creation -------------------------------------------------------
    def _new(self, rng: random.Random, flow: int, created: float) -> SimRun:
        return new_run(rng, uuid4(rng), flow, created, len(self.cat.wexa[flow].agents),
                       outcome="completed", status="ready")

    def _plan(self, rng: random.Random, run: SimRun, mode: str) -> None:
        """Pick outcome, flags and start delay; `mode` is history, active or new."""
        r = rng.random()
        if mode == "history":
            run.outcome = (
                "completed" if r < 0.7 else "failed" if r < 0.85 else "cancelled" if r < 0.95 else "canceled"
            )
        elif mode == "new":
            run.outcome = "completed" if r < 0.8 else "failed"
            if rng.random() < 0.1:
                run.flags |= STUCK
        else:
            run.outcome = "completed" if r < 0.8 else "failed"
        run.next_at = run.created + 1.0 + 2.0 * frac(run.seed, 1)

    def seed_runs(self, rng: random.Random, count: int, active_fraction: float) -> None:
        span = max(3600.0, count * 60.0)
        runs: list[SimRun] = []
        n_active = n_history = 0
        for _ in range(count):
            flow = rng.randrange(len(self.cat.wexa))
            run = self._new(rng, flow, 0.0)
            if rng.random() < active_fraction:
                kind = rng.random()
                # the first active runs cover a stuck (paused) and a held (ready) execution
                kind = (0.8, 0.7, kind)[min(n_active, 2)]
                n_active += 1
                self._plan(rng, run, "active")
                if kind < 0.6:
                    run.created = -rng.uniform(0.0, 0.9 * run.step_dur * run.nsteps)
                elif kind < 0.75:
                    run.created = -rng.uniform(10.0, 600.0)
                    run.flags |= HELD
                elif kind < 0.9:
                    run.created = -rng.uniform(60.0, 1800.0)
                    run.flags |= STUCK
                    run.outcome = "completed"
                else:
                    run.created = -rng.uniform(0.0, 0.9)
            else:
                run.created = -rng.uniform(150.0, span)
                self._plan(rng, run, "history")
                # both spellings of cancelled appear in every seeded world
                run.outcome = ("canceled", "cancelled", run.outcome)[min(n_history, 2)]
                n_history += 1
            run.updated = run.created
            run.next_at = INF if run.flags & HELD else run.created + 1.0 + 2.0 * frac(run.seed, 1)
            runs.append(run)
        runs.sort(key=lambda r: r.created)
        i = 0
        while i < len(runs):
            size = rng.choice((1, 1, 1, 2, 3))
            group = runs[i : i + size]
            by = self.cat.user_id if rng.random() < 0.8 else self.cat.teammate_id
            task = self._task(rng, group[0], by)
            for j, run in enumerate(group):
                if j and rng.random() < 0.6:
                    run.parent = group[0].id
                self._attach(task, run)
                self.store.add(run, 0.0)
            i += size

    def seed_inbox(self, count: int) -> None:
        """Park the `count` oldest running or ready executions on inbox items, one type each
        in turn. Chosen without the seeding random stream, so other runs stay as seeded."""
        candidates = sorted((r for r in self.store.runs if r.status in ("ready", "running")),
                            key=lambda r: (r.created, r.id))
        for i, run in enumerate(candidates[:count]):
            agent = self.cat.wexa[run.flow].agents[min(run.step, run.nsteps - 1)].id
            self.inbox.ask(run, TYPES[i % len(TYPES)], agent, run.updated)

    def _task(self, rng: random.Random, root: SimRun, created_by: str) -> WexaTask:
        task = WexaTask(
            id=hex_of(rng.getrandbits(96), 24),
            name=f"{self.cat.wexa[root.flow].name}: {self.goal(root)}",
            created=root.created,
            created_by=created_by,
        )
        self.tasks.append(task)
        self.task_by_id[task.id] = task
        return task

    @staticmethod
    def _attach(task: WexaTask, run: SimRun) -> None:
        run.task = task.id
        task.executions.append(run)

    def spawn(self, rng: random.Random, t: float, now: float) -> SimRun:
        run = self._new(rng, rng.randrange(len(self.cat.wexa)), t)
        self._plan(rng, run, "new")
        self._attach(self._task(rng, run, self.cat.user_id), run)
        return self.store.add(run, now)

    def create(
        self,
        rng: random.Random,
        flow: int,
        now: float,
        goal: str,
        input_variables: dict[str, Any],
        executed_by: str,
        held: bool,
        schedule: Any,
    ) -> SimRun:
        run = self._new(rng, flow, now)
        self._plan(rng, run, "new")
        run.extra = {
            "goal": goal,
            "input_variables": input_variables,
            "executed_by": executed_by,
            "schedule": schedule,
        }
        if held:
            run.flags |= HELD
            run.next_at = INF
        self._attach(self._task(rng, run, executed_by or self.cat.user_id), run)
        return self.store.add(run, now)

    # ---- actions (return an error message or None) ------------------------
    def execute(self, run: SimRun, now: float) -> str | None:
        if run.status != "ready":
            return f"Execution cannot be started in status '{run.status}'"
        if not run.flags & HELD:
            return "Execution has already been started"
        run.flags &= ~HELD
        run.next_at = now + 1.0
        run.updated = now
        self.store.reschedule(run)
        return None

    def pause(self, run: SimRun, now: float) -> str | None:
        if run.status != "running":
            return f"Cannot pause execution in status '{run.status}'"
        run.status = "paused"
        run.left = max(0.1, run.next_at - now)
        run.next_at = INF
        run.updated = now
        self.store.reschedule(run)
        return None

    def resume(self, run: SimRun, now: float) -> str | None:
        if self.inbox.pending_for(run) is not None:
            return "Execution waits for an answer in the inbox"
        if run.status != "paused":
            return f"Cannot resume execution in status '{run.status}'"
        run.status = "running"
        run.next_at = now + (run.left if run.left > 0 else run.step_dur)
        run.updated = now
        self.store.reschedule(run)
        return None

    def cancel(self, run: SimRun, now: float) -> str | None:
        if run.status not in ACTIVE:
            return f"Cannot cancel execution in status '{run.status}'"
        run.status = "cancelled"
        run.finished = now
        run.next_at = INF
        run.updated = now
        self.store.reschedule(run)
        return None

    def task_status(self, task: WexaTask) -> str:
        statuses = {e.status for e in task.executions}
        if task.stopped:
            return "cancelled"
        if "running" in statuses:
            return "running"
        if "ready" in statuses:
            return "pending"  # inference: nothing started yet
        if "paused" in statuses:
            return "paused"
        if "failed" in statuses:
            return "failed"
        if statuses & {"cancelled", "canceled"}:
            return "cancelled"
        return "completed"

    # ---- JSON ---------------------------------------------------------------
    def goal(self, run: SimRun) -> str:
        if run.extra and isinstance(run.extra.get("goal"), str):
            return str(run.extra["goal"])
        return pick(run.seed, 2, _GOALS).format(team=pick(run.seed, 3, _TEAMS))

    def _agent_json(self, flow: WexaFlow, i: int) -> dict[str, Any]:
        agent = flow.agents[i]
        nxt = flow.agents[i + 1].id if i + 1 < len(flow.agents) else None
        return {
            "_id": agent.id,
            "title": agent.title,
            "role": agent.role,
            "role_description": f"{agent.title} for the {flow.name} flow",
            "agent_type": agent.agent_type,
            "next_agent": nxt,
            "llm": {"model": agent.model, "temperature": 0.2, "max_tokens": 4096},
        }

    def _tokens(self, run: SimRun, i: int) -> tuple[int, int]:
        h = mix(run.seed, 50 + i)
        return 800 + h % 3000, 150 + (h >> 20) % 900

    def execution_json(self, run: SimRun) -> dict[str, Any]:
        flow = self.cat.wexa[run.flow]
        clock = self.clock
        extra = run.extra or {}
        outputs: list[dict[str, Any]] = []
        tin = tout = 0
        errors: list[dict[str, Any]] = []
        started = run.started
        done = min(run.step, run.nsteps)
        for i in range(done):
            a_in, a_out = self._tokens(run, i)
            tin += a_in
            tout += a_out
            begin = None if started is None else started + i * run.step_dur
            outputs.append(
                {
                    "agent_id": flow.agents[i].id,
                    "title": flow.agents[i].title,
                    "status": "completed",
                    "output": f"{flow.agents[i].title} finished: {pick(run.seed, 60 + i, _SUMMARIES)}",
                    "started_at": None if begin is None else clock.epoch(begin),
                    "ended_at": None if begin is None else clock.epoch(begin + run.step_dur),
                    "tokens": {"input_tokens": a_in, "output_tokens": a_out},
                }
            )
        if run.status == "failed" and done < run.nsteps:
            message = pick(run.seed, 4, _ERRORS)
            errors.append(
                {
                    "agent_id": flow.agents[done].id,
                    "message": message,
                    "timestamp": clock.epoch(run.finished or run.updated),
                }
            )
            outputs.append(
                {
                    "agent_id": flow.agents[done].id,
                    "title": flow.agents[done].title,
                    "status": "failed",
                    "output": None,
                    "error": message,
                    "started_at": None if started is None else clock.epoch(started + done * run.step_dur),
                    "ended_at": clock.epoch(run.finished or run.updated),
                    "tokens": {"input_tokens": 0, "output_tokens": 0},
                }
            )
        conclusion = None
        if run.status == "completed":
            conclusion = {"conclusion": f"## {flow.name}\n\n{self.goal(run)}: done by {run.nsteps} agents."}
        return {
            "_id": hex_of(mix(run.seed, 1), 24),
            "execution_id": run.id,
            "projectID": self.cat.project_id,
            "agentflow_id": flow.id,
            "task_id": run.task or None,
            "parent_execution_id": run.parent or None,
            "status": run.status,
            "goal": self.goal(run),
            "goal_template": None,
            "schedule": extra.get("schedule"),
            "start_from_agent_id": None,
            "input_variables": extra.get("input_variables", {"company": pick(run.seed, 3, _TEAMS)}),
            "runtime_inputs": {},
            "execution_context": {},
            "previews": {},
            "files": [],
            "agentflow": {
                "agentflow_id": flow.id,
                "name": flow.name,
                "role": flow.role,
                "image": None,
                "initialAgent": flow.agents[0].id,
                "conclusion": None,
                "agents": [self._agent_json(flow, i) for i in range(len(flow.agents))],
            },
            "agents_output": outputs,
            "conclusion": conclusion,
            "anomaly_detected": None,
            "executed_by": {
                "_id": extra.get("executed_by") or self.cat.user_id,
                "name": "Sim User",
                "metadata": {},
                "type": "manual",
            },
            "created_at": clock.epoch(run.created),
            "updated_at": clock.epoch(run.updated),
            "start_time": None if started is None else clock.epoch(started),  # inference
            "end_time": None if run.finished is None else clock.epoch(run.finished),
            "tokens": {"input_tokens": tin, "output_tokens": tout, "total_tokens": tin + tout},
            "credits_used": round((tin + tout) / 1000.0 * 0.6, 3),  # inference
            "errors": errors,
            "progress": {"completed_agents": done, "total_agents": run.nsteps},  # inference
        }

    def _nodes(self, task: WexaTask) -> list[dict[str, Any]]:
        nodes: dict[str, dict[str, Any]] = {}
        roots: list[dict[str, Any]] = []
        for run in task.executions:
            node = {
                "execution_id": run.id,
                "_id": hex_of(mix(run.seed, 1), 24),
                "execution_type": "execution",
                "children": [],
            }
            nodes[run.id] = node
            parent = nodes.get(run.parent) if run.parent else None
            (parent["children"] if parent is not None else roots).append(node)
        return roots

    def task_json(self, task: WexaTask, with_executions: bool) -> dict[str, Any]:
        clock = self.clock
        body: dict[str, Any] = {
            "_id": task.id,
            "projectID": self.cat.project_id,
            "created_by": task.created_by,
            "name": task.name,
            "status": self.task_status(task),
            "created_at": clock.epoch(task.created),
            "updated_at": clock.epoch(max([task.created] + [e.updated for e in task.executions])),
            "execution_ids": [e.id for e in task.executions],
            "execution_nodes": self._nodes(task),
        }
        if with_executions:
            body["executions"] = [self.execution_json(e) for e in task.executions]
        return body

    def monitor_json(self, flow: int) -> dict[str, Any]:
        """Shape undocumented upstream: an inferred per-agentflow summary."""
        counts: dict[str, int] = {}
        active: list[dict[str, Any]] = []
        durations: list[float] = []
        for run in self.store.runs:
            if run.flow != flow:
                continue
            key = str(run.status)
            counts[key] = counts.get(key, 0) + 1
            if run.status in ACTIVE:
                active.append(
                    {
                        "execution_id": run.id,
                        "status": run.status,
                        "progress": round(run.step / run.nsteps, 3),
                        "current_agent": self.cat.wexa[flow].agents[min(run.step, run.nsteps - 1)].title,
                        "started_at": None if run.started is None else self.clock.epoch(run.started),
                    }
                )
            elif run.finished is not None and run.started is not None:
                durations.append(run.finished - run.started)
        finished = sum(counts.get(s, 0) for s in ("completed", "failed", "cancelled", "canceled"))
        return {
            "agentflow_id": self.cat.wexa[flow].id,
            "name": self.cat.wexa[flow].name,
            "status_counts": counts,
            "total_executions": sum(counts.values()),
            "active_executions": active[-50:][::-1],
            "success_rate": round(counts.get("completed", 0) / finished, 3) if finished else None,
            "avg_duration_seconds": round(sum(durations) / len(durations), 1) if durations else None,
        }


_SUMMARIES = (
    "3 items processed",
    "draft ready for review",
    "no anomalies found",
    "2 anomalies flagged",
    "summary written",
    "scores computed",
)
