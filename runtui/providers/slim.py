"""List answers decoded to the keys their parser reads, and nothing else.

A simulated Wexa list item is ~2.5 KB, most of it the agentflow's agents (models,
prompts, roles) that a row never shows: orjson built every one of those strings
and dicts, 0.32 s for the 16,667 items of a 50,000-run load, and fingerprinting the
items for the parse memo wrote them all out again (0.09 s). msgspec decodes into a
TypedDict keeping only the declared keys (the rest is skipped in C, never built):
0.11 s, and the smaller items fingerprint in 0.02 s.

The result is plain dicts, so the provider's one parser reads them as before: no
second parser to drift. What the slim decoder refuses (an unexpected shape, NaN,
a nested value that is not an object where one is declared) goes the full way
(`json_of`), so what parses and what is refused is unchanged. For each slim list
(Wexa's executions so far) a test checks that its parser reads no key outside the
declaration.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypedDict

import httpx
import msgspec

from runtui.providers.base import json_of

# The functional TypedDict form takes its fields at run time; mypy only accepts a
# literal there, so it is called through Any.
_typed_dict: Any = TypedDict


class SlimList:
    """A decoder of one list answer: a bare array of objects, or an object holding one
    under one of `list_keys` (directly or one level down, `{"data": {"items": [...]}}`)."""

    def __init__(self, name: str, keys: Iterable[str], *, nested: Mapping[str, Iterable[str]] | None = None,
                 list_keys: Iterable[str] = ()) -> None:
        fields: dict[str, Any] = dict.fromkeys(keys, Any)
        for key, inner in (nested or {}).items():
            fields[key] = _typed_dict(f"{name}_{key}", dict.fromkeys(inner, Any), total=False) | None
        item = _typed_dict(f"{name}_item", fields, total=False)
        self.keys = frozenset(fields)
        self.nested = {key: frozenset(inner) for key, inner in (nested or {}).items()}
        items = list[item]  # type: ignore[valid-type]
        shape: Any = items
        if list_keys:
            inner_envelope = _typed_dict(f"{name}_inner", dict.fromkeys(list_keys, items), total=False)
            envelope = _typed_dict(f"{name}_envelope", dict.fromkeys(list_keys, items | inner_envelope),
                                   total=False)
            shape = items | envelope
        self._decoder: msgspec.json.Decoder[Any] = msgspec.json.Decoder(shape)

    def decode(self, content: bytes) -> Any | None:
        """The slim answer, or None when it needs the full decoder (`json_of`)."""
        try:
            return self._decoder.decode(content)
        except (msgspec.DecodeError, RecursionError):  # ValidationError included; msgspec
            return None  # gives up nesting sooner than orjson, which then decides as before


def slim_json_of(response: httpx.Response, provider: str, slim: SlimList) -> Any:
    """`json_of` for a list answer, decoded by `slim` when it can."""
    body = slim.decode(response.content)
    return json_of(response, provider) if body is None else body
