"""The actions on one run or task (`runs cancel`, `tasks stop`, ...) and how an action's outcome is said.

Each action reads the run first, so the controller refuses (exit 3) before anything
is sent when the run's state does not allow it (and a platform's refusal of a run that
ended meanwhile is said "skipped", exit 3 too, never "FAILED"); a destructive one asks on a terminal
(never without one), and only once the action is known to be allowed. `runs execute`
and `attention answer` report through `report`.
"""

from __future__ import annotations

import shlex
import sys
from typing import TYPE_CHECKING, Any

import click

from runtui import display
from runtui.actions import caveat_of
from runtui.cli_args import ID, PROFILE_OF_ID_HELP
from runtui.cli_context import Ctx, run_async, workspace_of
from runtui.cli_ids import Resolved, resolve
from runtui.cli_output import (
    EXIT_NOT_ALLOWED,
    EXIT_OK,
    EXIT_SERVER,
    Declined,
    JsonAwareCommand,
    cell,
    confirm,
    declined,
    error_object,
    say,
    say_json,
)
from runtui.engine.journal import CONFIRMED
from runtui.errors import RuntuiError
from runtui.model import Action, ActionResult, Kind, Run

if TYPE_CHECKING:
    from runtui.providers.base import Provider

ID_HELP = "the full id, or the start of it the table shows (a unique prefix)"


def report(result: ActionResult, as_json: bool, run_id: str | None = None, *,
           subject: str | None = None, profile: str | None = None, hint: str | None = None,
           verb: str | None = None, caveat: str | None = None) -> None:
    """The outcome of one action on `run_id` (the id the user named), or of a start of
    `subject` (a workflow): a failed start names the workflow, never an empty id. `hint`:
    what to do instead, said after the error (in JSON: its "hint"). `verb`: what the user
    did when the platform carries it as another action (an answer or a reject is a resume).
    `caveat`: what the platform really does with the action (Prefect's pause stops no code),
    said after a success on the outcome line itself (in JSON: its "caveat")."""
    verb = verb or result.action.value
    if as_json:
        # A start acts on no run: its run_id is the run it made.
        acted_on = run_id or result.new_run_id or (result.run.id if result.run else None)
        out: dict[str, Any] = {"action": verb, "run_id": acted_on, "profile": profile,
                               "ok": result.ok, "uncertain": result.uncertain,
                               "message": result.message, "new_run_id": result.new_run_id,
                               "run": result.run.to_json() if result.run else None}
        if hint is not None:
            out["hint"] = hint
        if caveat is not None and result.ok:
            out["caveat"] = caveat
        if result.skipped is not None:
            out["skipped"] = result.skipped
            out |= error_object(f"skipped: {result.skipped}", EXIT_NOT_ALLOWED, "not_allowed", profile)
        elif not result.ok:
            out |= error_object(result.message or "failed", EXIT_SERVER, "server", profile)
        say_json(out)
    else:
        state = f" -> {_state_after(result.action, result.run)}" if result.run else ""
        run_id = run_id or result.new_run_id or (result.run.id if result.run else "") or subject or ""
        if result.new_run_id:  # execute and retry make a run: say which one
            run_id = f"{subject or run_id}: new run {result.new_run_id}"
        verdict = "ok" if result.ok else "FAILED"
        if result.uncertain:
            verdict = CONFIRMED if result.ok else "outcome unknown, the read-back does not show it done"
        if result.skipped is not None:  # the state says it all: no "-> state" after it
            verdict, state = f"skipped, {result.skipped}", ""
        said = f"; {caveat}" if caveat is not None and result.ok else ""
        say(f"{verb} {cell(run_id)}: {verdict}{cell(state)}{said}")
        if result.message and (not result.ok or result.uncertain):
            say(f"runtui: {result.message}", err=True)
        if hint is not None:
            say(f"runtui: {hint}", err=True)
    sys.exit(exit_code(result))


def exit_code(result: ActionResult) -> int:
    """0 done, 3 skipped (the run, read back, no longer takes the action: as the same
    command run again is refused before sending), 1 failed (the platform refused)."""
    if result.ok:
        return EXIT_OK
    return EXIT_NOT_ALLOWED if result.skipped is not None else EXIT_SERVER


def _state_after(action: Action, run: Run) -> str:
    """`⏸ paused [PAUSED]`, or what a state on its way to the asked end means."""
    return display.interim_text(action, run) or f"{display.status_text(run)} [{run.raw_status}]"


