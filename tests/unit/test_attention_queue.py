"""The attention queue from hand-made runs: each reason, its floor and its acknowledgement."""

from __future__ import annotations

import json
import random
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from msgspec.structs import replace as msgspec_replace

from runtui.engine import ack_pruning, attention
from runtui.engine.attention import Acknowledgements, AttentionQueue, Reason, build_queue
from runtui.engine.health import Health, HealthState
from runtui.engine.reasons import failure_reason
from runtui.engine.usual_times import WorkflowTimes, p95
from runtui.model import Action, Run, RunDetail, Status, Step
from runtui.providers import registry

NOW = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


def run(run_id: str, status: Status, *, raw: str | None = None, provider: str = "edges",
        started: float | None = None, finished: float | None = None, created: float | None = None,
        workflow: str = "wf", profile: str = "p") -> Run:
    """Times are minutes before NOW."""
    def at(minutes: float | None) -> datetime | None:
        return None if minutes is None else NOW - timedelta(minutes=minutes)
    return Run(profile=profile, provider=provider, id=run_id, status=status, raw_status=raw or status.value,
               workflow_id=workflow, started_at=at(started), finished_at=at(finished), created_at=at(created))


def reasons(items: list) -> dict[str, Reason]:  # type: ignore[type-arg]
    return {i.run.id if i.run else i.profile: i.reason for i in items}


def test_waiting_runs_and_provider_declared_human_waits() -> None:
    registry.provider_class("b3os")  # its action table
    runs = [run("w", Status.WAITING, raw="waiting", provider="b3os"),
            run("paused-for-input", Status.PAUSED, raw="PAUSED", provider="pf"),
            run("paused-by-user", Status.PAUSED, raw="paused", provider="other")]
    items = build_queue(runs, waits_on_human={"pf": frozenset({"paused"})}, now=NOW)
    assert reasons(items) == {"w": Reason.WAITING, "paused-for-input": Reason.WAITING}
    waiting = next(i for i in items if i.run is not None and i.run.id == "w")
    assert waiting.actions == (Action.RESUME, Action.CANCEL)


def test_why_a_failure_failed_comes_from_its_steps_else_the_run() -> None:
    failed = run("f", Status.FAILED, provider="b3os")
    send = Step(id="send", name="Send USDC", status=Status.FAILED, error="insufficient gas")
    quiet = Step(id="notify", status=Status.FAILED)
    nested = Step(id="group", status=Status.SUCCEEDED, children=(send,))
    assert failure_reason(RunDetail(run=failed, steps=(nested,))) == "Send USDC: insufficient gas"
    with_error = msgspec_replace(failed, last_error="run-level error")
    assert failure_reason(RunDetail(run=with_error, steps=(quiet,))) == "run-level error"
    assert failure_reason(RunDetail(run=failed, steps=(quiet,))) == "failed at notify"
    assert failure_reason(RunDetail(run=failed)) == ""


def test_a_failure_says_why_it_was_read_to_have_failed_else_its_own_error() -> None:
    """Read from its detail, why names the failed steps; the run's own error (its listing's,
    or its detail's kept on its row by the store) says less: "insufficient gas"."""
    registry.provider_class("b3os")
    listed = [run("quiet", Status.FAILED, provider="b3os"),
              msgspec_replace(run("said", Status.FAILED, provider="b3os"), last_error="from the listing"),
              msgspec_replace(run("kept", Status.FAILED, provider="b3os"), last_error="insufficient gas")]
    why = {("p", "quiet"): "send: insufficient gas", ("p", "kept"): "send: insufficient gas"}
    details = {i.run.id: i.detail for i in build_queue(listed, failed_why=why, now=NOW) if i.run}
    assert details == {"quiet": "send: insufficient gas", "said": "from the listing",
                       "kept": "send: insufficient gas"}
    assert {i.run.id: i.detail for i in build_queue(listed, now=NOW) if i.run}["quiet"] == "failed"
    queue = AttentionQueue()
    queue.apply(listed, [], [], live=False, now=NOW)
    assert not queue.failed_why_known(("p", "quiet"))
    queue.set_failed_why(("p", "quiet"), "send: insufficient gas", now=NOW)
    assert queue.failed_why_known(("p", "quiet"))
    assert queue.items[("p", "quiet")].detail == "send: insufficient gas"
    queue.apply([], [], [listed[0]], now=NOW)  # gone from the store: forgotten
    assert not queue.failed_why_known(("p", "quiet"))


