"""Which run a CLI argument names: a full id, or the short id the run table shows.

People paste what they saw (the TUI's ID column is a prefix) and leave out
`--profile` when only one profile could hold the id. An action must still go to
the one run the user meant, so a prefix that matches two runs is refused with
the candidates listed, never guessed. Every command that takes a run or task id
(`runs show`, the actions, `runs wait` and `runs logs`) calls `resolve`.

A profile that cannot be read (its server down or failing, a bad key) is not a
reason to fail a read of a run found in another one: `runs show`, `wait`, `logs` and
`diff` go on and warn. An action refuses instead, since the same id might be in the
profile that could not be read. Found nowhere readable is "not found" (exit 1), and
the message names the profiles the run may be in.

Requests: a full id costs one GET per profile searched and no listing; the runs
lists are read only when that GET finds nothing (a prefix, or a typo).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Generic, Protocol, TypeVar

import msgspec

from runtui.cli_output import say
from runtui.errors import ConfigError, ProviderError, RuntuiError
from runtui.model import Kind, Run
from runtui.safe_text import one_line

if TYPE_CHECKING:
    from runtui.engine.workspace import Workspace
    from runtui.providers.base import Provider

T = TypeVar("T")
R = TypeVar("R")

# What a server answers for an id it does not hold: not found, or not even the
# shape of its ids (a prefix is not a UUID).
_NOT_HERE_STATUSES = frozenset({400, 404, 422})
MAX_LISTED_MATCHES = 20


class Resolved(Generic[T], msgspec.Struct, frozen=True):
    """The profile that holds the run, its adapter, the full id it was read by, and what
    `read` returned. Actions go to `full_id` (what the user named or the listing said),
    never to an id from the read's answer. `unread`: profiles that could not be searched
    (name -> why), only ever non-empty for a command that reads (`reads_only`)."""

    profile: str
    provider: Provider
    full_id: str
    value: T
    unread: dict[str, str] = msgspec.field(default_factory=dict)


class IdNotFound(RuntuiError):
    """No run in the searched profiles has this id or an id starting with it. `unreadable`:
    the profiles that could not be read (name -> why), so the run may still be in one."""

    def __init__(self, message: str, *, unreadable: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.unreadable = dict(unreadable or {})


class UsageProblem(RuntuiError):
    """The id cannot name one run (ambiguous, wrong kind of profile, a profile not searchable)."""

    def __init__(self, message: str, *, kind: str, matches: list[str] | None = None,
                 unreadable: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.matches = matches or []
        self.unreadable = dict(unreadable or {})


class Retry(Protocol):
    """How a caller rides out a passing failure of one read of `profile` (`runs wait`
    uses engine.waiter's `patiently`)."""

    def __call__(self, profile: str, read: Callable[[], Awaitable[R]], /) -> Awaitable[R]: ...


class _Search(msgspec.Struct):
    """What each profile said about the id, gathered before deciding."""

    searched: set[str] = msgspec.field(default_factory=set)
    unsearchable: dict[str, str] = msgspec.field(default_factory=dict)
    passing: set[str] = msgspec.field(default_factory=set)  # failed with a passing trouble

    def failed(self, name: str, exc: ProviderError) -> None:
        from runtui.engine.waiter import passing_trouble  # the engine loads only when needed

        self.unsearchable[name] = str(exc)
        if passing_trouble(exc):
            self.passing.add(name)


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
    # A profile the file holds but could not load (a typo) may hold the id as well.
    broken.update((err.profile, str(err)) for err in ws.config.errors if err.profile)
    if not providers and not broken:
        raise UsageProblem(f"no profile has {_noun(kind)}s", kind="usage")
    return providers, broken


async def _once(retry: Retry | None, profile: str, read: Callable[[], Awaitable[R]]) -> R:
    return await (read() if retry is None else retry(profile, read))


async def resolve(ws: Workspace, ref: str, kind: Kind,
                  read: Callable[[Provider, str], Awaitable[T]],
                  profile: str | None = None, *, reads_only: bool = False,
                  retry: Retry | None = None) -> Resolved[T]:
    """The one run `ref` names (a full id or a unique prefix), read with `read`.

    Without `profile`, a profile that cannot be read (down, 500s, a bad key) might hold
    the same id. An action must not guess, so by default a run found elsewhere is
    refused (UsageProblem "unsearchable"); a command that only reads (`reads_only`)
    gets it, with the unread profiles in `Resolved.unread` to warn about. When the id
    is found nowhere readable, the profiles that failed in passing are searched once
    more through `retry` (never when found: a dead profile must not delay the others).

    Raises IdNotFound (no such run where we could look; `unreadable` says where we could
    not), UsageProblem (ambiguous, or unsearchable for an action), ConfigError, ProviderError.
    """
    providers, broken = _candidates(ws, profile, kind)
    search = _Search(unsearchable=dict(broken))
    try:
        return await _search(ws, ref, kind, read, providers, search, reads_only=reads_only,
                             strict=profile is not None)
    except IdNotFound:
        again = {name: providers[name] for name in sorted(search.passing)}
        if retry is None or not again:
            raise
    for name in again:
        del search.unsearchable[name]
    search.passing.clear()
    return await _search(ws, ref, kind, read, again, search, reads_only=reads_only, strict=False,
                         retry=retry)


async def _search(ws: Workspace, ref: str, kind: Kind, read: Callable[[Provider, str], Awaitable[T]],
                  providers: dict[str, Provider], search: _Search, *, reads_only: bool, strict: bool,
                  retry: Retry | None = None) -> Resolved[T]:
    """One search of `providers`: a GET of `ref` as a full id in each, then their lists."""
    found: dict[str, T] = {}
    missing: dict[str, Provider] = {}

    async def by_full_id(name: str, provider: Provider) -> None:
        try:
            found[name] = await _once(retry, name, lambda: read(provider, ref))
        except ProviderError as exc:
            if not _not_here(exc):
                if strict:
                    raise
                search.failed(name, exc)
                return
            missing[name] = provider
            search.searched.add(name)

    await asyncio.gather(*(by_full_id(n, p) for n, p in providers.items()))
    if len(found) > 1:
        matches = [f"{name}/{ref}" for name in sorted(found)]
        raise UsageProblem(f"{_noun(kind)} {ref!r} is in several profiles: {', '.join(matches)}; "
                           "choose one with --profile", kind="ambiguous", matches=matches)
    if found:
        ((name, value),) = found.items()
        return _settled(search, Resolved(name, providers[name], ref, value), kind, ref, reads_only)
    return await _by_prefix(ws, ref, kind, read, dict(sorted(missing.items())), search,
                            reads_only=reads_only, retry=retry)


async def _by_prefix(ws: Workspace, ref: str, kind: Kind, read: Callable[[Provider, str], Awaitable[T]],
                     providers: dict[str, Provider], search: _Search, *, reads_only: bool,
                     retry: Retry | None) -> Resolved[T]:
    """Read the runs lists of the profiles that did not hold `ref` as a full id; match by prefix."""
    from runtui.providers.base import ListQuery

    defaults = ws.config.defaults
    query = ListQuery(kind=kind, limit=defaults.max_runs, page_size=defaults.page_size)

    async def listed(name: str, provider: Provider) -> list[Run]:
        try:
            return await _once(retry, name, lambda: provider.list_runs(query))
        except ProviderError as exc:
            if retry is None and len(providers) == 1 and not search.unsearchable:
                raise
            search.searched.discard(name)
            search.failed(name, exc)
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
        raise _not_found(search, ref, kind)
    run = matches[0]
    provider = providers[run.profile]
    value = await _once(retry, run.profile, lambda: read(provider, run.id))
    return _settled(search, Resolved(run.profile, provider, run.id, value), kind, ref, reads_only)


def unread_reasons(unread: dict[str, str]) -> str:
    """`name (why); name (why)`: each unread profile with its error, on one harmless line."""
    return "; ".join(f"{name} ({one_line(why)})" for name, why in sorted(unread.items()))


def say_unread(unread: dict[str, str], told: set[str] | None = None) -> None:
    """Warn on stderr, once per profile (`told`), that a profile could not be searched."""
    for name, why in sorted(unread.items()):
        if told is not None:
            if name in told:
                continue
            told.add(name)
        say(f"runtui: warning: profile {name} could not be read ({one_line(why)}); the id was "
            "looked up in the other profiles only", err=True)


def _not_found(search: _Search, ref: str, kind: Kind) -> IdNotFound:
    where = ", ".join(sorted(search.searched)) or "no profile"
    text = f"no {_noun(kind)} has the id {ref!r} or an id starting with it (searched {where})"
    if not search.unsearchable:
        return IdNotFound(text)
    return IdNotFound(f"{text}; it may be in a profile that could not be read: "
                      f"{unread_reasons(search.unsearchable)}", unreadable=search.unsearchable)


def _settled(search: _Search, found: Resolved[T], kind: Kind, ref: str, reads_only: bool) -> Resolved[T]:
    """The run found, and the profiles that could not be read: a read goes on (the caller
    warns), an action refuses, since the same id might be in one of them."""
    if not search.unsearchable:
        return found
    if not reads_only:
        raise UsageProblem(
            f"{_noun(kind)} {ref!r} is in {found.profile}, but {unread_reasons(search.unsearchable)} "
            f"could not be read and may hold it too; nothing was sent: name the profile with "
            f"--profile {found.profile}",
            kind="unsearchable", matches=[f"{found.profile}/{found.full_id}"],
            unreadable=search.unsearchable)
    return Resolved(found.profile, found.provider, found.full_id, found.value,
                    unread=dict(search.unsearchable))


async def read_summary(provider: Provider, full_id: str) -> Run:
    """A run's summary, the reader `resolve` tries a full or short id with."""
    return await provider.get_summary(full_id, Kind.RUN)

