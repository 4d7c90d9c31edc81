"""The directories and files runtui makes for itself: its user's only, whatever the umask,
and never written through a symlink someone planted."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from tests.cli_result import invoke
from tests.integration.conftest import Sim

RUNTUI = [sys.executable, "-m", "runtui"]


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_under_umask_002_the_first_profiles_add_makes_a_config_runtui_then_reads(tmp_path: Path) -> None:
    """The config directory was made 0775 under umask 002 (many Linux accounts' default),
    and the very next command refused it as "writable by group"."""
    home = tmp_path / "home"
    home.mkdir(mode=0o755)
    env = {k: v for k, v in os.environ.items() if k not in ("RUNTUI_CONFIG", "RUNTUI_STATE_DIR")}
    env |= {"XDG_CONFIG_HOME": str(home / "cfg" / "deeper"), "XDG_STATE_HOME": str(home / "st"),
            "RUNTUI_SIM_B3OS_KEY": "umask-test-key-1"}

    def runtui(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*RUNTUI, *args], env=env, capture_output=True, text=True, timeout=60,
                              umask=0o002, check=False)

    added = runtui("profiles", "add", "p1", "--provider", "b3os", "--api-key-env", "RUNTUI_SIM_B3OS_KEY",
                   "--base-url", "http://127.0.0.1:9/b3os")
    assert added.returncode == 0, added.stderr
    listed = runtui("profiles", "list")
    assert listed.returncode == 0, listed.stderr
    assert "p1" in listed.stdout and "refused" not in listed.stderr
    for made in (home / "cfg", home / "cfg" / "deeper", home / "cfg" / "deeper" / "runtui",
                 home / "st", home / "st" / "runtui"):
        assert _mode(made) == 0o700, made
    assert _mode(home) == 0o755  # a directory runtui did not make is left as it was
    assert _mode(home / "cfg" / "deeper" / "runtui" / "config.toml") == 0o600


def test_a_journal_planted_as_a_symlink_is_refused_not_written_through(sim: Sim, tmp_path: Path) -> None:
    """Whoever could write the state directory could make `journal.jsonl` a link to one of
    the user's files (a shell rc): each action appended server-chosen text to it."""
    state = Path(os.environ["RUNTUI_STATE_DIR"])
    state.mkdir(parents=True, exist_ok=True)
    victim = tmp_path / "victim.rc"
    victim.write_text("export PS1='$ '\n", encoding="utf-8")
    (state / "journal.jsonl").symlink_to(victim)
    run_id = sim.find("edges")[0]["id"]
    sim.control("POST", f"/runs/edges/{run_id}/status", json={"status": "RUNNING"})
    posts = sim.posts()

    result = invoke(sim.config_path, "runs", "cancel", run_id, "-p", "edges-sim", "--yes")

    assert result.code == 2, result.err
    assert f"{state / 'journal.jsonl'}: is a symbolic link" in result.err
    assert victim.read_text(encoding="utf-8") == "export PS1='$ '\n"
    assert sim.posts() == posts, "the action went out though it could not be journaled"


def test_acknowledgements_are_not_written_through_a_planted_symlink(sim: Sim, tmp_path: Path) -> None:
    state = Path(os.environ["RUNTUI_STATE_DIR"])
    state.mkdir(parents=True, exist_ok=True)
    victim = tmp_path / "victim.rc"
    victim.write_text("alias ls='ls -F'\n", encoding="utf-8")
    (state / "acknowledged.json").symlink_to(victim)

    result = invoke(sim.config_path, "attention", "ack", "--all")

    assert result.code == 2 and f"{state / 'acknowledged.json'}: is a symbolic link" in result.err
    assert victim.read_text(encoding="utf-8") == "alias ls='ls -F'\n"
