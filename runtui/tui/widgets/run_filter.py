"""The run filter's words: space-separated terms that must all match.

`failed b3os` keeps runs matching both words anywhere (profile, provider, id,
workflow, status); a field term looks in one place only:

* `status:failed` (`st:`): the common status, or "partial"; a value that is part of no
  common status word (`st:crashed`) looks at the platform's own status;
* `profile:prod` (`p:`): the profile's name;
* `wf:invoice` (`workflow:`): the workflow's name or id;
* `since:2h` (`s:`): created within the last 30s, 10m, 2h, 1d or 1w.

Words are case-insensitive substrings. An unknown field (`foo:bar`) is an
ordinary word, so an id with a colon still matches. A known field with a value
that cannot match (`since:abc`, `st:failde`) matches nothing, and `problems` says
why: "no runs match" would read as "no failed runs" for a typo.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

import msgspec

from runtui.logtext import parse_age
from runtui.model import Run, Status

FIELDS = {"status": "status", "st": "status", "profile": "profile", "p": "profile",
          "wf": "workflow", "workflow": "workflow", "since": "since", "s": "since"}
HELP = ("words are AND-ed; status:failed  profile:prod  wf:invoice  since:2h "
        "look in one field (st: p: wf: s: for short)")
STATUS_WORDS = (*(s.value for s in Status), "partial")  # what `status:` knows besides raw statuses
AGES = "30s, 10m, 2h, 1d or 1w"


class Term(msgspec.Struct, frozen=True):
    field: str  # "any", "status", "profile", "workflow" or "since"
    text: str  # lower case; for "since", the age as typed
    age: timedelta | None = None


def parse(text: str) -> tuple[Term, ...]:
    """The terms of a filter text (an incomplete `since:` is an ordinary word until it parses)."""
    terms: list[Term] = []
    # A NUL (only a paste can bring one) separates words: the fields a term searches are
    # joined by NULs, and a term holding one would match across two fields.
    for word in text.lower().replace("\0", " ").split():
        name, colon, value = word.partition(":")
        field = FIELDS.get(name) if colon else None
        if field is None or not value:
            terms.append(Term("any", word))
        elif field == "since":
            age = parse_age(value)
            terms.append(Term("any", word) if age is None else Term("since", value, age))
        else:
            terms.append(Term(field, value))
    return tuple(dict.fromkeys(terms))


def problems(text: str, status_texts: Collection[str] | None) -> tuple[str, ...]:
    """Why a filter's field terms cannot match: a `since:` whose value is no age, a
    `status:` that no status holds (`status_texts`: the statuses and raw statuses runs
    have had, as `field_texts` joins them; None when they are not all known)."""
    found: list[str] = []
    for word in dict.fromkeys(text.lower().replace("\0", " ").split()):
        name, colon, value = word.partition(":")
        field = FIELDS.get(name) if colon else None
        if field is None or not value:
            continue
        if field == "since" and parse_age(value) is None:
            found.append(f"{name}: expects {AGES}, not '{value}'")
        elif field == "status" and status_texts is not None and not any(
                value in known for known in (*STATUS_WORDS, *status_texts)):
            found.append(f"unknown status '{value}' (known: {', '.join(STATUS_WORDS)})")
    return tuple(found)


def names_common(value: str) -> bool:
    """Whether a `status:` value is part of a common status word (or "partial"): then it
    looks at the common status only. `st:paused` showed the runs a person is asked about,
    which read `◔ waiting` (their platform says PAUSED), while the count beside it said
    `⏸2`. Any other value (`st:crashed`, `st:cancelling`) looks at the platform's own."""
    return any(value in word for word in STATUS_WORDS)


def status_hit(text: str, value: str) -> bool:
    """Whether `value` (a `status:` term) matches a status text as `field_texts` joins it
    (common, raw and "partial", NUL-separated)."""
    if not names_common(value):
        return value in text
    common, _, rest = text.partition("\0")
    return value in common or value in rest.rpartition("\0")[2]


def field_texts(run: Run) -> dict[str, str]:
    """What each field term searches in a run (the reference the search index agrees with)."""
    return {
        "status": "\0".join((run.status.value, run.raw_status or "",
                              "partial" if run.partial else "")).lower(),
        "profile": run.profile.lower(),
        "workflow": "\0".join((run.workflow_name or "", run.workflow_id or "")).lower(),
    }


def created(run: Run) -> datetime | None:
    return run.created_at or run.started_at


def recent(run: Run, age: timedelta, now: datetime) -> bool:
    when = created(run)
    if when is None:
        return False
    if when.tzinfo is None:
        when = when.replace(tzinfo=now.tzinfo)
    return now - when <= age
