"""What a provider needs in a profile beyond the common fields, declared once.

Like Harlequin's `ADAPTER_OPTIONS`: each adapter lists its `ProviderOption`s and
that one declaration drives config validation (with the file and line),
`profiles add --set` and its errors, the profile form's fields and
`runtui providers --json`. A third-party provider declares its own the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import msgspec

from runtui.config import env_name_rule, is_env_name

OptionKind = Literal["text", "integer", "number", "boolean"]


class ProviderOption(msgspec.Struct, frozen=True):
    name: str
    help: str
    kind: OptionKind = "text"
    required: bool = False
    secret: bool = False  # a secret value: never written by `--set`; use `<name>_env`
    default: Any = None
    pattern: str | None = None  # a text value must match it (e.g. a 24-hex id)

    def problem(self, value: Any) -> str | None:
        """Why `value` cannot be this option's value, or None."""
        if self.kind == "boolean":
            return None if isinstance(value, bool) else "must be true or false"
        if self.kind == "integer":
            whole = isinstance(value, int) and not isinstance(value, bool)
            return None if whole else "must be a whole number"
        if self.kind == "number":
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            return None if ok else "must be a number"
        if not isinstance(value, str) or not value.strip():
            return "must be a non-empty text"
        if self.name.endswith("_env") and not is_env_name(value):
            return env_name_rule(f"the {self.name.removesuffix('_env')}")
        if self.pattern is not None and not re.fullmatch(self.pattern, value):
            return f"must match {self.pattern}"
        return None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "required": self.required, "secret": self.secret,
                "default": self.default, "help": self.help}


def problems(options: Iterable[ProviderOption], values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(option name, why) for every declared option missing or invalid in `values`."""
    found: list[tuple[str, str]] = []
    for option in options:
        value = values.get(option.name)
        if value is None:
            if option.required:
                found.append((option.name, f"{option.name} is required: {option.help}"))
            continue
        why = option.problem(value)
        if why is not None:
            found.append((option.name, f"{option.name} {why}"))
    return found
