"""A config file with no profile (what `profiles remove` of the last one leaves): every
command that reads profiles says so and how to add one, exit 2, as with no file at all.
`runs list -s failed` in a cron check printed a header and exit 0: "no failures"."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_result import invoke

READERS = [("runs", "list"), ("runs", "list", "--status", "failed"), ("workflows", "list"),
           ("attention",), ("runs", "show", "abc"), ("runs", "wait", "abc"), ("runs", "logs", "abc"),
           ("runs", "diff", "abc", "abd"), ("runs", "cancel", "abc", "--yes"), ("tasks", "list", "-p", "w"),
           ("tasks", "show", "abc"), ("profiles", "test", "--all"), ("attention", "ack", "--all")]


@pytest.fixture
def empty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RUNTUI_STATE_DIR", str(tmp_path / "state"))
    path = tmp_path / "empty.toml"
    path.write_text("[defaults]\nrefresh_seconds = 2\n", encoding="utf-8")
    path.chmod(0o600)
    return path


@pytest.mark.parametrize("command", READERS, ids=" ".join)
def test_a_config_with_no_profile_says_how_to_add_one(empty: Path, command: tuple[str, ...]) -> None:
    result = invoke(empty, *command)
    assert result.code == 2, result
    assert f"no profiles in {empty}" in result.err and "runtui profiles add" in result.err, result.err
    assert result.out == ""


def test_with_json_it_is_a_config_error_object(empty: Path) -> None:
    result = invoke(empty, "runs", "list", "--json")
    assert result.code == 2
    error = json.loads(result.out)["error"]
    assert error["kind"] == "config" and "no profiles in" in error["message"]


def test_profiles_list_still_lists_none_with_a_hint(empty: Path) -> None:
    result = invoke(empty, "profiles", "list")
    assert result.code == 0 and "NAME" in result.out and "no profiles yet" in result.err
