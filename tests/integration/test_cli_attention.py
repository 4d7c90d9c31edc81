"""`runtui attention` against the simulator: reasons, exit codes, acknowledgements."""

from __future__ import annotations

from pathlib import Path

import pytest

from runtui.display import short_id
from tests.integration.conftest import Sim, run_cli


@pytest.fixture(autouse=True)
def private_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNTUI_STATE_DIR", str(tmp_path / "state"))


def test_waiting_runs_say_where_they_wait_and_exit_1(sim: Sim) -> None:
    waiting = {r["id"] for r in sim.find("b3os", "waiting")}
    assert waiting, "the seeded world has B3OS runs at a wait node"
    result = run_cli(sim, "attention", "--json")
    assert result.code == 1, result.err
    items = result.json()
    b3os_waiting = [i for i in items if i["profile"] == "b3os-sim" and i["reason"] == "waiting"]
    assert {i["id"] for i in b3os_waiting} == waiting
    assert all(i["detail"].startswith("waits at ") for i in b3os_waiting)
    assert all("resume" in i["actions"] for i in b3os_waiting)
    assert {"reason", "id", "profile", "provider", "status", "actions"} <= set(items[0])


def test_failures_say_why_where_the_listing_does_not(sim: Sim) -> None:
    """A B3OS listing has no node states, so its failed runs said only "failed": the
    newest failures not seen yet are read, and say their failed node and its error."""
    failed = {r["id"] for r in sim.find("b3os", "failure")}
    assert failed, "the seeded world has failed B3OS runs"
    items = [i for i in run_cli(sim, "attention", "--json").json()
             if i["profile"] == "b3os-sim" and i["reason"] == "failed"]
    assert {i["id"] for i in items} == failed
    assert all(i["detail"] != "failed" and ": " in i["detail"] for i in items), items


def test_failures_leave_the_queue_once_acknowledged(sim: Sim) -> None:
    failed = [i for i in run_cli(sim, "attention", "--json").json() if i["reason"] == "failed"]
    assert failed
    one = failed[0]
    assert run_cli(sim, "attention", "ack", one["id"], "-p", one["profile"]).code == 0
    left = {i["id"] for i in run_cli(sim, "attention", "--json").json() if i["reason"] == "failed"}
    assert one["id"] not in left and left == {i["id"] for i in failed[1:]}
    assert run_cli(sim, "attention", "ack", "--all").code == 0
    assert not [i for i in run_cli(sim, "attention", "--json").json() if i["reason"] == "failed"]


def test_exit_0_when_nothing_needs_attention(sim: Sim) -> None:
    for run in sim.find("edges", "BLOCKED", limit=100):
        sim.control("POST", f"/runs/edges/{run['id']}/status", json={"status": "SUCCEEDED"})
    assert run_cli(sim, "attention", "ack", "--all", "-p", "edges-sim").code == 0
    result = run_cli(sim, "attention", "-p", "edges-sim")
    assert (result.code, result.out.strip()) == (0, "nothing needs attention"), result.out


def test_a_profile_that_cannot_be_read_is_trouble(sim: Sim, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[profiles.down]\nprovider = "prefect"\nbase_url = "http://127.0.0.1:9/api"\n'
                      "allow_insecure_http = true\n", encoding="utf-8")
    config.chmod(0o600)
    from tests.cli_result import invoke

    result = invoke(config, "attention", "--json")
    assert result.code == 1
    assert [(i["reason"], i["profile"]) for i in result.json()] == [("profile", "down")]


def test_usage_errors_exit_2(sim: Sim) -> None:
    assert run_cli(sim, "attention", "ack").code == 2
    assert run_cli(sim, "attention", "-p", "no-such-profile").code == 2


def _failed_items(sim: Sim, profile: str) -> list[dict[str, str]]:
    items = run_cli(sim, "attention", "-p", profile, "--json").json()
    return [i for i in items if i["reason"] == "failed"]


def test_ack_takes_the_short_id_the_table_shows(sim: Sim) -> None:
    failed = _failed_items(sim, "edges-sim")
    assert failed
    one = failed[0]
    result = run_cli(sim, "attention", "ack", short_id(one["id"]), "-p", "edges-sim")
    assert result.code == 0, result.err
    assert f"acknowledged edges-sim/{one['id']}" in result.out
    assert one["id"] not in {i["id"] for i in _failed_items(sim, "edges-sim")}


def test_ack_refuses_an_id_no_run_has_and_stores_nothing(sim: Sim) -> None:
    before = _failed_items(sim, "b3os-sim")
    result = run_cli(sim, "attention", "ack", "nope", "-p", "b3os-sim")
    assert result.code == 1 and "no run has the id 'nope'" in result.err
    assert "acknowledged" not in result.out
    assert _failed_items(sim, "b3os-sim") == before


def test_ack_marks_only_failures_and_says_what_is_wrong_with_its_arguments(sim: Sim) -> None:
    """A waiting run was "acknowledged" (and stayed in the queue as it was); ids with
    --all were told to "name failed runs … or give --all", both of which they had."""
    running = sim.find("edges", "RUNNING")[0]["id"]
    result = run_cli(sim, "attention", "ack", running, "-p", "edges-sim")
    assert result.code == 3 and "only failed runs are marked seen" in result.err
    assert f"edges-sim/{running} (running)" in result.err and "acknowledged" not in result.out
    both = run_cli(sim, "attention", "ack", "--all", running)
    assert both.code == 2 and "not both" in both.err
    neither = run_cli(sim, "attention", "ack")
    assert neither.code == 2 and "or give --all" in neither.err


