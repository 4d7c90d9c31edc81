"""What every command shares: the config path, the workspace, and errors as exit codes."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Mapping
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from runtui import config as config_mod
from runtui import key_command
from runtui.cli_ids import IdNotFound, UsageProblem
from runtui.cli_json_array import say_json_array
from runtui.cli_output import (
    EXIT_DECLINED,
    EXIT_NOT_ALLOWED,
    EXIT_OK,
    EXIT_SERVER,
    EXIT_USAGE,
    Declined,
    cell,
    current_profile,
    fail,
    say,
)
from runtui.errors import (
    BadInput,
    ConfigError,
    KeyUnavailable,
    NotAllowed,
    ProviderError,
    RuntuiError,
    StateUnusable,
)
from runtui.private_paths import real_path

if TYPE_CHECKING:
    from runtui.engine.workspace import Workspace

T = TypeVar("T")


HOW_TO_ADD = ("add one with `runtui profiles add NAME --provider P ...` (`runtui providers` "
              "lists them), or try everything on a simulator with `runtui demo`")


class Ctx:
    def __init__(self, config_path: Path | None) -> None:
        self.explicit = config_path is not None  # --config or RUNTUI_CONFIG
        self.config_path = config_path or config_mod.default_config_path()

    def workspace(self) -> Workspace:
        from runtui.engine.workspace import Workspace

        self.require_config()
        ws = Workspace.load(self.config_path)
        say_warnings(ws.config)
        if not ws.config.profiles and not ws.config.errors:
            # What `profiles remove` of the last one leaves: as with no file at all, never
            # an empty table, exit 0, that a cron check reads as "no failures".
            raise ConfigError(f"no profiles in {self.config_path}: {HOW_TO_ADD}")
        key_command.on_slow = say_key_wait
        ws.journal.on_unrecorded = say_unrecorded
        return ws

    def require_config(self, *, needs_profiles: bool = True) -> None:
        """A command that reads the config needs it to exist: a mistyped --config read as
        an empty file made `attention` say "nothing needs attention" and `runs list` an
        empty table, exit 0, so a cron monitor reported all fine. Only commands that
        create the file (`profiles add`, the TUI) go on without it."""
        if real_path(self.config_path).exists():
            return
        if self.explicit:
            raise ConfigError(f"no config file at {self.config_path} (check the path; "
                              "`runtui profiles add` creates it)")
        if needs_profiles:
            raise ConfigError(f"no profiles yet (no config file at {self.config_path}): {HOW_TO_ADD}")


def say_unrecorded(message: str) -> None:
    """An outcome the journal could not record, on stderr beside the outcome itself: the
    action went its way, and the exit code says how it went, not the journal's failure."""
    say(f"runtui: warning: {message}", err=True)


def say_warnings(cfg: config_mod.Config) -> None:
    """Keys runtui ignored (a misspelt setting, or a newer version's), on stderr: the
    command goes on, and stdout (JSON too) is not touched."""
    for warning in cfg.warnings:
        say(f"runtui: warning: {warning}", err=True)


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    try:
        return asyncio.run(coro)
    except Declined as exc:
        fail(str(exc), EXIT_DECLINED, kind="declined")
    except BadInput as exc:
        fail(str(exc), EXIT_USAGE, kind="input")
    except NotAllowed as exc:
        fail(not_allowed_text(exc), EXIT_NOT_ALLOWED, kind="not_allowed",
             profile=exc.profile or current_profile())
    except StateUnusable as exc:  # the journal cannot be written: nothing was sent
        fail(str(exc), EXIT_USAGE, kind="state")
    except ConfigError as exc:
        fail(str(exc), EXIT_USAGE, kind="config", profile=exc.profile)
    except ProviderError as exc:
        fail(*_provider_failure(exc), kind=exc.kind, profile=exc.profile or current_profile())
    except IdNotFound as exc:
        fail(str(exc), EXIT_SERVER, kind="not_found", unreadable=sorted(exc.unreadable))
    except UsageProblem as exc:
        fail(str(exc), EXIT_USAGE, kind=exc.kind, matches=exc.matches, unreadable=sorted(exc.unreadable))
    except RuntuiError as exc:
        fail(str(exc), EXIT_USAGE)


