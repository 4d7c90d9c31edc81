"""`runtui runs list|show|execute` and the actions on one run (start, pause, resume, cancel, retry).

The root (runtui.commands) attaches this group, and to it `runs wait` and `runs logs`
(runtui.cli_run_watch) and `runs diff` (runtui.cli_workflows). `tasks` shares the
table and the detail printed here.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from runtui import display
from runtui.cli_actions import action_command, report
from runtui.cli_args import ID, JSON_HELP, PROFILE_OF_ID_HELP, parse_inputs, unique_values
from runtui.cli_context import (
    Ctx,
    end_listing,
    file_errors,
    profile_failure,
    read_profiles,
    run_async,
    workspace_of,
)
from runtui.cli_ids import resolve, say_unread
from runtui.cli_output import (
    EXIT_USAGE,
    JsonAwareGroup,
    cell,
    fail,
    human_time,
    say,
    say_json,
    table,
)
from runtui.cli_table import Column
from runtui.engine.server_clock import Offsets, kept_offsets, on_this_clock, server_now
from runtui.errors import ConfigError, ProviderError, RuntuiError, same_run
from runtui.model import Action, Kind, Run, RunDetail, StartRequest, Status

if TYPE_CHECKING:
    from runtui.engine.workspace import Workspace
    from runtui.providers.base import Provider


@click.group(cls=JsonAwareGroup)
def runs() -> None:
    """List, show, execute and control runs."""


def _parse_statuses(values: tuple[str, ...]) -> frozenset[Status] | None:
    if not values:
        return None
    out = set()
    for value in values:
        for part in value.split(","):
            try:
                out.add(Status(part.strip().lower()))
            except ValueError:
                fail(f"unknown status {part!r} (one of: {', '.join(s.value for s in Status)})",
                     EXIT_USAGE)
    return frozenset(out)


def _run_row(run: Run, now: datetime) -> list[str]:
    # CREATED is the creation time, falling back to the start time only when the
    # server gives none (display.created_time); a queued run that has not started
    # has an empty DURATION, as in the TUI. `now` is on the run's server clock.
    return [run.profile, run.provider, run.id, run.workflow or "", display.status_text(run),
            display.relative(display.created_time(run), now), display.run_duration(run, now),
            display.cost(run)]


def run_rows(found: list[Run], offsets: Offsets | None = None) -> list[list[str]]:
    """The rows, each run's age and duration counted on its server's clock (`offsets`, as
    the TUI counts them): a server 15 min ahead showed its new runs created "in 14m50s"
    and its running ones at a DURATION of 0s."""
    now = datetime.now(UTC)  # one clock for every row
    return [_run_row(r, server_now(offsets or {}, r.profile, now)) for r in found]


def clock_offsets(ws: Workspace) -> dict[str, timedelta]:
    """The server clock offsets that matter, as the profiles' answers just read said them."""
    return kept_offsets(ws.clock_offsets())


RUN_HEADERS = [Column("PROFILE"), Column("PROVIDER", drop=1), Column("ID"), Column("WORKFLOW", cut=True),
               Column("STATUS"), Column("CREATED", drop=4), Column("DURATION", drop=3),
               Column("COST", drop=2)]
"""On a narrow terminal: the workflow name is cut, then the provider (the profile says
it), cost, duration and age go; the id, which the next command needs, stays whole."""

_NO_TIME = datetime.min.replace(tzinfo=UTC)


def _newest_created_first(found: list[Run], offsets: Offsets | None = None) -> list[Run]:
    """Every profile's runs merged into one order, newest created first.

    Each time is put on this machine's clock first (`offsets`): two servers' times
    compared as given put every run of a server whose clock is ahead before the others'
    newer runs (15 min ahead: a quarter of an hour of another profile's runs below it,
    and left out by --limit). Runs with no time at all go last; ties keep their profile
    and server order (the sort is stable).
    """

    def key(run: Run) -> datetime:
        when = display.created_time(run)
        if when is None:
            return _NO_TIME
        when = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
        return on_this_clock(offsets or {}, run.profile, when)

    return sorted(found, key=key, reverse=True)


@runs.command("list")
@click.option("--profile", "-p", "profiles", multiple=True, callback=unique_values,
              help="Only these profiles (repeatable).")
@click.option("--status", "-s", "statuses", multiple=True,
              help="Only these common statuses (repeatable or comma-separated).")
@click.option("--limit", "-n", type=click.IntRange(min=1), default=None,
              help="At most N runs in all: the newest N by creation time across the profiles.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON array of run objects.")
