"""A config error is said by every command that reads the config, never dropped in silence."""

from __future__ import annotations

from pathlib import Path

from tests.cli_result import invoke
from tests.integration.conftest import Sim

TYPO = ('\n[profiles.typo]\nprovider = "edges"\nbase_url = "http://127.0.0.1:9/edges/v1"\n'
        'api_key_env = "RUNTUI_SIM_EDGES_KEY"\nrefresh_seconds = -1\n')


def _config(sim: Sim, tmp_path: Path, *, extra: str = "", defaults: str = "") -> Path:
    text = sim.config_path.read_text(encoding="utf-8")
    assert "[defaults]\n" in text
    config = tmp_path / "config.toml"
    config.write_text(text.replace("[defaults]\n", "[defaults]\n" + defaults) + extra, encoding="utf-8")
    config.chmod(0o600)
    return config


def test_workflows_list_names_a_broken_profile_and_exits_1(sim: Sim, tmp_path: Path) -> None:
    result = invoke(_config(sim, tmp_path, extra=TYPO), "workflows", "list", "-p", "edges-sim")
    assert result.code == 0, "a profile not asked for is not this command's trouble"
    result = invoke(_config(sim, tmp_path, extra=TYPO), "workflows", "list")
    assert result.code == 1
    assert "profile 'typo'; field 'refresh_seconds'" in result.err
    assert "edges-sim" in result.out, "the readable profiles are still listed"


def test_workflows_list_with_only_a_broken_profile_is_a_config_error(sim: Sim, tmp_path: Path) -> None:
    config = tmp_path / "only.toml"
    config.write_text(TYPO, encoding="utf-8")
    config.chmod(0o600)
    result = invoke(config, "workflows", "list")
    assert result.code == 2 and "refresh_seconds" in result.err and result.out == ""


def test_an_invalid_defaults_is_said_by_workflows_tasks_and_show(sim: Sim, tmp_path: Path) -> None:
    config = _config(sim, tmp_path, defaults="page_size = 1001\n")
    listed = invoke(config, "workflows", "list", "-p", "wexa-sim")
    assert listed.code == 1 and "page_size" in listed.err
    tasks = invoke(config, "tasks", "list", "-p", "wexa-sim")
    assert tasks.code == 1 and "page_size" in tasks.err
    run_id = sim.find("wexa")[0]["id"]
    shown = invoke(config, "runs", "show", run_id, "-p", "wexa-sim")
    assert shown.code == 0 and run_id in shown.out
    assert "warning" in shown.err and "page_size" in shown.err


def test_runs_show_says_a_broken_profile_may_hold_the_id(sim: Sim, tmp_path: Path) -> None:
    config = _config(sim, tmp_path, extra=TYPO)
    run_id = sim.find("wexa")[0]["id"]
    shown = invoke(config, "runs", "show", run_id)
    assert shown.code == 0 and run_id in shown.out
    assert "profile typo could not be read" in shown.err and "refresh_seconds" in shown.err
    missing = invoke(config, "runs", "show", "zzzz-no-such")
    assert missing.code == 1 and "typo" in missing.err