def test_read_only_profiles_offer_no_action() -> None:
    registry.provider_class("b3os")
    items = build_queue([run("w", Status.WAITING, raw="waiting", provider="b3os")],
                        read_only={"p": True}, now=NOW)
    assert items[0].actions == ()


def test_failures_until_acknowledged_one_by_one_or_all(tmp_path: Path) -> None:
    acks = Acknowledgements(tmp_path / "acks.json")
    runs = [run("f1", Status.FAILED, finished=30), run("f2", Status.FAILED, finished=20)]
    assert reasons(build_queue(runs, acks=acks, now=NOW)) == {"f1": Reason.FAILED, "f2": Reason.FAILED}
    acks.acknowledge([runs[0]])
    assert reasons(build_queue(runs, acks=acks, now=NOW)) == {"f2": Reason.FAILED}
    acks.acknowledge_all(["p"], now=NOW - timedelta(minutes=25))
    later = run("f3", Status.FAILED, finished=10)
    assert reasons(build_queue([*runs, later], acks=acks, now=NOW)) == {"f2": Reason.FAILED,
                                                                       "f3": Reason.FAILED}
    acks.acknowledge_all(["p"], now=NOW - timedelta(minutes=15))
    assert reasons(build_queue([*runs, later], acks=acks, now=NOW)) == {"f3": Reason.FAILED}


def test_acknowledgements_survive_a_restart_in_a_private_file(tmp_path: Path) -> None:
    path = tmp_path / "state" / "acks.json"
    acks = Acknowledgements(path)
    acks.acknowledge([run("f1", Status.FAILED, finished=5)])
    acks.acknowledge_all(["q"], now=NOW)
    acks.save()
    again = Acknowledgements.load(path)
    assert {p: list(ids) for p, ids in again.runs.items()} == {"p": ["f1"]}
    assert again.before == {"q": NOW.isoformat()}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_stuck_means_past_the_workflows_p95_and_the_floor() -> None:
    finished = [run(f"done{i}", Status.SUCCEEDED, started=100 + i, finished=100 + i - d)
                for i, d in enumerate([1, 2, 3, 4, 5])]  # 1-5 minute runs: p95 = 5 min
    slow = run("slow", Status.RUNNING, started=12)  # past the 10 min floor
    young = run("young", Status.RUNNING, started=8)  # past p95 but under the floor
    other = run("other-wf", Status.RUNNING, started=60, workflow="no-history")
    items = build_queue([*finished, slow, young, other], now=NOW)
    assert reasons(items) == {"slow": Reason.STUCK}
    assert "usually under 5m" in items[0].detail


def test_no_stuck_verdict_from_fewer_than_five_samples() -> None:
    finished = [run(f"d{i}", Status.SUCCEEDED, started=100, finished=99) for i in range(4)]
    assert build_queue([*finished, run("long", Status.RUNNING, started=500)], now=NOW) == []
    assert p95([1.0, 2.0, 3.0, 4.0]) is None
    assert p95([float(i) for i in range(1, 21)]) == 19.0


def test_late_queued_runs_past_the_floor() -> None:
    runs = [run("late", Status.QUEUED, created=30), run("fresh", Status.QUEUED, created=2)]
    assert reasons(build_queue(runs, now=NOW)) == {"late": Reason.LATE}


def test_profile_trouble_after_a_minute_config_errors_at_once() -> None:
    health = {"a": Health("a", HealthState.ERROR, "HTTP 500", since=NOW - timedelta(minutes=2)),
              "b": Health("b", HealthState.ERROR, "HTTP 500", since=NOW - timedelta(seconds=10)),
              "c": Health("c", HealthState.CONFIG, "no key"),
              "d": Health("d", HealthState.OK)}
    items = build_queue([], health=health, now=NOW)
    assert reasons(items) == {"a": Reason.PROFILE, "c": Reason.PROFILE}
    assert reasons(build_queue([], health=health, now=NOW, trouble_after=timedelta(0)))["b"] is Reason.PROFILE


