"""How the CLI speaks: human text made harmless, JSON exactly, and errors where the caller reads.

A script that asked for `--json` parses stdout; an error printed only as text on
stderr would leave it nothing to parse, so with `--json` the error is
`{"error": {"message", "code", "kind", "profile"}}` on stdout with the same exit
code. Click's own usage errors (a missing option, a bad `--limit`) take the same
route through `JsonAwareCommand`.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import select
import signal
import sys
import threading
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import IO, Any, NoReturn

import click

from runtui import safe_text
from runtui.cli_pipe import closed_pipe_ends_quietly, whole_writes
from runtui.cli_table import Column, fit_width, render
from runtui.errors import RuntuiError

EXIT_OK, EXIT_SERVER, EXIT_USAGE, EXIT_NOT_ALLOWED, EXIT_TIMEOUT = 0, 1, 2, 3, 4
EXIT_DECLINED = 5  # a person answered no at a confirmation: nothing sent, nothing failed
EXIT_INTERRUPTED = 130  # the shell's 128 + SIGINT: never mistaken for "a run failed" (1)
JSON_FLAG = "--json"


def tolerate_narrow_encodings() -> None:
    """Status symbols (○ ●), arrows and server text may not exist in the terminal's
    encoding (PYTHONIOENCODING=latin-1, LANG=C on an old system): such a character is
    printed as `?` instead of ending the command with UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            with contextlib.suppress(ValueError, OSError):  # closed or detached: leave it
                stream.reconfigure(errors="replace")


def say(text: str = "", *, err: bool = False) -> None:
    """Print human text: every line the CLI shows goes through here.

    Messages carry server text (a 409's message, a request id, a stored journal
    message), so control and bidi characters are made visible, never executed.
    """
    click.echo(safe_text.multi_line(text), err=err)


def say_json(value: Any, *, ctx: click.Context | None = None) -> None:
    """Print JSON exactly; ASCII-escaped, so no control character reaches the terminal raw.
    Indented for people, except for an NDJSON command (`ctx`'s, or the running one's),
    where every line is one object."""
    click.echo(json.dumps(value, indent=json_indent(ctx), default=str, ensure_ascii=True))


def json_indent(ctx: click.Context | None = None) -> int | None:
    """2 for people; None (one line) for an NDJSON command, `ctx`'s or the running one's."""
    ctx = ctx or click.get_current_context(silent=True)
    return None if ctx is not None and isinstance(ctx.command, NdjsonCommand) else 2


def cell(value: object) -> str:
    """One table cell or `key: value` field: server text on one harmless line."""
    return safe_text.one_line("" if value is None else str(value))


def json_requested() -> bool:
    """Did the running command get `--json`? (Read from click's context: no flag threading.)"""
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.params.get("as_json"))


def current_profile() -> str | None:
    """The running command's `--profile`, when it takes one and was given one."""
    ctx = click.get_current_context(silent=True)
    value = ctx.params.get("profile") if ctx is not None else None
    return value if isinstance(value, str) else None


def error_object(message: str, code: int, kind: str, profile: str | None = None,
                 matches: list[str] | None = None, unreadable: list[str] | None = None) -> dict[str, Any]:
    """The one shape of a JSON error, so scripts test `.error.code` and `.error.kind`.
    `matches`: the `profile/id` candidates of an ambiguous id; `unreadable`: the profiles
    that could not be searched for an id (it may be in one of them)."""
    error: dict[str, Any] = {"message": message, "code": code, "kind": kind, "profile": profile}
    if matches:
        error["matches"] = matches
    if unreadable:
        error["unreadable"] = unreadable
    return {"error": error}


def fail(message: str, code: int, *, kind: str = "usage", profile: str | None = None,
         matches: list[str] | None = None, unreadable: list[str] | None = None) -> NoReturn:
    """Say the error where the caller will read it and exit with `code`."""
    if json_requested():
        say_json(error_object(message, code, kind, profile or current_profile(), matches, unreadable))
    else:
        say(f"runtui: {message}", err=True)
    sys.exit(code)


INTERRUPTIONS = (KeyboardInterrupt, EOFError, click.Abort)
"""Ctrl-C anywhere, or Ctrl-C / end of input at a prompt (click turns those into Abort)."""


def confirm(question: str) -> bool:
    """Ask yes/no (default no) on stderr, the answer read so that one Ctrl-C ends the command.

    Asked inside `asyncio.run`, SIGINT only cancelled the main task, which a prompt blocked
    in `input()` never sees, so the first Ctrl-C was lost. While the question waits, SIGINT
    raises KeyboardInterrupt (Abort: exit 130); the line is read in short waits, since the
    signal may land on another thread (a resolver's) and leave a blocked read asleep.
    """
    try:
        fd = sys.stdin.fileno()
    except (AttributeError, ValueError, io.UnsupportedOperation):
        fd = -1
    if (fd < 0 or os.name == "nt"  # (select() takes only sockets there)
            or threading.current_thread() is not threading.main_thread()  # signals: main thread
            or signal.getsignal(signal.SIGINT) is signal.SIG_IGN):  # started with Ctrl-C ignored
        return click.confirm(question, default=False, err=True)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return _ask_yes_no(question, fd)
    finally:
        signal.signal(signal.SIGINT, previous)


