"""`runtui workflows list|pause|resume|cancel` and `runtui runs diff`: the workflow verbs.

The same engine as the workflows view: figures from the runs (`engine.stats`),
the server's counts where it aggregates, triggers and their actions through the
workflow controller (table, read-only gate, journal, sent once, read back).
Exit codes as everywhere: 0 done, 1 the server refused or failed, 2 usage or
config, 3 not allowed (the platform has no such action, or not in this state).
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import click

from runtui import cli_actions, display, logtext
from runtui.actions import decide_trigger
from runtui.cli_args import ID, unique_values
from runtui.cli_context import (
    Ctx,
    end_listing,
    known_profiles,
    profile_failure,
    read_profiles,
    run_async,
    workspace_of,
)
from runtui.cli_ids import IdNotFound, UsageProblem, resolve, say_unread
from runtui.cli_output import (
    EXIT_OK,
    EXIT_SERVER,
    EXIT_USAGE,
    Declined,
    JsonAwareCommand,
    JsonAwareGroup,
    cell,
    confirm,
    declined,
    error_object,
    fail,
    human_time,
    say,
    say_json,
    table,
)
from runtui.cli_table import Column
from runtui.errors import NotAllowed, RuntuiError
from runtui.model import Action, Kind, Run, RunDetail
from runtui.safe_text import clipped

if TYPE_CHECKING:
    from runtui.engine.workflows import WorkflowBook, WorkflowRow
    from runtui.engine.workspace import Workspace
    from runtui.providers.base import Provider
    from runtui.workflow_model import Trigger, TriggerResult

ID_HELP = ("A workflow id (all its schedules; the ID column of `workflows list`), the workflow's name "
           "when only one has it, or one schedule's id (Edges).")


@click.group("workflows", cls=JsonAwareGroup)
def workflows() -> None:
    """Workflow trends (runs, success rate, p50/p95) and workflow-level pause and resume."""


@workflows.command("list")
@click.option("--profile", "-p", "profiles", multiple=True, callback=unique_values,
              help="Only these profiles (repeatable).")
@click.option("--since", default="24h", show_default=True, metavar="AGE",
              help="The window: runs started since then (10m, 24h, 7d or an ISO time).")
@click.option("--json", "as_json", is_flag=True, help="One JSON array of workflow objects.")
@click.pass_obj
def workflows_list(obj: Ctx, profiles: tuple[str, ...], since: str, as_json: bool) -> None:
    """One row per workflow across profiles, with the figures of its runs in the window.

    A profile that cannot be read is said on stderr and the others are listed: exit 1;
    exit 2 when none could be read for a config reason (a broken profile, a key unset).
    """
    from runtui.engine.stats import WorkflowStats
    from runtui.engine.workflows import WorkflowBook, recent_runs

    try:
        start = logtext.parse_since(since)
    except ValueError as exc:
        fail(f"--since: {exc}", EXIT_USAGE)
    now = datetime.now(UTC)
    window = max(1.0, (now - start).total_seconds())
    ws = workspace_of(obj)
    names = known_profiles(ws, profiles)
    book = WorkflowBook(ws)
    stats = WorkflowStats()
    failed: dict[str, RuntuiError] = {}  # the profiles whose runs could not be read, and why

    async def runs_of(name: str) -> list[Run]:
        return await recent_runs(ws.provider(name), start)  # a key not set fails this profile only

    async def main() -> list[WorkflowRow]:
        try:
            # All at once: a profile whose key command hangs holds up none of the others,
            # and one that fails blanks none of the others' rows.
            results = await read_profiles(ws, names, runs_of)
            read: list[str] = []
            for name, found in zip(names, results, strict=True):
                if isinstance(found, BaseException):
                    failed[name] = profile_failure(name, found)
                else:
                    read.append(name)
                    stats.feed(found)
            figures = stats.figures(window, now.timestamp())
            await book.load_triggers(read)
            await book.load_counts(read, [f.key for f in figures], window, now)
            return book.rows(figures, read)
        finally:
            await ws.aclose()

    rows = sorted(run_async(main()), key=lambda r: (r.figures.profile, r.figures.workflow_name or "",
                                                    r.figures.workflow_id))
    end_listing(ws, profiles, names, failed, as_json=as_json, json_rows=lambda: (r.to_json() for r in rows),
                text=lambda: table([_row(r) for r in rows], WORKFLOW_COLUMNS),
                notes=[f"{name}: {note}" for name, note in sorted(book.notes.items())])


# The ID is what `workflows pause|resume|cancel` and `runs execute -w` take: never cut.
# On a narrow terminal the figures one can work out from the others go first.
WORKFLOW_COLUMNS = [Column("PROFILE"), Column("ID"), Column("WORKFLOW", cut=True), Column("RUNS"),
                    Column("OK", drop=2), Column("FAIL"), Column("CANC", drop=1), Column("RATE", drop=6),
                    Column("P50", drop=3), Column("P95", drop=5), Column("LAST", drop=4), Column("STATE"),
                    Column("FLAGS", cut=True)]


def _row(row: WorkflowRow) -> list[str]:
    f = row.figures
    rate = f.success_rate
    last = f"{f.last_status.value} {display.relative(f.last_run_at)}" if f.last_status else "-"
    paused = row.state_word
    return [f.profile, f.workflow_id, f.workflow_name or f.workflow_id, str(f.runs), str(f.succeeded),
            str(f.failed), str(f.cancelled), "-" if rate is None else f"{rate:.0%}",
            display.duration(f.p50_s), display.duration(f.p95_s), last, paused, "; ".join(f.flags)]


def _trigger_command(action: Action, help_text: str) -> None:
    @workflows.command(action.value, help=f"{help_text} WORKFLOW_ID: {ID_HELP}")
    @click.argument("workflow_id", type=ID)
    @click.option("--profile", "-p", required=True, help="The profile the workflow is in.")
    @click.option("--json", "as_json", is_flag=True, help="One JSON object: the outcome per trigger.")
    @click.option("--yes", "-y", "assume_yes", is_flag=True,
                  help="Do not ask (destructive actions ask on a terminal; never without one). "
                       "Answering no sends nothing: exit 5.")
    @click.pass_obj
    def command(obj: Ctx, workflow_id: str, profile: str, as_json: bool, assume_yes: bool) -> None:
        _switch(obj, workflow_id, profile, action, as_json,
                asks=action.destructive and not assume_yes and cli_actions.interactive())


_trigger_command(Action.PAUSE, "Stop a workflow's automatic runs (its triggers, schedules or "
                               "deployment schedules); runs already going carry on.")
_trigger_command(Action.RESUME, "Start a paused workflow's automatic runs again.")
_trigger_command(Action.CANCEL, "Cancel a workflow's schedules for good (Edges; cannot be undone).")


def _switch(obj: Ctx, ident: str, profile: str, action: Action, as_json: bool, *, asks: bool) -> None:
    from runtui.engine.workflows import WorkflowBook

    ws = workspace_of(obj)
    known_profiles(ws, (profile,))
    book = WorkflowBook(ws)

    async def main() -> tuple[str, list[TriggerResult]]:
        try:
            provider = ws.provider(profile)
            await book.load_triggers([profile])
            if profile in book.notes and not book.triggers.get(profile):
                raise NotAllowed(book.notes[profile])
            named, found = await _targets(book, provider, ident, action)
            return named, await _act_on(ws, provider, found, action, asks)
        finally:
            await ws.aclose()

    try:
        ident, results = run_async(main())
    except _NoSuchWorkflow as exc:
        fail(str(exc), EXIT_SERVER, kind="not_found", profile=profile)
    ok = all(r.ok for r in results)
    if as_json:
        out: dict[str, Any] = {"action": action.value, "workflow_id": ident, "profile": profile, "ok": ok,
                               "results": [r.to_json() for r in results]}
        if not ok:
            out |= error_object("failed", EXIT_SERVER, "server", profile)
        say_json(out)
    else:
        for result in results:
            target = result.trigger.id if result.trigger else ident
            verdict = "ok" if result.ok else "FAILED"
            say(f"{action.value} {cell(target)}: {verdict} ({cell(result.message or '')})")
    sys.exit(EXIT_OK if ok else EXIT_SERVER)


class _NoSuchWorkflow(Exception):
    pass


async def _targets(book: WorkflowBook, provider: Provider, ident: str,
                   action: Action) -> tuple[str, list[Trigger]]:
    """The id `ident` stands for and its triggers: a trigger's or workflow's id, else the
    name of one workflow of the profile (what the tables show). A workflow that exists
    but has no trigger is refused as such (exit 3), not called unknown; an unknown one
    gets the ids it may have meant."""
    from runtui.engine.workflows import close_to, ids_named, known_workflows

    profile = provider.profile.name
    found = book.find(profile, ident)
    if found:
        return ident, found
    mine = book.triggers.get(profile, [])
    named = ids_named({t.workflow_id: t.workflow_name for t in mine}, ident)
    known = {} if named else await known_workflows(provider, mine)
    named = named or ids_named(known, ident)
    if len(named) > 1:
        raise UsageProblem(f"{len(named)} workflows are called {cell(ident)!r} in profile {profile!r}; "
                           f"give one's id: {', '.join(named)}", kind="ambiguous", matches=named)
    workflow_id = named[0] if named else ident
    found = book.find(profile, workflow_id)
    if found:
        return workflow_id, found
    if named or ident in known:
        called = workflow_id if workflow_id == ident else f"{cell(ident)!r} ({workflow_id})"
        raise NotAllowed(f"workflow {called} has no schedule to {action.value}")
    near = close_to(known, ident)
    hint = f" (did you mean {_ids_and_names(near, known)}?)" if near else ""
    raise _NoSuchWorkflow(f"no workflow or schedule {cell(ident)!r} in profile {profile!r}{hint}")


def _ids_and_names(ids: list[str], known: dict[str, str | None]) -> str:
    """`id (name)` for each id, the name left out where it says nothing more."""
    return ", ".join(f"{wid} ({cell(known[wid])})" if known.get(wid) not in (None, wid) else wid
                     for wid in ids)


async def workflow_hint(provider: Provider, typed: str) -> str | None:
    """For a start that failed: the workflow id `typed` may have meant, when it is no
    workflow id the profile's recent runs show (a name given for an id, a typo). The run
    is never started on a guess: this only says what to type."""
    from runtui.engine.workflows import close_to, ids_named, known_workflows

    known = await known_workflows(provider)
    if typed in known:
        return None
    meant = ids_named(known, typed) or close_to(known, typed)
    return f"did you mean --workflow {_ids_and_names(meant, known)}?" if meant else None


async def _act_on(ws: Workspace, provider: Provider, found: list[Trigger], action: Action,
                  asks: bool) -> list[TriggerResult]:
    """Act on each trigger that takes `action`; none taking it is a refusal (exit 3)."""
    read_only = provider.profile.read_only
    takes = [t for t in found if decide_trigger(t, action, read_only=read_only)]
    if not takes:
        raise NotAllowed(decide_trigger(found[0], action, read_only=read_only).reason)
    if asks and not confirm(
            f"{action.value} {len(takes)} schedule(s) of "
            f"{cell(takes[0].workflow_name or takes[0].workflow_id)} on {takes[0].profile}? "
            "This cannot be undone"):
        raise Declined(declined(action.value))
    return [await ws.workflow_control.act(provider, t, action) for t in takes]


# ---- runs diff ---------------------------------------------------------------------------


@click.command("diff", cls=JsonAwareCommand)
@click.argument("run_a", type=ID)
@click.argument("run_b", type=ID)
@click.option("--profile", "-p", default=None, help="The profile of RUN_A (and of RUN_B unless --profile-b).")
@click.option("--profile-b", default=None, help="The profile of RUN_B, when it is in another one.")
@click.option("--all", "show_all", is_flag=True, help="Every field, the same ones too.")
@click.option("--json", "as_json", is_flag=True,
              help="One JSON object: the differences as {field, a, b} (all fields with --all).")
@click.pass_obj
def runs_diff(obj: Ctx, run_a: str, run_b: str, profile: str | None, profile_b: str | None,
              show_all: bool, as_json: bool) -> None:
    """Compare two runs: status, duration, inputs, outputs and each step, across providers."""
    from runtui.engine.diff import compare

    ws = workspace_of(obj)

    async def read(provider: Provider, full_id: str) -> RunDetail:
        detail = await provider.get_run(full_id, Kind.RUN)
        if detail.run.id != full_id:
            raise NotAllowed(f"the server answered the read of {full_id!r} with another run")
        return detail

    async def main() -> tuple[RunDetail, RunDetail]:
        try:
            a = await resolve(ws, run_a, Kind.RUN, read, profile, reads_only=True)
            try:
                b = await resolve(ws, run_b, Kind.RUN, read, profile_b or profile, reads_only=True)
            except IdNotFound as exc:
                if profile is None or profile_b is not None:
                    raise
                # -p names RUN_A's profile, and RUN_B's only as well: RUN_B may be elsewhere
                raise IdNotFound(f"{exc}; RUN_B in another profile: --profile-b NAME",
                                 unreadable=exc.unreadable) from None
            told: set[str] = set()
            say_unread(a.unread, told)
            say_unread(b.unread, told)
            return a.value, b.value
        finally:
            await ws.aclose()

    a, b = run_async(main())
    fields = compare(a, b)
    shown = fields if show_all else [f for f in fields if f.differs]
    if as_json:
        out: dict[str, Any] = {
            "a": {"profile": a.run.profile, "id": a.run.id}, "b": {"profile": b.run.profile, "id": b.run.id},
            "fields": len(fields), "differences": [f.to_json() for f in fields if f.differs]}
        if show_all:
            out["all"] = [{**f.to_json(), "differs": f.differs} for f in fields]
        say_json(out)
        return
    for letter, run in (("A", a.run), ("B", b.run)):
        started = f"started {human_time(run.started_at)}" if run.started_at else "not started"
        say(f"{letter} {cell(run.profile)}/{cell(run.id)}  {started}")
    if not shown:
        say(f"no differences in {len(fields)} fields")
        return
    marks = ["≠" if f.differs else "" for f in shown]
    say(table([[mark, f.field, _value(f.a), _value(f.b)] for mark, f in zip(marks, shown, strict=True)],
              DIFF_COLUMNS))
    if not show_all:
        say(f"{len(shown)} of {len(fields)} fields differ (--all shows every field)")


# On a terminal the values, then the field paths (keeping their end), are cut to its width:
# a 60-character value in CJK is ~120 columns, and the line wrapped into the next row's.
DIFF_COLUMNS = [Column(""), Column("FIELD", cut=True, keep_end=True), Column("A", cut=True),
                Column("B", cut=True)]
VALUE_MAX = 60  # cells of a value, on a terminal or not: `--json` has them whole


def _value(value: Any) -> str:
    return clipped("-" if value is None else str(value), VALUE_MAX)