def handles_errors(fn: Callable[..., T]) -> Callable[..., T]:
    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        try:
            return fn(*args, **kwargs)
        except ConfigError as exc:
            fail(str(exc), EXIT_USAGE, kind="config", profile=exc.profile)
        except ProviderError as exc:
            fail(exc.naming(current_profile()), EXIT_SERVER, kind=exc.kind,
                 profile=exc.profile or current_profile())
    return wrapper


def not_allowed_text(exc: NotAllowed) -> str:
    """`edges-prod: not allowed: profile is read-only`: the profile first, as a provider's
    failure names it, unless the reason names it already."""
    said = f"not allowed: {exc}"
    profile = exc.profile or current_profile()
    return f"{profile}: {said}" if profile and repr(profile) not in said else said


def _provider_failure(exc: ProviderError) -> tuple[str, int]:
    """The message (naming the profile where known: "edges network: connection failed"
    alone does not say which of two edges profiles is down) and the exit code."""
    return exc.naming(current_profile()), EXIT_USAGE if exc.kind == "input" else EXIT_SERVER


def profile_failure(name: str, exc: BaseException) -> RuntuiError:
    """What one profile's task raised, as that profile's error: an exception runtui did not
    expect (a socket that cannot be opened, a parser bug) fails that profile, never the
    others' answers. Interrupts and cancellation still end the command."""
    if isinstance(exc, RuntuiError):
        return exc
    if not isinstance(exc, Exception):
        raise exc
    return ProviderError(f"{type(exc).__name__}: {exc}"[:300], provider=name, kind="internal")


def failure_of(name: str, exc: BaseException) -> str:
    """One profile's failure on one line that names the profile once (its ConfigError
    and a ProviderError of a profile named after its provider already name it)."""
    err = profile_failure(name, exc)
    if isinstance(err, ProviderError):
        return err.naming(name)
    if isinstance(err, ConfigError) and err.profile == name:
        return str(err)
    return f"{name}: {err}"


def listing_exit_code(read_any: bool, failures: Iterable[BaseException]) -> int:
    """A listing's exit code: 0 all read, 1 some profile failed, 2 when none was read and
    only the config is to blame (a broken profile, a key unset or not given): "fix the
    config", where a server down, even the only one, is 1 as everywhere."""
    failed = list(failures)
    if not failed:
        return EXIT_OK
    if not read_any and all(isinstance(f, ConfigError) for f in failed):
        return EXIT_USAGE
    return EXIT_SERVER


def end_listing(ws: Workspace, profiles: tuple[str, ...], names: list[str],
                failed: Mapping[str, BaseException], *, as_json: bool,
                json_rows: Callable[[], Iterable[Any]],
                text: Callable[[], str], notes: Iterable[str] = ()) -> NoReturn:
    """Print a listing across profiles and exit as `listing_exit_code` says: the rows of
    the profiles read (none when only the config is to blame: an empty table reads as
    fine), then on stderr the notes, each profile that failed and each config error.
    `json_rows` may be a generator: the array is written as its rows are encoded."""
    troubles = config_errors(ws, profiles)
    code = listing_exit_code(len(failed) < len(names), [*failed.values(), *troubles])
    if code != EXIT_USAGE:
        if as_json:
            say_json_array(json_rows())
        else:
            say(text())
    for note in notes:
        say(f"runtui: {note}", err=True)
    for name, err in failed.items():  # a profile is never silently left out
        say(f"runtui: {failure_of(name, err)}", err=True)
    for trouble in troubles:
        say(f"runtui: {trouble}", err=True)
    sys.exit(code)


def say_key_wait(profile: str, timeout: float) -> None:
    """A key command that keeps a read waiting is said while it does (a command that printed
    nothing for 30 s looked hung itself)."""
    say(f"runtui: waiting for the api_key_cmd of profile '{cell(profile)}' (up to {timeout:g} s)", err=True)


def say_key_wait_in_listing(profile: str, timeout: float) -> None:
    """`say_key_wait` where other profiles' rows are listed too: they wait less."""
    say(f"runtui: waiting for the api_key_cmd of profile '{cell(profile)}' (up to "
        f"{KEY_WAIT_IN_LISTING:g} s; then the other profiles are listed without it)", err=True)


KEY_WAIT_IN_LISTING = 5.0
"""Seconds a listing across profiles waits for a key command once the other profiles are
read: an on-call look at `runs list` must not sit out a hung vault CLI's whole timeout
(30 s, or up to an hour) before the healthy profiles' rows show. Named alone with
--profile, a profile's command still gets all of `key_command_seconds`."""


