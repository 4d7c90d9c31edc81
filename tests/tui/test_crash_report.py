"""An exception no guard catches still ends the app, but Textual's report of it (a traceback
with every frame's locals: request headers, the key) never reaches the terminal: one masked
line does, and the traceback without locals goes to a file only the user can read."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual import work
from textual.worker import WorkerFailed

from runtui.engine.workspace import Workspace
from runtui.tui import switch
from runtui.tui.app import RuntuiApp
from tests.tui.conftest import wait_for

KEY = "crash-test-key-0123456789"
KEY_ENV = "RUNTUI_CRASH_TEST_KEY"


class CrashingApp(RuntuiApp):
    """The real app with one worker no guard covers, a header dict among its locals."""

    @work
    async def crash(self) -> None:
        headers = {"x-api-key": KEY, "accept": "application/json"}
        raise RuntimeError(f"nothing expected this (sent {headers['x-api-key']})")


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("RUNTUI_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv(KEY_ENV, KEY)
    switch.decision.cache_clear()
    yield tmp_path / "state"
    switch.decision.cache_clear()


def crashing_app(tmp_path: Path) -> CrashingApp:
    config = tmp_path / "c.toml"
    config.write_text(f'[profiles.p]\nprovider = "edges"\nbase_url = "http://127.0.0.1:9/v1"\n'
                      f'api_key_env = "{KEY_ENV}"\n', encoding="utf-8")
    config.chmod(0o600)
    workspace = Workspace.load(config)
    workspace.provider("p")  # its client knows the key (nothing is read: watch=False)
    return CrashingApp(workspace, watch=False)


async def crash_it(app: CrashingApp) -> None:
    with pytest.raises(WorkerFailed):  # Pilot raises it again when the app has ended
        async with app.run_test() as pilot:
            app.crash()
            await wait_for(pilot, lambda: app.return_code == 1, what="the app ended")


def the_report(state: Path) -> str:
    files = list(state.glob("crash-*.txt"))
    assert len(files) == 1, files
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    text = files[0].read_text(encoding="utf-8")
    assert KEY not in text
    return text


@pytest.mark.skipif(not switch.private(), reason="the report without locals needs the private switch on")
async def test_a_crash_says_one_masked_line_and_writes_a_private_report_without_locals(
        tmp_path: Path, state: Path, capfd: pytest.CaptureFixture[str]) -> None:
    app = crashing_app(tmp_path)
    await crash_it(app)
    out, err = capfd.readouterr()
    terminal = out + err
    assert KEY not in terminal, "Textual's report printed the key"
    assert "locals" not in terminal
    lines = [line for line in terminal.splitlines() if line.strip()]
    assert len(lines) == 1, terminal
    assert "runtui stopped on an unexpected error: RuntimeError: nothing expected this (sent ***)" in lines[0]
    report = the_report(state)
    assert str(next(state.glob("crash-*.txt"))) in lines[0], "the line says where the report is"
    assert "Traceback (most recent call last)" in report and "in crash" in report
    assert "RuntimeError: nothing expected this (sent ***)" in report


async def test_in_stock_mode_textuals_report_is_dropped_and_the_line_says_so(
        tmp_path: Path, state: Path, capfd: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(switch.STOCK_ENV, "1")
    switch.decision.cache_clear()
    app = crashing_app(tmp_path)
    await crash_it(app)
    out, err = capfd.readouterr()
    terminal = out + err
    assert KEY not in terminal, "Textual's report printed the key"
    assert "locals" not in terminal.replace("Textual's stock report dropped", "")
    assert "runtui stopped on an unexpected error (Textual's stock report dropped)" in terminal
    assert str(next(state.glob("crash-*.txt"))) in terminal
    assert "RUNTUI_STOCK_TEXTUAL=1" in the_report(state)