def test_ack_refuses_an_ambiguous_prefix_with_the_matches(sim: Sim) -> None:
    result = run_cli(sim, "attention", "ack", "run_", "-p", "b3os-sim")
    assert result.code == 2 and "start with 'run_'" in result.err and "b3os-sim/run_" in result.err
    assert "acknowledged" not in result.out


def test_ack_never_echoes_an_escape_sequence(sim: Sim) -> None:
    result = run_cli(sim, "attention", "ack", "X\x1b]0;PWNED\x07Y", "-p", "edges-sim")
    assert result.code == 1
    assert "\x1b" not in result.out + result.err and "\x07" not in result.out + result.err
    assert "X\\x1b]0;PWNED\\x07Y" in result.err  # shown, never run


def _config_with(sim: Sim, tmp_path: Path, extra: str) -> Path:
    config = tmp_path / "config.toml"
    config.write_text(sim.config_path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    config.chmod(0o600)
    return config


BROKEN = ('\n[profiles.typo]\nprovider = "edges"\nbase_url = "http://127.0.0.1:9/edges/v1"\n'
          'api_key_env = "RUNTUI_SIM_EDGES_KEY"\nrefresh_seconds = -1\n'
          '\n[profiles.nosuch]\nprovider = "nosuch"\napi_key_env = "X"\n')


def test_a_profile_broken_in_the_file_is_a_profile_item(sim: Sim, tmp_path: Path) -> None:
    """A typo in one profile must not make a monitor go quiet about it."""
    from tests.cli_result import invoke

    config = _config_with(sim, tmp_path, BROKEN)
    result = invoke(config, "attention", "--json")
    assert result.code == 1, result.err
    trouble = {i["profile"]: i for i in result.json() if i["reason"] == "profile"}
    assert set(trouble) == {"typo", "nosuch"}
    assert "refresh_seconds" in trouble["typo"]["detail"]
    assert "unknown provider" in trouble["nosuch"]["detail"]
    assert "profile 'typo'; field 'refresh_seconds'" in result.err
    assert "unknown provider 'nosuch'" in result.err
    only = invoke(config, "attention", "-p", "wexa-sim", "--json")
    assert not [i for i in only.json() if i["reason"] == "profile"], "other profiles' trouble stays out"


def test_a_config_whose_only_profile_is_broken_is_not_quiet(sim: Sim, tmp_path: Path) -> None:
    from tests.cli_result import invoke

    config = tmp_path / "only.toml"
    config.write_text(BROKEN, encoding="utf-8")
    config.chmod(0o600)
    result = invoke(config, "attention")
    assert result.code == 1, result.out
    assert "nothing needs attention" not in result.out
    assert "typo" in result.out and "config-error" in result.out


def test_an_invalid_defaults_or_no_profile_is_a_config_error(sim: Sim, tmp_path: Path) -> None:
    from tests.cli_result import invoke

    config = tmp_path / "defaults.toml"
    text = sim.config_path.read_text(encoding="utf-8")
    assert "[defaults]\n" in text
    config.write_text(text.replace("[defaults]\n", "[defaults]\npage_size = 1001\n"), encoding="utf-8")
    config.chmod(0o600)
    result = invoke(config, "attention")
    assert result.code == 2 and "page_size" in result.err and result.out == ""
    as_json = invoke(config, "attention", "--json")
    assert as_json.code == 2
    assert as_json.json()["error"]["kind"] == "config" and "page_size" in as_json.json()["error"]["message"]
    empty = tmp_path / "empty.toml"
    empty.write_text("[defaults]\nrefresh_seconds = 2\n", encoding="utf-8")
    empty.chmod(0o600)
    none = invoke(empty, "attention")
    assert none.code == 2 and "no profiles in" in none.err and "nothing needs attention" not in none.out


@pytest.mark.parametrize("content", ['{"before": 5}', '{"runs": [1, 2]}',
                                     '{"before": {"b3os-sim": "garbage"}}'])
def test_a_damaged_acknowledgements_file_is_said_not_a_traceback(
        sim: Sim, tmp_path: Path, content: str) -> None:
    """Each of these ended `runtui attention` with a Python traceback."""
    state = tmp_path / "state"
    state.mkdir()
    (state / "acknowledged.json").write_text(content, encoding="utf-8")
    result = run_cli(sim, "attention", "--json", "-p", "b3os-sim")
    assert result.code == 1, result.err
    assert f"warning: {state / 'acknowledged.json'}: ignored what could not be read" in result.err
    assert any(i["reason"] == "failed" for i in result.json())  # nothing read as seen
    ack = run_cli(sim, "attention", "ack", "--all", "-p", "b3os-sim")
    assert ack.code == 0, ack.err
    assert not [i for i in run_cli(sim, "attention", "--json", "-p", "b3os-sim").json()
                if i["reason"] == "failed"]


def test_ack_that_cannot_be_stored_says_where_and_why_and_exits_2(sim: Sim, tmp_path: Path) -> None:
    """A state directory that cannot be written printed a traceback (exit 1, as if a
    server had failed)."""
    (tmp_path / "state").write_text("a file where the state directory goes", encoding="utf-8")
    result = run_cli(sim, "attention", "ack", "--all", "-p", "edges-sim")
    assert result.code == 2, result.err
    assert f"nothing stored: cannot write {tmp_path / 'state' / 'acknowledged.json'}: " in result.err
    assert "Traceback" not in result.err and "acknowledged every" not in result.out
