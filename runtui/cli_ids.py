"""Which run a CLI argument names: a full id, or the short id the run table shows.

People paste what they saw (the TUI's ID column is a prefix) and leave out
`--profile` when only one profile could hold the id. An action must still go to
the one run the user meant, so a prefix that matches two runs is refused with
the candidates listed, never guessed. Every command that takes a run or task id
(`runs show`, the actions, later `runs wait` and `runs logs`) calls `resolve`.

Requests: a full id costs one GET per profile searched and no listing; the runs
lists are read only when that GET finds nothing (a prefix, or a typo).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Generic, TypeVar

import msgspec

from runtui.errors import ConfigError, ProviderError, RuntuiError
from runtui.model import Kind, Run

if TYPE_CHECKING:
    from runtui.engine.workspace import Workspace
    from runtui.providers.base import Provider

T = TypeVar("T")

# What a server answers for an id it does not hold: not found, or not even the
# shape of its ids (a prefix is not a UUID).
_NOT_HERE_STATUSES = frozenset({400, 404, 422})
MAX_LISTED_MATCHES = 20


class Resolved(Generic[T], msgspec.Struct, frozen=True):
    """The profile that holds the run, its adapter, the full id it was read by, and what
    `read` returned. Actions go to `full_id` (what the user named or the listing said),
    never to an id from the read's answer."""

    profile: str
    provider: Provider
    full_id: str
    value: T


class IdNotFound(RuntuiError):
    """No run in the searched profiles has this id or an id starting with it."""


class UsageProblem(RuntuiError):
    """The id cannot name one run (ambiguous, wrong kind of profile, a profile not searchable)."""

    def __init__(self, message: str, *, kind: str, matches: list[str] | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.matches = matches or []


class _Search(msgspec.Struct):
    """What each profile said about the id, gathered before deciding."""

    missing: list[str] = msgspec.field(default_factory=list)
    unsearchable: dict[str, str] = msgspec.field(default_factory=dict)


def _not_here(exc: ProviderError) -> bool:
    """The server holds no run by that id. (An id that cannot be one path segment is the
    user's error, raised before any request: it is never looked up as a prefix.)"""
    return exc.kind == "http" and exc.status in _NOT_HERE_STATUSES


def _noun(kind: Kind) -> str:
    return "task" if kind is Kind.TASK else "run"


def _candidates(ws: Workspace, profile: str | None, kind: Kind) -> tuple[dict[str, Provider], dict[str, str]]:
    """The adapters to search, and the profiles that could not be built (name -> why)."""
    if profile is not None:
        provider = ws.provider(profile)  # a ConfigError here is the user's to fix: exit 2
        if kind not in provider.kinds:
            raise UsageProblem(f"profile {profile!r} ({provider.label}) has no {_noun(kind)}s",
                               kind="usage")
        return {profile: provider}, {}
    providers: dict[str, Provider] = {}
    broken: dict[str, str] = {}
    for name in ws.profile_names:
        try:
            provider = ws.provider(name)
        except ConfigError as exc:
            broken[name] = exc.detail
            continue
        if kind in provider.kinds:
            providers[name] = provider
    if not providers and not broken:
        raise UsageProblem(f"no profile has {_noun(kind)}s", kind="usage")
    return providers, broken


async def resolve(ws: Workspace, ref: str, kind: Kind,
                  read: Callable[[Provider, str], Awaitable[T]],
                  profile: str | None = None) -> Resolved[T]:
    """The one run `ref` names (a full id or a unique prefix), read with `read`.

    Raises IdNotFound (no such run), UsageProblem (ambiguous, or a profile that
    could not be searched when `profile` is left out), ConfigError, ProviderError.
    """
    providers, broken = _candidates(ws, profile, kind)
    search = _Search(unsearchable=dict(broken))
    found: dict[str, T] = {}

    async def by_full_id(name: str, provider: Provider) -> None:
        try:
            found[name] = await read(provider, ref)
        except ProviderError as exc:
            if not _not_here(exc):
                if profile is not None:
                    raise
                search.unsearchable[name] = str(exc)
                return
            search.missing.append(name)

    await asyncio.gather(*(by_full_id(n, p) for n, p in providers.items()))
    if len(found) > 1:
        matches = [f"{name}/{ref}" for name in sorted(found)]
        raise UsageProblem(f"{_noun(kind)} {ref!r} is in several profiles: {', '.join(matches)}; "
                           "choose one with --profile", kind="ambiguous", matches=matches)
    if found:
        _refuse_incomplete(search, ref)
        ((name, value),) = found.items()
        return Resolved(name, providers[name], ref, value)
    return await _by_prefix(ws, ref, kind, read, {n: providers[n] for n in search.missing}, search)


async def _by_prefix(ws: Workspace, ref: str, kind: Kind, read: Callable[[Provider, str], Awaitable[T]],
                     providers: dict[str, Provider], search: _Search) -> Resolved[T]:
    """Read the runs lists of the profiles that did not hold `ref` as a full id; match by prefix."""
    from runtui.providers.base import ListQuery

    defaults = ws.config.defaults
    query = ListQuery(kind=kind, limit=defaults.max_runs, page_size=defaults.page_size)

    async def listed(name: str, provider: Provider) -> list[Run]:
        try:
            return await provider.list_runs(query)
        except ProviderError as exc:
            if len(providers) == 1 and not search.unsearchable:
                raise
            search.unsearchable[name] = str(exc)
            return []

    lists = await asyncio.gather(*(listed(n, p) for n, p in providers.items()))
    matches = [run for runs in lists for run in runs if run.id.startswith(ref)]
    exact = [run for run in matches if run.id == ref]
    if exact:
        matches = exact
    if len(matches) > 1:
        shown = [f"{run.profile}/{run.id}  {run.workflow or ''}  {run.status.value}".rstrip()
                 for run in matches[:MAX_LISTED_MATCHES]]
        more = len(matches) - len(shown)
        raise UsageProblem(f"{len(matches)} {_noun(kind)}s start with {ref!r}; give more of the id"
                           + (" or --profile" if len(providers) > 1 else "") + ":\n  " + "\n  ".join(shown)
                           + (f"\n  … and {more} more" if more > 0 else ""),
                           kind="ambiguous", matches=[f"{run.profile}/{run.id}" for run in matches])
    if not matches:
        _refuse_incomplete(search, ref)
        where = ", ".join(sorted(providers)) or "no profile"
        raise IdNotFound(f"no {_noun(kind)} has the id {ref!r} or an id starting with it (searched {where})")
    _refuse_incomplete(search, ref)
    run = matches[0]
    return Resolved(run.profile, providers[run.profile], run.id,
                    await read(providers[run.profile], run.id))


def _refuse_incomplete(search: _Search, ref: str) -> None:
    """Without --profile, a profile we could not read might hold the same id: do not guess."""
    if search.unsearchable:
        reasons = "; ".join(f"{name}: {why}" for name, why in sorted(search.unsearchable.items()))
        raise UsageProblem(f"could not search every profile for {ref!r} ({reasons}); "
                           "name the profile with --profile", kind="unsearchable")


async def read_summary(provider: Provider, full_id: str) -> Run:
    """A run's summary, the reader `resolve` tries a full or short id with."""
    return await provider.get_summary(full_id, Kind.RUN)


def same_run(provider: Provider, asked: str, answered: Run) -> None:
    """A read answered with another run is refused, never shown as the one asked for."""
    if answered.id != asked:
        raise ProviderError(f"the server answered the read of {asked!r} with another run, "
                            f"{answered.id!r}", provider=provider.name, kind="mismatch")
