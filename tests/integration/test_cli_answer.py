"""`runtui attention answer` against the simulator: Wexa inbox items and B3OS waiting nodes."""

from __future__ import annotations

import json
from pathlib import Path

import msgspec
import pytest

from runtui.display import short_id
from runtui.engine.journal import Journal
from tests.cli_result import invoke
from tests.integration.conftest import Sim, run_cli


@pytest.fixture(autouse=True)
def private_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNTUI_STATE_DIR", str(tmp_path / "state"))


def _ask(sim: Sim, kind: str) -> str:
    """A running Wexa execution, parked on a new inbox item of `kind`."""
    taken = {i["run_id"] for i in _inbox(sim)}
    run = next((r for r in sim.find("wexa", "running", limit=100) if r["id"] not in taken), None)
    if run is None:  # the module's tests used them all: one more execution runs again
        run = next(r for r in sim.find("wexa", limit=100) if r["id"] not in taken)
        sim.control("POST", f"/runs/wexa/{run['id']}/status", json={"status": "running"})
    sim.control("POST", "/wexa/inbox", json={"execution_id": run["id"], "type": kind})
    return str(run["id"])


def _inbox(sim: Sim) -> list[dict[str, object]]:
    result = run_cli(sim, "attention", "--json", "-p", "wexa-sim")
    return [{"run_id": i["id"], **i} for i in result.json() if i["reason"] == "waiting"]


def test_an_inbox_item_is_in_the_queue_until_its_input_is_sent(sim: Sim) -> None:
    run_id = _ask(sim, "runtime_input")
    waiting = {i["run_id"]: i for i in _inbox(sim)}
    assert waiting[run_id]["detail"] == "The agent needs the account's region and a spending cap"

    shown = run_cli(sim, "attention", "answer", run_id, "-p", "wexa-sim", "--show", "--json").json()
    assert [f["key"] for f in shown["fields"]] == ["region", "cap"]
    assert shown["fields"][0]["required"] is True and shown["can_reject"] is False

    missing = run_cli(sim, "attention", "answer", run_id, "-p", "wexa-sim")
    assert missing.code == 2 and "region" in missing.err

    sent = run_cli(sim, "attention", "answer", run_id, "-p", "wexa-sim", "--set", "region=eu",
                   "--set", "cap=250", "--json")
    assert sent.code == 0, sent.err
    assert sent.json()["run"]["status"] == "running"
    assert run_id not in {i["run_id"] for i in _inbox(sim)}
    entry = list(Journal().entries())[-1]
    assert (entry.run_id, entry.action, entry.outcome) == (run_id, "answer runtime_input", "ok")
    assert "eu" not in json.dumps(msgspec.structs.asdict(entry)), "typed values are never journaled"


def test_an_anomaly_is_approved_or_rejected(sim: Sim) -> None:
    approved, rejected = _ask(sim, "anomaly_detection"), _ask(sim, "preview")
    assert run_cli(sim, "attention", "answer", approved, "-p", "wexa-sim").code == 0
    refused = run_cli(sim, "attention", "answer", rejected, "-p", "wexa-sim", "--reject", "--json")
    assert refused.code == 0, refused.err
    assert refused.json()["run"]["status"] == "cancelled"
    statuses = {r["id"]: r["status"] for r in sim.find("wexa", limit=200)}
    assert statuses[approved] == "running" and statuses[rejected] == "cancelled"


def test_a_plain_resume_is_refused_while_the_inbox_waits(sim: Sim) -> None:
    run_id = _ask(sim, "runtime_input")
    result = run_cli(sim, "runs", "resume", run_id, "-p", "wexa-sim")
    assert result.code == 1 and "waits for an answer in the inbox" in result.err
    # ... and says how to answer it (the server's 400 does not)
    assert f"runtui attention answer {run_id} -p wexa-sim --show" in result.err
    assert "--reject" not in result.err, "a runtime input cannot be rejected"
    as_json = run_cli(sim, "runs", "resume", run_id, "-p", "wexa-sim", "--json")
    assert as_json.code == 1 and "attention answer" in as_json.json()["hint"]