async def read_profiles(ws: Workspace, names: list[str],
                        read: Callable[[str], Awaitable[T]]) -> list[T | BaseException]:
    """`read` of every profile at once, as `asyncio.gather(..., return_exceptions=True)`,
    except that a profile still waiting for its key command when every other profile is
    read, and KEY_WAIT_IN_LISTING seconds have passed, is given up: its result is a
    KeyUnavailable saying so, and the listing goes out with the others (exit 1, a profile
    left out). Closing the workspace stops the command."""
    if len(names) < 2:
        return list(await asyncio.gather(*(read(n) for n in names), return_exceptions=True))
    started = asyncio.get_running_loop().time()
    tasks = {name: asyncio.ensure_future(read(name)) for name in names}
    told, key_command.on_slow = key_command.on_slow, say_key_wait_in_listing
    try:
        await _until_read_or_held(ws, tasks)
    finally:
        key_command.on_slow = told
        held = [task for task in tasks.values() if not task.done()]
        for task in held:
            task.cancel()
        await asyncio.gather(*held, return_exceptions=True)
    results: list[T | BaseException] = []
    for name, task in tasks.items():
        if task.cancelled():
            results.append(_given_up(ws, name, asyncio.get_running_loop().time() - started))
        else:
            results.append(task.exception() or task.result())
    return results


async def _until_read_or_held(ws: Workspace, tasks: Mapping[str, asyncio.Future[T]]) -> None:
    """Wait until every profile is read, or only key commands hold the rest up, past the wait."""
    loop = asyncio.get_running_loop()
    give_up_at = loop.time() + KEY_WAIT_IN_LISTING
    while pending := [name for name, task in tasks.items() if not task.done()]:
        # Rechecked at each answer: a profile not yet built, or whose key just came, is no
        # longer held once its read goes on.
        held = len(pending) < len(tasks) and all(ws.waits_for_key(name) for name in pending)
        left = give_up_at - loop.time()
        if held and left <= 0:
            return
        await asyncio.wait([tasks[n] for n in pending], return_when=asyncio.FIRST_COMPLETED,
                           timeout=left if held else None)


def _given_up(ws: Workspace, name: str, waited: float) -> KeyUnavailable:
    """Why a profile held up by its key command is not in the listing, and how to wait for it."""
    timeout = ws.config.defaults.key_command_seconds
    cause = ConfigError(f"api_key_cmd gave no key in the {waited:.0f} s the listing waited for it, "
                        f"and was stopped: left out (with --profile {name} alone it is waited for "
                        f"up to {timeout:g} s, [defaults] key_command_seconds)",
                        field="api_key_cmd", profile=name)
    return KeyUnavailable(cause, provider=ws.config.profiles[name].provider)


def workspace_of(obj: Ctx) -> Workspace:
    try:
        return obj.workspace()
    except ConfigError as exc:
        fail(str(exc), EXIT_USAGE, kind="config")


def file_errors(ws: Workspace) -> list[ConfigError]:
    """The config's errors that belong to no profile (`[defaults]`, `[notify]`, `[profiles]`)."""
    return [err for err in ws.config.errors if not err.profile]


def broken_profiles(ws: Workspace, profiles: tuple[str, ...] = ()) -> dict[str, ConfigError]:
    """The profiles the file holds but could not load (an invalid field, an unknown
    provider), of those named (or all): they are in no `profile_names`, so a command
    that walks those must say them, or a typo reads as a profile that never was."""
    return {err.profile: err for err in ws.config.errors
            if err.profile and (not profiles or err.profile in profiles)}


def config_errors(ws: Workspace, profiles: tuple[str, ...] = ()) -> list[ConfigError]:
    """The config errors that concern a command: the file's own, and those of the profiles
    named (or of all)."""
    return [*file_errors(ws), *broken_profiles(ws, profiles).values()]


def say_config_errors(ws: Workspace, profiles: tuple[str, ...] = ()) -> bool:
    """Each config error that concerns the command on stderr. True when there was one."""
    errors = config_errors(ws, profiles)
    for err in errors:
        say(f"runtui: {err}", err=True)
    return bool(errors)


def known_profiles(ws: Workspace, profiles: tuple[str, ...]) -> list[str]:
    """The profiles named (each must exist), or every profile."""
    for name in profiles:
        if name not in ws.config.profiles:
            try:
                ws.config.profile(name)
            except ConfigError as exc:
                fail(str(exc), EXIT_USAGE)
    return list(profiles) or ws.profile_names
