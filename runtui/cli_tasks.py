"""`runtui tasks list|show|pause|resume|stop`: Wexa tasks, listed, shown and acted on as runs are.

The same table, detail and action verbs as `runs` (runtui.cli_runs, runtui.cli_actions);
a profile whose platform has no tasks is a usage error (exit 2).
"""

from __future__ import annotations

import sys
from datetime import timedelta

import click

from runtui.cli_actions import action_command
from runtui.cli_args import JSON_HELP
from runtui.cli_context import Ctx, run_async, say_config_errors, workspace_of
from runtui.cli_json_array import say_json_array
from runtui.cli_output import EXIT_SERVER, EXIT_USAGE, JsonAwareGroup, fail, say, table
from runtui.cli_runs import RUN_HEADERS, clock_offsets, run_rows, show_command
from runtui.model import Action, Kind, Run


@click.group(cls=JsonAwareGroup)
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

    ws = workspace_of(obj)

    async def main() -> tuple[list[Run], dict[str, timedelta]]:
        try:
            provider = ws.provider(profile)
            if Kind.TASK not in provider.kinds:
                # Asking for what a platform does not have is a usage error, not a run's state.
                fail(f"{provider.label} has no tasks (profile {profile!r})", EXIT_USAGE)
            return await provider.list_runs(ListQuery(kind=Kind.TASK, limit=limit)), clock_offsets(ws)
        finally:
            await ws.aclose()

    found, offsets = run_async(main())
    if as_json:
        say_json_array(r.to_json() for r in found)  # as `runs list`: written as encoded
    else:
        say(table(run_rows(found, offsets), RUN_HEADERS))
    if say_config_errors(ws, (profile,)):  # an invalid `[defaults]`, said as `runs list` says it
        sys.exit(EXIT_SERVER)


show_command(tasks, Kind.TASK, "One task with its execution tree.",
             "One JSON object: the task plus its execution tree.")


action_command(tasks, Action.PAUSE, Kind.TASK, "Pause a running task.")
action_command(tasks, Action.RESUME, Kind.TASK, "Resume a paused task.")
action_command(tasks, Action.STOP, Kind.TASK, "Stop a task (cannot be undone).")
