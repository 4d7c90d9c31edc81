"""Every secret runtui knows, taken out of everything a server sends, before anything reads it.

A server may echo a key in any field (a workflow name, `last_error`, a step's
output, a request id), and every face shows those fields, `--json` included. So
the HTTP client replaces each secret in an answer's body and headers (and in
each SSE event) with `***`, before the body is decoded: the parsers, the page
memo, the store and every face only ever see the redacted bytes. The secrets are
the profile's own and every other profile's (`SecretPool`): one list, each secret
found in every spelling below, whoever's it is (a hostile server for one profile
may have been given another's key, and echo it encoded as readily as its own).

The plain secret is found in any case: gateways log a rejected key upper-cased ("invalid
key SIM-…"), and no two of a profile's keys differ only in case.

A JSON string may spell a character as an escape (`\\u0061`, `\\/`), so besides
the plain bytes a pattern matches each secret with any of its characters
escaped. It runs only on bodies that hold such an escape; the plain check is a
C-speed substring search.

A server may also echo the key encoded (`Spelling`):
- percent-encoded, as a URL holds it (`…?api_key=k3y%2Bwith…`): `+ / = :` and a space
  spelt as urllib and httpx write a path or a query, the hex in any case (`%2b%2F`);
- in hex (`6b3379…`), in any case;
- in base64, standard or URL-safe, with or without its padding, alone or inside a longer
  base64 text: `Bearer <key>` or `user:<key>` (Basic auth) encoded whole. There the key's
  bytes start at one of three offsets of a 3-byte group; at each, the characters made of
  the key's bits alone are the same whatever surrounds it (the one at each edge that
  mixes in a neighbour's bits is left, but at the end of the text, where its other bits
  are zeros);
- any of those with `/` written `\\/` (a JSON writer's choice).
Each is found by its longest part that every variant holds (a C-speed substring search,
as for the plain key), and only then tried as a pattern where that part was found: a body
without any pays one search per part, no regular expression. Hex and percent-encoding are
searched whole in the answer lowered (a long part is a fast search: a short one, as a run
of digits, is 3-5x slower and found in numbers everywhere); a part that holds `%` is
searched only in an answer that holds one (a one-byte search). A spelling whose steady
part is shorter than `MIN_ANCHOR` (the base64 of a key of `+`, `/` and `~`) is searched whole.
"""

from __future__ import annotations

import base64
import functools
import re
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from urllib.parse import quote, quote_plus

import msgspec
from ahocorasick_rs import BytesAhoCorasick

from runtui.secret import MIN_SECRET

MASK = b"***"
# Answers that come back byte for byte (a watched list between two changes) are masked
# once: the last ones are kept with what masking made of them, this many bytes of them
# at most, and only answers this big (a smaller one costs less to mask than to keep).
SAME_ANSWERS_BYTES = 2 * 1_048_576  # a profile (each has its own redactor)
SAME_ANSWER_MIN = 8_192
MIN_ANCHOR = 4  # a shorter steady part is found everywhere: its spelling is searched whole
# Anchors tried one by one before the pattern scans the rest of the answer: an answer made
# of a spelling's anchor over and over (its server knows the key) took 0.4 s per 16 MB.
MAX_ANCHOR_TRIES = 100
Unit = tuple[str, ...]  # the ways one character of a spelling may be written (case, alphabet)
_B64_ALPHABETS = {"+": ("+", "-"), "/": ("/", "_")}  # standard and URL-safe


def url_spellings(secret: str) -> set[str]:
    """`secret` as a URL's path or query may hold it: percent-encoded as urllib and httpx
    write it (`/` kept or not, a space as `+` or `%20`), in upper hex."""
    spelled = {quote(secret, safe=""), quote(secret), quote_plus(secret), quote_plus(secret, safe="/")}
    return spelled - {secret}