def _ask_yes_no(question: str, fd: int) -> bool:
    """click.confirm's question and answers; Ctrl-C or end of input is click's Abort."""
    while True:
        click.echo(f"{question} [y/N]: ", nl=False, err=True)
        try:
            while not select.select([fd], [], [], ANSWER_POLL_SECONDS)[0]:
                pass
            line = os.read(fd, 4096)
        except KeyboardInterrupt:
            click.echo(err=True)  # `runtui: interrupted` on a line of its own, after the ^C
            raise click.Abort() from None
        if not line:
            click.echo(err=True)
            raise click.Abort()
        answer = line.decode(errors="replace").strip().lower()
        if answer in ("y", "yes"):
            return True
        if answer in ("", "n", "no"):
            return False
        click.echo("Error: invalid input", err=True)


ANSWER_POLL_SECONDS = 0.1  # how soon a Ctrl-C that woke another thread ends the question


DOCUMENT_CUT = "runtui.json_document_cut"
"""The click context's `meta` key: stdout holds the start of a JSON document, not its end
(per command, so a command run after another in one process starts clean)."""


def document_begun() -> None:
    """Part of a JSON document is on stdout (`say_json_array`'s first write)."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.meta[DOCUMENT_CUT] = True


def document_ended() -> None:
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.meta.pop(DOCUMENT_CUT, None)


def document_cut() -> bool:
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.meta.get(DOCUMENT_CUT))


def interrupted(as_json: bool) -> NoReturn:
    """Stop on Ctrl-C: one line on stderr, exit 130 (click would say `Aborted!` and exit 1,
    the code of a failed run). With `--json`, one compact error object on stdout, valid
    alone and as an NDJSON line after what was already printed; but not after the start
    of an array cut short, where it made `[{...},{"error": ...}`: stdout then ends where
    the array was cut (no parser takes it for a whole listing) and stderr says so."""
    if as_json and document_cut():
        click.echo()
        say("runtui: interrupted: the JSON on stdout is cut short", err=True)
        sys.exit(EXIT_INTERRUPTED)
    if as_json:
        click.echo(json.dumps(error_object("interrupted", EXIT_INTERRUPTED, "interrupted")))
    say_interrupted()


def say_interrupted() -> NoReturn:
    """The stderr line and exit code of an interruption, for a command that printed its
    own JSON of what it knew."""
    say("runtui: interrupted", err=True)
    sys.exit(EXIT_INTERRUPTED)


class JsonUsageError(click.UsageError):
    """A click usage error of a command run with `--json`: a JSON error on stdout."""

    def show(self, file: IO[Any] | None = None) -> None:
        say_json(error_object(self.format_message(), self.exit_code, "usage"), ctx=self.ctx)


class JsonAwareCommand(click.Command):
    """A command whose argument errors are JSON when `--json` is on its command line."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        wants_json = JSON_FLAG in args
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            if not wants_json or not any(p.name == "as_json" for p in self.params):
                raise
            raise JsonUsageError(exc.format_message(), exc.ctx) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except INTERRUPTIONS:
            interrupted(bool(ctx.params.get("as_json")))


class NdjsonCommand(JsonAwareCommand):
    """A JsonAwareCommand whose `--json` output is NDJSON (`runs wait`, `runs logs`): its
    errors are one compact line too, or `while read line; do jq ...` breaks on them."""


class JsonAwareGroup(click.Group):
    """A group whose commands (and sub-groups) are all JsonAwareCommand."""

    command_class = JsonAwareCommand
    group_class = type

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """The group's own options (`--config ""`): a JSON error when the command line asks
        for JSON, as the command's own usage errors."""
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            if JSON_FLAG not in args:
                raise
            raise JsonUsageError(exc.format_message(), exc.ctx) from None

    def main(self, *args: Any, **kwargs: Any) -> Any:
        whole_writes()
        with closed_pipe_ends_quietly():  # a usage error shown to a reader that went away
            return super().main(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        with closed_pipe_ends_quietly():  # before click's own handler, which exits 1
            try:
                return super().invoke(ctx)
            except INTERRUPTIONS:  # a command of another class, or the group's own callback
                interrupted(False)


def declined(verb: str) -> str:
    """Why nothing was sent after a person answered no (no past tense built from the verb:
    "stopled", "cancelled" or "canceled" are all one rule away)."""
    return f"{verb} not sent: answered no"


class Declined(RuntuiError):
    """The person at the terminal answered no: nothing was sent (exit 5). Not a refusal
    (3: the platform or the profile does not allow it), nor an interruption (130)."""


def human_time(when: datetime | None) -> str:
    """`2026-12-03 20:36:11 UTC`: whole seconds, one zone, for people (JSON keeps ISO 8601)."""
    if when is None:
        return ""
    aware = when if when.tzinfo is not None else when.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def table(rows: list[list[str]], headers: Sequence[str | Column]) -> str:
    """Aligned columns, every cell made harmless (server text on one line); on a terminal,
    fitted to its width as far as the `Column`s allow (runtui.cli_table)."""
    columns = [h if isinstance(h, Column) else Column(h) for h in headers]
    return render([[cell(value) for value in row] for row in rows], columns, fit_width())
