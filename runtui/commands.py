"""The scriptable face: the same core as the TUI, one-shot, with stable exit codes.

The click command tree behind the `runtui` entry point (runtui.cli.main).

Exit codes: 0 done; 1 the server refused or failed (its message printed);
2 usage or config error; 3 the action is not allowed in the run's state (said
before any request is sent); 4 `runs wait` timed out; 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click
import msgspec

from runtui import __version__, display, startup
from runtui.cli_actions import action_command, report
from runtui.cli_args import ID, JSON_HELP, PROFILE_OF_ID_HELP, FiniteFloatRange, parse_inputs, unique_values
from runtui.cli_attention import attention
from runtui.cli_context import Ctx, profile_failure, run_async
from runtui.cli_context import workspace_of as _workspace
from runtui.cli_ids import resolve, same_run
from runtui.cli_output import (
    EXIT_NOT_ALLOWED,
    EXIT_OK,
    EXIT_SERVER,
    EXIT_TIMEOUT,
    EXIT_USAGE,
    JsonAwareGroup,
    cell,
    fail,
    human_time,
    say,
    say_json,
    tolerate_narrow_encodings,
)
from runtui.cli_output import table as _table
from runtui.cli_profiles import profiles
from runtui.cli_run_watch import runs_logs, runs_wait
from runtui.errors import ConfigError
from runtui.model import Action, Kind, Run, RunDetail, StartRequest, Status
from runtui.safe_text import clipped

if TYPE_CHECKING:
    from runtui.providers.base import Provider

T = TypeVar("T")

__all__ = ["EXIT_NOT_ALLOWED", "EXIT_OK", "EXIT_SERVER", "EXIT_TIMEOUT", "EXIT_USAGE", "cli"]


@click.group(cls=JsonAwareGroup, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", type=click.Path(path_type=Path), envvar="RUNTUI_CONFIG",
              help="Profiles file (default: the platform's config dir; env RUNTUI_CONFIG).")
@click.version_option(__version__, prog_name="runtui")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None) -> None:
    """Watch and control workflow runs from a terminal. With no command, opens the TUI."""
    ctx.obj = Ctx(config_path)
    if ctx.invoked_subcommand is not None:
        startup.resume_gc()
        tolerate_narrow_encodings()
    else:
        from runtui.tui.launch import run_app

        sys.exit(run_app(ctx.obj.config_path))


# ---- demo / sim ------------------------------------------------------------------------


@cli.command()
@click.option("--runs", default=60, show_default=True, help="Runs the simulator starts with.")
@click.option("--seed", default=7, show_default=True,
              help="Seed of the simulated world (same seed, same runs).")
@click.option("--speed", type=FiniteFloatRange(min=0, min_open=True), default=1.0, show_default=True,
              help="How fast simulated runs progress.")
@click.option("--faults", type=FiniteFloatRange(0, 1), default=0.0, show_default=True,
              help="Share of requests that fail (0..1).")
@click.option("--print-only", is_flag=True, help="Print the simulator URL and a run listing; no TUI.")
def demo(runs: int, seed: int, speed: float, faults: float, print_only: bool) -> None:
    """Start the built-in simulator of all platforms and open the app on it (no account needed)."""
    from runtui import demo as demo_mod

    with demo_mod.running(runs=runs, seed=seed, speed=speed, faults=faults) as session:
        if not print_only:
            from runtui.tui.launch import run_app

            sys.exit(run_app(session.config_path, title_suffix="demo"))
        click.echo(f"runtui sim listening on {session.url}")
        click.echo(f"config: {session.config_path}")
        try:
            cli.main(args=["--config", str(session.config_path), "runs", "list", "--limit", "10"],
                     prog_name="runtui", standalone_mode=False)
        except SystemExit as exc:
            sys.exit(int(exc.code or 0))


@cli.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True,
                               "help_option_names": []})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def sim(args: tuple[str, ...]) -> None:
    """Serve the simulator of the platforms' APIs (see `runtui sim --help`)."""
    from runtui.sim.cli import main as sim_main

    sys.exit(sim_main(list(args)))


# ---- runs ------------------------------------------------------------------------------


@cli.group()
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
    # has an empty DURATION, as in the TUI.
    return [run.profile, run.provider, run.id, run.workflow or "", display.status_text(run),
            display.relative(display.created_time(run), now), display.run_duration(run, now),
            display.cost(run)]


def _run_rows(found: list[Run]) -> list[list[str]]:
    now = datetime.now(UTC)  # one clock for every row
    return [_run_row(r, now) for r in found]


RUN_HEADERS = ["PROFILE", "PROVIDER", "ID", "WORKFLOW", "STATUS", "CREATED", "DURATION", "COST"]

_NO_TIME = datetime.min.replace(tzinfo=UTC)