def test_profile_trouble_first_then_the_most_urgent_reason() -> None:
    """A profile's trouble explains its runs' items (in an outage they are the last snapshot):
    it comes first, not below the fold after every run item."""
    runs = [run("f", Status.FAILED, finished=1), run("w", Status.WAITING, raw="BLOCKED")]
    items = build_queue(runs, health={"x": Health("x", HealthState.CONFIG, "bad")}, now=NOW)
    assert [i.reason for i in items] == [Reason.PROFILE, Reason.WAITING, Reason.FAILED]


def test_live_queue_hears_only_what_changed_while_running(tmp_path: Path) -> None:
    heard: list[tuple[str, Reason]] = []
    queue = AttentionQueue(acks=Acknowledgements(tmp_path / "a.json"),
                           on_new=lambda i: heard.append((i.run.id if i.run else i.profile, i.reason)))
    backlog = [run("old-fail", Status.FAILED, finished=60), run("ok", Status.RUNNING, started=1)]
    queue.apply(backlog, [], [], live=False, now=NOW)
    assert set(queue.items) == {("p", "old-fail")} and heard == []
    queue.apply([], [run("ok", Status.WAITING, raw="BLOCKED")], [], now=NOW)
    assert heard == [("ok", Reason.WAITING)]
    queue.apply([], [run("ok", Status.WAITING, raw="BLOCKED")], [], now=NOW)  # the same again
    assert heard == [("ok", Reason.WAITING)]
    queue.apply([], [run("ok", Status.SUCCEEDED, finished=0)], [], now=NOW)
    assert ("p", "ok") not in queue.items
    queue.acknowledge([backlog[0]])
    assert len(queue) == 0


def test_live_queue_tick_finds_runs_that_became_stuck() -> None:
    history = [run(f"d{i}", Status.SUCCEEDED, started=200 + i, finished=199 + i) for i in range(6)]
    heard: list[Reason] = []
    queue = AttentionQueue(on_new=lambda i: heard.append(i.reason))
    long_run = run("long", Status.RUNNING, started=5)
    queue.apply([*history, long_run], [], [], live=False, now=NOW)
    assert len(queue) == 0
    queue.tick(NOW + timedelta(minutes=20))
    assert heard == [Reason.STUCK] and list(queue.items) == [("p", "long")]


def test_live_queue_profile_trouble_comes_and_goes() -> None:
    queue = AttentionQueue()
    queue.set_health(Health("x", HealthState.ERROR, "down", since=NOW - timedelta(minutes=5)), now=NOW)
    assert [i.reason for i in queue.sorted_items()] == [Reason.PROFILE]
    queue.set_health(Health("x", HealthState.OK), now=NOW)
    assert len(queue) == 0


def test_a_profile_no_longer_configured_is_forgotten_with_its_runs() -> None:
    """Removed or renamed profiles: nothing else would ever take their items out."""
    queue = AttentionQueue()
    queue.apply([run("f", Status.FAILED, finished=3, profile="gone"),
                 run("w", Status.WAITING, profile="gone"), run("k", Status.FAILED, finished=3)], [], [],
                now=NOW)
    queue.set_health(Health("gone", HealthState.CONFIG, "no key"), now=NOW)
    queue.set_troubles("gone", ["no worker"], now=NOW)
    queue.keep_profiles({"p"})
    assert list(queue.items) == [("p", "k")]
    queue.tick(NOW + timedelta(minutes=1))  # its health and trouble do not come back
    assert list(queue.items) == [("p", "k")]


def a_world(rnd: random.Random, n: int, tag: str) -> list[Run]:
    """Runs of three workflows in two profiles, every status, times minutes apart (ties)."""
    out = []
    for i in range(n):
        status = rnd.choice(list(Status))
        created = rnd.choice([None, *range(1, 120, 7)])
        started = None if created is None or rnd.random() < 0.2 else created - rnd.choice([0, 1, 2])
        finished = None
        if status.terminal and started is not None and rnd.random() < 0.9:
            finished = started - rnd.choice([1, 2, 3, 5, 8, 13])
        out.append(run(f"{tag}{i}", status, started=started, finished=finished, created=created,
                       workflow=rnd.choice(["a", "b", "c"]), profile=rnd.choice("pq")))
    return out


