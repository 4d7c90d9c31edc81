"""A key that never shows: masked in repr, str and format, read only on purpose.

Keys reach the providers' auth headers and nothing else; a profile printed in a
traceback, a log line or a debugger shows the mask.
"""

from __future__ import annotations

import hmac
from typing import Final

MASK: Final = "**********"
# The shortest secret the masking of answers looks for: shorter values would match
# ordinary text. A key shorter than this is refused where it is read, as it could not be
# masked if a server echoed it.
MIN_SECRET: Final = 6


class Secret:
    """A secret string. `get_secret_value()` is the one way to the text."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret('{MASK}')"

    def __str__(self) -> str:
        return MASK

    def __format__(self, spec: str) -> str:
        return format(MASK, spec)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(self._value)
