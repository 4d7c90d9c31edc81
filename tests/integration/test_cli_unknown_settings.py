"""A key runtui does not know (a misspelt setting, or a newer version's) is ignored and
said on stderr with file and line: `webhok_secret_env` went unnoticed until the server
refused a B3OS answer with "secret is required"."""

from __future__ import annotations

from pathlib import Path

from tests.cli_result import invoke
from tests.integration.conftest import Sim, run_cli


def _with_typos(sim: Sim, tmp_path: Path) -> Path:
    text = sim.config_path.read_text(encoding="utf-8")
    text = text.replace("[defaults]\n", "[defaults]\nrefresh_second = 5\n", 1)
    text = text.replace('provider = "b3os"\n', 'provider = "b3os"\nfoo = 1\nwebhok_secret_env = "X"\n', 1)
    text += "\n[defualts]\npage_size = 10\n"
    path = tmp_path / "typos.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return path


def _line(path: Path, start: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if line.startswith(start))


def test_unknown_settings_are_warned_about_with_file_and_line(sim: Sim, tmp_path: Path) -> None:
    path = _with_typos(sim, tmp_path)
    result = invoke(path, "runs", "list", "-n", "1", "-p", "b3os-sim")
    assert result.code == 0, result.err
    warnings = [line for line in result.err.splitlines() if line.startswith("runtui: warning: ")]
    assert len(warnings) == 4, result.err
    said = "\n".join(warnings)
    assert f"{path}:{_line(path, 'webhok_secret_env')}; profile 'b3os-sim'; field 'webhok_secret_env'" in said
    assert f"{path}:{_line(path, 'foo')}; profile 'b3os-sim'; field 'foo'" in said
    assert "webhook_secret_env" in said, "the setting it may have meant is named"
    assert f"{path}:{_line(path, 'refresh_second')}; field 'defaults.refresh_second'" in said
    assert f"{path}:{_line(path, '[defualts]')}; field 'defualts'" in said


def test_warnings_leave_json_on_stdout_whole(sim: Sim, tmp_path: Path) -> None:
    path = _with_typos(sim, tmp_path)
    result = invoke(path, "runs", "list", "-n", "1", "--json")
    assert result.code == 0 and isinstance(result.json(), list)
    assert "runtui: warning:" in result.err
    listed = invoke(path, "profiles", "list", "--json")
    assert listed.code == 0 and "field 'foo'" in listed.err
    assert [p["name"] for p in listed.json()] == ["wexa-sim", "edges-sim", "b3os-sim"]


def test_a_config_without_unknown_keys_says_nothing(sim: Sim) -> None:
    result = run_cli(sim, "runs", "list", "-n", "1")
    assert result.code == 0 and "warning" not in result.err