class Spelling(msgspec.Struct, frozen=True, dict=True):
    """One encoded way of writing a secret: a pattern matching all its variants (`source`),
    and the part every variant holds (`anchor`), `lead` characters from its start. A
    `folded` one matches in any case: its anchor, in lower case, is searched in the
    answer lowered."""

    source: bytes
    anchor: bytes
    lead: int
    folded: bool = False

    @functools.cached_property
    def pattern(self) -> re.Pattern[bytes]:
        """Compiled when an answer first holds the anchor: a profile has a dozen spellings,
        ~0.5 ms to compile before its first rows otherwise, for echoes that rarely come."""
        return re.compile(self.source, re.IGNORECASE if self.folded else 0)

    def spans(self, content: bytes, lowered: bytes) -> Iterator[tuple[int, int]]:
        """Where this spelling is in `content` (`lowered`: the same in lower case): tried
        where its anchor is, the first `MAX_ANCHOR_TRIES` times; from there the pattern
        scans the rest itself."""
        steady = len(self.anchor) >= MIN_ANCHOR
        haystack = lowered if self.folded else content
        at, tries = (haystack.find(self.anchor), 0) if steady else (0, MAX_ANCHOR_TRIES)
        while at != -1 and tries < MAX_ANCHOR_TRIES:
            found = self.pattern.match(content, at - self.lead) if at >= self.lead else None
            if found is not None:
                yield found.span()
            at = haystack.find(self.anchor, at + 1)
            tries += 1
        if at != -1:
            yield from (found.span() for found in self.pattern.finditer(content, max(at - self.lead, 0)))


def _unit_pattern(unit: Unit) -> str:
    if len(unit) == 1:
        return re.escape(unit[0])
    return "[" + "".join(re.escape(way) for way in unit) + "]"


def _steady_run(units: list[Unit]) -> tuple[int, int]:
    """The longest run of units written one way only (and no `/`, which JSON may write
    `\\/`): (start, end) indexes."""
    best, start = (0, 0), 0
    for index, unit in enumerate([*units, ("", "")]):
        if len(unit) > 1 or unit == ("/",):
            if index - start > best[1] - best[0]:
                best = (start, index)
            start = index + 1
    return best


def _spellings(units: list[Unit], tail: list[Unit] | None = None, *,
               folded: bool = False) -> list[Spelling]:
    """The spelling these units make (`tail`: optional units after them, then up to two
    `=`), and the same with every `/` written `\\/`, both found by the same anchor
    (`folded`: in any case, the units in lower case)."""
    start, end = _steady_run(units)
    anchor = "".join(unit[0] for unit in units[start:end])
    tail = tail or []
    variants = [(units, tail)]
    if any("/" in unit for unit in [*units, *tail]):
        variants.append(([("\\/",) if "/" in unit else unit for unit in units],
                         [("\\/",) if "/" in unit else unit for unit in tail]))
    found = []
    for body, end_units in variants:
        text = "".join(map(_unit_pattern, body))
        if end_units:
            text += "(?:" + "".join(map(_unit_pattern, end_units)) + "={0,2})?"
        found.append(Spelling(text.encode(), anchor.encode(), sum(len(unit[0]) for unit in body[:start]),
                              folded))
    return found


def _base64_units(text: str) -> list[Unit]:
    return [_B64_ALPHABETS.get(char, (char,)) for char in text]


