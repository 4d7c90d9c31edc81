"""The profile's own secrets, taken out of everything a server sends, before anything reads it.

A server may echo the key in any field (a workflow name, `last_error`, a step's
output, a request id), and every face shows those fields, `--json` included. So
the HTTP client replaces each secret in an answer's body and headers (and in
each SSE event) with `***`, before the body is decoded: the parsers, the page
memo, the store and every face only ever see the redacted bytes.

A JSON string may spell a character as an escape (`\\u0061`, `\\/`), so besides
the plain bytes a pattern matches each secret with any of its characters
escaped. It runs only on bodies that hold such an escape; the plain check is a
C-speed substring search.

A server that echoes the request's URL (`…?api_key=k3y%2Bwith…`) spells a key
with `+ / = :` percent-encoded: those spellings (as urllib and httpx write a path
or a query, in upper and lower hex) are plain substrings too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

MASK = b"***"
MIN_SECRET = 6  # shorter values would match ordinary text
_PERCENT = re.compile("%[0-9A-F]{2}")


def url_spellings(secret: str) -> set[str]:
    """`secret` as a URL's path or query may hold it: percent-encoded as urllib and httpx
    write it (`/` kept or not, a space as `+` or `%20`), in upper and lower hex."""
    upper = {quote(secret, safe=""), quote(secret), quote_plus(secret), quote_plus(secret, safe="/")}
    lower = {_PERCENT.sub(lambda found: found.group(0).lower(), text) for text in upper}
    return (upper | lower) - {secret}


def _char_pattern(char: str) -> bytes:
    """One character as JSON may write it: itself, `\\uXXXX` (any case), and `\\/`, `\\"`, `\\\\`."""
    code = ord(char)
    forms = [re.escape(char.encode())]
    if code < 0x10000:
        hex_digits = b"".join(b"[" + re.escape(d.lower().encode()) + re.escape(d.upper().encode()) + b"]"
                              for d in f"{code:04x}")
        forms.append(rb"\\u" + hex_digits)
    if char in '/"\\':
        forms.append(rb"\\" + re.escape(char.encode()))
    return b"(?:" + b"|".join(forms) + b")"


def _escape_finder(secrets: Iterable[str]) -> re.Pattern[bytes]:
    """A pattern for the escapes a secret could be hidden behind; a body without any needs no
    full search. Bodies often hold escapes (`\\n`, and `\\u00e9` from servers that escape
    every non-ASCII letter), but an escaped printable ASCII character (`\\u0020`-`\\u007f`)
    is rare, and API keys are printable ASCII: this is a literal-prefix search, C speed."""
    chars = set("".join(secrets))
    forms = [rb"\\u00[2-7][0-9a-fA-F]"]
    if any(not (" " <= c <= "~") for c in chars):
        forms.append(rb"\\u")
    forms += [rb"\\" + re.escape(c.encode()) for c in sorted(chars & set('/"\\'))]
    return re.compile(b"|".join(forms))


class Redactor:
    """Replaces a profile's secret values in raw answers (bytes) and texts."""

    def __init__(self, secrets: Iterable[str]) -> None:
        kept = {s for s in secrets if isinstance(s, str) and len(s) >= MIN_SECRET}
        # Longest first: a secret that contains another is masked whole.
        self.secrets: tuple[str, ...] = tuple(sorted(kept, key=len, reverse=True))
        spelled = set(self.secrets).union(*(url_spellings(s) for s in self.secrets))
        self._literals: tuple[str, ...] = tuple(sorted(spelled, key=len, reverse=True))
        self._plain = tuple(s.encode() for s in self._literals)
        self._escaped: re.Pattern[bytes] | None = None  # compiled when first needed: see `_spelled`
        self._may_hide = _escape_finder(self.secrets)

    def __bool__(self) -> bool:
        return bool(self.secrets)

    def body(self, content: bytes) -> bytes:
        """`content` with every secret masked; the very same object when none is in it."""
        if not self.secrets:
            return content
        for secret in self._plain:
            if secret in content:
                content = content.replace(secret, MASK)
        if b"\\" in content and self._may_hide.search(content) is not None:
            content = self._spelled().sub(MASK, content)
        return content

    def _spelled(self) -> re.Pattern[bytes]:
        """Every secret with any of its characters escaped. A key of 40 characters makes a
        pattern of 40 alternations, ~2 ms to compile per profile before the first rows,
        for bodies that rarely hold such an escape: compiled on the first that does."""
        if self._escaped is None:
            self._escaped = re.compile(b"|".join(b"".join(map(_char_pattern, s)) for s in self.secrets))
        return self._escaped

    def text(self, value: str) -> str:
        """A decoded text (a header value, an SSE event's data) with every secret masked."""
        if not self.secrets:
            return value
        if not any(secret in value for secret in self._literals) and "\\" not in value:
            return value
        return self.body(value.encode("utf-8", "surrogateescape")).decode("utf-8", "surrogateescape")

    def headers(self, raw: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]] | None:
        """Raw header pairs with every secret masked, or None when no value holds one."""
        if not self.secrets or not any(s in value for _, value in raw for s in self._plain):
            return None
        return [(name, self.body(value)) for name, value in raw]
