"""Edges flow runs: state machine, seeding and JSON shapes.

CREATED -> QUEUED -> RUNNING (<-> BLOCKED) -> SUCCEEDED | PARTIAL_SUCCEEDED |
FAILED; SCHEDULED runs wait for their time; cancel -> STOPPED (resumable, as
the docs say); a few historical runs are INVALID or have a null status.
"""

from __future__ import annotations

import random
from typing import Any

from .catalog import Catalog
from .edges_schedules import ScheduleBook
from .runs import (
    BLOCK_ONCE,
    INF,
    SCHEDULED,
    STUCK,
    ItemTexts,
    RunStore,
    SimRun,
    finish,
    force_status,
    new_run,
)
from .state import SimClock, frac, mix, pick, uuid4, uuid_of

TERMINAL: frozenset[str | None] = frozenset(
    {"SUCCEEDED", "PARTIAL_SUCCEEDED", "FAILED", "INVALID", "STOPPED", None}
)
STATUSES = (
    "CREATED",
    "QUEUED",
    "SCHEDULED",
    "BLOCKED",
    "STOPPED",
    "RUNNING",
    "FAILED",
    "PARTIAL_SUCCEEDED",
    "SUCCEEDED",
    "INVALID",
)
CANCELLABLE = ("CREATED", "QUEUED", "SCHEDULED", "RUNNING")
RESUMABLE = ("BLOCKED", "STOPPED")

_ERRORS = (
    ("LIMIT_REACHED", "Daily LinkedIn limit reached for the identity"),
    ("NO_ACCESS", "Identity has no Sales Navigator access"),
    ("STATUS_429", "LinkedIn answered 429 Too Many Requests"),
    ("LK_ERROR", "LinkedIn returned an unexpected page"),
)
_NAMES = ("Ada Lovelace", "Grace Hopper", "Alan Turing", "Edsger Dijkstra", "Barbara Liskov", "Ken Thompson")
_COMPANIES = ("Globex", "Initech", "Hooli", "Umbrella", "Soylent", "Vandelay")


class EdgesLife:
    """Transitions of one flow run at its scheduled times."""

    terminal = TERMINAL

    def step(self, run: SimRun, t: float) -> None:
        run.updated = t
        status = run.status
        if status == "CREATED":
            if run.outcome == "INVALID":
                finish(run, "INVALID", t)
            else:
                run.status = "QUEUED"
                run.next_at = t + 1.0 + 4.0 * frac(run.seed, 3)
        elif status == "SCHEDULED":
            run.status = "QUEUED"
            run.next_at = t + 1.0
        elif status == "QUEUED":
            run.status = "RUNNING"
            run.started = run.started if run.started is not None else t
            run.next_at = t + run.step_dur
        elif status == "BLOCKED":
            run.status = "RUNNING"
            run.next_at = t + max(run.left, 0.1)
        elif status == "RUNNING":
            self._running(run, t)
        else:
            run.next_at = INF

    def _running(self, run: SimRun, t: float) -> None:
        k = run.step
        if k == run.stop_step and run.outcome in ("FAILED", "STOPPED"):
            finish(run, run.outcome, t)
        elif k == run.stop_step and run.flags & (STUCK | BLOCK_ONCE):
            stuck = run.flags & STUCK
            run.flags &= ~(STUCK | BLOCK_ONCE)
            run.status = "BLOCKED"
            run.left = run.step_dur / 2
            run.next_at = INF if stuck else t + 10.0 + 30.0 * frac(run.seed, 4)
        else:
            run.step += 1
            if run.step >= run.nsteps:
                finish(run, run.outcome if run.outcome == "PARTIAL_SUCCEEDED" else "SUCCEEDED", t)
            else:
                run.next_at = t + run.step_dur

    def force(self, run: SimRun, status: str | None, t: float) -> None:
        if force_status(run, status, t, clear=(STUCK | BLOCK_ONCE), outcome="SUCCEEDED",
                        terminal=TERMINAL):
            return
        if status in ("RUNNING", "BLOCKED"):
            run.step = min(run.step, run.nsteps - 1)
            run.started = run.started if run.started is not None else t
            run.left = run.step_dur / 2
            if status == "RUNNING":
                run.next_at = t + run.step_dur
        elif status in ("CREATED", "QUEUED", "SCHEDULED"):
            run.started = None
            run.step = 0
            run.next_at = t + (60.0 if status == "SCHEDULED" else 1.0)