def _act(obj: Ctx, run_id: str, profile: str | None, action: Action, kind: Kind, as_json: bool,
         may_ask: bool) -> None:
    """`may_ask`: a person is at the terminal and did not say --yes. A destructive action is
    asked, and so is one whose platform does something its name does not promise (the
    question says what), once it is known to be allowed."""
    ws = workspace_of(obj)

    async def read(provider: Provider, full_id: str) -> Run:
        return await provider.get_summary(full_id, kind)

    async def main() -> tuple[Resolved[Run], ActionResult, str | None, str | None]:
        try:
            # Read the run first: the controller asks the allowed-actions table with
            # its current state and refuses (exit 3) before anything is sent. A short id
            # names one run or none (ambiguous: exit 2 listing the matches).
            found = await resolve(ws, run_id, kind, read, profile)
            run = found.value
            caveat = caveat_of(action, run.provider)
            if may_ask and (action.destructive or caveat is not None):
                ws.controller.check(found.provider, run, action)  # refused: never asked (exit 3)
                if not confirm(_question(action, run, found.profile, caveat)):
                    raise Declined(declined(action.value))
            result = await ws.controller.act(found.provider, run, action, chosen_id=found.full_id)
            hint = None
            if action is Action.RESUME and not result.ok and not result.uncertain \
                    and result.skipped is None:
                hint = await _answer_hint(found.provider, run, found.full_id, found.profile)
            return found, result, hint, caveat
        finally:
            await ws.aclose()

    found, result, hint, caveat = run_async(main())
    report(result, as_json, found.full_id, profile=found.profile, hint=hint, caveat=caveat)


async def _answer_hint(provider: Provider, run: Run, full_id: str, profile: str) -> str | None:
    """A refused resume of a run that waits for a person's answer (Wexa answers 400: "waits
    for an answer in the inbox") says the command that answers it; a failed read of what
    it asks changes nothing (the resume's own error stands)."""
    from runtui.providers.capabilities import AnswersHumans

    if not isinstance(provider, AnswersHumans):
        return None
    try:
        request = await provider.human_request(run)
    except RuntuiError:
        return None
    if request is None:
        return None
    command = f"runtui attention answer {shlex.quote(full_id)} -p {shlex.quote(profile)}"
    then = "--set KEY=VALUE or --reject" if request.can_reject else "--set KEY=VALUE"
    return f"it waits for an answer: see what it asks with `{command} --show`, answer with {then}"


def _question(action: Action, run: Run, profile: str, caveat: str | None = None) -> str:
    """The confirmation of a destructive action, or of one the platform carries out otherwise
    than its name says (then what it does). A summary read may not carry the workflow
    (Edges'): then it is left out, never said to be "no workflow"."""
    about = ", ".join(cell(part) for part in (run.workflow, run.status.value) if part)
    asked = f"{action.value} {cell(run.id)} ({about}) on {cell(profile)}?"
    if caveat is not None:
        asked += f" {caveat}."
    return f"{asked} This cannot be undone" if action.destructive else asked


class CaveatsCommand(JsonAwareCommand):
    """An action's command whose help ends with what each installed platform does with the
    action where that is not what its name promises (the adapters' tables say it). A
    JsonAwareCommand as every other: `--json` asked, a usage error is JSON too."""

    action: Action | None = None

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_epilog(ctx, formatter)
        said = self.action and _caveats(self.action)
        if said:
            formatter.write_paragraph()
            formatter.write_text("Where a platform does it differently:")
            with formatter.indentation():
                for line in said:
                    formatter.write_paragraph()
                    formatter.write_text(line)


def _caveats(action: Action) -> list[str]:
    """`<label>: <caveat>` for every installed adapter that has one for `action` (loading
    an adapter registers its table); one that fails to load is left out of a help text."""
    from runtui.errors import ConfigError
    from runtui.providers import registry

    found: list[str] = []
    for name in sorted(registry.available()):
        try:
            cls = registry.provider_class(name)
        except ConfigError:
            continue
        caveat = caveat_of(action, name)
        if caveat:  # it may name its platform itself
            found.append(f"{caveat}." if caveat.startswith(cls.label) else f"{cls.label}: {caveat}.")
    return found


def interactive() -> bool:
    """A person at a terminal: both ends are a TTY (a script or a pipe is never asked)."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def action_command(group: click.Group, action: Action, kind: Kind, help_text: str) -> None:
    noun = "TASK_ID" if kind is Kind.TASK else "RUN_ID"

    @group.command(action.value, help=f"{help_text} {noun}: {ID_HELP}.", cls=CaveatsCommand)
    @click.argument("run_id", metavar=noun, type=ID)
    @click.option("--profile", "-p", default=None, help=PROFILE_OF_ID_HELP)
    @click.option("--json", "as_json", is_flag=True,
                  help="One JSON object: the outcome (errors too: {\"error\": {...}}, same exit code).")
    @click.option("--yes", "-y", "assume_yes", is_flag=True,
                  help="Do not ask (destructive actions, and those a platform does otherwise "
                       "than their name says, ask on a terminal; never without one). Answering "
                       "no sends nothing: exit 5.")
    @click.pass_obj
    def command(obj: Ctx, run_id: str, profile: str | None, as_json: bool, assume_yes: bool) -> None:
        _act(obj, run_id, profile, action, kind, as_json, not assume_yes and interactive())

    assert isinstance(command, CaveatsCommand)
    command.action = action
