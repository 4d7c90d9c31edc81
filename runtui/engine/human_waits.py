"""A run a person is asked about reads as waiting, whatever its platform calls it.

Wexa parks an execution that asks a person (runtime input, anomaly or preview
approval) as `paused`, the very word a plain pause gives it: only its inbox
(`ListsHumanRequests`) tells the two apart. The faces show, count and filter the
common status, so such a run gets `waiting` there, the state the attention queue
already gives it. Its raw status stays the platform's: the allowed actions are
looked up by it (a paused Wexa execution still takes resume and cancel).

The inbox is read where it already is (the TUI's attention poll, `runtui
attention`) or once per profile per command: never once per run.
"""

from __future__ import annotations

from collections.abc import Iterable

from msgspec.structs import replace

from runtui.model import ACTIVE, Kind, Run, Status
from runtui.providers.base import ListQuery, Provider
from runtui.providers.capabilities import ListsHumanRequests


def as_waiting(run: Run) -> Run:
    """`run` as waiting on a person; the same object when it already is, or has ended
    (a request listed a moment late cannot bring a finished run back)."""
    if run.status is Status.WAITING or run.status.terminal:
        return run
    return run.model_copy(update={"status": Status.WAITING})


def read_as_asked(runs: Iterable[Run], asked: frozenset[str]) -> list[Run]:
    """`runs`, those whose id a listed request names read as waiting (requests name
    runs, never Wexa's tasks)."""
    return [as_waiting(run) if run.id in asked and run.kind is Kind.RUN else run for run in runs]


async def asked_ids(provider: Provider) -> frozenset[str]:
    """The ids of the runs `provider`'s platform lists as asking a person (one request,
    where it has such a list; none otherwise)."""
    if not isinstance(provider, ListsHumanRequests):
        return frozenset()
    return frozenset(request.run_id for request in await provider.human_requests())


async def list_runs_read_as_asked(provider: Provider, query: ListQuery, asked: frozenset[str]) -> list[Run]:
    """`provider.list_runs(query)` with the runs in `asked` (`asked_ids`) read as waiting,
    and `query.statuses` judged on what is shown.

    Such a run has another status on its server, where the listing filters: `waiting`
    also asks for every active status (a bounded set, as the watchers poll it), and any
    other filter asks for as many more runs as could leave it.
    """
    wanted = query.statuses
    if not asked or query.kind is not Kind.RUN or wanted is None:
        return read_as_asked(await provider.list_runs(query), asked)
    if Status.WAITING in wanted:
        wide = replace(query, statuses=wanted | ACTIVE, limit=None)
    else:
        wide = replace(query, limit=None if query.limit is None else query.limit + len(asked))
    shown = [run for run in read_as_asked(await provider.list_runs(wide), asked) if run.status in wanted]
    return shown[:query.limit]
