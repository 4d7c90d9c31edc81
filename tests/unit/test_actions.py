from __future__ import annotations

import pytest

from runtui.actions import allowed_actions, can_execute, decide, table_for
from runtui.model import Action, Kind, Run, Status
from runtui.providers import registry


@pytest.fixture(autouse=True)
def _loaded_providers() -> None:
    """Each adapter brings its table; loading it registers the table, as the workspace does."""
    for name in ("wexa", "edges", "b3os"):
        registry.provider_class(name)


def run(provider: str, raw: str | None, status: Status = Status.RUNNING, kind: Kind = Kind.RUN) -> Run:
    return Run(profile="p", provider=provider, id="r1", raw_status=raw, status=status, kind=kind)


@pytest.mark.parametrize(("provider", "raw", "expected"), [
    ("wexa", "ready", [Action.START, Action.CANCEL]),
    ("wexa", "running", [Action.PAUSE, Action.CANCEL]),
    ("wexa", "paused", [Action.RESUME, Action.CANCEL]),
    ("wexa", "completed", []),
    ("wexa", "canceled", []),
    ("edges", "RUNNING", [Action.CANCEL]),
    ("edges", "QUEUED", [Action.CANCEL]),
    ("edges", "BLOCKED", [Action.RESUME]),
    ("edges", "STOPPED", [Action.RESUME]),
    ("edges", "SUCCEEDED", []),
    ("edges", None, []),
    ("b3os", "running", [Action.CANCEL]),
    ("b3os", "waiting", [Action.RESUME, Action.CANCEL]),
    ("b3os", "failure", [Action.RETRY]),
    ("b3os", "success", []),
    ("b3os", "exploded", []),
])
def test_table(provider: str, raw: str | None, expected: list[Action]) -> None:
    assert allowed_actions(run(provider, raw)) == expected


@pytest.mark.parametrize("read_only", [False, True])
@pytest.mark.parametrize("kind", list(Kind))
@pytest.mark.parametrize("provider", ["wexa", "edges", "b3os", "never-loaded"])
def test_allowed_actions_agrees_with_decide(provider: str, kind: Kind, read_only: bool) -> None:
    """The fast path gives `decide`'s verdicts for every raw status a table knows, and more."""
    table = table_for(provider)
    raws: set[str | None] = {None, "", "exploded", " Running "}
    if table is not None:
        raws |= {raw for rules in table.per_kind.values() for raw in rules}
    for raw in raws:
        r = run(provider, raw, kind=kind)
        expected = [a for a in (Action.START, Action.PAUSE, Action.RESUME, Action.CANCEL,
                                Action.RETRY, Action.STOP) if decide(r, a, read_only=read_only)]
        assert allowed_actions(r, read_only=read_only) == expected, raw


def test_wexa_tasks_have_their_own_rules() -> None:
    task = run("wexa", "running", kind=Kind.TASK)
    assert allowed_actions(task) == [Action.PAUSE, Action.STOP]
    assert allowed_actions(run("wexa", "paused", kind=Kind.TASK)) == [Action.RESUME, Action.STOP]


def test_refusal_says_why_and_from_where() -> None:
    d = decide(run("edges", "SUCCEEDED", Status.SUCCEEDED), Action.CANCEL)
    assert not d
    # In common words, not the platform's (QUEUED, SCHEDULED, CREATED are all "queued").
    assert d.reason == "cannot cancel a succeeded run; cancel works on queued and running runs"
    d = decide(run("edges", "SCHEDULED", Status.QUEUED), Action.RESUME)
    # Edges resumes STOPPED (cancelled) and BLOCKED (waiting) runs.
    assert d.reason == ("cannot resume a queued run (SCHEDULED); "
                        "resume works on cancelled and waiting runs")
    d = decide(run("edges", "RUNNING"), Action.PAUSE)
    assert not d and "no pause" in d.reason


def test_read_only_removes_every_mutating_action_in_one_place() -> None:
    r = run("wexa", "running")
    assert allowed_actions(r, read_only=True) == []
    assert "read-only" in decide(r, Action.PAUSE, read_only=True).reason
    assert not can_execute("wexa", read_only=True)
    assert can_execute("wexa")


def test_busy_run_refuses_a_second_action() -> None:
    d = decide(run("wexa", "running"), Action.CANCEL, busy=True)
    assert not d and "in flight" in d.reason


def test_unknown_provider_is_refused() -> None:
    assert not decide(run("nope", "running"), Action.CANCEL)


def test_tables_live_with_their_adapters() -> None:
    from runtui.providers.b3os import B3osProvider
    from runtui.providers.edges import EdgesProvider
    from runtui.providers.wexa import WexaProvider

    for cls in (WexaProvider, EdgesProvider, B3osProvider):
        assert table_for(cls.name) is cls.actions


def test_a_provider_never_loaded_has_no_actions_and_says_so() -> None:
    verdict = decide(run("nowhere", "running"), Action.CANCEL)
    assert not verdict
    assert verdict.reason == "no actions known for provider 'nowhere'"


def test_a_state_on_its_way_to_the_asked_end_is_said_as_such() -> None:
    """A table's interim states are said by what they mean after that action, in any case;
    the same state after another action, or a state the table does not name, is not."""
    from runtui.actions import ActionTable, Interim, register_table
    from runtui.display import interim_text

    register_table(ActionTable(provider="interim-fake", per_kind={Kind.RUN: {}},
                               interim={Action.CANCEL: {"Stopping": Interim("cancelling", "it stops soon")}}))
    stopping = run("interim-fake", "STOPPING")
    assert interim_text(Action.CANCEL, stopping) == "cancelling (STOPPING: it stops soon)"
    assert interim_text(Action.PAUSE, stopping) is None
    assert interim_text(Action.CANCEL, run("interim-fake", "RUNNING")) is None
    assert interim_text(Action.CANCEL, run("nobody", "STOPPING")) is None