@click.pass_obj
def runs_list(obj: Ctx, profiles: tuple[str, ...], statuses: tuple[str, ...], limit: int | None,
              as_json: bool) -> None:
    """Runs of every profile (or the ones named), newest created first.

    A profile that cannot be read is said on stderr and the others are listed: exit 1;
    exit 2 when none could be read for a config reason (a broken profile, a key unset).
    An api_key_cmd still running 5 s in, once the others are read, is left out so.
    """
    from runtui.providers.base import ListQuery

    wanted = _parse_statuses(statuses)
    ws = workspace_of(obj)
    names = list(profiles) or ws.profile_names
    for name in names:
        if name not in ws.config.profiles:
            try:
                ws.config.profile(name)  # raises the right ConfigError
            except ConfigError as exc:
                fail(str(exc), EXIT_USAGE)

    warnings: list[str] = []

    async def one(name: str) -> list[Run]:
        """The profile's runs, those its platform lists as asking a person as waiting (the
        TUI's word for them), so `--status waiting` finds them and `paused` does not."""
        from runtui.engine.human_waits import asked_ids, list_runs_read_as_asked

        provider = ws.provider(name)
        try:
            asked = await asked_ids(provider)
        except ProviderError as exc:
            asked = frozenset()
            warnings.append(f"cannot read what waits on a person ({exc.naming(name)}): "
                            "such runs show their platform's status")
        return await list_runs_read_as_asked(provider, ListQuery(statuses=wanted, limit=limit), asked)

    async def main() -> tuple[list[Run], dict[str, RuntuiError], dict[str, timedelta]]:
        results = await read_profiles(ws, names, one)
        offsets = clock_offsets(ws)  # (closing forgets the profiles' clients)
        await ws.aclose()
        found: list[Run] = []
        failed: dict[str, RuntuiError] = {}
        for name, res in zip(names, results, strict=True):
            if isinstance(res, BaseException):
                failed[name] = profile_failure(name, res)
            else:
                found.extend(res)
        return found, failed, offsets

    found, failed, offsets = run_async(main())
    # --limit is global: a script asking for 5 runs gets 5, however many profiles there are.
    found = _newest_created_first(found, offsets)[:limit]
    end_listing(ws, profiles, names, failed, as_json=as_json, json_rows=lambda: (r.to_json() for r in found),
                text=lambda: table(run_rows(found, offsets), RUN_HEADERS),
                notes=[f"warning: {w}" for w in warnings])


def show_command(group: click.Group, kind: Kind, help_text: str, json_help: str) -> None:
    """`runs show` and `tasks show`: one command shape, the kind of id apart."""
    noun = "TASK_ID" if kind is Kind.TASK else "RUN_ID"

    @group.command("show", help=f"{help_text} {noun}: the full id, or the start of it the table shows.")
    @click.argument("run_id", metavar=noun, type=ID)
    @click.option("--profile", "-p", default=None, help=PROFILE_OF_ID_HELP)
    @click.option("--json", "as_json", is_flag=True, help=json_help)
    @click.pass_obj
    def command(obj: Ctx, run_id: str, profile: str | None, as_json: bool) -> None:
        show_run(obj, run_id, profile, as_json, kind)


def show_run(obj: Ctx, run_id: str, profile: str | None, as_json: bool, kind: Kind) -> None:
    ws = workspace_of(obj)

    async def read(provider: Provider, full_id: str) -> RunDetail:
        detail = await provider.get_run(full_id, kind)
        same_run(provider.name, full_id, detail.run.id)
        return detail

    async def main() -> tuple[RunDetail, dict[str, timedelta]]:
        try:
            found = await resolve(ws, run_id, kind, read, profile, reads_only=True)
            say_unread(found.unread)  # a read goes on without the profiles it could not read
            for err in file_errors(ws):  # `[defaults]` fell back to the built-in values: say so
                say(f"runtui: warning: {err}", err=True)
            return await _read_as_asked(ws, found.value), clock_offsets(ws)
        finally:
            await ws.aclose()

    detail, offsets = run_async(main())
    if as_json:
        say_json(detail.to_json())
        return
    run = detail.run
    now = server_now(offsets, run.profile, datetime.now(UTC))  # a running run's duration, on its clock
    fields = [("id", run.id), ("profile", run.profile), ("provider", run.provider),
              ("workflow", f"{run.workflow_name or ''} {run.workflow_id or ''}".strip()),
              ("status", f"{display.status_text(run)}  [raw: {run.raw_status}]"),
              ("created", human_time(run.created_at)), ("started", human_time(run.started_at)),
              ("finished", human_time(run.finished_at)),
              ("duration", display.duration(run.duration(now))),
              ("cost", display.cost(run)), ("error", run.last_error or ""),
              ("parent", run.parent_id or ""), ("task", run.task_id or "")]
    for key, value in fields:
        if value:
            say(f"{key:>9}: {cell(value)}")
    if detail.steps:
        say("    steps:")
        _echo_steps(detail.steps, 1)