def _base64_spellings(secret: bytes) -> list[Spelling]:
    """The secret's base64 at each of the three offsets in a 3-byte group: the characters
    made of its bits alone, and the last one and the padding where the secret ends the text."""
    found = []
    for offset in range(3):
        encoded = base64.b64encode(bytes(offset) + secret).decode("ascii")
        first, last = -(-8 * offset // 6), 8 * (offset + len(secret)) // 6
        tail = encoded[last:last + 1].strip("=")  # the last one, padded with zero bits
        found += _spellings(_base64_units(encoded[first:last]), _base64_units(tail))
    return found


def spellings_of(secret: str) -> list[Spelling]:
    """Every encoded way of writing `secret` an echoing server might use (see the module)."""
    return list(_spellings_of(secret))


@functools.lru_cache(maxsize=64)
def _spellings_of(secret: str) -> tuple[Spelling, ...]:
    """Made once per secret: every profile's client masks every profile's secrets, so each
    is spelt for each client (~0.4 ms a secret, before the first rows), and the patterns
    a spelling compiles are then shared too."""
    raw = secret.encode("utf-8", "surrogateescape")
    found = _spellings([(char,) for char in raw.hex()], folded=True)  # in any case
    for spelled in sorted(url_spellings(secret)):  # in any case: a key upper-cased, then encoded
        found += _spellings([(char,) for char in spelled.lower()], folded=True)
    return (*found, *_base64_spellings(raw))


def _char_pattern(char: str) -> bytes:
    """One character as JSON may write it: itself, `\\uXXXX` (any case), and `\\/`, `\\"`,
    `\\\\`; an ASCII letter in either case (the pattern ignores case, but not a code's)."""
    forms = [re.escape(char.encode())]
    cases = {char.lower(), char.upper()} if char.isascii() else {char}
    for code in sorted(map(ord, cases)):
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
    """Replaces secret values in raw answers (bytes) and texts, each in every spelling (see
    the module): one list, the profile's own and every other profile's alike."""

    def __init__(self, secrets: Iterable[str]) -> None:
        kept = {s for s in secrets if isinstance(s, str) and len(s) >= MIN_SECRET}
        # Longest first: a secret that contains another is masked whole.
        self.secrets: tuple[str, ...] = tuple(sorted(kept, key=len, reverse=True))
        # Found in any case (gateways log "invalid key SIM-…"): searched in the lowered answer.
        self._plain = tuple(s.encode().lower() for s in self.secrets)
        self._cased: dict[bytes, re.Pattern[bytes]] = {}  # compiled when an answer holds one
        # An auth header's value ("Bearer <key>") holds the key, and its encodings the key's:
        # it is looked for only where its key is, each search being one of every answer.
        inner = [s for s in self.secrets if not _scheme_and_secret(s, kept)]
        self._keys = tuple(s.encode().lower() for s in inner)
        by_anchor: dict[tuple[bytes, bool], list[Spelling]] = {}
        for spelling in (found for secret in inner for found in spellings_of(secret)):
            by_anchor.setdefault((spelling.anchor, spelling.folded), []).append(spelling)
        # Percent-encodings are looked for only in an answer holding a `%`: most hold none.
        self._by_anchor = {key: group for key, group in by_anchor.items() if b"%" not in key[0]}
        self._percent = {key: group for key, group in by_anchor.items() if b"%" in key[0]}
        # What an answer may hold is found in one pass: every key and every anchor (a
        # case-bound one lowered: a superset), then checked exactly where one was found.
        # One `in` scan each was 20 scans of every answer with four secrets, ~14% of the
        # CPU of loading 10,000 runs; one Aho-Corasick pass is ~3x faster.
        self._candidates = tuple(dict.fromkeys(
            needle for needle in (*self._keys, *(anchor.lower() for anchor, _ in by_anchor)) if needle))
        self._finder = BytesAhoCorasick(list(self._candidates)) if self._candidates else None
        self._escaped: re.Pattern[bytes] | None = None  # compiled when first needed: see `_spelled`
        self._may_hide = _escape_finder(self.secrets)
        self._answers: OrderedDict[int, tuple[bytes, bytes]] = OrderedDict()  # see `body`
        self._answers_bytes = 0

    def __bool__(self) -> bool:
        return bool(self.secrets)

    def body(self, content: bytes) -> bytes:
        """`content` with every secret masked; the very same object when none is in it.

        A big answer equal, byte for byte, to one masked lately gets what that one got:
        masking 200 KB (a page of 100 Wexa runs) takes ~0.3 ms, comparing it ~2 us, and
        a watched list mostly answers what it answered two seconds before. (The hash
        finds the candidate; only the bytes' equality makes it the answer.)"""
        if not self.secrets:
            return content
        if len(content) < SAME_ANSWER_MIN:
            return self._masked(content)
        key = hash(content)
        seen = self._answers.get(key)
        if seen is not None and seen[0] == content:
            self._answers.move_to_end(key)
            return content if seen[1] is seen[0] else seen[1]  # nothing masked: this very object
        masked = self._masked(content)
        self._remember(key, content, masked)
        return masked

    def _remember(self, key: int, content: bytes, masked: bytes) -> None:
        size = _kept_size(content, masked)
        if size > SAME_ANSWERS_BYTES:
            return
        old = self._answers.pop(key, None)
        if old is not None:
            self._answers_bytes -= _kept_size(*old)
        self._answers[key] = (content, masked)
        self._answers_bytes += size
        while self._answers_bytes > SAME_ANSWERS_BYTES:
            _, dropped = self._answers.popitem(last=False)
            self._answers_bytes -= _kept_size(*dropped)

    def _masked(self, content: bytes) -> bytes:
        lowered = content.lower()
        present = self._present(lowered)
        if any(key in present for key in self._keys):  # then each, longest first
            for secret in self._plain:
                if secret in lowered:
                    content = self._any_case(secret).sub(MASK, content)
                    lowered = content.lower()
            present = self._present(lowered)
        spans = [*_found(content, lowered, self._by_anchor, present),
                 *(_found(content, lowered, self._percent, present) if b"%" in content else ())]
        if spans:
            content = _masked(content, spans)
        if b"\\" in content and self._may_hide.search(content) is not None:
            content = self._spelled().sub(MASK, content)
        return content

    def _present(self, lowered: bytes) -> set[bytes]:
        """The keys and anchors (lowered) that `lowered` holds somewhere."""
        if self._finder is None:
            return set()
        candidates = self._candidates
        return {candidates[index] for index, _start, _end
                in self._finder.find_matches_as_indexes(lowered, overlapping=True)}

    def _any_case(self, secret: bytes) -> re.Pattern[bytes]:
        if secret not in self._cased:
            self._cased[secret] = re.compile(re.escape(secret), re.IGNORECASE)
        return self._cased[secret]

    def _spelled(self) -> re.Pattern[bytes]:
        """Every secret with any of its characters escaped, in any case. A key of 40
        characters makes a pattern of 40 alternations, ~2 ms to compile per profile before
        the first rows, for bodies that rarely hold such an escape: compiled on the first
        that does."""
        if self._escaped is None:
            self._escaped = re.compile(b"|".join(b"".join(map(_char_pattern, s)) for s in self.secrets),
                                       re.IGNORECASE)
        return self._escaped

    def text(self, value: str) -> str:
        """A decoded text (a header value, an SSE event's data) with every secret masked."""
        if not self.secrets:
            return value
        raw = value.encode("utf-8", "surrogateescape")
        masked = self.body(raw)  # in bytes: their lower case is the one the needles are in
        return value if masked is raw else masked.decode("utf-8", "surrogateescape")

    def headers(self, raw: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]] | None:
        """Raw header pairs with every secret masked, or None when no value holds one."""
        if not self.secrets or not any(self._present(value.lower()) for _, value in raw):
            return None
        return [(name, self.body(value)) for name, value in raw]


