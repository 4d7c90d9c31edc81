"""The run table's search index agrees with the plain definition of the filter.

`haystack(run)` is what the filter means (a case-insensitive substring of the
fields); the index answers from flat byte arrays instead. Any disagreement, with
or without groups overflowing their code space, would hide or show wrong rows.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from runtui.model import ACTIVE, Run, Status
from runtui.tui.widgets.run_rows import STATUSES, Row, SearchIndex, haystack

TEXT = st.text(alphabet="abAB1é_-\0 ", max_size=6)
RUNS = st.lists(
    st.builds(
        Run,
        profile=st.sampled_from(["prod", "Dev", "b3"]),
        provider=st.sampled_from(["wexa", "edges", "b3os"]),
        id=st.text(alphabet="abAB1é-", min_size=1, max_size=8),
        workflow_name=st.none() | TEXT,
        workflow_id=st.none() | TEXT,
        status=st.sampled_from(list(Status)),
        raw_status=st.none() | TEXT,
        partial=st.booleans(),
    ),
    max_size=40,
)


def expected(runs: list[Run], needle: str, active_only: bool, profile: str | None) -> list[bool]:
    return [(not needle or needle in haystack(r)) and (not active_only or r.status in ACTIVE)
            and (profile is None or r.profile == profile) for r in runs]


@settings(max_examples=300, deadline=None)
@given(runs=RUNS, needle=TEXT, active_only=st.booleans(),
       profile=st.none() | st.sampled_from(["prod", "Dev", "nope"]),
       limit=st.sampled_from([SearchIndex.LIMIT, 2]))  # 2: the groups overflow at once
def test_index_selects_exactly_the_rows_the_filter_means(
        runs: list[Run], needle: str, active_only: bool, profile: str | None, limit: int) -> None:
    index = SearchIndex()
    index.LIMIT = limit  # type: ignore[misc]
    order = [Row(run, index) for run in runs]
    index.rebuild(order)
    needle = needle.lower()

    def passes(rec: Row) -> bool:
        return expected([rec.run], needle, active_only, profile)[0]

    mask = index.select(order, needle, active_only, profile, passes)
    assert [bool(b) for b in mask] == expected(runs, needle, active_only, profile)
    assert all(index.matches(rec, needle) == (needle in haystack(rec.run)) for rec in order)
    shown = [r for r, b in zip(runs, mask, strict=True) if b]
    counts = {STATUSES[si]: n for si, n in index.counts(mask).items()}
    assert counts == {s: n for s in Status if (n := sum(r.status is s for r in shown))}