def test_a_b3os_waiting_node_is_resumed_with_json_data(sim: Sim) -> None:
    run_id = str(sim.find("b3os", "waiting")[0]["id"])
    shown = run_cli(sim, "attention", "answer", run_id, "-p", "b3os-sim", "--show").out
    assert "waits for data" in shown and "any JSON object" in shown
    bad = run_cli(sim, "attention", "answer", run_id, "-p", "b3os-sim", "--data", "[1]")
    assert bad.code == 2 and "JSON object" in bad.err
    # Python reads NaN; no JSON has it (the send raised, a traceback): a usage error.
    bad = run_cli(sim, "attention", "answer", run_id, "-p", "b3os-sim", "--data", '{"ratio": NaN}')
    assert bad.code == 2 and "NaN is not a JSON number" in bad.err and "Traceback" not in bad.err
    sent = run_cli(sim, "attention", "answer", run_id, "-p", "b3os-sim", "--data", '{"approved": true}')
    assert sent.code == 0, sent.err
    assert run_id not in {r["id"] for r in sim.find("b3os", "waiting", limit=100)}


def test_a_platform_without_answers_and_a_run_that_waits_for_nothing(sim: Sim) -> None:
    blocked = str(sim.find("edges", "BLOCKED")[0]["id"])
    edges = run_cli(sim, "attention", "answer", blocked, "-p", "edges-sim")
    assert edges.code == 3 and "runs resume" in edges.err
    running = str(sim.find("wexa", "running")[0]["id"])
    nothing = run_cli(sim, "attention", "answer", running, "-p", "wexa-sim", "--set", "region=eu")
    assert nothing.code == 3 and "waits for no answer" in nothing.err


def test_a_failed_run_is_not_told_to_resume_and_the_profile_is_found_from_the_id(sim: Sim) -> None:
    """A failed Edges run was told "use `runtui runs resume`", which cannot resume it; and
    `answer` alone asked for --profile, which every other id command finds itself."""
    failed = str(sim.find("edges", "FAILED")[0]["id"])
    edges = run_cli(sim, "attention", "answer", failed, "--json")
    assert edges.code == 3, edges.out
    error = edges.json()["error"]
    assert "waits for no answer" in error["message"] and "resume" not in error["message"]
    assert error["profile"] == "edges-sim"
    run_id = str(sim.find("b3os", "waiting")[0]["id"])
    shown = run_cli(sim, "attention", "answer", run_id, "--show")
    assert shown.code == 0 and run_id in shown.out


def test_a_short_id_names_the_waiting_run_as_everywhere(sim: Sim) -> None:
    run_id = str(sim.find("b3os", "waiting")[0]["id"])
    shown = run_cli(sim, "attention", "answer", short_id(run_id), "-p", "b3os-sim", "--show", "--json")
    assert shown.code == 0, shown.err
    assert shown.json()["run_id"] == run_id
    sent = run_cli(sim, "attention", "answer", short_id(run_id), "-p", "b3os-sim", "--data", "{}", "--json")
    assert sent.code == 0, sent.err
    assert (sent.json()["run_id"], sent.json()["profile"]) == (run_id, "b3os-sim")
    assert run_id not in {r["id"] for r in sim.find("b3os", "waiting", limit=100)}
    assert list(Journal().entries())[-1].run_id == run_id


def test_an_ambiguous_or_unknown_short_id_is_refused_and_nothing_sent(sim: Sim) -> None:
    before = sim.posts()
    ambiguous = run_cli(sim, "attention", "answer", "run_", "-p", "b3os-sim", "--data", "{}")
    assert ambiguous.code == 2 and "start with 'run_'" in ambiguous.err
    unknown = run_cli(sim, "attention", "answer", "nope", "-p", "b3os-sim", "--data", "{}")
    assert unknown.code == 1 and "no run has the id 'nope'" in unknown.err
    assert sim.posts() == before



def test_a_malformed_set_names_the_set_option(sim: Sim) -> None:
    result = run_cli(sim, "attention", "answer", "any-run", "-p", "b3os-sim", "--set", "=1")
    assert result.code == 2 and "--set '=1': use KEY=VALUE" in result.err and "--input" not in result.err


