"""Text for runs that both faces share: status symbols and words, times, ids, costs.

Colour is the TUI's business; every status also has a symbol and a word so it
never depends on colour alone (NO_COLOR, colour-blind users). Texts built from
server fields (a raw status, an id, a cost unit) come out harmless for a
terminal (`safe_text.one_line`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from runtui.model import Run, Status
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


def shown_url(url: str) -> str:
    """A URL as a face shows it: a password written into it (`https://user:pw@host`) is
    `***`, the user name stays. The password is cut by hand, not by a URL parser, so
    a URL no parser takes is masked all the same: userinfo is what comes before the
    authority's last `@` (as httpx and urllib read it), the password after its first `:`."""
    scheme, sep, rest = url.partition("://")
    if not sep:  # `user:pw@host` with no scheme: still masked, the URL is refused by name
        scheme, rest = "", url
    end = min([i for i in (rest.find(c) for c in "/?#") if i >= 0], default=len(rest))
    userinfo, at, host = rest[:end].rpartition("@")
    user, colon, _password = userinfo.partition(":")
    if not at or not colon:
        return url
    return f"{scheme}{sep}{user}:***@{host}{rest[end:]}"
