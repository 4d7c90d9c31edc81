"""B3OS runs: node-by-node execution along the workflow definition.

A run is `running` from its trigger, advances one node at a time, parks in
`waiting` on a wait node (auto-approved after a while, or stuck until resumed),
and ends `success`, `partial` (a node failed but the run went on), `failure`
or `cancelled`. `executionState` and `totalCu` are built from the step count.
"""

from __future__ import annotations

import random
from typing import Any

from .catalog import B3Workflow, Catalog
from .runs import INF, STUCK, ItemTexts, RunStore, SimRun, force_status, new_run
from .state import SimClock, base62, frac, pick

TERMINAL: frozenset[str | None] = frozenset({"success", "failure", "cancelled", "partial"})
STATUSES = ("running", "waiting", "success", "failure", "cancelled", "partial")

_ERRORS = (
    "execution reverted: insufficient balance",
    "RPC timeout after 30s",
    "slippage tolerance exceeded",
    "HTTP 500 from upstream API",
)
_TRIGGER_SOURCE = {"schedule": "schedule", "onchain-transfer": "onchain", "manual": "manual"}


class B3Life:
    """Transitions of one run at its scheduled times."""

    terminal = TERMINAL

    def __init__(self, catalog: Catalog) -> None:
        self.cat = catalog
        self.wait_idx = tuple(w.wait_index() for w in catalog.b3os)

    def step(self, run: SimRun, t: float) -> None:
        run.updated = t
        if run.status == "waiting":
            run.left = max(0.0, run.left + t - (run.started or 0.0) - self._nominal_end(run))
            self.finish_node(run, t)
            return
        if run.status != "running":
            run.next_at = INF
            return
        k = run.step
        if k == run.stop_step and run.outcome in ("failure", "cancelled"):
            run.status = run.outcome
            run.finished = t
            run.next_at = INF
        elif k == self.wait_idx[run.flow] and k < run.nsteps:
            run.status = "waiting"
            run.next_at = INF if run.flags & STUCK else t + 20.0 + 70.0 * frac(run.seed, 6)
        else:
            self.finish_node(run, t)

    def _nominal_end(self, run: SimRun) -> float:
        start = int((run.extra or {}).get("from", 0))
        return (run.step - start + 1) * run.step_dur + run.left

    @staticmethod
    def finish_node(run: SimRun, t: float) -> None:
        run.step += 1
        if run.step >= run.nsteps:
            run.status = "partial" if run.outcome == "partial" else "success"
            run.finished = t
            run.next_at = INF
        else:
            run.status = "running"
            run.next_at = t + run.step_dur

    def force(self, run: SimRun, status: str | None, t: float) -> None:
        if force_status(run, status, t, clear=STUCK, outcome="success",
                        terminal=TERMINAL):
            if status == "failure":
                run.stop_step = min(run.step, run.nsteps - 1)
                run.step = run.stop_step
            return
        run.step = min(run.step, run.nsteps - 1)
        if status == "running":
            run.next_at = t + run.step_dur
        elif status == "waiting":
            run.flags |= STUCK


