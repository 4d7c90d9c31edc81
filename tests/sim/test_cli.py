"""write_config and `python -m runtui.sim`."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import httpx

from runtui.sim import SimConfig, write_config
from runtui.sim.catalog import wexa_project_id

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
