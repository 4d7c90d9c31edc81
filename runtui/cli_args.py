"""What a command line may hold, checked by click before any request is made.

A pasted id of 70,000 characters is not an id: sent, it breaks the URL (httpx
refuses it mid-action, after the journal said the action started). So ids and
workflow ids have a length limit, refused as usage errors (exit 2) with the id
shortened in the message, and nothing is read, sent or journaled.
"""

from __future__ import annotations

import math
from typing import Any

import click

from runtui import safe_text

MAX_ID_LENGTH = 1024
"""Longer than any platform's ids (UUIDs, slugs, Mongo ids), far below URL limits."""
SHOWN_ID_LENGTH = 40


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
