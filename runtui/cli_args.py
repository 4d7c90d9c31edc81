"""What a command line may hold, checked by click before any request is made.

A pasted id of 70,000 characters is not an id: sent, it breaks the URL (httpx
refuses it mid-action, after the journal said the action started). So ids and
workflow ids have a length limit, refused as usage errors (exit 2) with the id
shortened in the message, and nothing is read, sent or journaled.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import Any

import click

from runtui import safe_text
from runtui.cli_output import EXIT_USAGE, fail
from runtui.human_input import json_value
from runtui.model import MAX_ID_LENGTH, id_is_invalid

SHOWN_ID_LENGTH = 40

JSON_HELP = "Print JSON on stdout (errors too: {\"error\": {...}}, same exit code)."
PROFILE_OF_ID_HELP = "The profile holding it; may be left out when the id is unique across profiles."


def shorten(text: str, width: int = SHOWN_ID_LENGTH) -> str:
    """`text` on one harmless line, cut to `width` characters with the length said."""
    if len(text) <= width:
        return safe_text.one_line(text)
    return safe_text.one_line(text[:width]) + f"… ({len(text):,} characters)"


def id_problem(value: str) -> str | None:
    """Why `value` cannot be an id, or None when it can."""
    if not value.strip():
        return "an id cannot be empty"
    if len(value) > MAX_ID_LENGTH:
        return f"{shorten(value)} is not an id: longer than {MAX_ID_LENGTH:,} characters"
    if id_is_invalid(value):
        return f"invalid id {shorten(value)!r}"
    return None


class IdParam(click.ParamType[str]):
    """A run, task or workflow id (or the start of one): non-empty, at most MAX_ID_LENGTH long."""

    name = "id"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        text = str(value)
        problem = id_problem(text)
        if problem is not None:
            self.fail(problem, param, ctx)
        return text


ID = IdParam()


def unique_values(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...]:
    """A repeated option (`-p a -p a`) names each thing once, first order kept: a profile
    asked twice is read once, not listed twice."""
    return tuple(dict.fromkeys(values))


class FiniteFloatRange(click.FloatRange):
    """click.FloatRange lets `nan` through (every comparison with NaN is false) and `inf`
    past an open end: seconds, a speed or a share must be a finite number."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number


class ConfigPath(click.Path):
    """click.Path for --config, refusing an empty value: pathlib reads "" as ".", so
    `--config ""` (an unset shell variable, `--config "$CFG"`) was reported as "not a
    regular file: it is a directory", about a directory nobody named."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value:
            self.fail("empty path: give the path of a TOML file, or leave --config out", param, ctx)
        return super().convert(value, param, ctx)


def parse_inputs(pairs: tuple[str, ...], json_file: Path | None, option: str = "--input") -> dict[str, Any]:
    """KEY=VALUE pairs over a JSON file; errors name `option`, the one the user typed."""
    inputs: dict[str, Any] = {}
    if json_file is not None:
        try:
            text = sys.stdin.read() if str(json_file) == "-" else json_file.read_text(encoding="utf-8")
            loaded = json_value(text)
        except (OSError, ValueError) as exc:
            fail(f"--input-json {json_file}: {exc}", EXIT_USAGE)
        if not isinstance(loaded, dict):
            fail(f"--input-json {json_file}: must hold a JSON object", EXIT_USAGE)
        inputs.update(loaded)
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            fail(f"{option} {pair!r}: use KEY=VALUE", EXIT_USAGE)
        try:
            inputs[key.strip()] = json_value(value)
        except ValueError:  # plain text ("NaN", "1e999" too) is a string
            inputs[key.strip()] = value
    return inputs
