"""One guard for the TUI's background work: an unexpected exception is the view's error,
not the end of the app.

Workers that read from a provider catch what they expect (ProviderError, ConfigError).
Anything else (an httpx corner, a parser's slip) ended the app, and Textual's crash
report printed the locals of every frame: the request's headers, the key among them.
Under the guard the exception is said in one line, in the view when it has a place for
it (`show_failure`) and as an error toast (so in Messages too), logged without locals,
secrets masked; the app goes on.

`@guarded("what")` goes under `@work`; `guard(node, awaitable, "what")` is what a
`run_worker` call is given.
"""

from __future__ import annotations

import functools
import logging
import traceback
from collections.abc import Awaitable, Callable
from typing import Concatenate, ParamSpec, Protocol, TypeVar, runtime_checkable

from textual.message_pump import MessagePump

from runtui.engine.workspace import Workspace
from runtui.safe_text import clipped, one_line

SAID_MAX = 300  # characters of the one line a failure is said in

log = logging.getLogger("runtui.tui")

P = ParamSpec("P")
T = TypeVar("T")
N = TypeVar("N", bound=MessagePump)


@runtime_checkable
class ShowsFailure(Protocol):
    """A view with a place of its own to say that its background work failed."""

    def show_failure(self, text: str) -> None: ...


def masked(node: MessagePump, text: str) -> str:
    """`text` with every secret of the app's workspace masked (when it has one)."""
    workspace = getattr(node.app, "workspace", None)
    return workspace.redact(text) if isinstance(workspace, Workspace) else text


def failure_line(node: MessagePump, what: str, exc: BaseException) -> str:
    """`<what> failed: <type>: <message>`, one line, bounded, secrets masked."""
    return clipped(one_line(masked(node, f"{what} failed: {type(exc).__name__}: {exc}")), SAID_MAX)


def report(node: MessagePump, what: str, exc: BaseException) -> str:
    """Say an unexpected exception of `node`'s background work: log, view, toast."""
    text = failure_line(node, what, exc)
    log.error("%s\n%s", text, masked(node, "".join(traceback.format_exception(exc))).rstrip())
    if isinstance(node, ShowsFailure):
        try:
            node.show_failure(text)
        except Exception:  # the view went meanwhile: the toast still says it
            log.exception("could not show the failure in %r", type(node).__name__)
    node.app.notify(text, title="unexpected error", severity="error", timeout=10)
    return text


async def guard(node: MessagePump, work: Awaitable[T], what: str) -> T | None:
    """Await `work`; an unexpected exception is reported (`report`), not raised."""
    try:
        return await work
    except Exception as exc:
        report(node, what, exc)
        return None


def guarded(what: str) -> Callable[[Callable[Concatenate[N, P], Awaitable[T]]],
                                   Callable[Concatenate[N, P], Awaitable[T | None]]]:
    """A worker method (under `@work`) whose unexpected exceptions are reported, not raised."""

    def wrap(method: Callable[Concatenate[N, P], Awaitable[T]]
             ) -> Callable[Concatenate[N, P], Awaitable[T | None]]:
        @functools.wraps(method)
        async def run(node: N, /, *args: P.args, **kwargs: P.kwargs) -> T | None:
            return await guard(node, method(node, *args, **kwargs), what)

        return run

    return wrap
