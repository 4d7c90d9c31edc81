"""A listing with profiles that cannot be read: the others' rows, each failure said on
stderr, exit 1; exit 2 when none could be read because of the config (its keys unset)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_result import invoke
from tests.integration.conftest import Sim

DEAD = ('\n[profiles.dead]\nprovider = "edges"\nbase_url = "http://127.0.0.1:1/v1"\n'
        'api_key_env = "RUNTUI_SIM_EDGES_KEY"\n')
HEALTHY = ("wexa-sim", "edges-sim", "b3os-sim")


@pytest.fixture
def with_dead(sim: Sim, tmp_path: Path) -> Path:
    """The sim's three profiles and one whose server is not there."""
    config = tmp_path / "config.toml"
    config.write_text(sim.config_path.read_text(encoding="utf-8") + DEAD, encoding="utf-8")
    config.chmod(0o600)
    return config


@pytest.fixture
def keys_unset(sim: Sim, monkeypatch: pytest.MonkeyPatch) -> None:
    for variable in sim.env:
        monkeypatch.delenv(variable)


def test_workflows_list_keeps_the_rows_of_the_profiles_that_answer(with_dead: Path) -> None:
    result = invoke(with_dead, "workflows", "list", "--since", "30d")
    assert result.code == 1, result
    listed = {line.split()[0] for line in result.out.splitlines()[1:]}
    assert listed == set(HEALTHY), result.out
    assert result.out.startswith("PROFILE")
    assert "runtui: dead:" in result.err and "connect" in result.err


def test_workflows_list_json_keeps_the_array_and_says_the_failed_profile_on_stderr(with_dead: Path) -> None:
    result = invoke(with_dead, "workflows", "list", "--since", "30d", "--json")
    assert result.code == 1, result
    rows = result.json()
    assert isinstance(rows, list)
    assert {r["profile"] for r in rows} == set(HEALTHY)
    assert "runtui: dead:" in result.err
    runs = invoke(with_dead, "runs", "list", "--json")
    assert runs.code == 1 and isinstance(runs.json(), list) and "runtui: dead:" in runs.err


@pytest.mark.usefixtures("keys_unset")
@pytest.mark.parametrize("command", [("workflows", "list"), ("runs", "list")])
@pytest.mark.parametrize("as_json", [(), ("--json",)], ids=["table", "json"])
def test_no_profile_readable_for_want_of_keys_is_a_config_error(
        sim: Sim, command: tuple[str, ...], as_json: tuple[str, ...]) -> None:
    """Every key unset: `workflows list` said "no workflows", exit 0, and `runs list`
    exit 1 (a server's failure), where the README promises 2 (nothing could be read)."""
    result = invoke(sim.config_path, *command, *as_json)
    assert result.code == 2, result
    assert result.out == "", "no empty table or array that reads as all fine"
    for profile in HEALTHY:
        said = [line for line in result.err.splitlines() if profile in line]
        assert len(said) == 1 and "RUNTUI_SIM_" in said[0], result.err


@pytest.mark.usefixtures("keys_unset")
def test_a_server_down_among_keyless_profiles_is_a_server_failure(with_dead: Path, sim: Sim,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing read, but not only for the config's sake: exit 1, as for a server down."""
    monkeypatch.setenv("RUNTUI_SIM_EDGES_KEY", sim.env["RUNTUI_SIM_EDGES_KEY"])
    config = with_dead.parent / "down.toml"
    config.write_text(DEAD + DEAD.replace("dead", "keyless").replace("RUNTUI_SIM_EDGES_KEY", "RUNTUI_NO_KEY"),
                      encoding="utf-8")
    config.chmod(0o600)
    for command in (("workflows", "list"), ("runs", "list")):
        result = invoke(config, *command)
        assert result.code == 1, result
        assert "runtui: dead:" in result.err and "RUNTUI_NO_KEY" in result.err


def test_profiles_test_says_a_key_unset_the_same_way_for_one_profile_and_for_all(
        sim: Sim, with_dead: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`profiles test NAME` of a profile whose key variable is unset exited 2 and the same
    profile under `--all` was FAILED, exit 1: the listings' rule now holds for both."""
    for variable in sim.env:
        monkeypatch.delenv(variable)
    one = invoke(sim.config_path, "profiles", "test", "wexa-sim")
    every = invoke(sim.config_path, "profiles", "test", "--all")
    assert (one.code, every.code) == (2, 2), (one, every)
    assert "RUNTUI_SIM_WEXA_KEY" in one.err
    assert [line.split()[0] for line in every.out.splitlines()] == ["FAILED"] * 3
    monkeypatch.setenv("RUNTUI_SIM_EDGES_KEY", sim.env["RUNTUI_SIM_EDGES_KEY"])
    some = invoke(sim.config_path, "profiles", "test", "--all")
    assert some.code == 1 and "OK edges-sim" in some.out, some
    down = invoke(with_dead, "profiles", "test", "dead")
    assert down.code == 1 and "dead" in down.err
    only_down = with_dead.parent / "down.toml"
    only_down.write_text(DEAD, encoding="utf-8")
    only_down.chmod(0o600)
    assert invoke(only_down, "profiles", "test", "--all").code == 1, "a server down is not the config's"


def test_profiles_test_help_documents_its_exit_codes(sim: Sim) -> None:
    shown = invoke(sim.config_path, "profiles", "test", "--help").out
    flat = " ".join(shown.split())
    assert "Exit 0 when every profile tested OK; 1 when" in flat, shown
    assert "2 when none passed and the config alone is to blame (a key variable unset" in flat
