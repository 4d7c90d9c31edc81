"""Profiles, providers, sim and demo commands as a new user runs them."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from runtui.cli import cli
from tests.integration.conftest import Result, Sim


def run(config: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    res = CliRunner(env=env).invoke(cli, ["--config", str(config), *args], catch_exceptions=False)
    return Result(res.exit_code, res.stdout, res.stderr)


def test_add_list_test_remove(sim: Sim, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "mine.toml"
    cfg.write_text("# hand-written header\n")
    monkeypatch.setenv("MY_EDGES_KEY", sim.env["RUNTUI_SIM_EDGES_KEY"])
    res = run(cfg, "profiles", "add", "work", "--provider", "edges", "--base-url",
              f"{sim.url}/edges/v1", "--api-key-env", "MY_EDGES_KEY")
    assert res.code == 0, res.err
    assert cfg.read_text().startswith("# hand-written header")
    assert stat.S_IMODE(cfg.stat().st_mode) == 0o644, "a write keeps the file's mode"
    listed = run(cfg, "profiles", "list", "--json").json()
    assert listed == [{"name": "work", "provider": "edges", "base_url": f"{sim.url}/edges/v1",
                       "key_source": "env:MY_EDGES_KEY", "read_only": False}]
    assert sim.env["RUNTUI_SIM_EDGES_KEY"] not in run(cfg, "profiles", "list").out
    ok = run(cfg, "profiles", "test", "work")
    assert ok.code == 0 and ok.out.startswith("OK work")
    monkeypatch.setenv("MY_EDGES_KEY", "wrong-key")
    bad = run(cfg, "profiles", "test", "work")
    assert bad.code == 1 and "401" in bad.err and "Invalid API key" in bad.err
    assert "wrong-key" not in bad.err
    monkeypatch.delenv("MY_EDGES_KEY")
    missing = run(cfg, "profiles", "test", "work")
    assert missing.code == 2 and "MY_EDGES_KEY" in missing.err
    assert run(cfg, "profiles", "remove", "work").code == 0
    assert run(cfg, "profiles", "list", "--json").json() == []
    assert "# hand-written header" in cfg.read_text()


def test_adding_a_profile_twice_names_it_once(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    assert run(cfg, "profiles", "add", "w1", "--provider", "edges", "--api-key-env", "K").code == 0
    again = run(cfg, "profiles", "add", "w1", "--provider", "edges", "--api-key-env", "K")
    assert again.code == 2
    assert again.err.count("'w1'") == 1, again.err
    assert "profile 'w1': already exists (--replace overwrites it" in again.err


def test_add_refuses_unknown_provider_and_plain_http_off_loopback(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    res = run(cfg, "profiles", "add", "x", "--provider", "jenkins", "--api-key-env", "K")
    assert res.code == 2 and "jenkins" in res.err
    res = run(cfg, "profiles", "add", "y", "--provider", "edges", "--base-url", "http://example.com/v1",
              "--api-key-env", "K")
    assert res.code == 2 and "--allow-insecure-http" in res.err
    # A hand-written profile with the same mistake is refused when used, before any request.
    cfg.write_text('[profiles.y]\nprovider = "edges"\nbase_url = "http://example.com/v1"\n'
                   'api_key_env = "K"\n')
    res = run(cfg, "profiles", "test", "y", env={"K": "k"})
    assert res.code == 2 and "allow_insecure_http" in res.err
    res = run(cfg, "profiles", "add", "z", "--provider", "edges", "--base-url", "http://example.com/v1",
              "--api-key-env", "K", "--allow-insecure-http")
    assert res.code == 0, res.err


def test_add_with_keyring_but_without_its_extra_writes_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The profile was written, and only its first use said the extra was missing."""
    monkeypatch.setitem(sys.modules, "keyring", None)  # as where the extra is not installed
    cfg = tmp_path / "c.toml"
    res = run(cfg, "profiles", "add", "b1", "--provider", "b3os", "--keyring")
    assert res.code == 2 and "runtui[keyring]" in res.err
    assert not cfg.exists() or "b1" not in cfg.read_text()


