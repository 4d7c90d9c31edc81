"""Shared, defensive helpers for turning provider JSON into the common model.

Every helper accepts *any* JSON value (wrong types, nulls, lists where dicts were
expected) and degrades to None / empty instead of raising. Parsers wrap their
bodies in `parsing(provider)` so that whatever slips through still surfaces as one
`ProviderError(kind="parse")` and never as a TypeError in the UI.
"""

from __future__ import annotations

import functools
import json
import marshal
import math
from collections.abc import Callable, Hashable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Generic, ParamSpec, TypeVar

import orjson

from runtui.errors import ProviderError
from runtui.model import Cost, Run, Status, id_is_unaddressable

P = ParamSpec("P")
T = TypeVar("T")
V = TypeVar("V")

MAX_ERROR = 500  # last_error / step error shown in tables
SHOWN_ID = 40  # characters of a refused id an error shows
MAX_DEPTH = 64  # nesting we follow in trees (Wexa task nodes) before giving up on children


def parse_error(provider: str, message: str) -> ProviderError:
    return ProviderError(message, provider=provider, kind="parse")


def parsing(provider: str) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Decorator: any exception but ProviderError becomes ProviderError(kind="parse")."""

    def wrap(fn: Callable[P, T]) -> Callable[P, T]:
        @functools.wraps(fn)
        def inner(*args: P.args, **kwargs: P.kwargs) -> T:
            try:
                return fn(*args, **kwargs)
            except ProviderError:
                raise
            except Exception as exc:  # the safety net: parsers never leak other errors
                raise parse_error(provider, f"unexpected answer shape ({type(exc).__name__})") from None

        return inner

    return wrap


# ---- parsing only what changed ---------------------------------------------------------


class _Memo(Generic[V]):
    """Values by key, each with the fingerprint of what it was built from.

    Bounded: past `limit` keys, the one stored longest ago goes first.
    """

    __slots__ = ("_items", "hits", "limit", "misses")

    def __init__(self, limit: int) -> None:
        self._items: dict[Hashable, tuple[int, V]] = {}
        self.limit = limit
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._items)

    def _get(self, key: Hashable, fingerprint: int, build: Callable[[], V]) -> V:
        hit = self._items.get(key)
        if hit is not None and hit[0] == fingerprint:
            self.hits += 1
            return hit[1]
        self.misses += 1
        value = build()  # raises before anything is remembered
        self._items.pop(key, None)
        if len(self._items) >= self.limit:
            del self._items[next(iter(self._items))]  # dicts keep insertion order
        self._items[key] = (fingerprint, value)
        return value


class ParseMemo(_Memo[Run]):
    """The run last built from each list item, so an unchanged item is not parsed again.

    Watching re-reads the same items every few seconds; almost all of them are
    equal to last time. An item is remembered by its id and a fingerprint (the
    hash of its JSON bytes as orjson writes them: under 1 us for a 2 KB item, a
    tenth of parsing it; 64 bits, so a false match is not a practical risk),
    not the raw dict: ~150 bytes per run instead of ~3 KB.
    """

    __slots__ = ()

    def __init__(self, limit: int = 200_000) -> None:
        super().__init__(limit)

    def run(self, item: dict[str, Any], key: Hashable | None,
            build: Callable[[dict[str, Any]], Run]) -> Run:
        if key is None:
            return build(item)  # no usable id: nothing to remember it by
        try:
            # Equal bytes mean equal JSON values; the reverse may fail (key order),
            # which only costs a parse. orjson writes a 2 KB item in half marshal's time;
            # it refuses integers past 64 bits (the stdlib decoded those): marshal then.
            fingerprint = hash(orjson.dumps(item))
        except orjson.JSONEncodeError:
            try:
                fingerprint = hash(marshal.dumps(item))
            except (RecursionError, ValueError):  # absurdly deep: just parse it
                return build(item)
        return self._get(key, fingerprint, lambda: build(item))


class PageMemo(_Memo[Any]):
    """What each list request built last time, so a byte-identical answer is not even decoded.

    Most polls of a quiet account get back exactly the bytes they got last time;
    hashing them (~50 us for 100 KB) spares decoding the JSON and fingerprinting
    every item (~1.5 ms for a 100 KB Wexa page). What `build` returns is shared
    between the calls, so callers must not change it.
    """

    __slots__ = ()

    def __init__(self, limit: int = 256) -> None:
        super().__init__(limit)

    def page(self, key: Hashable, content: bytes, build: Callable[[], T]) -> T:
        value: T = self._get(key, hash(content), build)
        return value


def raw_id(item: Mapping[str, Any], keys: Iterable[str]) -> str | int | None:
    """The first id-looking value, untouched: a memo key, not the parsed id."""
    for key in keys:
        value = item.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool):
            return value
    return None


# ---- plain value accessors -------------------------------------------------------------


def as_dict(value: Any) -> dict[str, Any]:
    """The value if it is a JSON object (keys made str), else {}. Never copies a JSON dict."""
    if type(value) is dict:  # what json.loads builds: str keys already, nothing to copy
        return value
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items()}
    return {}


def as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def dicts(value: Any) -> list[dict[str, Any]]:
    """Items of a list that are objects; anything else is skipped."""
    return [as_dict(item) for item in as_list(value) if isinstance(item, Mapping)]


def dig(value: Any, *path: str) -> Any:
    node = value
    for part in path:
        if type(node) is not dict and not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


def at(value: Any, path: str) -> Any:
    """`dig` along a dotted path. A plain key of a JSON object, the usual case when
    parsing list pages (tens of look-ups per run), skips the split and the ABC check."""
    if type(value) is dict and "." not in path:
        return value.get(path)
    return dig(value, *path.split("."))


def text(value: Any) -> str | None:
    """A non-empty string (numbers become strings); None for everything else."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and math.isfinite(value):
        return repr(value)
    return None


