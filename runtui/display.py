"""Text for runs that both faces share: status symbols and words, times, ids, costs.

Colour is the TUI's business; every status also has a symbol and a word so it
never depends on colour alone (NO_COLOR, colour-blind users). Texts built from
server fields (a raw status, an id, a cost unit) come out harmless for a
terminal (`safe_text.one_line`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from runtui.actions import interim_of
from runtui.model import Action, Run, Status
from runtui.safe_text import one_line

SYMBOL: dict[Status, str] = {
    Status.QUEUED: "○",
    Status.RUNNING: "▶",
    Status.PAUSED: "⏸",
    Status.WAITING: "◔",
    Status.SUCCEEDED: "✔",
    Status.FAILED: "✘",
    Status.CANCELLED: "⊘",
    Status.UNKNOWN: "?",
}


def status_text(run: Run) -> str:
    word = run.status.value
    if run.partial:
        word += " (partial)"
    if run.status is Status.UNKNOWN:
        word += f" ({one_line(run.raw_status)})" if run.raw_status else " (no status)"
    return f"{SYMBOL[run.status]} {word}"


def interim_text(action: Action, run: Run) -> str | None:
    """What `run` is doing when the state an action left it in is on its way to the asked
    end (`cancelling (CANCELLING: the worker stops it)`), for the action's outcome line:
    the common status it maps to ("running") read as a failure. None for any other state."""
    step = interim_of(action, run)
    if step is None:
        return None
    return f"{step.word} ({one_line(run.raw_status or '')}: {step.why})"


def short_status_text(run: Run) -> str:
    """The status for a narrow column: its qualifier rather than its word where it has one
    ("✔ partial", "? RAW"); cut at the end, "✔ succeeded …" read as a plain success."""
    if run.partial:
        return f"{SYMBOL[run.status]} partial"
    if run.status is Status.UNKNOWN:
        return f"? {one_line(run.raw_status)}" if run.raw_status else "? no status"
    return status_text(run)


def short_id(run_id: str, width: int = 8) -> str:
    for prefix in ("run_", "wf_"):
        if run_id.startswith(prefix):
            return one_line(run_id[: width + len(prefix)])
    return one_line(run_id[:width])


def duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    s = int(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    if s < 86400:
        return f"{s // 3600}h{(s % 3600) // 60:02d}m"
    return f"{s // 86400}d{(s % 86400) // 3600:02d}h"


def gone_words(profile: str) -> str:
    """What a run its platform answers 404 for is (deleted, or lost by the platform)."""
    return f"no longer on {profile}"


def created_time(run: Run) -> datetime | None:
    """When the run was created: what the run lists show and order by (newest first).

    Created, not started, as the servers page: a queued run has no start time yet.
    Falls back to `started_at` only when the server gives no creation time (B3OS
    runs carry only a start time), so such a run still gets a time and a place.
    """
    return run.created_at or run.started_at


def not_started(run: Run) -> bool:
    """A queued run with no start time: the lists show no duration for it (its wait
    is its age, shown as the created time), though `Run.duration` counts from creation."""
    return run.status is Status.QUEUED and run.started_at is None


def run_duration(run: Run, now: datetime | None = None) -> str:
    """The duration text of a run in a list; empty when `not_started`."""
    if not_started(run):
        return ""
    return duration(run.duration(now))


def relative(when: datetime | None, now: datetime | None = None) -> str:
    if when is None:
        return ""
    now = now or datetime.now(UTC)
    delta = (now - when).total_seconds()
    if delta < 0:
        return "in " + duration(-delta)
    if delta < 5:
        return "now"
    return duration(delta) + " ago"


def cost(run: Run) -> str:
    return "" if run.cost is None else one_line(str(run.cost))


PASSWORD_MASK = "***"


def _split_userinfo(url: str) -> tuple[str, str, str] | None:
    """(what comes before, userinfo, what comes after) of a URL whose authority holds a
    userinfo (`user:pw@`), else None. Cut by hand, not by a URL parser, so a URL no parser
    takes is cut all the same: userinfo is what comes before the authority's last `@` (as
    httpx and urllib read it)."""
    scheme, sep, rest = url.partition("://")
    if not sep:  # `user:pw@host` with no scheme: still cut, the URL is refused by name
        scheme, rest = "", url
    end = min([i for i in (rest.find(c) for c in "/?#") if i >= 0], default=len(rest))
    userinfo, at, host = rest[:end].rpartition("@")
    if not at:
        return None
    return f"{scheme}{sep}", userinfo, f"@{host}{rest[end:]}"


def shown_url(url: str) -> str:
    """A URL as a face shows it: a password written into it (`https://user:pw@host`) is
    `***`, the user name stays; the password is what follows the userinfo's first `:`."""
    parts = _split_userinfo(url)
    if parts is None:
        return url
    before, userinfo, after = parts
    user, colon, _password = userinfo.partition(":")
    return f"{before}{user}:{PASSWORD_MASK}{after}" if colon else url


def unmasked_url(typed: str, stored: str) -> str | None:
    """`typed` with the stored password put back where it still reads `user:***@`, the
    stored URL's user masked as `shown_url` shows it: a form shows the masked URL, and
    saving it unchanged, or with only its host or path edited, keeps the password.

    None when `typed` masks a password that `stored` cannot give back (no password
    stored, or another user's): saving the mask itself would lose the password silently.
    `typed` as it is when it masks no password (a new password, or none)."""
    typed_parts = _split_userinfo(typed)
    if typed_parts is None or typed_parts[1].partition(":")[2] != PASSWORD_MASK:
        return typed
    before, typed_userinfo, after = typed_parts
    stored_parts = _split_userinfo(stored)
    stored_userinfo = stored_parts[1] if stored_parts else ""
    stored_user, has_password, _password = stored_userinfo.partition(":")
    if not has_password or typed_userinfo.partition(":")[0] != stored_user:
        return None
    return f"{before}{stored_userinfo}{after}"
