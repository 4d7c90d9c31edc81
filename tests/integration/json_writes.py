"""Watch a `--json` listing being written: how many runs were encoded at each stdout write."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import click
import pytest

from runtui.model import Run


@dataclass
class JsonWrites:
    encoded: int = 0
    """Runs turned into their JSON objects so far."""
    encoded_at_writes: list[int] = field(default_factory=list)
    """`encoded` at each write to stdout."""


def watch_json_writes(monkeypatch: pytest.MonkeyPatch) -> JsonWrites:
    """Count `Run.to_json` calls and note the count at every `click.echo` to stdout."""
    watch = JsonWrites()
    to_json, echo = Run.to_json, click.echo

    def counted(run: Run) -> dict[str, Any]:
        watch.encoded += 1
        return to_json(run)

    def watched(message: Any = None, file: Any = None, nl: bool = True, err: bool = False,
                color: bool | None = None) -> None:
        if not err:
            watch.encoded_at_writes.append(watch.encoded)
        echo(message, file, nl, err, color)

    monkeypatch.setattr(Run, "to_json", counted)
    monkeypatch.setattr(click, "echo", watched)
    return watch