def first_text(obj: Any, *paths: str) -> str | None:
    """First non-empty string at any dotted path."""
    plain = type(obj) is dict
    for path in paths:
        value = obj.get(path) if plain and "." not in path else at(obj, path)
        if value is not None:
            found = text(value)
            if found is not None:
                return found
    return None


def ident(obj: Any, *keys: str) -> str | None:
    """An id: a non-empty string or an integer at the first of `keys` that has one."""
    plain = type(obj) is dict
    for key in keys:
        value = obj.get(key) if plain and "." not in key else at(obj, key)
        if value is None:
            continue
        if isinstance(value, str):
            stripped = value.strip()
            if stripped:
                return stripped
        elif isinstance(value, int) and not isinstance(value, bool):
            return str(value)
    return None


def addressable(found: str | None) -> str | None:
    """`found`, or None when no request could name it: a workflow or schedule with such an
    id is left out as one with no id is (its pause would fail on our own refusal)."""
    return None if found is None or id_is_unaddressable(found) else found


def run_ident(provider: str, found: str | None, missing: str) -> str:
    """A run's id as parsed (`ident`), or a parse error: `missing` when there is none, and
    one when no request could name it (a `/`, a line break, 10 KB...).

    Such a run, listed, was a row that could never be read, acted on or followed: the
    watcher's read of it failed on our own refusal, and that refusal became the whole
    profile's health ("error: invalid id"), with polling backing off. A list page skips
    an item whose parse fails, as it skips one without an id; a single read fails."""
    if found is None:
        raise parse_error(provider, missing)
    if id_is_unaddressable(found):
        shown = found if len(found) <= SHOWN_ID else found[:SHOWN_ID] + "…"
        raise parse_error(provider, f"a run whose id no request can name ({shown!r}, "
                                    f"{len(found):,} characters)")
    return found


def number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            result = float(value)
        except OverflowError:
            return None
        return result if math.isfinite(result) else None
    if isinstance(value, str):
        try:
            result = float(value.strip())
        except ValueError:
            return None
        return result if math.isfinite(result) else None
    return None


def truncate(value: str | None, limit: int = MAX_ERROR) -> str | None:
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    return value if len(value) <= limit else value[: limit - 1] + "…"


def message_of(value: Any, *, keys: Iterable[str] = ("message", "msg", "detail", "error", "label")
               ) -> str | None:
    """Best-effort human text of an error value: a string, an object or a list of them."""
    if value is None or value == []:  # what most runs carry: no error
        return None
    keys = tuple(keys)
    return _message_of(value, keys, 0)


