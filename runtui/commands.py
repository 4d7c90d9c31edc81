"""The scriptable face: the same core as the TUI, one-shot, with stable exit codes.

The click command tree behind the `runtui` entry point (runtui.cli.main): the root
group, `demo`, `sim`, `history` and `providers` here, and each command group in its
own module, attached below: `runs` (runtui.cli_runs; `runs wait` and `runs logs` in
runtui.cli_run_watch, `runs diff` in runtui.cli_workflows), `tasks` (runtui.cli_tasks),
`profiles` (runtui.cli_profiles), `attention` (runtui.cli_attention) and `workflows`
(runtui.cli_workflows). Those modules never import this one.

Exit codes: 0 done; 1 the server refused or failed (its message printed);
2 usage or config error; 3 the action is not allowed in the run's state (said
before any request is sent, or "skipped" when the run ended before it arrived and the
platform refused it); 4 `runs wait` timed out; 5 answered no at a
confirmation (nothing sent); 130 interrupted (Ctrl-C);
141 stdout's reader went away (runtui.cli_pipe).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
import msgspec

from runtui import __version__, startup
from runtui.cli_args import JSON_HELP, ConfigPath, FiniteFloatRange
from runtui.cli_attention import attention
from runtui.cli_context import Ctx
from runtui.cli_json_array import say_json_array
from runtui.cli_output import (
    EXIT_NOT_ALLOWED,
    EXIT_OK,
    EXIT_SERVER,
    EXIT_TIMEOUT,
    EXIT_USAGE,
    JsonAwareGroup,
    fail,
    say,
    say_json,
    table,
    tolerate_narrow_encodings,
)
from runtui.cli_profiles import profiles
from runtui.cli_run_watch import runs_logs, runs_wait
from runtui.cli_runs import runs
from runtui.cli_table import Column
from runtui.cli_tasks import tasks
from runtui.cli_workflows import runs_diff, workflows
from runtui.errors import ConfigError, StateUnusable
from runtui.safe_text import clipped

__all__ = ["EXIT_NOT_ALLOWED", "EXIT_OK", "EXIT_SERVER", "EXIT_TIMEOUT", "EXIT_USAGE", "cli"]


@click.group(cls=JsonAwareGroup, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", type=ConfigPath(path_type=Path), envvar="RUNTUI_CONFIG",
              help="Profiles file (default: the platform's config dir; env RUNTUI_CONFIG).")
@click.version_option(__version__, prog_name="runtui")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None) -> None:
    """Watch and control workflow runs from a terminal. With no command, opens the TUI.

    \b
    Exit codes: 0 done; 1 the server refused or failed, could not be reached,
    or no run has the id; 2 usage or config error, or no terminal for the TUI;
    3 the action is not allowed in the run's state (nothing sent; or skipped:
    the run ended before the request arrived); 4 `runs wait` timed out;
    5 answered no at a confirmation (nothing sent); 130 interrupted;
    141 stdout's reader went away; 143 or 129 the TUI was ended by SIGTERM or
    SIGHUP (as q ends it).
    """
    ctx.obj = Ctx(config_path)
    if ctx.invoked_subcommand is not None:
        startup.resume_gc()
        tolerate_narrow_encodings()
    else:
        from runtui.tui.launch import run_app

        sys.exit(run_app(ctx.obj.config_path))


# ---- demo / sim ------------------------------------------------------------------------

# runtui.sim.config.MAX_RUNS, which this module does not import (the simulator loads only
# when a demo starts); a test checks they agree.
DEMO_MAX_RUNS = 1_000_000


@cli.command()
@click.option("--runs", type=click.IntRange(0, DEMO_MAX_RUNS), default=60, show_default=True,
              help=f"Runs the simulator starts with (at most {DEMO_MAX_RUNS:,}).")
@click.option("--seed", default=7, show_default=True,
              help="Seed of the simulated world (same seed, same runs).")
@click.option("--speed", type=FiniteFloatRange(min=0, min_open=True), default=1.0, show_default=True,
              help="How fast simulated runs progress.")
@click.option("--faults", type=FiniteFloatRange(0, 1), default=0.0, show_default=True,
              help="Share of requests that fail (0..1).")
@click.option("--print-only", is_flag=True,
              help="Print a run listing of a simulator started for it, then stop it; no TUI.")
def demo(runs: int, seed: int, speed: float, faults: float, print_only: bool) -> None:
    """Start the built-in simulator of all platforms and open the app on it (no account needed)."""
    from runtui import demo as demo_mod

    if not print_only:
        from runtui.tui.launch import refused_without_terminal

        refused = refused_without_terminal()  # before the simulator starts for nobody
        if refused is not None:
            sys.exit(refused)
    with demo_mod.running(runs=runs, seed=seed, speed=speed, faults=faults) as session:
        if not print_only:
            from runtui.tui.launch import run_app

            sys.exit(run_app(session.config_path, title_suffix="demo"))
        click.echo(f"runtui sim listening on {session.url} (until this listing ends; "
                   "`runtui sim --write-config FILE` keeps one running)")
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


# ---- the command groups, one module each -----------------------------------------------

cli.add_command(runs)
runs.add_command(runs_wait)
runs.add_command(runs_logs)
runs.add_command(runs_diff)
cli.add_command(tasks)
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
    try:
        entries = journal.entries(limit)
    except StateUnusable as exc:  # the state path a file, the journal a directory
        fail(str(exc), EXIT_USAGE, kind="state")
    if journal.unreadable:
        say(f"runtui: {journal.path}: {journal.unreadable} unreadable line(s) skipped", err=True)
    if as_json:
        say_json_array(msgspec.structs.asdict(e) for e in entries)  # as `runs list`
        return
    rows = [[e.time[:19].replace("T", " "), *(clipped(v, HISTORY_CELL) for v in (
             e.profile, e.provider, e.run_id or "", e.action, e.outcome)), clipped(e.message or "", 60)]
            for e in entries]
    say(table(rows, [Column("TIME (UTC)"), Column("PROFILE"), Column("PROVIDER", drop=1), Column("RUN"),
                     Column("ACTION"), Column("OUTCOME"), Column("MESSAGE", cut=True, drop=2)]))


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
        say(table(rows, ["NAME", "PLATFORM", "ADAPTER", "FROM", "SETTINGS (* required)"]))
    sys.exit(EXIT_SERVER if broken else EXIT_OK)


cli.add_command(workflows)  # last, as it always was (help lists the commands sorted)
