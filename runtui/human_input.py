"""Typed text to the values a waiting run asked for (its `HumanRequest.fields`).

A form hands over what a person typed, one text per field; the platform wants
JSON values of the declared types. One rule for every face: an empty optional
field is left out (the platform's default applies), an empty required field is
an error naming it, and a value that does not parse as its type is an error
that says what was expected, so nothing is sent half-right.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

_TRUE = {"true", "yes", "y", "1", "on"}
_FALSE = {"false", "no", "n", "0", "off"}


def json_value(text: str) -> Any:
    """`text` as JSON a platform can take, or ValueError saying why not.

    Python's json reads NaN and Infinity (no JSON has them), turns 1e999 into inf, and
    recurses once per bracket: each reached the send as a traceback (the encoder refuses
    non-finite numbers), or failed reading. Here they are refused with a message.
    """
    try:
        return json.loads(text, parse_constant=_no_constant, parse_float=_finite)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise ValueError("not JSON that can be read: nested too deeply") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"not JSON: {name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"not JSON a platform can read: {text} is past what a number holds")
    return value


def coerce(kind: str, text: str) -> Any:
    """`text` as a value of JSON-schema type `kind`; ValueError says what was expected."""
    kind = (kind or "any").lower()
    if kind == "string":
        return text
    if kind == "integer":
        try:
            return int(text)
        except ValueError:
            raise ValueError("expected a whole number") from None
    if kind == "number":
        try:
            return int(text)  # "7" stays 7, not 7.0
        except ValueError:
            pass
        try:
            value = float(text)
        except ValueError:
            raise ValueError("expected a number") from None
        if not math.isfinite(value):  # "nan", "inf", "1e999": no JSON number
            raise ValueError("expected a finite number")
        return value
    if kind == "boolean":
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise ValueError("expected true or false")
    try:
        value = json_value(text)
    except ValueError:
        if kind in ("object", "array"):
            raise ValueError(f"expected a JSON {kind}") from None
        return text  # "any": plain text (and "NaN") is a string
    if kind == "object" and not isinstance(value, dict):
        raise ValueError("expected a JSON object")
    if kind == "array" and not isinstance(value, list):
        raise ValueError("expected a JSON array")
    return value


def collect(fields: tuple[dict[str, Any], ...], texts: Mapping[str, str]
            ) -> tuple[dict[str, Any], dict[str, str]]:
    """(values to send, errors by field key); send only when there are no errors."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for spec in fields:
        key = str(spec.get("key"))
        text = texts.get(key, "").strip()
        if not text:
            if spec.get("required"):
                errors[key] = "required"
            continue
        try:
            values[key] = coerce(str(spec.get("type") or "any"), text)
        except ValueError as exc:
            errors[key] = str(exc)
    return values, errors


def free_object(text: str) -> dict[str, Any]:
    """A free-form answer: one JSON object (empty text is `{}`)."""
    if not text.strip():
        return {}
    value = json_value(text)
    if not isinstance(value, dict):
        raise ValueError("expected a JSON object")
    return value


def initial_text(spec: Mapping[str, Any]) -> str:
    """What a field shows before the person types: its default, as they would type it."""
    default = spec.get("default")
    if default is None:
        return ""
    if isinstance(default, str):
        return default
    return json.dumps(default)
