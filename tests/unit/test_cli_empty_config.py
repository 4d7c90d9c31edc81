"""`--config ""` (an unset variable in `--config "$CFG"`) is a usage error that says the
path is empty. pathlib reads "" as ".", so it was reported as "not a regular file: it is
a directory", about a directory nobody named; with no command, the TUI opened on it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from runtui.cli import cli

EMPTY = "empty path"


@pytest.mark.parametrize("args", [["--config", "", "runs", "list"], ["--config=", "attention"],
                                  ["--config", "", "history"]], ids=" ".join)
def test_an_empty_config_path_is_a_usage_error(args: list[str]) -> None:
    res = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert res.exit_code == 2
    assert EMPTY in res.stderr and "--config" in res.stderr, res.stderr
    assert "directory" not in res.stderr


def test_with_json_the_usage_error_is_json() -> None:
    res = CliRunner().invoke(cli, ["--config", "", "runs", "list", "--json"], catch_exceptions=False)
    error = json.loads(res.stdout)["error"]
    assert (res.exit_code, error["code"], error["kind"]) == (2, 2, "usage")
    assert EMPTY in error["message"]


def test_with_no_command_the_tui_does_not_open_on_it() -> None:
    proc = subprocess.run([sys.executable, "-m", "runtui", "--config", ""], stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "TERM": "dumb"})
    assert proc.returncode == 2
    assert EMPTY in proc.stderr, proc.stderr
