"""The TUI's main tests once more in stock mode (RUNTUI_STOCK_TEXTUAL=1): Textual's own
driver and compositor, no private override. A Textual release that breaks a private path
turns the switch off; this proves the app still works when it does."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from runtui.tui import switch

ROOT = Path(__file__).resolve().parents[2]
STOCK_RUN = ("tests/tui/test_runs_screen.py", "tests/tui/test_actions_pilot.py",
             "tests/tui/test_attention.py", "tests/tui/test_detail.py", "tests/tui/test_switch.py")


@pytest.mark.skipif(os.environ.get(switch.STOCK_ENV) == "1", reason="already in stock mode")
def test_the_main_tui_tests_pass_in_stock_mode(tmp_path: Path) -> None:
    env = os.environ | {switch.STOCK_ENV: "1", "RUNTUI_STATE_DIR": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                           *STOCK_RUN], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert " passed" in proc.stdout