@pytest.mark.parametrize("seed", range(4))
def test_the_live_queue_is_what_a_fresh_listing_gives_through_changes_and_ticks(seed: int) -> None:
    """The live queue keeps the workflows' usual times as runs come, change and go, and
    its tick re-judges only the runs the clock can have changed the verdict of: after
    each tick its items are those `build_queue` gives the same runs from scratch (and
    after a delta, those of the runs it carried)."""
    rnd = random.Random(seed)
    queue = AttentionQueue()
    runs = {r.key: r for r in a_world(rnd, 120, "r")}
    queue.apply(list(runs.values()), [], [], live=False, now=NOW)
    now = NOW
    for step in range(40):
        judged = set(runs)
        if step % 3 == 0:
            now += timedelta(minutes=rnd.choice([1, 5, 30]))
            queue.tick(now)
        else:
            picked = rnd.sample(list(runs.values()), 8)
            changed = [new.model_copy(update={"id": old.id, "profile": old.profile})
                       for old, new in zip(picked[:5], a_world(rnd, 5, "x"), strict=True)]
            removed = picked[5:]
            added = a_world(rnd, 3, f"s{step}-")
            for gone in removed:
                del runs[gone.key]
            runs.update((r.key, r) for r in (*changed, *added))
            queue.apply(added, changed, removed, now=now)
            judged = {r.key for r in (*changed, *added)}
        times = WorkflowTimes.of(runs.values())
        for workflow in {(r.profile, r.workflow_id or "") for r in runs.values()}:
            durations = [(r.finished_at - r.started_at).total_seconds() for r in runs.values()
                         if (r.profile, r.workflow_id) == workflow and r.status.terminal
                         and r.started_at is not None and r.finished_at is not None]
            assert queue.times.usual_duration(workflow) == p95(durations) == times.usual_duration(workflow)
            assert queue.times.usual_wait(workflow) == times.usual_wait(workflow)
        fresh = build_queue(list(runs.values()), now=now)
        assert {i.run.key: (i.reason, i.detail) for i in fresh if i.run is not None and i.run.key in judged} \
            == {k: (i.reason, i.detail) for k, i in queue.items.items() if i.run is not None and k in judged}
        assert set(queue.items) <= {*runs, *((p, "") for p in "pq")}  # none of a run that left


@pytest.mark.parametrize("seed", range(4))
def test_a_tick_that_leaves_the_wording_still_finds_every_reason(seed: int) -> None:
    """While no list shows the items, the tick leaves their minutes as judged
    (`reword=False`) but still finds each run that turned stuck or late and each one the
    moved usual times made ordinary again; `reword` then gives a fresh listing's text."""
    rnd = random.Random(seed)
    queue = AttentionQueue()
    runs = {r.key: r for r in a_world(rnd, 150, "r")}
    queue.apply(list(runs.values()), [], [], live=False, now=NOW)
    now, reworded_texts = NOW, 0
    for step in range(30):
        if step % 2 == 0:
            now += timedelta(minutes=rnd.choice([1, 5, 30]))
            before = {k: i.detail for k, i in queue.items.items()}
            queue.tick(now, reword=False)
            fresh = {i.run.key: i for i in build_queue(list(runs.values()), now=now) if i.run is not None}
            live = {k: i for k, i in queue.items.items() if i.run is not None}
            assert {k: i.reason for k, i in live.items()} == {k: i.reason for k, i in fresh.items()}
            kept = [k for k in live if k in before and live[k].reason is not Reason.FAILED]
            assert all(live[k].detail == before[k] for k in kept)  # as judged, not re-worded
            reworded_texts += sum(live[k].detail != fresh[k].detail for k in kept)
            queue.reword(now)
            assert {k: i.detail for k, i in queue.items.items() if i.run is not None} \
                == {k: i.detail for k, i in fresh.items()}
        else:
            picked = rnd.sample(list(runs.values()), 8)
            changed = [new.model_copy(update={"id": old.id, "profile": old.profile})
                       for old, new in zip(picked[:5], a_world(rnd, 5, "x"), strict=True)]
            added = a_world(rnd, 3, f"s{step}-")
            for gone in picked[5:]:
                del runs[gone.key]
            runs.update((r.key, r) for r in (*changed, *added))
            queue.apply(added, changed, picked[5:], now=now)
    assert reworded_texts > 0  # the clock did move some text: the test saw stale wording