class EdgesSim:
    """The Edges half of the world."""

    def __init__(self, catalog: Catalog, clock: SimClock) -> None:
        self.cat = catalog
        self.clock = clock
        self.life = EdgesLife()
        self.store = RunStore(self.life)
        self.items = ItemTexts(self.run_json, clock)  # list items, kept while a run is unchanged
        self.next_num = 100_001
        self.schedules = ScheduleBook(catalog, clock)

    def _new(self, rng: random.Random, flow: int, created: float) -> SimRun:
        return new_run(rng, uuid4(rng), flow, created, len(self.cat.edges[flow].steps),
                       outcome="SUCCEEDED", status="CREATED", next_at=created + 0.5)

    @staticmethod
    def _outcome(rng: random.Random, history: bool) -> str:
        r = rng.random()
        if history:
            table = (
                (0.6, "SUCCEEDED"),
                (0.72, "PARTIAL_SUCCEEDED"),
                (0.84, "FAILED"),
                (0.91, "STOPPED"),
                (0.96, "INVALID"),
            )
            for bound, name in table:
                if r < bound:
                    return name
            return "null"
        return "SUCCEEDED" if r < 0.7 else "PARTIAL_SUCCEEDED" if r < 0.85 else "FAILED"

    def seed_runs(self, rng: random.Random, count: int, active_fraction: float) -> None:
        span = max(3600.0, count * 60.0)
        runs: list[SimRun] = []
        n_active = n_history = 0
        for _ in range(count):
            run = self._new(rng, rng.randrange(len(self.cat.edges)), 0.0)
            if rng.random() < active_fraction:
                run.outcome = self._outcome(rng, False)
                kind = rng.random()
                # the first active runs cover a BLOCKED and a SCHEDULED run
                kind = (0.6, 0.75, kind)[min(n_active, 2)]
                n_active += 1
                if kind < 0.55:
                    run.created = -rng.uniform(0.0, 0.9 * run.step_dur * run.nsteps)
                    if rng.random() < 0.2:
                        run.flags |= BLOCK_ONCE
                elif kind < 0.7:
                    run.created = -rng.uniform(60.0, 3600.0)
                    run.flags |= STUCK
                    run.outcome = "SUCCEEDED"
                elif kind < 0.8:
                    run.created = -rng.uniform(10.0, 600.0)
                    run.flags |= SCHEDULED
                    run.status = "SCHEDULED"
                elif kind < 0.9:
                    run.created = -rng.uniform(0.0, 0.4)
                else:
                    run.created = -rng.uniform(0.6, 1.0)
            else:
                run.created = -rng.uniform(150.0, span)
                run.outcome = self._outcome(rng, True)
                # every seeded world has an INVALID run and one with a null status
                run.outcome = ("INVALID", "null", run.outcome)[min(n_history, 2)]
                n_history += 1
            run.updated = run.created
            if run.outcome == "null":
                run.status = None
                run.next_at = INF
            elif run.status == "SCHEDULED":
                run.next_at = rng.uniform(30.0, 900.0)
            else:
                run.next_at = run.created + 0.5
            runs.append(run)
        runs.sort(key=lambda r: r.created)
        for run in runs:
            run.num = self.next_num
            self.next_num += 1
            self.store.add(run, 0.0)

    def spawn(self, rng: random.Random, t: float, now: float) -> SimRun | None:
        flow = rng.randrange(len(self.cat.edges))
        if self.schedules.stops(flow):
            return None  # its schedules are paused: nothing starts on its own
        run = self._new(rng, flow, t)
        run.outcome = self._outcome(rng, False)
        r = rng.random()
        if r < 0.1:
            run.flags |= STUCK
        elif r < 0.25:
            run.flags |= BLOCK_ONCE
        return self._add(run, now)

    def create(
        self, rng: random.Random, flow: int, now: float, inputs: list[Any], parameters: dict[str, Any]
    ) -> SimRun:
        run = self._new(rng, flow, now)
        run.outcome = self._outcome(rng, False)
        run.extra = {"inputs": inputs, "parameters": parameters}
        return self._add(run, now)

    def _add(self, run: SimRun, now: float) -> SimRun:
        run.num = self.next_num
        self.next_num += 1
        return self.store.add(run, now)

    # ---- actions -----------------------------------------------------------
    def cancel(self, run: SimRun, now: float) -> str | None:
        if run.status not in CANCELLABLE:
            return f"Flow run cannot be cancelled in status {run.status}"
        run.left = max(0.1, run.next_at - now) if run.status == "RUNNING" else 0.0
        run.status = "STOPPED"
        run.finished = now
        run.updated = now
        run.next_at = INF
        self.store.reschedule(run)
        return None

    def resume(self, run: SimRun, now: float) -> str | None:
        if run.status not in RESUMABLE:
            return f"Flow run cannot be resumed in status {run.status}"
        if run.outcome == "STOPPED":
            run.outcome = "SUCCEEDED"
        run.finished = None
        run.updated = now
        if run.started is None:
            run.status = "QUEUED"
            run.next_at = now + 1.0
        else:
            run.status = "RUNNING"
            run.next_at = now + (run.left if run.left > 0 else run.step_dur)
        self.store.reschedule(run)
        return None

    # ---- JSON ---------------------------------------------------------------
    def _step_count(self, run: SimRun, j: int) -> int:
        return 1 + mix(run.seed, 300 + j) % 6

    def output_count(self, run: SimRun) -> int:
        return sum(self._step_count(run, j) for j in range(min(run.step, run.nsteps)))

    def step_uid(self, run: SimRun, j: int) -> str:
        return uuid_of((mix(run.seed, 100 + j) << 64) | mix(run.seed, 200 + j))

    def last_error(self, run: SimRun) -> dict[str, str] | None:
        if run.status == "FAILED":
            label, message = _ERRORS[mix(run.seed, 5) % len(_ERRORS)]
            return {"label": label, "message": message}
        if run.status == "INVALID":
            return {
                "label": "BAD_INPUT",
                "message": "Input 'linkedin_profile_url' is not a valid LinkedIn URL",
            }
        return None

    def run_json(self, run: SimRun, include_steps: bool = False) -> dict[str, Any]:
        flow = self.cat.edges[run.flow]
        iso = self.clock.iso
        scheduled = self.step_uid(run, 99) if run.flags & SCHEDULED else None
        body: dict[str, Any] = {
            "id": run.num,
            "uid": run.id,
            "user_uid": self.cat.edges_users[run.seed % 2],
            "workspace_uid": self.cat.workspace_uid,
            "status": run.status,
            "last_error": self.last_error(run),
            "callback": None,
            # `slug` and `name` are an inference: the docs only show workflow{uid, metadata}
            "workflow": {
                "uid": flow.uid,
                "slug": flow.slug,
                "name": flow.name,
                "metadata": {"account_rotation": flow.account_rotation},
            },
            "output_count": self.output_count(run),
            "scheduled_flow_run_uid": scheduled,
            "started_at": iso(run.started),
            "finished_at": iso(run.finished),
            "synced_at": iso(run.updated),
            "updated_at": iso(run.updated),
            "created_at": iso(run.created),
        }
        if include_steps:
            body["steps"] = self.steps_json(run)
        return body

    def status_json(self, run: SimRun) -> dict[str, Any]:
        iso = self.clock.iso
        return {
            "id": run.num,
            "uid": run.id,
            "status": run.status,
            "started_at": iso(run.started),
            "finished_at": iso(run.finished),
            "created_at": iso(run.created),
            "updated_at": iso(run.updated),
        }

    def _step_status(self, run: SimRun, j: int) -> str:
        if j < run.step:
            if run.status == "PARTIAL_SUCCEEDED" and j == run.stop_step:
                return "PARTIAL_SUCCEEDED"
            return "SUCCEEDED"
        if j == run.step and run.status in ("RUNNING", "BLOCKED", "FAILED", "STOPPED"):
            return str(run.status)
        return "CREATED"

    def steps_json(self, run: SimRun) -> list[dict[str, Any]]:
        """Per-step status; field names are an inference (not published)."""
        flow = self.cat.edges[run.flow]
        iso = self.clock.iso
        steps: list[dict[str, Any]] = []
        for j, action in enumerate(flow.steps):
            begin = None if run.started is None or j > run.step else run.started + j * run.step_dur
            done = j < run.step
            steps.append(
                {
                    "uid": self.step_uid(run, j),
                    "position": j,
                    "action_name": action,
                    "status": self._step_status(run, j),
                    "output_count": self._step_count(run, j) if done else 0,
                    "started_at": iso(begin),
                    "finished_at": iso(begin + run.step_dur) if done and begin is not None else None,
                }
            )
        return steps

    def action_runs_json(self, run: SimRun) -> list[dict[str, Any]]:
        """`GET /v1/runs?flow_run_id=`: the action runs behind a flow run's steps.

        The item fields follow the documented action-run answer (`run_id`, `run_uid`,
        `action_name`, lowercase `status`, times); the list's exact shape is unpublished.
        """
        flow = self.cat.edges[run.flow]
        iso = self.clock.iso
        found: list[dict[str, Any]] = []
        for j, action in enumerate(flow.steps):
            if run.started is None or j > run.step:
                break
            step_status = self._step_status(run, j)
            status = {"SUCCEEDED": "completed", "PARTIAL_SUCCEEDED": "completed", "FAILED": "failed",
                      "RUNNING": "running", "BLOCKED": "running"}.get(step_status)
            if status is None:
                continue
            begin = run.started + j * run.step_dur
            done = status in ("completed", "failed")
            error = self.last_error(run) if status == "failed" else None
            found.append({
                "run_id": run.num * 100 + j,
                "run_uid": uuid_of((mix(run.seed, 400 + j) << 64) | mix(run.seed, 500 + j)),
                "workspace_uid": self.cat.workspace_uid,
                "user_uid": self.cat.edges_users[run.seed % 2],
                "action_name": action,
                "flow_run_id": run.num,
                "status": status,
                "error": error,
                "results_count": self._step_count(run, j) if status == "completed" else 0,
                "created_at": iso(begin),
                "started_at": iso(begin),
                "finished_at": iso(begin + run.step_dur) if done else None,
            })
        return found

    def outputs_json(
        self, run: SimRun, offset: int, limit: int, step_uid: str | None
    ) -> list[dict[str, Any]]:
        flow = self.cat.edges[run.flow]
        rows: list[dict[str, Any]] = []
        index = 0
        for j in range(min(run.step, run.nsteps)):
            suid = self.step_uid(run, j)
            if step_uid is not None and suid != step_uid:
                continue
            for n in range(self._step_count(run, j)):
                if index >= offset and len(rows) < limit:
                    rows.append(self._output(run, j, n, suid, flow.steps[j]))
                index += 1
        return rows

    def _output(self, run: SimRun, j: int, n: int, suid: str, action: str) -> dict[str, Any]:
        h = mix(run.seed, 1000 + j * 64 + n)
        failed = run.status == "PARTIAL_SUCCEEDED" and j == run.stop_step and n == 0
        name = _NAMES[h % len(_NAMES)]
        begin = (run.started or run.created) + j * run.step_dur
        return {
            "uid": uuid_of((h << 64) | mix(h, 7)),
            "flow_run_uid": run.id,
            "step_uid": suid,
            "action_name": action,
            "status": "FAILED" if failed else "SUCCEEDED",
            "error": {"label": "NOT_FOUND", "message": "Profile not found"} if failed else None,
            "data": None
            if failed
            else {
                "full_name": name,
                "headline": f"Engineer at {pick(h, 2, _COMPANIES)}",
                "linkedin_profile_url": f"https://www.linkedin.com/in/{_slug(name)}-{h % 9999}",
            },
            "created_at": self.clock.iso(begin + run.step_dur * (n + 1) / (self._step_count(run, j) + 1)),
        }


def _slug(name: str) -> str:
    return name.lower().replace(" ", "-")
