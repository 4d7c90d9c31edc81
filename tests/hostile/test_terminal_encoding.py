"""The TUI in a terminal whose encoding is not UTF-8 (a Latin-1 locale, PYTHONIOENCODING).

Every status symbol, box line and `…` came out as a `\\u25b6` escape six cells wide
where one was counted: each column shifted, text overlapped, the header was cut. The TUI
now refuses to start there with one line that points at the CLI, which copes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

RUNTUI = [sys.executable, "-m", "runtui"]
LATIN_1 = "en_US.ISO-8859-1"
REFUSAL = "the TUI needs a UTF-8 terminal"


def _run(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """`runtui ARGS` without a terminal: a TUI that started would run until the timeout."""
    return subprocess.run([*RUNTUI, *args], capture_output=True, timeout=30, stdin=subprocess.DEVNULL,
                          env=os.environ | {"RUNTUI_STATE_DIR": str(tmp_path / "state")} | env,
                          encoding="latin-1", cwd=tmp_path)


@pytest.fixture(scope="module")
def latin_1_locale(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A real ISO-8859-1 locale, built into a temp dir (machines rarely have one)."""
    localedef = shutil.which("localedef")
    if localedef is None:
        pytest.skip("localedef is not installed")
    where = tmp_path_factory.mktemp("locale")
    made = subprocess.run([localedef, "-i", "en_US", "-f", "ISO-8859-1", str(where / LATIN_1)],
                          capture_output=True, timeout=60)
    if not (where / LATIN_1).is_dir():
        pytest.skip(f"localedef could not build {LATIN_1}: {made.stderr[-200:]!r}")
    return {"LOCPATH": str(where), "LC_ALL": LATIN_1, "PYTHONIOENCODING": ""}


def test_a_latin_1_locale_is_refused_in_one_line(tmp_path: Path, latin_1_locale: dict[str, str]) -> None:
    proc = _run(["--config", str(tmp_path / "c.toml")], latin_1_locale, tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == (f"runtui: {REFUSAL} (the locale's encoding is iso8859-1); "
                           "the CLI works here: runtui runs list\n")
    assert proc.stdout == ""  # no escape code reached the terminal


def test_the_cli_still_works_in_a_latin_1_locale(tmp_path: Path, latin_1_locale: dict[str, str]) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[profiles.w]\nprovider = "edges"\napi_key_env = "K"\n', encoding="utf-8")
    config.chmod(0o600)
    proc = _run(["--config", str(config), "profiles", "list"], latin_1_locale, tmp_path)
    assert proc.returncode == 0 and REFUSAL not in proc.stderr
    assert proc.stdout.splitlines()[2].split()[:2] == ["w", "edges"]


@pytest.mark.parametrize("args", [[], ["demo"]], ids=["tui", "demo"])
def test_a_forced_latin_1_output_is_refused(tmp_path: Path, args: list[str]) -> None:
    """`runtui demo` is refused before its simulator starts."""
    env = {"PYTHONIOENCODING": "latin-1", "RUNTUI_CONFIG": str(tmp_path / "c.toml")}
    proc = _run(args, env, tmp_path)
    assert proc.returncode == 2
    assert f"runtui: {REFUSAL} (PYTHONIOENCODING is iso8859-1)" in proc.stderr
    assert proc.stderr.count("\n") == 1 and proc.stdout == ""


@pytest.mark.parametrize("env", [{"PYTHONIOENCODING": "utf-8"}, {"LC_ALL": "C", "PYTHONIOENCODING": ""},
                                 {"PYTHONIOENCODING": "UTF8:replace"}], ids=["utf-8", "C", "UTF8"])
def test_a_utf8_output_is_not_refused(env: dict[str, str], tmp_path: Path) -> None:
    """The C locale is Python's UTF-8 mode: it writes UTF-8, which the terminal shows."""
    probe = "from runtui.tui.launch import tui_refusal; print(tui_refusal())"
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=30,
                          env=os.environ | env, cwd=tmp_path)
    assert proc.stdout == "None\n", proc.stderr
