from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from runtui.engine.journal import Journal
from runtui.engine.store import Delta, RunStore
from runtui.model import Run, Status


def r(i: int, status: Status = Status.RUNNING, profile: str = "p") -> Run:
    return Run(profile=profile, provider="edges", id=f"r{i}", status=status, raw_status=status.value)


def test_store_emits_only_real_changes() -> None:
    store = RunStore()
    seen: list[Delta] = []
    store.subscribe(seen.append)
    store.upsert([r(1), r(2)])
    store.upsert([r(1), r(2)])  # unchanged: no delta
    store.upsert([r(1, Status.SUCCEEDED)])
    assert [len(d.added) for d in seen] == [2, 0]
    assert seen[1].changed[0][1].status is Status.SUCCEEDED


def test_full_listing_drops_vanished_runs_of_that_profile_only() -> None:
    store = RunStore()
    store.upsert([r(1), r(2), r(3, profile="q")])
    delta = store.drop_missing("p", {("p", "r1")})
    assert [x.id for x in delta.removed] == ["r2"]
    assert ("q", "r3") in store.runs and store.count("p") == 1
    assert store.active_keys("p") == {("p", "r1")}


def test_a_run_its_platform_lists_as_asking_a_person_is_kept_as_waiting_until_it_no_longer_is() -> None:
    """The inbox poll (`set_asked`) and the listings come apart: a listing's fresh `paused`
    stays waiting while asked, and once nobody is asked the run is what its server said last."""
    store = RunStore()
    store.upsert([r(1, Status.PAUSED), r(2, Status.SUCCEEDED)])
    seen: list[Delta] = []
    store.subscribe(seen.append)
    store.set_asked("p", ["r1", "r2", "r9"])  # r2 has ended; r9 is not listed yet
    assert [(old.status, new.status) for old, new in seen[0].changed] == [(Status.PAUSED, Status.WAITING)]
    assert store.runs[("p", "r1")].raw_status == "paused"
    assert store.runs[("p", "r2")].status is Status.SUCCEEDED
    assert not store.upsert([r(1, Status.PAUSED)]), "the same read again changes nothing"
    store.upsert([r(9, Status.PAUSED)])
    assert store.runs[("p", "r9")].status is Status.WAITING
    store.upsert([r(1, Status.RUNNING)])  # answered: the server says so before the next poll
    store.set_asked("p", ["r9"])
    assert store.runs[("p", "r1")].status is Status.RUNNING
    assert store.shown(r(9, Status.PAUSED)).status is Status.WAITING
    assert store.shown(r(1, Status.PAUSED)).status is Status.PAUSED


@given(held=st.sets(st.tuples(st.sampled_from("pq"), st.integers(0, 9))),
       keep=st.sets(st.tuples(st.sampled_from("pq"), st.integers(0, 12))))
def test_what_a_listing_did_not_return_is_dropped_whatever_it_names(held: set[tuple[str, int]],
                                                                    keep: set[tuple[str, int]]) -> None:
    """`keep` may name runs the store lacks and runs of another profile: only runs of
    the profile that it leaves out go."""
    store = RunStore()
    store.upsert([r(i, profile=profile) for profile, i in held])
    delta = store.drop_missing("p", {(profile, f"r{i}") for profile, i in keep})
    assert {x.key for x in delta.removed} == {("p", f"r{i}") for profile, i in held
                                               if profile == "p" and (profile, i) not in keep}
    assert set(store.runs) == {(profile, f"r{i}") for profile, i in held
                               if profile == "q" or (profile, i) in keep}


async def test_journal_records_start_before_outcome_and_survives_a_torn_line(tmp_path: Path) -> None:
    j = Journal(tmp_path / "j.jsonl")
    a = await j.started(profile="p", provider="edges", run_id="r1", action="cancel")
    lines = (tmp_path / "j.jsonl").read_text().splitlines()
    assert json.loads(lines[0])["phase"] == "started"  # written before any request
    await j.finished(a, outcome="ok", message="cancelled")
    await j.started(profile="p", provider="edges", run_id="r2", action="pause")  # crash: no end line
    with (tmp_path / "j.jsonl").open("a") as fh:
        fh.write('{"id": "torn", "pha')
    entries = list(j.entries())
    assert [(e.run_id, e.outcome) for e in entries] == [("r1", "ok"),
                                                         ("r2", "unknown (no outcome recorded)")]
    assert oct((tmp_path / "j.jsonl").stat().st_mode & 0o777) == "0o600"


async def test_an_action_refused_locally_is_journaled_as_not_sent(tmp_path: Path) -> None:
    """A refusal raised before any request is "refused, not sent", never "uncertain"."""
    from runtui.errors import ConfigError, NotAllowed

    journal = Journal(tmp_path / "j.jsonl")
    for exc in (NotAllowed("no"), ConfigError("webhook secret unset"), TimeoutError()):
        await journal.raised(await journal.started(profile="p", provider="x", run_id="r", action="a"), exc)
    outcomes = [(e.outcome, e.message) for e in journal.entries()]
    assert outcomes == [("refused", "not sent: no"), ("refused", "not sent: webhook secret unset"),
                        ("uncertain", "interrupted: TimeoutError")]
