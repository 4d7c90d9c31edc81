"""`runtui runs wait` and `runtui runs logs`: following runs until they end.

`wait` keeps the named runs fresh the way the table keeps rows on screen fresh
(engine.waiter); `logs` reads a run's log or events, once or following (engine.logs).
Both are attached to `runs` by the root (runtui.commands). `wait` exits 0 when every
run succeeded, 1 when one failed or was cancelled or no run has an id (in the profiles
it could read: a profile it could not read is a warning, not a failure), 4 on timeout.
"""

from __future__ import annotations

import asyncio
import functools
import json
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from runtui import display
from runtui.cli_args import ID, PROFILE_OF_ID_HELP, FiniteFloatRange, unique_values
from runtui.cli_context import Ctx, run_async, workspace_of
from runtui.cli_ids import IdNotFound, read_summary, resolve, say_unread, unread_reasons
from runtui.cli_output import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_SERVER,
    EXIT_TIMEOUT,
    EXIT_USAGE,
    INTERRUPTIONS,
    NdjsonCommand,
    cell,
    fail,
    say,
    say_interrupted,
)
from runtui.engine.health import Health, HealthState
from runtui.errors import NotAllowed, ProviderError, same_run
from runtui.model import Kind, Run, Status

if TYPE_CHECKING:
    from runtui.engine.waiter import WaitOutcome
    from runtui.providers.base import Provider

X = TypeVar("X")


@click.command("wait", cls=NdjsonCommand)
@click.argument("run_ids", nargs=-1, required=True, type=ID, callback=unique_values)
@click.option("--profile", "-p", default=None,
              help="The profile the runs belong to; may be left out when each id is unique.")
@click.option("--timeout", type=FiniteFloatRange(min=0), default=None,
              help="Give up after SECONDS (exit 4), finding the runs included. Default: wait "
                   "as long as it takes.")
@click.option("--json", "as_json", is_flag=True,
              help="NDJSON: one object per status change, then one summary object.")
