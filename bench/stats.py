"""The workflows view's figures: what recomputing costs at 10,000 and 50,000 runs.

    python -m bench.stats            # 10k and 50k runs, 40 workflows, median of 7
    python -m bench.stats --quick    # 10k only, median of 5

Three figures per size, each the median of several rounds with min and max:
* ingest: every run reduced to a sample, once (the first time the view is opened);
* recompute all: every workflow's figures recomputed from the samples (a new window);
* idle: asked again with no run changed (what the view's one-second tick costs);
* one change: one run finished, the rest untouched (a refresh that moved one run).
The target of the workflows issue is full <= 50 ms at 50,000 runs and nothing
recomputed when no run changed. Figures are printed; nothing is asserted.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from runtui.engine.stats import WorkflowStats
from runtui.engine.store import RunStore
from runtui.model import Run, Status

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
WORKFLOWS = 40
WINDOW = 7 * 86400.0
TARGET_FULL_MS = 50.0
OUTCOMES = (Status.SUCCEEDED,) * 8 + (Status.FAILED, Status.CANCELLED, Status.RUNNING)


def make_runs(count: int) -> list[Run]:
    runs = []
    for i in range(count):
        start = NOW - timedelta(seconds=(i * 37) % int(WINDOW * 1.2))
        status = OUTCOMES[i % len(OUTCOMES)]
        took = 20 + (i * 7919) % 600
        runs.append(Run(profile=f"p{i % 3}", provider="edges", id=f"r{i}", workflow_id=f"wf{i % WORKFLOWS}",
                        workflow_name=f"Workflow {i % WORKFLOWS}", status=status, raw_status=status.value,
                        created_at=start, started_at=start,
                        finished_at=None if status is Status.RUNNING else start + timedelta(seconds=took)))
    return runs


def timed(fn: Callable[[], object], rounds: int) -> tuple[float, float, float]:
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples), min(samples), max(samples)


def measure(count: int, rounds: int) -> dict[str, tuple[float, float, float] | int]:
    runs = make_runs(count)
    store = RunStore()
    store.upsert(runs)
    at = NOW.timestamp()

    def ingest() -> None:
        WorkflowStats(store).close()

    stats = WorkflowStats(store)

    def full() -> None:
        stats.forget()
        stats.figures(WINDOW, at)

    stats.figures(WINDOW, at)
    before = stats.recomputed
    idle = timed(lambda: stats.figures(WINDOW, at), rounds)
    recomputed_idle = stats.recomputed - before
    flip = [0]

    def one_change() -> None:
        flip[0] += 1
        run = runs[flip[0] % len(runs)]
        store.upsert([run.model_copy(update={"status": Status.FAILED, "raw_status": f"failed{flip[0]}"})])
        stats.figures(WINDOW, at)

    return {"ingest": timed(ingest, rounds), "full": timed(full, rounds), "idle": idle,
            "one": timed(one_change, rounds), "recomputed_idle": recomputed_idle}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="10k runs only, 5 rounds")
    args = parser.parse_args()
    sizes, rounds = ([10_000], 5) if args.quick else ([10_000, 50_000], 7)
    print(f"per-workflow figures, {WORKFLOWS} workflows, 7 d window; median (min-max) of {rounds} rounds")
    print(f"{'runs':>7}  {'ingest once ms':>22}  {'recompute all ms':>22}  {'idle ask ms':>16}  "
          f"{'one run changed ms':>18}  {'recomputed idle':>15}  target recompute all")
    for count in sizes:
        found = measure(count, rounds)
        cells = [_cell(found[k]) for k in ("ingest", "full", "idle", "one")]  # type: ignore[arg-type]
        print(f"{count:>7}  {cells[0]:>22}  {cells[1]:>22}  {cells[2]:>16}  {cells[3]:>18}  "
              f"{found['recomputed_idle']:>15}  <= {TARGET_FULL_MS:.0f} ms")


def _cell(figure: tuple[float, float, float]) -> str:
    med, low, high = figure
    return f"{med:.2f} ({low:.2f}-{high:.2f})"


if __name__ == "__main__":
    main()