def _newest_created_first(found: list[Run]) -> list[Run]:
    """Every profile's runs merged into one order, newest created first, as the TUI.

    Runs with no time at all go last; ties keep their profile and server order
    (the sort is stable).
    """

    def key(run: Run) -> datetime:
        when = display.created_time(run)
        if when is None:
            return _NO_TIME
        return when if when.tzinfo is not None else when.replace(tzinfo=UTC)

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
    """Runs of every profile (or the ones named), newest created first."""
    from runtui.providers.base import ListQuery

    wanted = _parse_statuses(statuses)
    ws = _workspace(obj)
    names = list(profiles) or ws.profile_names
    for name in names:
        if name not in ws.config.profiles:
            try:
                ws.config.profile(name)  # raises the right ConfigError
            except ConfigError as exc:
                fail(str(exc), EXIT_USAGE)

    async def one(name: str) -> list[Run]:
        provider = ws.provider(name)
        return await provider.list_runs(ListQuery(statuses=wanted, limit=limit))

    async def main() -> tuple[list[Run], list[str]]:
        results = await asyncio.gather(*(one(n) for n in names), return_exceptions=True)
        await ws.aclose()
        found: list[Run] = []
        errors: list[str] = []
        for name, res in zip(names, results, strict=True):
            if isinstance(res, BaseException):
                errors.append(f"{name}: {profile_failure(name, res)}")
            else:
                found.extend(res)
        return found, errors

    found, errors = run_async(main())
    # --limit is global: a script asking for 5 runs gets 5, however many profiles there are.
    found = _newest_created_first(found)[:limit]
    config_errors = [str(p) for p in ws.config.errors if not profiles or p.profile in profiles]
    errors += config_errors
    if config_errors and not names:
        # Nothing could be asked at all: a config error, not an empty answer.
        for err in config_errors:
            say(f"runtui: {err}", err=True)
        sys.exit(EXIT_USAGE)
    if as_json:
        say_json([r.to_json() for r in found])
    else:
        say(_table(_run_rows(found), RUN_HEADERS))
    for err in errors:
        say(f"runtui: {err}", err=True)
    sys.exit(EXIT_SERVER if errors else EXIT_OK)


@runs.command("show")
@click.argument("run_id", type=ID)
@click.option("--profile", "-p", default=None, help=PROFILE_OF_ID_HELP)
@click.option("--json", "as_json", is_flag=True, help="One JSON object: the run plus steps and raw.")
@click.pass_obj
def runs_show(obj: Ctx, run_id: str, profile: str | None, as_json: bool) -> None:
    """One run with its steps. RUN_ID: the full id, or the start of it the table shows."""
    _show(obj, run_id, profile, as_json, Kind.RUN)


def _show(obj: Ctx, run_id: str, profile: str | None, as_json: bool, kind: Kind) -> None:
    ws = _workspace(obj)

    async def read(provider: Provider, full_id: str) -> RunDetail:
        detail = await provider.get_run(full_id, kind)
        same_run(provider, full_id, detail.run)
        return detail

    async def main() -> RunDetail:
        try:
            return (await resolve(ws, run_id, kind, read, profile)).value
        finally:
            await ws.aclose()

    detail = run_async(main())
    if as_json:
        say_json(detail.to_json())
        return
    run = detail.run
    fields = [("id", run.id), ("profile", run.profile), ("provider", run.provider),
              ("workflow", f"{run.workflow_name or ''} {run.workflow_id or ''}".strip()),
              ("status", f"{display.status_text(run)}  [raw: {run.raw_status}]"),
              ("created", human_time(run.created_at)), ("started", human_time(run.started_at)),
              ("finished", human_time(run.finished_at)), ("duration", display.duration(run.duration())),
              ("cost", display.cost(run)), ("error", run.last_error or ""),
              ("parent", run.parent_id or ""), ("task", run.task_id or "")]
    for key, value in fields:
        if value:
            say(f"{key:>9}: {cell(value)}")
    if detail.steps:
        say("    steps:")
        _echo_steps(detail.steps, 1)


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
@click.option("--input-json", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="A file holding a JSON object of inputs (--input adds to or overrides it).")
@click.option("--goal", default=None, help="Wexa: the goal text of the execution.")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.pass_obj
def runs_execute(obj: Ctx, profile: str, workflow: str, inputs: tuple[str, ...],
                 input_json: Path | None, goal: str | None, as_json: bool) -> None:
    """Start a new run."""
    request = StartRequest(workflow_id=workflow, inputs=parse_inputs(inputs, input_json), goal=goal)
    ws = _workspace(obj)

    async def main() -> Any:
        try:
            return await ws.controller.execute(ws.provider(profile), request)
        finally:
            await ws.aclose()

    report(run_async(main()), as_json, subject=f"workflow {workflow}", profile=profile)


action_command(runs, Action.START, Kind.RUN, "Launch a created-but-not-started run (Wexa).")
action_command(runs, Action.PAUSE, Kind.RUN, "Pause a running run.")
action_command(runs, Action.RESUME, Kind.RUN, "Resume a paused, blocked or waiting run.")
action_command(runs, Action.CANCEL, Kind.RUN, "Cancel a run (cannot be undone).")
action_command(runs, Action.RETRY, Kind.RUN, "Retry a failed run as a new run (B3OS).")
runs.add_command(runs_wait)  # runtui.cli_run_watch
runs.add_command(runs_logs)