def test_a_reject_refused_before_sending_leaves_no_uncertain_entry(sim: Sim) -> None:
    """The journal said "uncertain … interrupted: NotAllowed" for a reject nothing sent:
    an auditor had to assume it may have gone out."""
    run_id = _ask(sim, "runtime_input")
    before = sim.posts()
    result = run_cli(sim, "attention", "answer", run_id, "-p", "wexa-sim", "--reject")
    assert result.code == 3 and "reject" in result.err
    assert sim.posts() == before
    assert [e for e in Journal().entries() if e.run_id == run_id] == []
    b3os = _b3os_waiting(sim)
    result = run_cli(sim, "attention", "answer", b3os, "-p", "b3os-sim", "--reject")
    assert result.code == 3 and "reject" in result.err and sim.posts() == before
    assert [e for e in Journal().entries() if e.run_id == b3os] == []


def _b3os_waiting(sim: Sim) -> str:
    """A B3OS run made to wait at a node (the seeded waiting ones are answered by now)."""
    run_id = str(sim.find("b3os", "running", limit=100)[-1]["id"])
    sim.control("POST", f"/runs/b3os/{run_id}/status", json={"status": "waiting"})
    return run_id


def test_a_read_only_profile_offers_no_answer(sim: Sim, tmp_path: Path) -> None:
    run_id = _ask(sim, "anomaly_detection")
    text = sim.config_path.read_text(encoding="utf-8")
    start = text.index("[profiles.wexa-sim]")
    end = text.find("\n[", start + 1)
    wexa = text[start:] if end < 0 else text[start:end]
    config = tmp_path / "ro.toml"
    config.write_text(text + "\n" + wexa.replace("[profiles.wexa-sim]", "[profiles.ro-wexa]")
                      + "\nread_only = true\n", encoding="utf-8")
    config.chmod(0o600)
    items = invoke(config, "attention", "-p", "ro-wexa", "--json").json()
    item = next(i for i in items if i["id"] == run_id)
    assert item["actions"] == [], "a read-only profile takes no action, an answer neither"
    table = invoke(config, "attention", "-p", "ro-wexa").out
    row = next(line for line in table.splitlines() if run_id in line)
    assert not row.rstrip().endswith("answer")
    writable = next(i for i in invoke(config, "attention", "-p", "wexa-sim", "--json").json()
                    if i["id"] == run_id)
    assert "answer" in writable["actions"]


def test_a_reject_is_reported_as_a_reject(sim: Sim) -> None:
    run_id = _ask(sim, "anomaly_detection")
    result = run_cli(sim, "attention", "answer", run_id, "-p", "wexa-sim", "--reject")
    assert result.code == 0, result.err
    assert result.out.startswith(f"reject {run_id}: ok"), result.out
    as_json = run_cli(sim, "attention", "answer", _ask(sim, "preview"), "-p", "wexa-sim", "--json")
    assert as_json.code == 0 and as_json.json()["action"] == "answer"


def test_answer_values_are_checked_before_anything_is_sent(sim: Sim) -> None:
    run_id = _ask(sim, "runtime_input")
    before = sim.posts()
    answer = ("attention", "answer", run_id, "-p", "wexa-sim")
    both = run_cli(sim, *answer, "--reject", "--set", "x=1")
    assert both.code == 2 and "--reject" in both.err
    wrong_type = run_cli(sim, *answer, "--set", "region=eu", "--set", "cap=abc")
    assert wrong_type.code == 2 and "--set cap: expected a number" in wrong_type.err
    undeclared = run_cli(sim, *answer, "--set", "region=eu", "--set", "bogus=1")
    assert undeclared.code == 2 and "bogus" in undeclared.err and "region, cap" in undeclared.err
    assert sim.posts() == before, "nothing was sent"
    sent = run_cli(sim, *answer, "--set", "region=eu", "--set", "cap=12.5")
    assert sent.code == 0, sent.err


def test_a_b3os_answer_without_its_webhook_secret_is_refused_locally(
        sim: Sim, monkeypatch: pytest.MonkeyPatch) -> None:
    run_id = _b3os_waiting(sim)
    monkeypatch.setenv("RUNTUI_SIM_B3OS_WEBHOOK_SECRET", "")
    before = sim.posts()
    result = run_cli(sim, "attention", "answer", run_id, "-p", "b3os-sim", "--set", "ok=1")
    assert result.code == 2, (result.out, result.err)
    assert "RUNTUI_SIM_B3OS_WEBHOOK_SECRET" in result.err and "not set" in result.err
    assert sim.posts() == before
    journaled = [(e.outcome, (e.message or "")[:9]) for e in Journal().entries() if e.run_id == run_id]
    assert journaled == [("refused", "not sent:")]
