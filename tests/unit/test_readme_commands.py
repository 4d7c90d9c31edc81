"""CI runs exactly the README's test command: the two lines cannot drift apart."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _ci_test_command() -> str:
    lines = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    commands = [line for line in lines if "pytest" in line and not line.lstrip().startswith("#")
                and "echo" not in line]
    assert len(commands) >= 1, "no pytest command in .ci/run"
    return commands[0].strip()


def test_ci_runs_the_readme_test_command_in_a_fresh_venv() -> None:
    command = _ci_test_command()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert command in readme.splitlines(), f"README does not show {command!r}"
    assert command.startswith("python3 -m venv .venv")
    assert "rm -rf .venv" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
