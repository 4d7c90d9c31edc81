"""The full-screen TUI is refused, with one line and exit 2, where nobody could see it:
stdout or stderr a file or a pipe (`runtui > out.txt`, `runtui | less`) or a dumb
terminal (an editor's shell buffer). It had started anyway, written its escape codes
there and run on until killed. Real processes, as a person starts them."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from runtui.tui.launch import terminal_problem

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pty")

RUNTUI = [sys.executable, "-m", "runtui"]
SAID = "the TUI needs a terminal on stdout; for a list use `runtui runs list`"


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_rule() -> None:
    tty, file = FakeTerminal(), io.StringIO()
    assert terminal_problem({"TERM": "xterm-256color"}, tty, tty) is None
    assert terminal_problem({}, file, tty) == SAID
    assert "stderr" in (terminal_problem({}, tty, file) or "")
    assert "TERM=dumb" in (terminal_problem({"TERM": "dumb"}, tty, tty) or "")


def _env(tmp_path: Path, **more: str) -> dict[str, str]:
    return os.environ | {"RUNTUI_STATE_DIR": str(tmp_path / "state")} | more


def _config(tmp_path: Path) -> Path:
    config = tmp_path / "config.toml"
    config.write_text("")
    config.chmod(0o600)
    return config


def _on_a_pty(argv: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run `argv` with stdin, stdout and stderr on a pty; its exit code and what it wrote."""
    master, slave = os.openpty()
    try:
        proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env,
                                start_new_session=True)
        os.close(slave)
        out = bytearray()
        while True:
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: every writer has closed the pty
                break
            if not chunk:
                break
            out += chunk
        return proc.wait(timeout=60), out.decode("utf-8", "replace")
    finally:
        os.close(master)


@pytest.mark.parametrize("command", [[], ["demo"]], ids=["runtui", "demo"])
def test_stdout_into_a_file_is_refused(tmp_path: Path, command: list[str]) -> None:
    out = tmp_path / "out.txt"
    with out.open("w") as file:
        proc = subprocess.run([*RUNTUI, "--config", str(_config(tmp_path)), *command], stdout=file,
                              stderr=subprocess.PIPE, text=True, timeout=60, env=_env(tmp_path))
    assert proc.returncode == 2
    assert proc.stderr == f"runtui: {SAID}\n"
    assert out.read_text() == "", "escape codes were written into the file"


def test_stdout_into_a_pipe_is_refused(tmp_path: Path) -> None:
    proc = subprocess.run([*RUNTUI, "--config", str(_config(tmp_path))], capture_output=True, text=True,
                          timeout=60, env=_env(tmp_path))
    assert (proc.returncode, proc.stdout, proc.stderr) == (2, "", f"runtui: {SAID}\n")


def test_a_dumb_terminal_is_refused(tmp_path: Path) -> None:
    code, said = _on_a_pty([*RUNTUI, "--config", str(_config(tmp_path))], _env(tmp_path, TERM="dumb"))
    assert code == 2
    assert "runtui: the TUI needs a full-screen terminal (TERM=dumb); for a list use `runtui runs list`" \
        in said
    assert "\x1b[" not in said, "the full-screen UI started"
