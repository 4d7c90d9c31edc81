"""Which acknowledged failures the acknowledgements file can forget, so it stops growing.

Every failed run marked seen one by one is an entry, kept with when it was marked. An
entry can go when it no longer changes what the queue shows:
- a later "all seen" of its profile covers it: the run had failed when it was marked,
  so it ended before that profile's cut (`COVERED_MARGIN` is left for a server whose
  clock runs ahead of this machine's);
- it was marked more than `MAX_AGE` ago and its run is not among those the saver holds
  (the TUI's runs, of a profile whose listing has ended whole): a run that old has left
  the newest runs runtui reads, or is gone. A saver that holds no listing of the profile
  (`attention ack`, a TUI still loading it) forgets nothing for age: the run may still
  be listed, and its failure would come back;
- past `MAX_PER_PROFILE` entries of one profile, the oldest marked go first.
A process saving merges the file's entries before this runs: an entry another runtui
just wrote is new, so neither covered nor old, and stays.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import UTC, datetime, timedelta

MAX_AGE = timedelta(days=30)
MAX_PER_PROFILE = 2000
COVERED_MARGIN = timedelta(days=1)


def pruned(runs: Mapping[str, Mapping[str, str]], before: Mapping[str, str], now: datetime, *,
           held: Mapping[str, Collection[str]] | None = None) -> dict[str, dict[str, str]]:
    """`runs` (profile -> run id -> when it was marked) without the entries that can go
    (see the module); `before`: each profile's "all seen" time; `held`: per profile, the
    ids of runs the saver holds (kept whatever their age; a profile not in it: no entry
    is old enough to go)."""
    kept: dict[str, dict[str, str]] = {}
    for profile, marked in runs.items():
        cut = _time(before.get(profile))
        covered_until = cut - COVERED_MARGIN if cut is not None else None
        holding = (held or {}).get(profile)
        fresh = []
        for run_id, text in marked.items():
            when = _time(text) or now
            if covered_until is not None and when <= covered_until:
                continue
            if holding is not None and now - when > MAX_AGE and run_id not in holding:
                continue
            fresh.append((when, run_id, text))
        fresh.sort()  # oldest first: the cap keeps the newest
        if fresh:
            kept[profile] = {run_id: text for _, run_id, text in fresh[-MAX_PER_PROFILE:]}
    return kept


def _time(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)