def test_the_tick_judges_only_runs_the_clock_can_have_changed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Judging each of 12,500 running runs every 30 s cost ~100 ms at 50,000 runs; most of
    them are far from their workflow's p95 and would be judged to need nothing again."""
    history = [run(f"d{i}", Status.SUCCEEDED, started=200 + i, finished=199 + i, created=201 + i)
               for i in range(50)]  # 1-minute runs that waited a minute: p95s of 1 minute
    young = [run(f"y{i}", Status.RUNNING, started=1, created=2) for i in range(100)]
    going = [run(f"r{i}", Status.RUNNING, started=5 + i, created=6 + i) for i in range(40)]
    waiting = [run(f"q{i}", Status.QUEUED, created=30 + i) for i in range(40)]
    queue = AttentionQueue()
    queue.apply([*history, *young, *going, *waiting], [], [], live=False, now=NOW)
    judged: list[int] = []
    real = attention.build_queue

    def counted(runs: list[Run], **kwargs: object) -> list[attention.AttentionItem]:
        judged.append(len(runs))
        return real(runs, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(attention, "build_queue", counted)
    queue.tick(NOW + timedelta(seconds=20))
    # The stuck and late ones (their text counts minutes), and the run that just turned
    # stuck (10 minutes at the listing, past the 10-minute floor at the tick): no young one.
    stuck = {k for k, i in queue.items.items() if i.reason is Reason.STUCK}
    late = {k for k, i in queue.items.items() if i.reason is Reason.LATE}
    assert ("p", "r5") in stuck and len(stuck) == 40 - 5 and len(late) == 40
    assert judged[0] == len(stuck) + len(late)


def test_a_listings_pages_are_read_into_the_usual_times_at_most_once_a_minute(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Each page of a first listing comes as a delta: reading every run so far into the
    workflows' times for each page would grow with the square of the listing."""
    reads: list[int] = []
    real = WorkflowTimes.of

    def counted(runs: list[Run]) -> WorkflowTimes:
        runs = list(runs)
        reads.append(len(runs))
        return real(runs)

    monkeypatch.setattr(attention.WorkflowTimes, "of", staticmethod(counted))
    finished = [run(f"d{i}", Status.SUCCEEDED, started=30 + i, finished=29 + i, created=31 + i)
                for i in range(40)]
    queue = AttentionQueue()
    for page in range(4):
        queue.apply(finished[page * 10:(page + 1) * 10], [], [], live=False, now=NOW)
    assert reads == [10]  # the first page's, then behind for a minute
    assert queue.times.usual_duration(("p", "wf")) == 60.0
    queue.tick(NOW + timedelta(seconds=60))
    assert reads == [10, 40]
    later = run("late-finisher", Status.SUCCEEDED, started=30, finished=10, created=31)
    queue.apply([later], [], [], now=NOW + timedelta(seconds=61))  # live: one by one
    assert reads == [10, 40]
    assert queue.times.usual_duration(("p", "wf")) == p95([60.0] * 40 + [1200.0])


def test_runs_of_a_server_whose_clock_is_ahead_are_judged_on_its_clock(tmp_path: Path) -> None:
    """A server 15 min ahead: its waiting run "waits … in 14m", its run started 25 min ago on
    its clock was not stuck (10 min here), and the live queue's tick judged the same."""
    ahead = {"p": timedelta(minutes=15)}
    waiting = run("w", Status.WAITING, raw="BLOCKED", started=-14)  # 14 min "from now" here
    long = run("long", Status.RUNNING, started=-15 + 25)  # 25 min ago on the server's clock
    history = [run(f"ok{i}", Status.SUCCEEDED, started=100 + i, finished=99 + i) for i in range(6)]
    assert "in 14m" in build_queue([waiting], now=NOW)[0].detail
    assert "long" not in reasons(build_queue([long, *history], now=NOW))
    items = build_queue([waiting, long, *history], now=NOW, clock_offsets=ahead)
    assert "in " not in items[0].detail and items[0].detail.endswith(", 1m00s ago")
    assert reasons(items)["long"] is Reason.STUCK
    queue = AttentionQueue(acks=Acknowledgements(tmp_path / "a.json"))
    queue.clock_offsets = dict(ahead)
    queue.apply([*history, long], [], [], live=False, now=NOW)
    queue.catch_up(NOW)
    queue.tick(NOW)
    assert queue.items[("p", "long")].reason is Reason.STUCK


@pytest.mark.parametrize(("content", "said", "listed"), [
    ('{"before": 5, "runs": {"p": ["f1"]}}', "`before`: not an object", {"f2"}),
    ('{"runs": [1, 2], "before": {"q": "2026-12-03T11:45:00+00:00"}}', "`runs`: not an object", {"f1"}),
    ('{"before": {"p": "garbage", "q": "2026-12-03T11:45:00+00:00"}}', "`before` of p: not a time", {"f1"}),
    ('{"runs": {"p": "f1", "q": ["f2", 7]}}', "`runs` of p: not a list", {"f1"}),
    ("[1, 2]", "not a JSON object", {"f1", "f2"}),
    ("\x00\xff garbage", "not JSON", {"f1", "f2"}),
])
def test_a_damaged_acknowledgements_file_is_said_and_its_readable_rest_kept(
        tmp_path: Path, content: str, said: str, listed: set[str]) -> None:
    """A hand edit or a damaged file crashed `runtui attention` and the TUI's start
    (TypeError, ValueError): what cannot be read is ignored and said, naming the file."""
    path = tmp_path / "acknowledged.json"
    path.write_text(content, encoding="utf-8")
    acks = Acknowledgements.load(path)
    problem = acks.take_problem()
    assert problem is not None and str(path) in problem and said in problem, problem
    assert acks.take_problem() is None  # said once
    failed = [run("f1", Status.FAILED, finished=30), run("f2", Status.FAILED, finished=30, profile="q")]
    assert set(reasons(build_queue(failed, acks=acks, now=NOW))) == listed


def test_a_time_without_offset_is_the_local_time_and_hides_no_later_failure(tmp_path: Path) -> None:
    """`"before": {"p": "2026-12-06T18:00:00"}` (what a person types) raised TypeError while
    judging, and the TUI listed none of that profile's items, its waiting runs too."""
    cut = (NOW - timedelta(minutes=25)).astimezone().replace(tzinfo=None)  # local wall time
    path = tmp_path / "acknowledged.json"
    path.write_text(f'{{"before": {{"p": "{cut.isoformat()}"}}}}', encoding="utf-8")
    acks = Acknowledgements.load(path)
    assert acks.take_problem() is None
    runs = [run("old", Status.FAILED, finished=30), run("new", Status.FAILED, finished=20),
            run("w", Status.WAITING, raw="waiting", provider="b3os", started=5)]
    registry.provider_class("b3os")
    assert reasons(build_queue(runs, acks=acks, now=NOW)) == {"new": Reason.FAILED, "w": Reason.WAITING}


def test_two_runtuis_on_one_state_dir_keep_each_others_acknowledgements(tmp_path: Path) -> None:
    """Each saved the file from its own memory: B's `a` undid A's "all seen" (and A's `a`
    B's). A save merges what the file holds: every run id, the latest `before`."""
    path = tmp_path / "state" / "acknowledged.json"
    first, second = Acknowledgements.load(path), Acknowledgements.load(path)
    first.acknowledge([run("a1", Status.FAILED, finished=5)])
    first.save()
    second.acknowledge([run("b1", Status.FAILED, finished=5, profile="q")])
    second.save()
    first.acknowledge_all(["p", "q"], now=NOW)
    first.save()
    second.acknowledge_all(["q"], now=NOW - timedelta(hours=1))  # an older "all seen"
    second.acknowledge([run("b2", Status.FAILED, finished=1, profile="r")])
    second.save()
    on_disk = Acknowledgements.load(path)
    assert on_disk.before == {"p": NOW.isoformat(), "q": NOW.isoformat()}
    assert list(on_disk.runs["r"]) == ["b2"] and "b1" in on_disk.runs["q"]
    assert on_disk.seen(run("x", Status.FAILED, finished=10, profile="q"))


def test_the_live_queue_takes_in_what_another_runtui_marked_seen(tmp_path: Path) -> None:
    path = tmp_path / "acknowledged.json"
    queue = AttentionQueue(acks=Acknowledgements.load(path))
    failed = [run("f1", Status.FAILED, finished=30), run("f2", Status.FAILED, finished=20)]
    queue.apply(failed, [], [], live=False, now=NOW)
    assert queue.failure_count() == 2
    assert not queue.read_acknowledgements()  # nothing changed: nothing read
    other = Acknowledgements.load(path)
    other.acknowledge([failed[0]])
    other.save()
    assert queue.read_acknowledgements()
    assert set(reasons(queue.sorted_items())) == {"f2"}


def test_an_acknowledgement_that_cannot_be_written_still_applies_and_says_why(tmp_path: Path) -> None:
    """A state directory that cannot be written crashed the TUI on `a` (OSError)."""
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("", encoding="utf-8")
    path = blocker / "acknowledged.json"
    queue = AttentionQueue(acks=Acknowledgements.load(path))
    failed = [run("f1", Status.FAILED, finished=30), run("f2", Status.FAILED, finished=20)]
    queue.apply(failed, [], [], live=False, now=NOW)
    with pytest.raises(attention.AcknowledgementsNotKept, match=f"cannot write {path}: "):
        queue.acknowledge([failed[0]])
    assert set(reasons(queue.sorted_items())) == {"f2"}
    with pytest.raises(attention.AcknowledgementsNotKept):
        queue.acknowledge_all(now=NOW)
    assert queue.failure_count() == 0


def acknowledged_ids(path: Path) -> dict[str, list[str]]:
    """What the file says is seen run by run, as any runtui reads it (`runs`)."""
    saved = json.loads(path.read_text(encoding="utf-8"))
    return {profile: sorted(ids) for profile, ids in saved["runs"].items()}


def test_a_save_forgets_acknowledgements_that_can_no_longer_matter(tmp_path: Path) -> None:
    """The file only ever grew: every failure marked seen one by one stayed in it for good,
    long after its run left every listing or an "all seen" covered it."""
    path = tmp_path / "acknowledged.json"
    marking = Acknowledgements.load(path)
    days = 60 * 24  # minutes
    marking.acknowledge([run("covered", Status.FAILED, finished=9 * days)], now=NOW - timedelta(days=9))
    marking.acknowledge([run("old-gone", Status.FAILED, finished=35 * days, profile="r"),
                         run("old-held", Status.FAILED, finished=35 * days, profile="r")],
                        now=NOW - timedelta(days=35))
    marking.acknowledge([run("recent", Status.FAILED, finished=3 * days)], now=NOW - timedelta(days=3))
    marking.acknowledge([run(f"q{i}", Status.FAILED, finished=5, profile="q")
                         for i in range(ack_pruning.MAX_PER_PROFILE)], now=NOW - timedelta(hours=2))
    newest = run("q-newest", Status.FAILED, finished=1, profile="q")
    marking.acknowledge([newest], now=NOW - timedelta(hours=1))
    marking.save(NOW - timedelta(days=8))
    assert len(acknowledged_ids(path)["r"]) == 2, "nothing could go yet"
    saving = Acknowledgements.load(path)
    saving.acknowledge_all(["p"], now=NOW - timedelta(days=5))
    saving.save(NOW, held={"r": {"old-held"}})
    on_disk = acknowledged_ids(path)
    assert on_disk["p"] == ["recent"] and on_disk["r"] == ["old-held"]
    assert len(on_disk["q"]) == ack_pruning.MAX_PER_PROFILE and "q-newest" in on_disk["q"]
    again = Acknowledgements.load(path)
    assert again.seen(run("covered", Status.FAILED, finished=9 * days)), "the cut covers it"
    assert again.seen(run("recent", Status.FAILED, finished=3 * days)) and again.seen(newest)


def test_a_save_that_forgets_keeps_what_another_runtui_just_marked(tmp_path: Path) -> None:
    """Forgetting works on the merge of memory and file: an entry another runtui wrote
    since this one read the file, even under an older "all seen", is kept."""
    path = tmp_path / "acknowledged.json"
    first, second = Acknowledgements.load(path), Acknowledgements.load(path)
    first.acknowledge([run("old", Status.FAILED, finished=60 * 24 * 40)], now=NOW - timedelta(days=40))
    first.save(NOW)
    second.acknowledge([run("fresh", Status.FAILED, finished=5)], now=NOW - timedelta(minutes=2))
    second.save(NOW)
    first.acknowledge_all(["p"], now=NOW - timedelta(minutes=10))  # before `fresh` was marked
    first.acknowledge([run("mine", Status.FAILED, finished=3, profile="q")], now=NOW)
    first.save(NOW)
    assert acknowledged_ids(path) == {"p": ["fresh"], "q": ["mine"]}
    assert Acknowledgements.load(path).seen(run("fresh", Status.FAILED, finished=5))


def test_acknowledgements_an_earlier_version_wrote_are_read_and_kept_as_marked_now(tmp_path: Path) -> None:
    path = tmp_path / "acknowledged.json"
    path.write_text('{"before": {}, "runs": {"p": ["f1"]}}', encoding="utf-8")
    acks = Acknowledgements.load(path)
    assert acks.take_problem() is None and acks.seen(run("f1", Status.FAILED, finished=5))
    acks.save()
    assert acknowledged_ids(path) == {"p": ["f1"]}


def test_the_live_queue_keeps_an_old_acknowledgement_of_a_run_it_holds(tmp_path: Path) -> None:
    """A failure marked seen long ago but still listed would be back in the queue if its
    entry were forgotten for its age alone."""
    path = tmp_path / "acknowledged.json"
    long_ago = (datetime.now(UTC) - timedelta(days=90)).isoformat()
    saved = {"runs": {"p": ["held", "gone"]}, "acknowledged_at": {"p": {"held": long_ago, "gone": long_ago}}}
    path.write_text(json.dumps(saved), encoding="utf-8")
    queue = AttentionQueue(acks=Acknowledgements.load(path))
    failed = [run("held", Status.FAILED, finished=30), run("f2", Status.FAILED, finished=20)]
    queue.apply(failed, [], [], live=False, now=NOW)
    queue.set_health(Health(profile="p", state=HealthState.OK, last_ok=NOW), now=NOW, live=False)
    queue.acknowledge([failed[1]])
    assert acknowledged_ids(path) == {"p": ["f2", "held"]}
    assert queue.failure_count() == 0


def test_no_acknowledgement_is_forgotten_for_its_age_before_its_profile_is_listed(tmp_path: Path) -> None:
    """A TUI still loading a profile (or `attention ack`, which lists nothing) does not
    know which old runs are still listed: an old entry forgotten then would bring its
    failure back into the queue once the listing reaches it."""
    path = tmp_path / "acknowledged.json"
    long_ago = (datetime.now(UTC) - timedelta(days=90)).isoformat()
    saved = {"runs": {"p": ["later-listed"]}, "acknowledged_at": {"p": {"later-listed": long_ago}}}
    path.write_text(json.dumps(saved), encoding="utf-8")
    queue = AttentionQueue(acks=Acknowledgements.load(path))
    first_page = [run("f2", Status.FAILED, finished=20)]
    queue.apply(first_page, [], [], live=False, now=NOW)
    queue.set_health(Health(profile="p", state=HealthState.LOADING), now=NOW, live=False)
    queue.acknowledge(first_page)
    assert acknowledged_ids(path) == {"p": ["f2", "later-listed"]}
    cli = Acknowledgements.load(path)
    cli.acknowledge([run("f3", Status.FAILED, finished=10)])
    cli.save()  # `attention ack`: holds no listing
    assert acknowledged_ids(path) == {"p": ["f2", "f3", "later-listed"]}
    assert Acknowledgements.load(path).seen(run("later-listed", Status.FAILED, finished=60 * 24 * 95))