@click.pass_obj
def runs_wait(obj: Ctx, run_ids: tuple[str, ...], profile: str | None, timeout: float | None,
              as_json: bool) -> None:
    """Wait until every named run has ended. RUN_IDS: full ids or the starts the table shows.

    Exit 0 when all succeeded, 1 when any failed or was cancelled or no run has an id,
    4 on timeout, 2 on usage or config errors (an unknown profile, an ambiguous id). The runs are kept fresh
    the way the table keeps rows on screen fresh, not with a request per run per tick.
    Without --profile, a profile that cannot be read is named on stderr and the runs
    found in the others are waited on; an id found in none of them exits 1. A failed
    run is named with why it failed: its listing's error, else its detail's failed steps.
    """
    from runtui.engine.waiter import RunWaiter, StatusChange, WaitOutcome, passing_trouble, patiently

    ws = workspace_of(obj)

    def show(change: StatusChange) -> None:
        if as_json:
            click.echo(json.dumps(change.to_json()))
        else:
            run = change.run
            say(f"{change.at.astimezone().strftime('%H:%M:%S')}  {run.profile}  {cell(run.id)}  "
                f"{display.status_text(run)} [{cell(run.raw_status)}]")

    def trouble(health: Health) -> None:
        if health.state is not HealthState.OK:
            say(f"runtui: {health.profile}: {cell(health.describe())}", err=True)

    def interval(name: str) -> float:
        return ws.config.profiles[name].refresh_seconds or ws.config.defaults.refresh_seconds

    down: set[str] = set()  # profiles that stayed down through one patient search
    told: set[str] = set()  # profiles already warned about

    def trying_again(name: str) -> Callable[[ProviderError], None]:
        return lambda exc: say(f"runtui: {cell(exc.naming(name))}; trying again", err=True)

    async def patient(name: str, read: Callable[[], Awaitable[X]]) -> X:
        """A read of a profile the id was not found elsewhere for, ridden out as the wait's
        own reads are; once a profile stayed down that long, the next ids try it once."""
        if name in down:
            return await read()
        try:
            return await patiently(read, on_trouble=trying_again(name))
        except ProviderError as exc:
            if passing_trouble(exc):
                down.add(name)
            raise

    unresolved: list[str] = []  # ids still being looked up when the time ran out (or Ctrl-C)

    async def find_targets(found_runs: dict[tuple[str, str], Run]) -> list[tuple[str, str]]:
        """(profile, full id) of each id named; an id found nowhere readable stops here."""
        targets: list[tuple[str, str]] = []
        unknown: list[str] = []
        unreadable: dict[str, str] = {}
        for i, ref in enumerate(run_ids):  # a short id names one run (or none: exit 1 below)
            unresolved[:] = run_ids[i:]
            try:
                # Without --profile, a profile that cannot be read does not stop the
                # wait for runs found in the others: it is named on stderr.
                found = await patiently(
                    functools.partial(resolve, ws, ref, Kind.RUN, read_summary, profile,
                                      reads_only=True, retry=patient),
                    on_trouble=lambda exc: say(f"runtui: {cell(exc.naming(profile))}; trying again",
                                               err=True))
            except IdNotFound as exc:
                unknown.append(ref)
                unreadable |= exc.unreadable
                continue
            say_unread(found.unread, told)
            targets.append((found.profile, found.value.id))
            found_runs[(found.profile, found.value.id)] = found.value
        unresolved.clear()
        if unknown:  # exit 1, as `runs show` and the README
            text = f"no run has the id {', '.join(map(repr, unknown))} or an id starting with it"
            if unreadable:
                text += f"; it may be in a profile that could not be read: {unread_reasons(unreadable)}"
            raise IdNotFound(text, unreadable=unreadable)
        return targets

    async def main() -> WaitOutcome:
        # --timeout bounds the whole command: the lookup of the ids (where a profile that
        # is down is retried 1, 2, 4, 8 s apart) as much as the waiting.
        loop = asyncio.get_running_loop()
        deadline = None if timeout is None else loop.time() + timeout
        found_runs: dict[tuple[str, str], Run] = {}
        try:
            try:
                async with asyncio.timeout_at(deadline):
                    targets = await find_targets(found_runs)
            except TimeoutError:
                return WaitOutcome(runs=found_runs, timed_out=True)
            providers = {name: ws.provider(name) for name, _ in targets}
            waiter = RunWaiter(providers, targets, interval=interval, on_change=show, on_health=trouble)
            waiters.append(waiter)
            return await waiter.wait(None if deadline is None else max(0.0, deadline - loop.time()))
        finally:
            await ws.aclose()

    waiters: list[RunWaiter] = []  # the one waiter, once the ids are resolved: read on Ctrl-C
    try:
        outcome = run_async(main())
    except INTERRUPTIONS:
        if not as_json:
            raise
        # What is known so far, in the summary's shape: a script still gets its one object.
        partial = waiters[0].outcome_so_far() if waiters else WaitOutcome()
        click.echo(json.dumps(_wait_json(partial, EXIT_INTERRUPTED, unresolved) | {"interrupted": True}))
        say_interrupted()
    code = _wait_exit_code(outcome)
    if unresolved:
        say(f"runtui: timed out after {timeout:g} s looking up {', '.join(map(repr, unresolved))}",
            err=True)
    if as_json:
        click.echo(json.dumps(_wait_json(outcome, code, unresolved)))
    else:
        say(_wait_summary(outcome, len(waiters[0].targets) if waiters else len(run_ids)))
    for missing_profile, run_id in outcome.missing:
        say(f"runtui: no run {cell(run_id)!r} in profile {missing_profile!r}", err=True)
    sys.exit(code)


def _wait_json(outcome: WaitOutcome, code: int, unresolved: list[str]) -> dict[str, Any]:
    """`runs wait --json`'s last object: where each waited run stands (`unresolved`: the
    ids still being looked up when the time ran out)."""
    return {"summary": {
        "exit_code": code, "timed_out": outcome.timed_out,
        "succeeded": [r.id for r in outcome.with_status(Status.SUCCEEDED)],
        "failed": [r.id for r in outcome.with_status(Status.FAILED)],
        "cancelled": [r.id for r in outcome.with_status(Status.CANCELLED)],
        "unfinished": [r.id for r in outcome.unfinished],
        "missing": [run_id for _p, run_id in outcome.missing],
        "unresolved": list(unresolved),
        "why_failed": {key[1]: why for key, why in outcome.why_failed.items()}}}


def _wait_exit_code(outcome: WaitOutcome) -> int:
    if outcome.missing:  # no run has the id (any more): as `runs show`
        return EXIT_SERVER
    if outcome.timed_out:
        return EXIT_TIMEOUT
    return EXIT_OK if outcome.all_succeeded else EXIT_SERVER


