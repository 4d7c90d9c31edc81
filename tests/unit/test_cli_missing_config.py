"""A config file that is not there: a typo must not read as "no runs, all fine"."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from runtui.cli import cli
from tests.cli_result import CliResult, invoke

READERS = [("attention",), ("runs", "list"), ("workflows", "list"), ("profiles", "list"),
           ("profiles", "test", "--all"), ("profiles", "remove", "x"), ("runs", "show", "x")]


@pytest.fixture(autouse=True)
def private_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNTUI_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("RUNTUI_CONFIG", raising=False)


def _run(*args: str, env: dict[str, str] | None = None) -> CliResult:
    res = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    return CliResult(res.exit_code, res.stdout, res.stderr)


@pytest.mark.parametrize("command", READERS)
def test_a_config_path_given_that_does_not_exist_is_a_config_error(
        tmp_path: Path, command: tuple[str, ...]) -> None:
    typo = tmp_path / "missing-dir" / "typo.toml"
    result = invoke(typo, *command)
    assert result.code == 2, result
    assert f"no config file at {typo}" in result.err
    assert "nothing needs attention" not in result.out and "PROFILE" not in result.out
    assert not typo.parent.exists(), "a reading command created the config's directory"


@pytest.mark.parametrize("command", READERS[:2])
def test_runtui_config_naming_a_missing_file_is_a_config_error(
        tmp_path: Path, command: tuple[str, ...]) -> None:
    typo = tmp_path / "typo.toml"
    result = _run(*command, env={"RUNTUI_CONFIG": str(typo)})
    assert result.code == 2 and f"no config file at {typo}" in result.err


def test_profiles_add_creates_the_config_it_is_given(tmp_path: Path) -> None:
    path = tmp_path / "new.toml"
    added = invoke(path, "profiles", "add", "a", "--provider", "edges", "--api-key-env", "K")
    assert added.code == 0, added
    assert "[profiles.a]" in path.read_text()
    assert invoke(path, "profiles", "list").code == 0


@pytest.mark.parametrize("command", [("attention",), ("runs", "list"), ("workflows", "list"),
                                     ("profiles", "test", "--all")])
def test_no_config_at_the_default_path_says_how_to_add_a_profile(
        tmp_path: Path, command: tuple[str, ...]) -> None:
    result = _run(*command)
    assert result.code == 2, result
    default = tmp_path / "xdg" / "runtui" / "config.toml"
    assert f"no profiles yet (no config file at {default})" in result.err
    assert "runtui profiles add" in result.err and "runtui demo" in result.err
    assert not default.exists()


def test_profiles_list_with_no_config_at_the_default_path_is_empty_with_a_hint() -> None:
    result = _run("profiles", "list")
    assert result.code == 0 and "NAME" in result.out
    assert "no profiles yet" in result.err and "runtui demo" in result.err
