"""`runtui --help` names every exit code the README's list has: they were only in the
README and two commands' help, where a script's author at a terminal did not look."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from runtui.cli import cli

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_root_help_names_every_exit_code_of_the_readme() -> None:
    text = README.read_text(encoding="utf-8")
    start = text.index("Exit codes: ")
    listed = text[start:text.index("\n\n", start)]
    codes = sorted({int(code) for code in re.findall(r"`(\d+)` ", listed)})
    assert {0, 1, 2, 3, 4, 5, 130, 141} <= set(codes), codes
    shown = CliRunner().invoke(cli, ["--help"]).output
    for code in codes:
        assert re.search(rf"\b{code} ", shown), (code, shown)