def _wait_summary(outcome: WaitOutcome, asked: int) -> str:
    """Counts on the first line, then one line per run that did not succeed: a wait on
    300 runs ended in one 9 KB line naming every id still active."""
    unfinished = outcome.unfinished if outcome.timed_out else []
    ended = [(status, outcome.with_status(status)) for status in (Status.FAILED, Status.CANCELLED)]
    parts = [f"{sum(1 for r in outcome.runs.values() if r.status is Status.SUCCEEDED)} of {asked} "
             "runs succeeded"]
    if outcome.timed_out:
        parts.append(f"timed out, {len(unfinished)} still active" if unfinished else "timed out")
    parts += [f"{len(runs_in)} {status.value}" for status, runs_in in ended if runs_in]
    lines = ["; ".join(parts)]
    lines += [f"still active: {cell(r.id)} ({r.status.value})" for r in unfinished]
    lines += [f"{status.value}: {cell(r.id)}{_why(outcome, r)}" for status, runs_in in ended for r in runs_in]
    return "\n".join(lines)


def _why(outcome: WaitOutcome, run: Run) -> str:
    """`: why it failed` after a failed run's id, on the same line (grep and cut still
    find the id as the line's second word), where it is known."""
    why = outcome.why_failed.get(run.key)
    return f": {cell(why)}" if why else ""


# ---- runs logs ---------------------------------------------------------------------------


LEVEL_CHOICES = ("debug", "info", "warning", "error")


@click.command("logs", cls=NdjsonCommand)
@click.argument("run_id", type=ID)
@click.option("--profile", "-p", default=None, help=PROFILE_OF_ID_HELP)
@click.option("--follow", "-f", is_flag=True, help="Keep printing new lines until the run ends.")
@click.option("--since", default=None, metavar="AGE|TIME",
              help="Only lines newer than this: 30s, 10m, 2h, 1d, or an ISO 8601 time.")
@click.option("--level", type=click.Choice(LEVEL_CHOICES, case_sensitive=False), default="debug",
              show_default=True, help="Only lines at this level or above.")
@click.option("--json", "as_json", is_flag=True,
              help="One JSON object per line (NDJSON): time, level, source, message, run_id, id, marker.")
@click.pass_obj
def runs_logs(obj: Ctx, run_id: str, profile: str | None, follow: bool, since: str | None, level: str,
              as_json: bool) -> None:
    """A run's log (Prefect) or its events (platforms without a log API say so on stderr)."""
    from runtui import logtext
    from runtui.engine.logs import LogFollower
    from runtui.model import LogEvent, LogLevel
    from runtui.providers.capabilities import reader_of
    from runtui.providers.events import EventQuery

    try:
        since_at = logtext.parse_since(since) if since else None
    except ValueError as exc:
        fail(f"--since: {exc}", EXIT_USAGE)
    query = EventQuery(since=since_at, min_level=LogLevel.of(level))
    ws = workspace_of(obj)

    def show(line: LogEvent) -> None:
        if line.marker is not None:
            say(f"runtui: {line.message}", err=True)
        elif as_json:  # escaped: no control character reaches the terminal raw
            click.echo(json.dumps(line.to_json(), ensure_ascii=True))
        else:
            say(logtext.format_line(line))

    async def read(provider: Provider, full_id: str) -> Run:
        run = await provider.get_summary(full_id, Kind.RUN)
        same_run(provider.name, full_id, run.id)
        return run

    async def main() -> None:
        try:
            found = await resolve(ws, run_id, Kind.RUN, read, profile, reads_only=True)
            say_unread(found.unread)
            provider, run = found.provider, found.value
            reader = reader_of(provider)
            if reader is None:
                raise NotAllowed(f"{provider.name} has no logs or events to read")
            follower = LogFollower(reader, run, query)
            if not follow:
                lines = await follower.read_all()
                if follower.error is not None:
                    raise ProviderError(follower.error, provider=provider.name)
                _say_no_logs(follower.real_logs, follower.note)
                for line in lines:
                    show(line)
                return
            told = False
            while not follower.ended:
                for line in await follower.read_once():
                    show(line)
                if not told and follower.real_logs is not None:
                    _say_no_logs(follower.real_logs, follower.note)
                    told = True
                if not follower.ended:
                    await asyncio.sleep(0 if follower.more else max(LOG_TICK, follower.backoff()))
        finally:
            await ws.aclose()

    run_async(main())


LOG_TICK = 1.0  # seconds between reads while following


def _say_no_logs(real_logs: bool | None, note: str | None) -> None:
    """A provider without a log API: its events are printed, and stderr says what they are."""
    if real_logs is False:
        say(f"runtui: {note or 'this provider publishes no log API: showing its events'}", err=True)
