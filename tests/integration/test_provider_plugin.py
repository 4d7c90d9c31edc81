"""The example plugin (examples/provider-plugin), found through the `runtui.providers`
entry point as an installed package would be: listed with its option, its required
setting validated by `profiles add`, its runs shown by `runs list`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "examples" / "provider-plugin"


def _installed(tmp: Path) -> dict[str, str]:
    """The plugin on sys.path with the metadata pip would write (no network, no build)."""
    site = tmp / "site"
    info = site / "runtui_example_provider-0.1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: runtui-example-provider\nVersion: 0.1.0\n")
    (info / "entry_points.txt").write_text("[runtui.providers]\nexample = runtui_example:ExampleProvider\n")
    # What runtui does not install is not there, as in a README install (the test venv
    # holds pydantic for the Prefect server: the example imported it and worked only here).
    absent = tmp / "absent" / "pydantic"
    absent.mkdir(parents=True)
    (absent / "__init__.py").write_text("raise ImportError('pydantic is not installed with runtui')\n")
    paths = [str(site), str(tmp / "absent"), str(PLUGIN / "src"), os.environ.get("PYTHONPATH", "")]
    return os.environ | {"PYTHONPATH": os.pathsep.join(p for p in paths if p),
                         "RUNTUI_STATE_DIR": str(tmp / "state")}


def _runtui(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "runtui", *args], capture_output=True, text=True,
                          env=env, timeout=120)


def test_the_example_plugin_works_end_to_end(tmp_path: Path) -> None:
    env = _installed(tmp_path)
    listed = _runtui(env, "providers", "--json")
    assert listed.returncode == 0, listed.stderr
    example = next(p for p in json.loads(listed.stdout) if p["name"] == "example")
    assert example["from"] == "runtui-example-provider"
    assert [(o["name"], o["required"]) for o in example["options"]] == [("runs_file", True)]
    assert example["can_execute"] is False

    config = tmp_path / "c.toml"
    missing = _runtui(env, "--config", str(config), "profiles", "add", "ex", "--provider", "example")
    assert missing.returncode == 2 and "runs_file is required" in missing.stderr

    runs = tmp_path / "runs.json"
    runs.write_text(json.dumps([{"id": "r-1", "status": "running", "workflow": "nightly import"},
                                {"id": "r-2", "status": "failed", "error": "disk full"}]))
    added = _runtui(env, "--config", str(config), "profiles", "add", "ex", "--provider", "example",
                    "--set", f"runs_file={runs}")
    assert added.returncode == 0, added.stderr
    shown = _runtui(env, "--config", str(config), "runs", "list", "--json")
    assert shown.returncode == 0, shown.stderr
    assert {(r["id"], r["status"], r["provider"]) for r in json.loads(shown.stdout)} == {
        ("r-1", "running", "example"), ("r-2", "failed", "example")}
    refused = _runtui(env, "--config", str(config), "runs", "cancel", "r-1", "-p", "ex")
    assert refused.returncode == 3, "its action table allows nothing: refused before any request"