def _kept_size(content: bytes, masked: bytes) -> int:
    return len(content) + (len(masked) if masked is not content else 0)


class SecretPool:
    """Every secret runtui resolved for the profiles of one workspace (keys, secret settings,
    a key command's key once it gave it): each profile's client masks them all, in every
    spelling, so another profile's key in this platform's answers is not shown. Owned by whoever builds the
    providers; a client adds its own when it learns them, and rebuilds its `Redactor` when
    `version` moved."""

    def __init__(self) -> None:
        self._secrets: dict[str, None] = {}  # an ordered set
        self.version = 0

    def add(self, secrets: Iterable[str]) -> None:
        for secret in secrets:
            if isinstance(secret, str) and len(secret) >= MIN_SECRET and secret not in self._secrets:
                self._secrets[secret] = None
                self.version += 1

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._secrets))


def _scheme_and_secret(value: str, secrets: set[str]) -> bool:
    """An auth header's value, a scheme and a secret of its own (`Bearer <key>`)."""
    words = value.split()
    return len(words) > 1 and words[-1] in secrets


def _found(content: bytes, lowered: bytes, by_anchor: dict[tuple[bytes, bool], list[Spelling]],
           present: set[bytes]) -> Iterator[tuple[int, int]]:
    """Where the spellings are whose anchor `content` holds (a `folded` one's, in `lowered`;
    `present`: the anchors, lowered, that `lowered` holds, a superset of those)."""
    for (anchor, folded), group in by_anchor.items():
        if (not anchor or anchor.lower() in present) and anchor in (lowered if folded else content):
            for spelling in group:
                yield from spelling.spans(content, lowered)


def _masked(content: bytes, spans: list[tuple[int, int]]) -> bytes:
    """`content` with each span (overlapping or touching ones as one) replaced by the mask."""
    parts: list[bytes] = []
    kept = 0
    for start, end in sorted(spans):
        if parts and start <= kept:  # overlaps or touches the span before: masked with it
            kept = max(kept, end)
            continue
        parts += [content[kept:start], MASK]
        kept = end
    return b"".join([*parts, content[kept:]])
