"""Run the CLI in-process on a config file: the one helper every CLI test uses."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from runtui.cli import cli


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)

    def json_lines(self) -> list[Any]:
        """NDJSON output: one object per line."""
        return [json.loads(line) for line in self.out.splitlines() if line.strip()]


def invoke(config_path: Path, *args: str) -> CliResult:
    res = CliRunner().invoke(cli, ["--config", str(config_path), *args], catch_exceptions=False)
    return CliResult(res.exit_code, res.stdout, res.stderr)