class B3osSim:
    """The B3OS half of the world."""

    def __init__(self, catalog: Catalog, clock: SimClock) -> None:
        self.cat = catalog
        self.clock = clock
        self.life = B3Life(catalog)
        self.store = RunStore(self.life)
        self.items = ItemTexts(self.item_json, clock)  # list items, kept while a run is unchanged
        # the workflows' status now (pause and resume change it; the catalog is fixed)
        self.workflow_status = [w.status for w in catalog.b3os]

    def _new(self, rng: random.Random, flow: int, created: float) -> SimRun:
        return new_run(rng, "run_" + base62(rng, 24), flow, created,
                       len(self.cat.b3os[flow].nodes) - 1, outcome="success", status="running",
                       started=created)

    @staticmethod
    def _outcome(rng: random.Random, history: bool) -> str:
        r = rng.random()
        if history:
            return "success" if r < 0.7 else "failure" if r < 0.85 else "cancelled" if r < 0.93 else "partial"
        return "success" if r < 0.8 else "failure" if r < 0.92 else "partial"

    def seed_runs(self, rng: random.Random, count: int, active_fraction: float) -> None:
        span = max(3600.0, count * 60.0)
        payroll = self._payroll()
        runs: list[SimRun] = []
        n_active = n_history = 0
        for _ in range(count):
            active = rng.random() < active_fraction
            stuck = active and payroll >= 0 and (rng.random() < 0.2 or n_active == 0)
            n_active += active
            flow = payroll if stuck else rng.randrange(len(self.cat.b3os))
            if active and self.cat.b3os[flow].status == "archived":
                flow = self.cat.b3os_runnable[0]
            run = self._new(rng, flow, 0.0)
            if stuck:
                run.created = -rng.uniform(120.0, 3600.0)
                run.flags |= STUCK
            elif active:
                run.outcome = self._outcome(rng, False)
                run.created = -rng.uniform(0.0, 0.9 * run.step_dur * run.nsteps)
                if rng.random() < 0.4:
                    run.flags |= STUCK
            else:
                run.created = -rng.uniform(150.0, span)
                run.outcome = self._outcome(rng, True)
                # every seeded world has a partial and a failed run
                run.outcome = ("partial", "failure", run.outcome)[min(n_history, 2)]
                n_history += 1
            run.started = run.updated = run.created
            run.next_at = run.created + run.step_dur
            runs.append(run)
        runs.sort(key=lambda r: r.created)
        for run in runs:
            self.store.add(run, 0.0)

    def _payroll(self) -> int:
        for i, wf in enumerate(self.cat.b3os):
            if wf.wait_index() >= 0 and wf.status != "archived":
                return i
        return -1

    def spawn(self, rng: random.Random, t: float, now: float) -> SimRun | None:
        flow = rng.choice(self.cat.b3os_runnable)
        if self.workflow_status[flow] == "paused":
            return None  # a paused workflow's triggers do not fire
        run = self._new(rng, flow, t)
        run.outcome = self._outcome(rng, False)
        if rng.random() < 0.4:
            run.flags |= STUCK
        run.next_at = t + run.step_dur
        return self.store.add(run, now)

    def create(
        self,
        rng: random.Random,
        flow: int,
        now: float,
        payload: Any,
        run_id: str | None,
        extra: dict[str, Any],
    ) -> SimRun:
        run = self._new(rng, flow, now)
        if run_id:
            run.id = run_id
        run.outcome = self._outcome(rng, False)
        run.flags |= STUCK  # a wait node in a run you started waits for you
        run.extra = {"payload": payload, "triggerSource": "api", **extra}
        run.next_at = now + run.step_dur
        return self.store.add(run, now)

    # ---- actions ------------------------------------------------------------
    def cancel(self, run: SimRun, now: float) -> str | None:
        if run.status not in ("running", "waiting"):
            return "Run is not cancellable"
        run.status = "cancelled"
        run.finished = now
        run.updated = now
        run.next_at = INF
        self.store.reschedule(run)
        return None

    def retry(self, rng: random.Random, run: SimRun, now: float) -> SimRun | None:
        if run.status != "failure":
            return None
        start = min(run.step, run.nsteps - 1)
        new = self._new(rng, run.flow, now)
        new.outcome = "success"
        new.step = start
        new.flags |= STUCK
        payload = (run.extra or {}).get("payload")
        new.extra = {"sourceRunId": run.id, "from": start, "payload": payload, "triggerSource": "retry"}
        new.next_at = now + new.step_dur
        return self.store.add(new, now)

    def resume_node(self, run: SimRun, node_id: str, data: Any, now: float) -> tuple[str, str]:
        wf = self.cat.b3os[run.flow]
        if run.status != "waiting":
            return "skipped", f"Run is not waiting (status {run.status})"
        current = wf.nodes[run.step + 1].id if run.step < run.nsteps else None
        if node_id != current:
            return "skipped", f"Node {node_id} is not waiting"
        extra = dict(run.extra or {})
        extra.setdefault("resumeData", {})[node_id] = data
        run.extra = extra
        self.life.step(run, now)
        self.store.reschedule(run)
        return "resumed", "Node resumed"

    # ---- JSON -------------------------------------------------------------
    def _cu(self, run: SimRun, j: int) -> float:
        return round(0.2 + 2.0 * frac(run.seed, 400 + j), 3)

    def total_cu(self, run: SimRun) -> float:
        start = int((run.extra or {}).get("from", 0))
        upto = run.step + (1 if run.status == "failure" else 0)
        return round(sum(self._cu(run, j) for j in range(start, min(upto, run.nsteps))), 3)

    def _trigger_source(self, run: SimRun, wf: B3Workflow) -> str:
        if run.extra and "triggerSource" in run.extra:
            return str(run.extra["triggerSource"])
        return _TRIGGER_SOURCE.get(wf.nodes[0].type, "manual")

    def item_json(self, run: SimRun) -> dict[str, Any]:
        wf = self.cat.b3os[run.flow]
        iso = self.clock.iso
        source = self._trigger_source(run, wf)
        return {
            "id": run.id,
            "organizationId": self.cat.organization_id,
            "workflowId": wf.id,
            "workflowVersion": wf.version,
            "workflowName": wf.name,
            "status": run.status,
            "startedAt": iso(run.started),
            "finishedAt": iso(run.finished),
            "triggerSource": source,
            "triggeredBy": None if source in ("schedule", "onchain") else self.cat.b3os_users[run.seed % 2],
            "triggerNodeId": wf.nodes[0].id,
            "totalCu": self.total_cu(run),
            "isDustTest": bool((run.extra or {}).get("dustTest", False)),
            "isSimulation": bool((run.extra or {}).get("simulate", False)),
            "sourceRunId": (run.extra or {}).get("sourceRunId"),
            "summary": self._summary(run, wf),
        }

    def _summary(self, run: SimRun, wf: B3Workflow) -> str:
        done = min(run.step, run.nsteps)
        return f"{done}/{run.nsteps} nodes done ({run.status})"

    def run_json(
        self, run: SimRun, summary: bool = False, node_ids: set[str] | None = None
    ) -> dict[str, Any]:
        wf = self.cat.b3os[run.flow]
        body = self.item_json(run)
        extra = run.extra or {}
        body["propValues"] = {"amount": 100 + run.seed % 900}
        body["simulationMode"] = "fork" if extra.get("simulate") else None
        body["simulationForks"] = (
            [{"chainId": 8453, "forkId": "fork_" + run.id[4:14], "rpcUrl": "http://127.0.0.1:8545"}]
            if extra.get("simulate")
            else []
        )
        if not summary:
            state = self.execution_state(run, wf)
            if node_ids is not None:
                state = {k: v for k, v in state.items() if k in node_ids}
            body["executionState"] = state
            body["workflowDefinition"] = self.definition_json(wf)
        return body

    def execution_state(self, run: SimRun, wf: B3Workflow) -> dict[str, Any]:
        iso = self.clock.iso
        extra = run.extra or {}
        start = int(extra.get("from", 0))
        wait_idx = self.life.wait_idx[run.flow]
        resumed = extra.get("resumeData", {})
        t0 = run.started if run.started is not None else run.created
        trigger = wf.nodes[0]
        state: dict[str, Any] = {
            trigger.id: {
                "type": trigger.type,
                "status": "success",
                "input": None,
                "result": extra.get("payload") or {"triggeredAt": iso(run.created)},
                "startedAt": iso(run.created),
                "finishedAt": iso(run.created),
            }
        }
        for j, node in enumerate(wf.nodes[1:]):
            begin = t0 + (j - start) * run.step_dur + (run.left if wait_idx >= 0 and j > wait_idx else 0.0)
            entry: dict[str, Any] = {
                "type": node.type,
                "status": "pending",
                "input": None,
                "result": None,
                "startedAt": None,
                "finishedAt": None,
            }
            if j < start:
                entry["status"] = "skipped"
                entry["result"] = {"reason": "succeeded in source run"}
            elif j < run.step:
                failed = run.outcome == "partial" and j == run.stop_step
                entry.update(
                    status="failure" if failed else "success",
                    input={"amount": 100 + run.seed % 900},
                    result={"error": pick(run.seed, 9, _ERRORS)}
                    if failed
                    else resumed.get(node.id, {"ok": True, "cu": self._cu(run, j)}),
                    startedAt=iso(begin),
                    finishedAt=iso(begin + run.step_dur + (run.left if j == wait_idx else 0.0)),
                )
            elif j == run.step:
                if run.status in ("running", "waiting"):
                    entry.update(
                        status=run.status, input={"amount": 100 + run.seed % 900}, startedAt=iso(begin)
                    )
                elif run.status == "failure":
                    entry.update(
                        status="failure",
                        result={"error": pick(run.seed, 9, _ERRORS)},
                        startedAt=iso(begin),
                        finishedAt=iso(run.finished),
                    )
                else:
                    entry["status"] = "skipped"
            elif run.status in TERMINAL:
                entry["status"] = "skipped"
            state[node.id] = entry
        return state

    def definition_json(self, wf: B3Workflow) -> dict[str, Any]:
        nodes: dict[str, Any] = {}
        for i, node in enumerate(wf.nodes):
            nxt = [wf.nodes[i + 1].id] if i + 1 < len(wf.nodes) else []
            nodes[node.id] = {
                "type": node.type,
                "payload": {},
                "children": nxt,
                "description": node.description,
            }
        return {
            "nodes": nodes,
            "inputSchema": self.input_schema(wf),
            "blockExpansions": {},
            "triggerNodeIds": [wf.nodes[0].id],
            "variableDefs": [],
        }

    @staticmethod
    def input_schema(wf: B3Workflow) -> list[dict[str, Any]]:
        return [{"key": k, "type": ty, "required": req, "description": d} for k, ty, req, d in wf.input_keys]

    def set_workflow_status(self, flow: int, action: str) -> str | None:
        """Pause or resume workflow `flow`; the error message when its status does not allow it."""
        source, target = ("active", "paused") if action == "pause" else ("paused", "active")
        if self.workflow_status[flow] != source:
            return f"Only {source} workflows can be {'paused' if action == 'pause' else 'resumed'}"
        self.workflow_status[flow] = target
        return None

    def workflow_item_json(self, flow: int) -> dict[str, Any]:
        """A workflow as `GET /v1/workflows` lists it (no definition)."""
        wf = self.cat.b3os[flow]
        last = max((r.created for r in self.store.runs if r.flow == flow), default=None)
        return {"id": wf.id, "name": wf.name, "status": self.workflow_status[flow],
                "description": wf.nodes[0].description, "lastTriggeredAt": self.clock.iso(last),
                "createdAt": self.clock.iso(-30 * 86400.0)}

    def workflow_json(self, wf: B3Workflow) -> dict[str, Any]:
        return {
            "id": wf.id,
            "organizationId": self.cat.organization_id,
            "name": wf.name,
            "status": self.workflow_status[self.cat.b3os_by_id[wf.id]],
            "version": wf.version,
            "inputSchema": self.input_schema(wf),
            "definition": self.definition_json(wf),
            "props": [],
            "createdAt": self.clock.iso(-30 * 86400.0),
            "updatedAt": self.clock.iso(-86400.0),
        }
