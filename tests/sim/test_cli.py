"""write_config and `python -m runtui.sim`."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import threading
import tomllib
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from runtui.cli import cli
from runtui.sim import SimConfig, write_config
from runtui.sim import cli as sim_cli
from runtui.sim.catalog import wexa_project_id
from runtui.sim.config import MAX_RUNS

ROOT = Path(__file__).resolve().parents[2]


def test_write_config(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "config.toml"
    config = SimConfig(seed=11, keys={"wexa": "a", "edges": "b", "b3os": "c"})
    env = write_config(path, "http://127.0.0.1:9999", config)
    assert env == {"RUNTUI_SIM_WEXA_KEY": "a", "RUNTUI_SIM_EDGES_KEY": "b", "RUNTUI_SIM_B3OS_KEY": "c",
                   "RUNTUI_SIM_B3OS_WEBHOOK_SECRET": "sim-webhook-secret"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().startswith("# written by runtui sim\n")
    data = tomllib.loads(path.read_text())
    assert data["defaults"] == {"refresh_seconds": 2}
    wexa = data["profiles"]["wexa-sim"]
    assert wexa["provider"] == "wexa" and wexa["base_url"] == "http://127.0.0.1:9999/wexa"
    assert wexa["api_key_env"] == "RUNTUI_SIM_WEXA_KEY"
    assert wexa["project_id"] == wexa_project_id(11) and len(wexa["project_id"]) == 24
    assert len(wexa["user_id"]) == 24 and int(wexa["user_id"], 16) >= 0
    assert data["profiles"]["edges-sim"]["base_url"] == "http://127.0.0.1:9999/edges/v1"
    assert data["profiles"]["b3os-sim"] == {
        "provider": "b3os",
        "base_url": "http://127.0.0.1:9999/b3os",
        "api_key_env": "RUNTUI_SIM_B3OS_KEY",
        "webhook_secret_env": "RUNTUI_SIM_B3OS_WEBHOOK_SECRET",
    }


def test_keys_default_from_env(monkeypatch: object) -> None:
    os.environ["RUNTUI_SIM_EDGES_KEY"] = "from-env"
    try:
        assert SimConfig().keys["edges"] == "from-env"
    finally:
        del os.environ["RUNTUI_SIM_EDGES_KEY"]
    assert SimConfig().keys == {"wexa": "sim-wexa-key", "edges": "sim-edges-key", "b3os": "sim-b3os-key"}


def test_module_prints_listening_line(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNTUI_SIM_")}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    proc = subprocess.Popen(
        [sys.executable, "-m", "runtui.sim", "--port", "0", "--runs", "9", "--write-config", str(config)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.startswith("runtui sim listening on http://127.0.0.1:")
        url = line.rsplit(" ", 1)[1]
        export = proc.stdout.readline()
        assert export.startswith("export RUNTUI_SIM_WEXA_KEY=sim-wexa-key")
        r = httpx.get(f"{url}/edges/v1/flows/runs", headers={"X-API-Key": "sim-edges-key"})
        assert r.status_code == 200 and len(r.json()) == 3
        assert tomllib.loads(config.read_text())["profiles"]["edges-sim"]["base_url"] == url + "/edges/v1"
    finally:
        proc.terminate()
        assert proc.wait(timeout=15) == 0


@pytest.mark.parametrize(("args", "said"), [
    (["--port", "99999"], "99999 is not a TCP port (0-65535"),
    (["--port", "-1"], "-1 is not a TCP port (0-65535"),
    (["--host", "999.1.1.1"], "'999.1.1.1' is not an IP address"),
    (["--speed", "nan"], "speed must be a positive number"),
    (["--speed", "inf"], "speed must be a positive number"),
    (["--spawn-every", "nan"], "spawn-every must be 0 or more seconds"),
    (["--runs", "99999999999"], "runs must be 0 to 1,000,000"),
    (["--write-config", "{tmp}/missing/sub/x.toml"], "--write-config: no directory"),
])
def test_bad_sim_arguments_are_usage_errors_before_anything_starts(
        args: list[str], said: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    args = [arg.format(tmp=tmp_path) for arg in args]
    started = threading.active_count()
    try:
        code = sim_cli.main(args)
    except SystemExit as exc:  # argparse's own usage error
        code = int(exc.code or 0)
    err = capsys.readouterr().err
    assert code == 2 and said in err and "Traceback" not in err
    assert threading.active_count() == started, "a server thread was started"
    assert not (tmp_path / "missing").exists()


def test_the_runtui_command_passes_the_usage_error_on() -> None:
    result = CliRunner().invoke(cli, ["sim", "--port", "99999"])
    assert result.exit_code == 2 and "99999 is not a TCP port" in result.stderr


def test_a_port_already_taken_is_said_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert sim_cli.main(["--port", str(port)]) == 1
    err = capsys.readouterr().err
    assert err == f"runtui sim: cannot listen on 127.0.0.1:{port}: Address already in use\n"


def test_the_runs_bound_covers_the_benchmarks() -> None:
    assert SimConfig(runs=MAX_RUNS).runs == MAX_RUNS >= 100_000


def test_sim_help_says_what_each_option_is(capsys: pytest.CaptureFixture[str]) -> None:
    """`--host` and `--seed` had no help line: a user had to read the source."""
    with pytest.raises(SystemExit):
        sim_cli.main(["--help"])
    said = " ".join(capsys.readouterr().out.split())
    for option, words in [("--host", "address to listen on"), ("--seed", "seed of the simulated world"),
                          ("--speed", "how fast runs progress"), ("--runs", "seeded runs")]:
        assert f"{option} {option.strip('-').upper()} {words}" in said, option