def test_providers_lists_the_builtins() -> None:
    res = CliRunner().invoke(cli, ["providers"])
    names = {line.split()[0] for line in res.stdout.splitlines()[1:]}
    assert {"wexa", "edges", "b3os"} <= names


def test_sim_command_prints_one_listening_line_and_writes_a_config(tmp_path: Path) -> None:
    cfg = tmp_path / "sim.toml"
    proc = subprocess.Popen([sys.executable, "-m", "runtui", "sim", "--port", "0", "--runs", "9",
                             "--write-config", str(cfg)], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("runtui sim listening on http://127.0.0.1:")
        env = os.environ | {"RUNTUI_SIM_WEXA_KEY": "sim-wexa-key", "RUNTUI_SIM_EDGES_KEY": "sim-edges-key",
                            "RUNTUI_SIM_B3OS_KEY": "sim-b3os-key"}
        out = subprocess.run([sys.executable, "-m", "runtui", "--config", str(cfg), "runs", "list",
                              "--json"], capture_output=True, text=True, env=env, check=True).stdout
        assert {r["provider"] for r in json.loads(out)} == {"wexa", "edges", "b3os"}
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_demo_print_only_lists_runs_of_all_three_platforms(tmp_path: Path) -> None:
    env = os.environ | {"RUNTUI_STATE_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "runtui", "demo", "--print-only"], capture_output=True,
                         text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("runtui sim listening on http://127.0.0.1:")
    assert "until this listing ends" in out.stdout.splitlines()[0], "its URL is gone once it returns"
    assert "config:" not in out.stdout, "a path removed when it returns is no use"
    for name in ("wexa-sim", "edges-sim", "b3os-sim"):
        assert name in out.stdout


def test_add_takes_provider_settings_but_never_a_secret_value(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    res = run(cfg, "profiles", "add", "cloud", "--provider", "prefect", "--api-key-env", "PREFECT_KEY",
              "--base-url", "https://api.prefect.cloud/api", "--set", "workspace=accounts/a1/workspaces/w1")
    assert res.code == 0, res.err
    res = run(cfg, "profiles", "add", "chain", "--provider", "b3os", "--api-key-env", "B3OS_KEY",
              "--set", "webhook_secret_env=B3OS_HOOK")
    assert res.code == 0, res.err
    text = cfg.read_text()
    assert 'workspace = "accounts/a1/workspaces/w1"' in text
    assert 'webhook_secret_env = "B3OS_HOOK"' in text
    refused = run(cfg, "profiles", "add", "leak", "--provider", "b3os", "--api-key-env", "K",
                  "--set", "webhook_secret=hunter2-very-secret")
    assert refused.code == 2 and "webhook_secret_env" in refused.err
    assert "hunter2" not in refused.err and "hunter2" not in cfg.read_text()
    assert "leak" not in cfg.read_text()
    twice = run(cfg, "profiles", "add", "dup", "--provider", "edges", "--api-key-env", "K",
                "--set", "base_url=https://example.test")
    assert twice.code == 2 and "--base-url" in twice.err
    junk = run(cfg, "profiles", "add", "junk", "--provider", "edges", "--api-key-env", "K",
               "--set", "noequals")
    assert junk.code == 2 and "KEY=VALUE" in junk.err


def test_a_secret_setting_points_to_the_option_that_takes_it(tmp_path: Path) -> None:
    cfg = tmp_path / "mine.toml"
    refused = run(cfg, "profiles", "add", "x", "--provider", "edges", "--set", "api_key=abc123secret")
    assert refused.code == 2 and "--api-key-env VARIABLE" in refused.err, refused.err
    assert "--set api_key_env" not in refused.err and "abc123secret" not in refused.err
    followed = run(cfg, "profiles", "add", "x", "--provider", "edges", "--api-key-env", "VARIABLE")
    assert followed.code == 0, followed.err


def test_a_key_that_cannot_be_a_header_is_said_so_and_never_shown(sim: Sim, tmp_path: Path) -> None:
    cfg = tmp_path / "mine.toml"
    script = tmp_path / "two-lines.sh"
    script.write_text("#!/bin/sh\nprintf 'first-half-of-key\\nsecond-half-of-key\\n'\n")
    script.chmod(0o700)
    added = run(cfg, "profiles", "add", "twolines", "--provider", "edges", "--base-url",
                f"{sim.url}/edges/v1", "--api-key-cmd", str(script))
    assert added.code == 0, added.err
    tested = run(cfg, "profiles", "test", "twolines")
    assert tested.code == 2, tested.out + tested.err
    assert "not a valid HTTP header value" in tested.err
    assert "LocalProtocolError" not in tested.err and "connection failed" not in tested.err
    assert "half-of-key" not in tested.out + tested.err


UNLOADABLE = [
    (["z5", "--provider", "b3os"], "no key source"),
    (["z6", "--provider", "b3os", "--api-key-env", "X", "--api-key-cmd", "echo hi"], "one key source"),
    (["z7", "--provider", "prefect", "--api-key-env", "X"], "base_url is required"),
    (["e3", "--provider", "edges", "--api-key-env", ""], "NAME of the environment variable"),
    (["e4", "--provider", "edges", "--api-key-env", "$EDGES_KEY"], "NAME of the environment variable"),
    (["e5", "--provider", "edges", "--api-key-env", "sim-edges-key"], "NAME of the environment variable"),
]


@pytest.mark.parametrize(("args", "why"), UNLOADABLE, ids=[a[0][0] for a in UNLOADABLE])
def test_add_refuses_what_loading_would_refuse_and_writes_nothing(
        sim: Sim, tmp_path: Path, args: list[str], why: str) -> None:
    """These were written, and from then on `profiles list` exited 2 and `profiles test`
    failed: `add` now runs the loader's checks on the file it would write."""
    cfg = tmp_path / "c.toml"
    edges = ["--base-url", f"{sim.url}/edges/v1"]
    base = edges if "edges" in args else []
    assert run(cfg, "profiles", "add", "good", "--provider", "edges", *edges,
               "--api-key-env", "RUNTUI_SIM_EDGES_KEY").code == 0
    before = cfg.read_bytes()
    res = run(cfg, "profiles", "add", *args, *base)
    assert res.code == 2, res
    assert why in res.err and f"profile {args[0]!r}" in res.err
    assert cfg.read_bytes() == before, "nothing was written"
    assert "sim-edges-key" not in res.err and "$EDGES_KEY" not in res.err, "a value is never echoed"
    listed = run(cfg, "profiles", "list")
    assert listed.code == 0, listed.err
    assert run(cfg, "profiles", "test", "good").code == 0


def test_add_takes_a_profile_that_loads(tmp_path: Path) -> None:
    cfg = tmp_path / "c.toml"
    for args in (["p", "--provider", "prefect", "--base-url", "http://127.0.0.1:4200/api"],
                 ["k", "--provider", "edges", "--api-key-env", "_My_Key2"]):
        assert run(cfg, "profiles", "add", *args).code == 0
    assert [p["name"] for p in run(cfg, "profiles", "list", "--json").json()] == ["p", "k"]


def test_add_and_remove_on_a_directory_that_cannot_be_written_say_one_line(tmp_path: Path) -> None:
    """`profiles add` on a full disk or read-only config directory printed a traceback
    (exit 1, as if a server had failed)."""
    from tests.read_only_dir import read_only_dir

    def config_in(folder: Path) -> None:
        (folder / "config.toml").write_text('[profiles.one]\nprovider = "edges"\napi_key_env = "K"\n',
                                            encoding="utf-8")
        (folder / "config.toml").chmod(0o600)

    with read_only_dir(tmp_path / "ro", config_in) as folder:
        path = folder / "config.toml"
        for args in (["profiles", "add", "two", "--provider", "edges", "--api-key-env", "TWO_KEY"],
                     ["profiles", "remove", "one"]):
            result = run(path, *args)
            assert result.code == 2, result
            assert result.err == f"runtui: {path}: cannot write, nothing changed: Read-only file system\n"
        assert "two" not in path.read_text() and "[profiles.one]" in path.read_text()
