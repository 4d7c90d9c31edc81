"""`runtui attention` (what needs a human), `attention ack` and `attention answer`.

The same queue as the TUI's attention view (`engine.attention`): waiting runs, unseen
failures, stuck or late runs and profile trouble. Exit 0 when nothing needs attention,
1 when something does, 2 on usage or config errors; `answer` exits 3 when the run waits
for nothing.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import click

from runtui.actions import decide
from runtui.cli_actions import report
from runtui.cli_args import ID, parse_inputs, unique_values
from runtui.cli_context import (
    Ctx,
    broken_profiles,
    file_errors,
    handles_errors,
    known_profiles,
    profile_failure,
    read_profiles,
    run_async,
    say_config_errors,
    workspace_of,
)
from runtui.cli_ids import read_summary, resolve
from runtui.cli_output import (
    EXIT_NOT_ALLOWED,
    EXIT_OK,
    EXIT_SERVER,
    EXIT_USAGE,
    JsonAwareGroup,
    cell,
    fail,
    say,
    table,
)
from runtui.cli_table import Column
from runtui.engine.health import Health, HealthState
from runtui.engine.server_clock import kept_offsets
from runtui.engine.store import Key
from runtui.errors import ConfigError, NotAllowed, ProviderError, same_run
from runtui.human_input import coerce, json_value
from runtui.model import Action, HumanRequest, Kind, Run, Status

if TYPE_CHECKING:
    from runtui.engine.attention import Acknowledgements, AttentionItem
    from runtui.engine.workspace import Workspace
    from runtui.providers.base import Provider

ATTENTION_RECENT = 200  # newest runs per profile read for `attention`'s usual times (stuck, late)
ATTENTION_DETAILS = 20  # waiting runs per profile whose detail is read to say what they wait at
# ... and failures not seen yet whose listing does not say why (B3OS lists no node states)
ATTENTION_COLUMNS = [Column("REASON"), Column("PROFILE"), Column("ID"), Column("WORKFLOW", cut=True, drop=1),
                     Column("WHY", cut=True), Column("CAN", drop=2)]
"""On a narrow terminal the workflow and the why are cut, then the workflow and the actions
(`runs show` says them) go: the id, copied into the next command, stays whole."""


@click.group("attention", cls=JsonAwareGroup, invoke_without_command=True)
@click.option("--profile", "-p", "profiles", multiple=True, callback=unique_values,
              help="Only these profiles (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="One JSON array of items.")
@click.pass_context
def attention(ctx: click.Context, profiles: tuple[str, ...], as_json: bool) -> None:
    """What needs a human: waiting runs, unseen failures, stuck or late runs, profile trouble.

    Exit 0 when nothing needs attention, 1 when something does (for cron or a monitor),
    2 on usage or config errors. Acknowledge failures with `runtui attention ack`.
    """
    if ctx.invoked_subcommand is not None:
        return
    from runtui.engine.attention import Reason, build_queue
    from runtui.engine.usual_times import WorkflowTimes

    obj: Ctx = ctx.obj
    ws = workspace_of(obj)
    names = known_profiles(ws, profiles)
    broken = _config_trouble(ws, profiles)
    acks = _acknowledgements()
    seen = run_async(_attention_runs(ws, names, acks))
    seen.health.update((name, ws.health[name]) for name in broken)
    for note in seen.notes:
        say(f"runtui: {note}", err=True)
    items = build_queue(seen.runs, health=seen.health, acks=acks,
                        waiting_at=seen.waiting_at, failed_why=seen.failed_why,
                        waits_on_human=seen.waits_on_human,
                        read_only={n: ws.read_only(n) for n in names}, requests=seen.requests,
                        troubles=seen.troubles, trouble_after=timedelta(0),
                        times=WorkflowTimes.of(seen.sample),  # not skewed by every failure read
                        clock_offsets=seen.clock_offsets)  # judged on each server's clock, as the TUI
    def can(item: AttentionItem) -> list[str]:
        """The item's actions, plus `answer` where `runtui attention answer` applies (never on a
        read-only profile, where it would be refused as resume and cancel are)."""
        answer = ["answer"] if (item.reason is Reason.WAITING and item.profile in seen.answers
                                and not ws.read_only(item.profile)) else []
        return [a.value for a in item.actions] + answer

    if as_json:
        click.echo(json.dumps([{**i.to_json(), "actions": can(i)} for i in items], indent=2))
    elif items:
        rows = [[i.reason.value, i.profile, i.run.id if i.run else "",
                 (i.run.workflow or "") if i.run else "", i.detail, " ".join(can(i))] for i in items]
        say(_counts_line(items))
        click.echo(table(rows, ATTENTION_COLUMNS))
    else:
        click.echo("nothing needs attention")
    sys.exit(EXIT_SERVER if items else EXIT_OK)


def _counts_line(items: list[AttentionItem]) -> str:
    """`4222 need attention: 4140 waiting, 30 failed, 32 late`, above the table, in the
    table's order: the failures after thousands of waiting runs were never seen by
    `runtui attention | head`, their count now is."""
    counts = Counter(item.reason.value for item in items)
    return f"{len(items)} need attention: " + ", ".join(f"{n} {reason}" for reason, n in counts.items())


def _config_trouble(ws: Workspace, profiles: tuple[str, ...]) -> list[str]:
    """The profiles broken in the file, said on stderr (each is a `profile` item too). A
    monitor must never read a config it cannot trust as "nothing needs attention": an
    invalid `[defaults]` is a config error (exit 2), as a file with no profile is for
    every command (`workspace_of`)."""
    whole_file = file_errors(ws)
    if whole_file:
        fail("; ".join(str(err) for err in whole_file), EXIT_USAGE, kind="config")
    broken = broken_profiles(ws, profiles)
    say_config_errors(ws, profiles)
    return sorted(broken)


@dataclass
class _Seen:
    """What `runtui attention` read: runs, health, waiting steps, inbox requests, troubles."""

    runs: list[Run] = field(default_factory=list)
    health: dict[str, Health] = field(default_factory=dict)
    waiting_at: dict[Key, list[str]] = field(default_factory=dict)
    failed_why: dict[Key, str] = field(default_factory=dict)  # read where the listing said nothing
    requests: dict[Key, HumanRequest] = field(default_factory=dict)
    troubles: dict[str, list[str]] = field(default_factory=dict)
    waits_on_human: dict[str, frozenset[str]] = field(default_factory=dict)  # per platform
    answers: set[str] = field(default_factory=set)  # profiles whose platform takes answers
    clock_offsets: dict[str, timedelta] = field(default_factory=dict)  # server clocks a minute off
    notes: list[str] = field(default_factory=list)  # what was left unread (a very long inbox)
    sample: list[Run] = field(default_factory=list)  # the newest runs: the workflows' usual times


async def _attention_runs(ws: Workspace, names: list[str], acks: Acknowledgements) -> _Seen:
    """Each profile's newest runs (for the workflows' usual times), every failure (up to
    `[defaults] max_runs`, as the TUI holds), its whole active set, where its waiting
    runs wait (their detail's waiting steps), why its newest failures not seen yet failed
    where the listing does not say, and what its platform lists as waiting on a person
    (an inbox), with those runs read when the listings missed them. A profile that fails
    is reported as trouble, not fatal."""
    from runtui.engine.human_waits import read_as_asked
    from runtui.engine.reasons import read_failure_reasons, waiting_steps
    from runtui.model import ACTIVE
    from runtui.providers.base import ListQuery
    from runtui.providers.capabilities import AnswersHumans, ListsHumanRequests, ReportsTrouble, inbox_note

    seen = _Seen()
    waiting_at, requests = seen.waiting_at, seen.requests
    max_runs = ws.config.defaults.max_runs

    async def one(name: str) -> list[Run]:
        provider = ws.provider(name)
        seen.waits_on_human[provider.name] = provider.waits_on_human
        if isinstance(provider, AnswersHumans):
            seen.answers.add(name)
        if isinstance(provider, ReportsTrouble):
            seen.troubles[name] = await provider.troubles()
        recent = await provider.list_runs(ListQuery(limit=ATTENTION_RECENT))
        seen.sample.extend(recent)
        merged = {r.key: r for r in recent}
        merged.update((r.key, r) for r in await provider.list_runs(
            ListQuery(statuses=frozenset(ACTIVE))))
        # Every failure, as the TUI judges every run it holds: the newest 200 runs alone
        # missed most of a busy profile's failures, and the two disagreed by thousands.
        failed = await provider.list_runs(ListQuery(statuses=frozenset({Status.FAILED}), limit=max_runs))
        merged.update((r.key, r) for r in failed)
        if len(failed) >= max_runs:
            seen.notes.append(f"{name}: only the newest {max_runs:,} failures read ([defaults] max_runs)")
        if isinstance(provider, ListsHumanRequests):
            for request in await provider.human_requests():
                key = (name, request.run_id)
                requests[key] = request
                if key not in merged and len(requests) <= ATTENTION_DETAILS:
                    merged[key] = await provider.get_summary(request.run_id)
            note = inbox_note(provider)
            if note:
                seen.notes.append(note)
        human = provider.waits_on_human
        waiting = [r for r in merged.values()
                   if r.status is Status.WAITING or (r.raw_status or "").lower() in human]
        for run in waiting[:ATTENTION_DETAILS]:
            detail = await provider.read_steps(run.id, run.kind)
            steps = waiting_steps(detail)
            if steps:
                waiting_at[run.key] = steps
        # Why is a bonus: a run gone meanwhile must not make its profile trouble.
        seen.failed_why.update(await read_failure_reasons(
            (r for r in failed if not acks.seen(r)), lambda _name: provider, ATTENTION_DETAILS))
        asked = frozenset(run_id for profile, run_id in requests if profile == name)
        return read_as_asked(merged.values(), asked)  # as `runs list` shows them

    health, found = seen.health, seen.runs
    try:
        results = await read_profiles(ws, names, one)
        seen.clock_offsets = kept_offsets(ws.clock_offsets())  # (closing forgets the clients)
    finally:
        await ws.aclose()
    now = datetime.now(UTC)
    for name, result in zip(names, results, strict=True):
        if isinstance(result, BaseException):
            result = profile_failure(name, result)
            state = HealthState.CONFIG if isinstance(result, ConfigError) else HealthState.ERROR
            if isinstance(result, ProviderError) and result.rate_limited:
                state = HealthState.RATE_LIMITED
            health[name] = Health(profile=name, state=state, message=str(result), since=now)
        else:
            found.extend(result)
    return seen


@attention.command("ack")
@click.argument("run_ids", nargs=-1, type=ID)
@click.option("--profile", "-p", "profiles", multiple=True, callback=unique_values,
              help="The profile of the runs named (may be left out when each id is unique); "
                   "with --all, only these profiles.")
@click.option("--all", "ack_all", is_flag=True, help="Every failure so far is seen.")
@click.pass_obj
def attention_ack(obj: Ctx, run_ids: tuple[str, ...], profiles: tuple[str, ...], ack_all: bool) -> None:
    """Mark failed runs as seen (stored locally, never sent to a server).

    RUN_IDS: full ids or the starts the table shows; each must name one run (exit 1
    when none has it, 2 when several start with it), and nothing is stored otherwise.
    """
    if ack_all and run_ids:
        fail("give the failed runs' ids or --all, not both", EXIT_USAGE)
    if not ack_all and not run_ids:
        fail("name failed runs (their ids, with --profile if you like) or give --all", EXIT_USAGE)
    ws = workspace_of(obj)
    names = known_profiles(ws, profiles)
    acks = _acknowledgements()
    if ack_all:
        acks.acknowledge_all(names)
        _save(acks)
        say(f"acknowledged every failure so far ({', '.join(names)})")
        return
    if len(profiles) > 1:
        fail("name the runs' one profile with --profile (or leave it out)", EXIT_USAGE)
    found = run_async(_resolve_runs(ws, run_ids, profiles[0] if profiles else None))
    not_failed = [run for run in found if run.status is not Status.FAILED]
    if not_failed:  # "acknowledged" a waiting run, which stayed in the queue as it was
        fail("only failed runs are marked seen (the rest leave the queue when resolved): "
             + ", ".join(f"{cell(run.profile)}/{cell(run.id)} ({run.status.value})" for run in not_failed)
             + "; nothing stored", EXIT_NOT_ALLOWED)
    acks.acknowledge(found)
    _save(acks)
    say("acknowledged " + ", ".join(f"{cell(run.profile)}/{cell(run.id)}" for run in found))


def _acknowledgements() -> Acknowledgements:
    """The acknowledgements file, what of it could not be read said on stderr (its
    entries ignored, the rest kept): a hand edit never crashes, nor hides a profile."""
    from runtui.engine.attention import Acknowledgements

    acks = Acknowledgements.load()
    _say_problem(acks)
    return acks


def _save(acks: Acknowledgements) -> None:
    """Keep the acknowledgements, or say why not: exit 2 (the state directory is local
    configuration the user must fix), never a traceback."""
    from runtui.engine.attention import AcknowledgementsNotKept

    try:
        acks.save()
    except AcknowledgementsNotKept as exc:
        fail(f"nothing stored: {exc}", EXIT_USAGE, kind="state")
    _say_problem(acks)


def _say_problem(acks: Acknowledgements) -> None:
    problem = acks.take_problem()
    if problem is not None:
        say(f"runtui: warning: {problem}", err=True)


async def _resolve_runs(ws: Workspace, refs: tuple[str, ...], profile: str | None) -> list[Run]:
    """The one run each of `refs` names (a full id or a unique prefix), the id the user chose
    (never an id from the read's answer); raises as `resolve` when one names none or several."""

    try:
        found = [await resolve(ws, ref, Kind.RUN, read_summary, profile) for ref in refs]
    finally:
        await ws.aclose()
    # the id the user chose, with the status read (whether it is a failure to mark seen)
    return [Run(profile=f.profile, provider=f.provider.name, id=f.full_id, status=f.value.status,
                raw_status=f.value.raw_status) for f in found]


@attention.command("answer")
@click.argument("run_id", type=ID)
@click.option("--profile", "-p", default=None, help="The run's profile (found from the id without it).")
@click.option("--set", "pairs", multiple=True, metavar="KEY=VALUE",
              help="One input value (parsed as JSON if it can be); repeatable.")
@click.option("--data", "data_json", help="The whole answer as one JSON object (a B3OS node's data).")
@click.option("--reject", is_flag=True, help="Refuse an approval (Wexa anomaly detection or preview).")
@click.option("--show", is_flag=True, help="Only print what the run asks for; send nothing.")
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
@click.pass_obj
@handles_errors
def attention_answer(obj: Ctx, run_id: str, profile: str | None, pairs: tuple[str, ...],
                     data_json: str | None, reject: bool, show: bool, as_json: bool) -> None:
    """Answer what a waiting run asks: input values, an approval, or (--reject) a refusal.

    Prefect paused runs (their input form), B3OS waiting nodes (JSON data) and Wexa
    inbox items. Journaled like every action; the values are never journaled.
    Exit 2 when a required value is missing, a `--set` value does not fit its field's type
    or names a field the run does not ask for, or `--reject` comes with values; 3 when the
    run waits for nothing.
    """
    if reject and (pairs or data_json is not None):
        fail("--reject sends no values: leave out --set and --data", EXIT_USAGE)
    values = parse_inputs(pairs, None, "--set")
    if data_json is not None:
        try:
            loaded = json_value(data_json)
        except ValueError as exc:
            fail(f"--data: {exc}", EXIT_USAGE)
        if not isinstance(loaded, dict):
            fail("--data must be a JSON object", EXIT_USAGE)
        values = {**loaded, **values}
    ws = workspace_of(obj)

    from runtui.providers.capabilities import AnswersHumans

    async def read(provider: Provider, full_id: str) -> Run:
        run = await provider.get_summary(full_id)
        same_run(provider.name, full_id, run.id)
        return run

    async def main() -> tuple[Run, HumanRequest, Any]:
        try:
            # A short id names one run (or none, exit 1; or several, exit 2), as everywhere.
            found = await resolve(ws, run_id, Kind.RUN, read, profile)
            provider, run = found.provider, found.value
            if not isinstance(provider, AnswersHumans):
                # a failed run on such a platform is not told to resume: it waits for nothing
                if decide(run, Action.RESUME):
                    raise NotAllowed(f"{provider.label} takes no answers: use `runtui runs resume`",
                                     profile=found.profile)
                raise NotAllowed(f"run {run.id} waits for no answer ({run.raw_status or run.status.value})",
                                 profile=found.profile)
            request = await provider.human_request(run)
            if request is None:
                raise NotAllowed(f"run {run.id} waits for no answer ({run.raw_status or run.status.value})",
                                 profile=found.profile)
            if show:
                return run, request, None
            values.update(_declared_values(request, pairs))
            missing = [str(f["key"]) for f in request.fields
                       if f.get("required") and values.get(str(f["key"])) in (None, "")]
            if missing and not reject:
                fail(f"missing required value(s): {', '.join(missing)} (use --set KEY=VALUE)", EXIT_USAGE)
            return run, request, await ws.controller.answer(provider, run, request, approve=not reject,
                                                            values=values)
        finally:
            await ws.aclose()

    run, request, result = run_async(main())
    if result is None:
        if as_json:
            click.echo(json.dumps(request.to_json(), indent=2))
        else:
            say(_describe_request(request))
        return
    report(result, as_json, run.id, profile=run.profile, verb="reject" if reject else "answer")


def _declared_values(request: HumanRequest, pairs: tuple[str, ...]) -> dict[str, Any]:
    """Each `--set` value as the field it fills declares it: `cap=abc` for a number field is
    refused, as is a key the request does not ask for (unless it takes any JSON), both
    naming the field (exit 2); the server would have taken either, or failed on it."""
    declared = {str(spec.get("key")): spec for spec in request.fields}
    typed: dict[str, Any] = {}
    for pair in pairs:
        key, _, text = pair.partition("=")  # the shape was checked by parse_inputs
        key = key.strip()
        spec = declared.get(key)
        if spec is None:
            if request.free_form:
                continue
            asked = ", ".join(cell(k) for k in declared) or "no values"
            fail(f"--set {cell(key)}: the run does not ask for it (it asks for: {asked}; see --show)",
                 EXIT_USAGE)
        try:
            typed[key] = coerce(str(spec.get("type") or "any"), text)
        except ValueError as exc:
            fail(f"--set {cell(key)}: {exc}", EXIT_USAGE)
    return typed


def _describe_request(request: HumanRequest) -> str:
    """What a waiting run asks, one harmless line per part: every word is the server's."""
    lines = [f"{cell(request.run_id)}: {cell(request.title)}"]
    for spec in request.fields:
        need = "required" if spec.get("required") else f"default {json.dumps(spec.get('default'))}"
        label = f" {cell(spec['label'])}" if spec.get("label") else ""
        lines.append(f"  {cell(spec['key'])} ({cell(spec.get('type', 'any'))}, {need}){label}")
    if request.free_form:
        lines.append("  any JSON object (--data '{...}' or --set KEY=VALUE)")
    if request.can_reject:
        lines.append("  approve (no option) or refuse (--reject)")
    if request.note:
        lines.append(f"note: {cell(request.note)}")
    return "\n".join(lines)