def _message_of(value: Any, keys: tuple[str, ...], depth: int) -> str | None:
    if depth > 8:
        return None
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if type(value) is dict or isinstance(value, Mapping):
        for key in keys:
            found = _message_of(value.get(key), keys, depth + 1)
            if found:
                return found
        return None
    if isinstance(value, list | tuple):
        parts = [p for p in (_message_of(v, keys, depth + 1) for v in value[:20]) if p]
        return "; ".join(parts) or None
    return None


def to_jsonable(value: Any) -> Any:
    """JSON-safe copy for outputs/raw (keeps non-finite floats out of `--json`)."""
    try:
        return json.loads(json.dumps(value, allow_nan=False, default=str))
    except (TypeError, ValueError, RecursionError):
        return None


# ---- times -----------------------------------------------------------------------------


def parse_time(value: Any) -> datetime | None:
    """Epoch seconds (or milliseconds when > 1e11), ISO 8601 with Z/offset; naive → UTC."""
    if value is None:
        return None
    kind = type(value)
    if kind is str:
        # The usual ISO text ("2026-12-04T10:00:00.123Z", "-" at [4]) straight to the C
        # parser, which takes "Z" since Python 3.11; anything it refuses goes the long way.
        if value[4:5] == "-" and len(value) <= 64:
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:
                pass
            else:
                return _utc(parsed)
    elif kind is float or kind is int:
        return _from_epoch(value)
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _from_epoch(float(value))
    if not isinstance(value, str):
        return None
    raw = value.strip()
    if not raw or len(raw) > 64:
        return None
    # An ISO date has "-" at [4] ("2026-"), which no number has unless an exponent is
    # before it ("123e-5"): skip the float() that would fail, the costly part of a time.
    epoch = number(raw) if raw[4:5] != "-" or raw[3:4] in "eE" else None
    if epoch is not None:
        return _from_epoch(epoch)
    if raw[-1] in "zZ":
        raw = raw[:-1] + "+00:00"
    elif raw[-4:].upper() in (" UTC", " GMT"):
        raw = raw[:-4] + "+00:00"
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return _utc(parsed)


def _utc(parsed: datetime) -> datetime | None:
    """A parsed time in UTC (naive ones are taken as UTC already), or None for the year 1
    or 9999: Go's zero time ("0001-01-01T00:00:00Z") is how many servers say "not yet",
    and neither year can be shown in every zone (astimezone raised OverflowError west of
    Greenwich in the detail, the steps and the log view). Epoch times never reach them."""
    if not 1 < parsed.year < 9999:
        return None
    tz = parsed.tzinfo
    if tz is UTC:
        return parsed
    if tz is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def _from_epoch(value: float) -> datetime | None:
    if not math.isfinite(value) or value < 0:
        return None
    if value > 1e14:  # microseconds
        value /= 1e6
    elif value > 1e11:  # milliseconds
        value /= 1e3
    try:
        return datetime.fromtimestamp(value, UTC)  # positional: 0.61 us, by keyword 0.98
    except (OverflowError, OSError, ValueError):
        return None


def first_time(obj: Any, *keys: str) -> datetime | None:
    plain = type(obj) is dict
    for key in keys:
        value = obj.get(key) if plain and "." not in key else at(obj, key)
        if value is not None:
            found = parse_time(value)
            if found is not None:
                return found
    return None


# ---- statuses --------------------------------------------------------------------------


def raw_status(value: Any) -> str | None:
    """The provider's status string as sent (numbers tolerated), or None."""
    if isinstance(value, str):
        return value.strip() or None
    return text(value)


def map_status(raw: str | None, table: Mapping[str, Status],
               contains: Iterable[tuple[str, Status]] = ()) -> Status:
    """Case-insensitive table look-up, then substring rules; UNKNOWN otherwise."""
    if raw is None:
        return Status.UNKNOWN
    key = raw.strip().lower()
    if key in table:
        return table[key]
    for needle, status in contains:
        if needle in key:
            return status
    return Status.UNKNOWN


def cost(amount: Any, unit: str) -> Cost | None:
    if amount is None:  # most of the names a parser tries are absent
        return None
    value = number(amount)
    if value is None or value < 0:
        return None
    return Cost(amount=value, unit=unit)