# ---- tasks (Wexa) ----------------------------------------------------------------------


@cli.group()
def tasks() -> None:
    """Wexa tasks: list, show, pause, resume, stop."""


@tasks.command("list")
@click.option("--profile", "-p", required=True, help="A profile whose platform has tasks (Wexa).")
@click.option("--limit", "-n", type=click.IntRange(min=1), default=None,
              help="At most N tasks, newest first.")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.pass_obj
def tasks_list(obj: Ctx, profile: str, limit: int | None, as_json: bool) -> None:
    """The profile's tasks, newest first (a profile without tasks is a usage error, exit 2)."""
    from runtui.providers.base import ListQuery

    ws = _workspace(obj)

    async def main() -> list[Run]:
        try:
            provider = ws.provider(profile)
            if Kind.TASK not in provider.kinds:
                # Asking for what a platform does not have is a usage error, not a run's state.
                fail(f"{provider.label} has no tasks (profile {profile!r})", EXIT_USAGE)
            return await provider.list_runs(ListQuery(kind=Kind.TASK, limit=limit))
        finally:
            await ws.aclose()

    found = run_async(main())
    if as_json:
        say_json([r.to_json() for r in found])
    else:
        say(_table(_run_rows(found), RUN_HEADERS))


@tasks.command("show")
@click.argument("task_id", type=ID)
@click.option("--profile", "-p", default=None, help=PROFILE_OF_ID_HELP)
@click.option("--json", "as_json", is_flag=True, help="One JSON object: the task plus its execution tree.")
@click.pass_obj
def tasks_show(obj: Ctx, task_id: str, profile: str | None, as_json: bool) -> None:
    """One task with its execution tree. TASK_ID: the full id, or the start of it the table shows."""
    _show(obj, task_id, profile, as_json, Kind.TASK)


action_command(tasks, Action.PAUSE, Kind.TASK, "Pause a running task.")
action_command(tasks, Action.RESUME, Kind.TASK, "Resume a paused task.")
action_command(tasks, Action.STOP, Kind.TASK, "Stop a task (cannot be undone).")


# ---- profiles, attention (runtui.cli_profiles, runtui.cli_attention) -------------------

cli.add_command(profiles)
cli.add_command(attention)


# ---- history / providers ---------------------------------------------------------------


HISTORY_CELL = 40  # a journal line written by an older build may hold any length of id


@cli.command()
@click.option("--limit", "-n", type=click.IntRange(min=1), default=50, show_default=True,
              help="The newest N journal entries (N at least 1).")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
def history(limit: int, as_json: bool) -> None:
    """The audit journal of actions sent from runtui."""
    from runtui.engine.journal import Journal

    journal = Journal()
    entries = list(journal.entries())[-limit:]
    if journal.unreadable:
        say(f"runtui: {journal.path}: {journal.unreadable} unreadable line(s) skipped", err=True)
    if as_json:
        say_json([msgspec.structs.asdict(e) for e in entries])
        return
    rows = [[e.time[:19].replace("T", " "), *(clipped(v, HISTORY_CELL) for v in (
             e.profile, e.provider, e.run_id or "", e.action, e.outcome)), clipped(e.message or "", 60)]
            for e in entries]
    say(_table(rows, ["TIME (UTC)", "PROFILE", "PROVIDER", "RUN", "ACTION", "OUTCOME", "MESSAGE"]))


@cli.command("providers")
@click.option("--json", "as_json", is_flag=True,
              help="Each provider with its options, actions and capabilities.")
def providers_cmd(as_json: bool) -> None:
    """Installed provider adapters (entry-point group runtui.providers), with the settings
    each declares (`profiles add --set KEY=VALUE`). An adapter that fails to load is listed
    with the reason, and the exit code is 1."""
    from runtui.providers import registry

    found: list[dict[str, Any]] = []
    broken = False
    entries = registry.available(fresh=True)
    origins = registry.origins()
    for entry in sorted(entries.values(), key=lambda e: e.name):
        item: dict[str, Any] = {"name": entry.name, "adapter": entry.target, "from": origins[entry.name]}
        try:
            item.update(registry.describe(entry.name))
        except ConfigError as exc:
            item["error"] = exc.detail
            broken = True
        found.append(item)
    if as_json:
        say_json(found)
    else:
        rows = [[i["name"], i.get("label", ""), i["adapter"], i["from"] or "",
                 ", ".join(o["name"] + ("*" if o["required"] else "") for o in i.get("options", []))
                 or ("(failed to load)" if "error" in i else "-")] for i in found]
        say(_table(rows, ["NAME", "PLATFORM", "ADAPTER", "FROM", "SETTINGS (* required)"]))
    sys.exit(EXIT_SERVER if broken else EXIT_OK)


# ---- workflows and runs diff (runtui.cli_workflows) --------------------------------------

def _add_workflow_verbs() -> None:
    from runtui.cli_workflows import runs_diff, workflows

    cli.add_command(workflows)
    runs.add_command(runs_diff)


_add_workflow_verbs()
