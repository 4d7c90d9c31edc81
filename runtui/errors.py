"""The two kinds of failure a user sees: their config, or a provider's answer.

Messages never carry a secret: callers pass the server's message and ids only.
"""

from __future__ import annotations

import math

# A server's Retry-After is honoured up to this long: a longer wait (or "1e30", which
# no timer or clock can hold) still reads again after it, and ctrl+r reads at once.
LONGEST_RETRY_AFTER = 900.0


class RuntuiError(Exception):
    """Base for errors that are shown to the user as one clear line."""


class ConfigError(RuntuiError):
    """A config problem, naming the file, line and field where known."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 field: str | None = None, profile: str | None = None) -> None:
        self.path = path
        self.line = line
        self.field = field
        self.profile = profile
        self.detail = message
        where = ""
        if path:
            where = path + (f":{line}" if line else "")
        parts = [p for p in (where, f"profile {profile!r}" if profile else "",
                             f"field {field!r}" if field else "") if p]
        super().__init__(("; ".join(parts) + ": " if parts else "") + message)


class ConfigRefused(ConfigError):
    """A config file others could have written: nothing in it is used, the app does not start."""


class StateUnusable(ConfigError):
    """The state directory cannot hold runtui's files (a path that is a file, a read-only or
    full disk): the machine's to fix, as a config is (the CLI exits 2), said in one line
    naming the path and the system's reason, never as a traceback."""


class ProviderError(RuntuiError):
    """One typed error for every provider failure.

    `kind` is "http" (the server answered non-2xx), "timeout", "network",
    "parse" (an answer we could not read) or "redirect". `retry_after` is the wait the
    server asked for: said as asked, kept bounded (`bounded_wait`) for waiting.
    """

    def __init__(self, message: str, *, provider: str, status: int | None = None,
                 request_id: str | None = None, kind: str = "http",
                 retry_after: float | None = None, profile: str | None = None) -> None:
        self.message = message
        self.provider = provider
        self.status = status
        self.request_id = request_id
        self.kind = kind
        self.retry_after = bounded_wait(retry_after)
        self.profile = profile  # the profile it happened in, where the raiser knew it
        what = f"HTTP {status}" if status is not None else kind if kind != "http" else ""
        said = message
        if status == 429:  # how long the server asked to wait, as it asked (a wait of 1e30 too)
            what = "rate limited (HTTP 429)"
            if retry_after is not None and retry_after > 0:
                said = f"the server asks to wait {wait_words(retry_after)}"
                said += f" ({message})" if message else ""
        self.detail = f"{what}: {said}" if what else said  # the error, its provider unsaid
        if request_id:
            self.detail += f" (request id {request_id})"
        super().__init__(f"{provider} {self.detail}" if what else f"{provider}: {self.detail}")

    def naming(self, profile: str | None = None) -> str:
        """The error for people: which profile (its own, else `profile`, the one the command
        was given), then the provider, each once. A profile named after its provider
        (`b3os`) is said once, not `b3os: b3os HTTP 500`."""
        profile = self.profile or profile
        if not profile:
            return str(self)
        return f"{profile}: {self.detail if profile == self.provider else self}"

    @property
    def rate_limited(self) -> bool:
        return self.status == 429

    @property
    def outcome_unknown(self) -> bool:
        """The request may have reached the server and its answer was lost (a timeout, a
        dropped connection): an action's outcome is unknown until the run is read again."""
        return self.kind in ("timeout", "network")


class Unreachable(ProviderError):
    """No connection to the server could be made (refused, a host name not found, none
    within the connect timeout): not a byte of the request left. A read retries it like
    any network error; an action is surely not done, so it is never "uncertain" (an
    operator told "outcome unknown" goes to check what cannot have happened).
    `reason`: why, in a few words ("connection refused")."""

    def __init__(self, reason: str, *, provider: str, cause: str) -> None:
        super().__init__(f"connection failed ({cause})", provider=provider, kind="network")
        self.reason = reason

    @property
    def outcome_unknown(self) -> bool:
        return False

    def not_sent(self, profile: str | None = None) -> str:
        """What an action says: `not sent: edges-prod unreachable (connection refused)`."""
        return f"not sent: {self.profile or profile or self.provider} unreachable ({self.reason})"


class KeyUnavailable(ConfigError, ProviderError):
    """A request found no key for its profile: its `api_key_cmd` failed or is still
    running. A config error (the user's to fix, exit 2), and met where reads and actions
    meet a server's errors, so every face that handles a failed request says it against
    the profile, and nothing was sent (`kind` "key": never an uncertain action)."""

    def __init__(self, cause: ConfigError, *, provider: str) -> None:
        Exception.__init__(self, str(cause))
        self.path, self.line, self.field, self.profile = cause.path, cause.line, cause.field, cause.profile
        self.detail = cause.detail
        self.message = cause.detail
        self.provider = provider
        self.status = None
        self.request_id = None
        self.kind = "key"
        self.retry_after = None


def same_run(provider: str, asked: str, answered: str) -> None:
    """Refuse the read of run `asked` that the server answered with run `answered`, never
    shown as the one asked for: the one check every read of one run makes (its detail,
    its steps, its summary), in the same words on every face."""
    if answered != asked:
        raise ProviderError(f"the server answered the read of {asked!r} with another run, "
                            f"{answered!r}", provider=provider, kind="mismatch")


def bounded_wait(seconds: float | None) -> float | None:
    """A server's wait in seconds, within 0..LONGEST_RETRY_AFTER (None stays None, as does NaN)."""
    if seconds is None or math.isnan(seconds):
        return None
    return min(max(0.0, seconds), LONGEST_RETRY_AFTER)


def wait_words(seconds: float) -> str:
    """A server's asked wait for people: `45 s`, `3 min`, `2 h`, `12 days`; a wait no
    clock holds (`1e30`, `inf`, the year 9999) is said as what it amounts to."""
    if not seconds < 100 * 365 * 86400:
        return "more than 100 years"
    if seconds < 120:
        return f"{math.ceil(seconds)} s"
    if seconds < 2 * 3600:
        return f"{round(seconds / 60)} min"
    if seconds < 2 * 86400:
        return f"{round(seconds / 3600)} h"
    return f"{round(seconds / 86400)} days"


class NotAllowed(RuntuiError):
    """The allowed-actions table refused the action before any request was sent.
    `profile`: the run's, where the refuser knew it (a script's `--json` reads it, and
    "profile is read-only" alone does not say which of two profiles)."""

    def __init__(self, message: str, *, profile: str | None = None) -> None:
        super().__init__(message)
        self.profile = profile


class BadInput(NotAllowed):
    """What was typed cannot be sent as it is (an input the workflow does not take): refused
    before anything is sent, a usage error (the CLI exits 2), said where it was typed."""