async def _read_as_asked(ws: Workspace, detail: RunDetail) -> RunDetail:
    """`detail` with its run read as waiting when its platform lists it as asking a person,
    as `runs list` shows it (one more read, on a platform that lists such requests)."""
    from runtui.engine.human_waits import asked_ids, read_as_asked

    run = detail.run
    if run.kind is not Kind.RUN or run.status.terminal:
        return detail  # requests name runs, and never an ended one
    try:
        asked = await asked_ids(ws.provider(run.profile))
    except ProviderError as exc:
        say(f"runtui: warning: cannot read what waits on a person ({exc.naming(run.profile)}): "
            "the status is the platform's", err=True)
        return detail
    shown = read_as_asked([run], asked)[0]
    return detail if shown is run else detail.model_copy(update={"run": shown})


def _echo_steps(steps: Any, depth: int) -> None:
    for step in steps:
        err = f"  error: {step.error}" if step.error else ""
        say(f"{'  ' * depth}  {display.SYMBOL[step.status]} {cell(step.name or step.id)} "
            f"[{cell(step.raw_status or step.status.value)}]{cell(err)}")
        _echo_steps(step.children, depth + 1)


@runs.command("execute")
@click.option("--profile", "-p", required=True, help="The profile to start the run in.")
@click.option("--workflow", "-w", required=True, type=ID,
              help="Wexa agentflow id, Edges flow slug, B3OS workflow id, Prefect deployment id.")
@click.option("--input", "-i", "inputs", multiple=True, help="KEY=VALUE (VALUE parsed as JSON if it can be).")
@click.option("--input-json", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True), default=None,
              help="A file holding a JSON object of inputs, - for stdin (--input adds to or overrides it).")
@click.option("--goal", default=None,
              help="The goal text of the execution, where the platform takes one (Wexa).")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.pass_obj
def runs_execute(obj: Ctx, profile: str, workflow: str, inputs: tuple[str, ...],
                 input_json: Path | None, goal: str | None, as_json: bool) -> None:
    """Start a new run."""
    request = StartRequest(workflow_id=workflow, inputs=parse_inputs(inputs, input_json), goal=goal)
    ws = workspace_of(obj)
    if goal is not None:
        _check_goal_taken(ws, profile)

    async def main() -> tuple[Any, str | None]:
        from runtui.cli_workflows import workflow_hint

        try:
            provider = ws.provider(profile)
            result = await ws.controller.execute(provider, request)
            failed = not result.ok and not result.uncertain
            return result, await workflow_hint(provider, workflow) if failed else None
        finally:
            await ws.aclose()

    result, hint = run_async(main())
    report(result, as_json, subject=f"workflow {workflow}", profile=profile, hint=hint)


def _check_goal_taken(ws: Workspace, profile: str) -> None:
    """A --goal the platform has no place for was dropped without a word: refused (exit 2)."""
    from runtui.providers import registry

    stored = ws.config.profiles.get(profile)
    if stored is None:
        return  # the start says what is wrong with the profile
    try:
        takes_goal = bool(getattr(registry.provider_class(stored.provider), "takes_goal", False))
    except ConfigError:
        return
    if not takes_goal:
        fail(f"--goal: {stored.provider} runs take no goal text; give it as an input (--input goal=...)",
             EXIT_USAGE)


action_command(runs, Action.START, Kind.RUN, "Launch a created-but-not-started run (Wexa).")
action_command(runs, Action.PAUSE, Kind.RUN, "Pause a running run.")
action_command(runs, Action.RESUME, Kind.RUN, "Resume a paused, blocked or waiting run.")
action_command(runs, Action.CANCEL, Kind.RUN, "Cancel a run (cannot be undone).")
action_command(runs, Action.RETRY, Kind.RUN, "Retry a failed run as a new run (B3OS).")


show_command(runs, Kind.RUN, "One run with its steps.",
             "One JSON object: the run, its steps, inputs, outputs, timeline and raw answer.")
