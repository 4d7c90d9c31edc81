"""The run table's rows and the search index that filters them without touching them.

Filtering 50,000 rows on every keystroke must not visit 50,000 Python objects:
at that size, reading one attribute of every row costs more (the rows are
scattered in memory) than the whole rest of a keystroke. So the index keeps,
in display order (parallel to the table's `_order`), what the filters need in
two flat arrays:

* `codes`, 10 bytes per row (`WIDTH`): a 16-bit code for each *group* of the
  row's searchable fields that has few distinct values (status, raw status
  and "partial"; profile and provider; workflow name; workflow id), and the
  status index;
* `ids`, the lower-cased run ids (the one field with a distinct value per row),
  fresh copies allocated in display order: a scan reads them in memory order.

A filter is then a few C-level passes over bytes: `bytes.translate` maps the
low bytes of a group's codes through a 256-byte table (1 where that code's
text contains the needle, or has the wanted profile, or is an active status),
once per high byte in use (one pass while a group has at most 256 values),
lanes are OR-ed or AND-ed as big integers, and only rows none of whose groups
match have their id searched. The result is a mask, one byte (0 or 1) per row
in display order.

Typing a filter narrows it: each key's terms imply the last key's (a longer word, one
more word), so only the rows the last mask kept can pass, and the search starts from
that mask (only their ids are read). The last few masks are kept until the rows
change, so a backspace returns to a mask already made. Between keystrokes (after
the frame), every id holding each word is found and kept (`prefetch`): the first
letter usually matches most rows through their profile or status, which left every
id to be read for the second; only the ids that hold the first can hold the second.

A group that sees more than 65,535 distinct values gives its newer ones the
code `OVERFLOW`: those rows are checked one by one (slower, same answer).

The search semantics are those of `haystack`: a case-insensitive substring of
the fields joined with NULs. A needle without a NUL cannot span two fields, so
"one of the groups or the id contains it" is the same test.
"""

from __future__ import annotations

from array import array
from collections import Counter, OrderedDict
from collections.abc import Callable
from datetime import datetime, timedelta
from itertools import compress, repeat
from operator import attrgetter, contains
from typing import Any

from textual.strip import Strip

from runtui.engine.store import Key
from runtui.model import ACTIVE, Run, Status
from runtui.tui.widgets.run_filter import Term, field_texts, names_common, recent, status_hit

STATUSES: tuple[Status, ...] = tuple(Status)
STATUS_INDEX: dict[int, int] = {id(status): i for i, status in enumerate(STATUSES)}
"""Status index by `id(status)`: enum members hash in Python, ids and ints in C."""
ACTIVE_BY_INDEX: tuple[bool, ...] = tuple(status in ACTIVE for status in STATUSES)

WIDTH = 10  # bytes per row in `SearchIndex.codes`
# Where each lane starts in a row's bytes: the groups' 16-bit codes (low byte first), then the
# status index (and one spare byte).
STATUS_LANE, PROFILE_LANE, WORKFLOW_NAME_LANE, WORKFLOW_ID_LANE, STATUS_INDEX_LANE = 0, 2, 4, 6, 8
GROUPS = (STATUS_LANE, PROFILE_LANE, WORKFLOW_NAME_LANE, WORKFLOW_ID_LANE)
OVERFLOW = 0xFFFF  # a group code meaning "too many distinct values: check the row itself"

_OVER_TABLE = bytes(255) + b"\x01"  # 1 where a code byte is 0xff (both bytes: OVERFLOW)
_HIDE_TABLE = b"\xff" + bytes(255)  # mask byte 0 (hidden) -> 0xff, 1 (shown) -> 0
_ACTIVE_TABLE = bytes(ACTIVE_BY_INDEX).ljust(256, b"\0")
_MEMO_LIMIT = 1024  # field combinations remembered (~150 B each) with their shared code bytes
MASKS_KEPT = 8  # filter masks kept for narrowing and backspace (one byte per row each)
WORDS_KEPT = 4  # words whose ids are kept (`_Holding`: up to ~12 bytes per row each)

MaskKey = tuple[tuple[Term, ...], bool, str | None]  # terms, active only, profile

RUN = attrgetter("run")
STATUS_INDEX_OF = attrgetter("status_index")
SORT_VALUE_OF = attrgetter("sort_value")
_ROW_CODE_OF = attrgetter("row_code")
_SEARCH_ID_OF = attrgetter("search_id")


def _lower(text: str) -> str:
    """`text` lower-cased, the same string when it already is (no copy kept per row)."""
    lowered = text.lower()
    return text if lowered == text else lowered


def haystack(run: Run) -> str:
    """What the filter searches in a run (the reference the index must agree with)."""
    return "\0".join(
        (
            run.profile,
            run.provider,
            run.id,
            run.workflow_name or "",
            run.workflow_id or "",
            run.status.value,
            run.raw_status or "",
            "partial" if run.partial else "",
        )
    ).lower()


class Row:
    """One run and what the table derives from it.

    `strip`, `cstrip` and `times` are the rendered line (as a plain row and as
    the cursor row) and the clock texts it was rendered with; only rows drawn
    recently have them (see `RunTable._remember`).
    """

    __slots__ = ("cstrip", "key", "row_code", "run", "search_id", "seq", "sort_value", "status_index",
                 "strip", "times", "until")

    def __init__(self, run: Run, index: SearchIndex) -> None:
        self.key: Key = run.key
        self.sort_value: Any = None  # primary sort value for the table's current sort column
        self.seq = 0  # arrival number: ties sort in arrival order
        self.strip: Strip | None = None
        self.cstrip: Strip | None = None  # as the cursor row
        self.times: tuple[str, ...] = ()  # clock-dependent texts the strips were rendered with
        self.until = 0.0  # epoch seconds before which `times` cannot change (0: unknown)
        self.set_run(run, index)

    def set_run(self, run: Run, index: SearchIndex) -> None:
        self.run = run
        self.until = 0.0
        self.status_index: int = STATUS_INDEX[id(run.status)]
        self.row_code: bytes = index.code(run, self.status_index)
        # The id as the filter searches it, kept here so that rebuilding the index after a
        # sort reads the rows only, not each row's run as well (half the misses of it).
        self.search_id: str = _lower(run.id)


class _Holding:
    """Every row whose id holds a word: their places, their ids, and the mask of them."""

    __slots__ = ("ids", "mask", "places")

    def __init__(self, places: array[int], ids: list[str], mask: int) -> None:
        self.places = places
        self.ids = ids
        self.mask = mask


class SearchIndex:
    """Group codes and lower-cased ids of the table's rows, in display order."""

    LIMIT = OVERFLOW  # distinct values a group codes before it overflows (tests lower it)

    def __init__(self) -> None:
        # Per group (in GROUPS order): the code of each value, and the text of each code
        # (its fields lower-cased and joined with NULs).
        self._codes: tuple[dict[Any, int], ...] = ({}, {}, {}, {})
        self.texts: tuple[list[str], ...] = ([], [], [], [])
        self.pp_profile: list[str] = []  # the profile of each profile-group code
        self.overflowed: set[int] = set()  # lanes where some row got OVERFLOW
        self._memo: dict[tuple[Any, ...], bytes] = {}
        # Parallel to the table's `_order` while `valid`.
        self.codes = bytearray()
        self.ids: list[str] = []
        self.valid = True
        self._masks: OrderedDict[MaskKey, bytes] = OrderedDict()  # masks of the current arrays
        self._holding: OrderedDict[str, _Holding] = OrderedDict()  # word -> the ids holding it

    # ---------------------------------------------------------------- codes

    def code(self, run: Run, si: int) -> bytes:
        """The row's code bytes (one shared object per distinct combination, up to a limit).

        Runs once per new or changed run: kept to dict lookups (no call) when the
        combination or each group's value is known.
        """
        raw, partial, profile, provider = run.raw_status, run.partial, run.profile, run.provider
        name, wid = run.workflow_name, run.workflow_id
        memo_key = (si, raw, partial, profile, provider, name, wid)
        row_code = self._memo.get(memo_key)
        if row_code is not None:
            return row_code
        st_codes, pp_codes, wn_codes, wi_codes = self._codes
        st = st_codes.get((si, raw, partial))
        if st is None:
            st = self._add(0, (si, raw, partial), run.status.value, raw, "partial" if partial else "")
        pp = pp_codes.get((profile, provider))
        if pp is None:
            pp = self._add(1, (profile, provider), profile, provider)
        wn = wn_codes.get(name)
        if wn is None:
            wn = self._add(2, name, name)
        wi = wi_codes.get(wid)
        if wi is None:
            wi = self._add(3, wid, wid)
        row_code = bytes((st & 255, st >> 8, pp & 255, pp >> 8, wn & 255, wn >> 8, wi & 255, wi >> 8, si, 0))
        if len(self._memo) < _MEMO_LIMIT:
            self._memo[memo_key] = row_code
        return row_code

    def _add(self, group: int, key: Any, *fields: str | None) -> int:
        """A new value of a group: its code (or OVERFLOW when the group is full)."""
        texts = self.texts[group]
        if len(texts) >= self.LIMIT:
            self.overflowed.add(GROUPS[group])
            return OVERFLOW
        code = self._codes[group][key] = len(texts)
        texts.append("\0".join(f or "" for f in fields).lower())
        if group == 1:
            self.pp_profile.append(key[0])
        return code

    # ---------------------------------------------------------------- the arrays, parallel to `_order`

    def rebuild(self, order: list[Row]) -> None:
        self.codes = bytearray(b"".join(map(_ROW_CODE_OF, order)))
        self.ids = list(map(_SEARCH_ID_OF, order))
        self._masks.clear()
        self._holding.clear()
        self.valid = True

    def invalidate(self) -> None:
        """The order was rebuilt: the arrays wait for `rebuild` (until then, edits are skipped)."""
        self.valid = False
        self.codes = bytearray()
        self.ids = []
        self._masks.clear()
        self._holding.clear()

    def forget_masks(self) -> None:
        """Rows changed: the kept masks may no longer say what passes."""
        if self._masks:
            self._masks.clear()

    def insert(self, i: int, rec: Row) -> None:
        if self.valid:
            self.codes[i * WIDTH : i * WIDTH] = rec.row_code
            self.ids.insert(i, rec.search_id)
            self._holding.clear()  # kept by place: every place below moved
            self.forget_masks()

    def delete(self, i: int) -> None:
        if self.valid:
            del self.codes[i * WIDTH : (i + 1) * WIDTH]
            del self.ids[i]
            self._holding.clear()
            self.forget_masks()

    def recode(self, i: int, rec: Row) -> None:
        """The row at `i` has new codes (its run changed, its place did not)."""
        if self.valid:
            self.codes[i * WIDTH : (i + 1) * WIDTH] = rec.row_code
            self.forget_masks()

    # ---------------------------------------------------------------- filtering

    def matches(self, rec: Row, terms: tuple[Term, ...], now: datetime) -> bool:
        """Whether the row passes every term, from the group texts (no string built)."""
        row_code = rec.row_code
        codes = [row_code[k] | row_code[k + 1] << 8 for k in GROUPS]
        exact = OVERFLOW in codes
        texts = self.texts
        for term in terms:
            needle = term.text
            if term.field == "since":
                if term.age is None or not recent(rec.run, term.age, now):
                    return False
            elif term.field == "status":
                if not status_hit(field_texts(rec.run)["status"], needle):
                    return False
            elif term.field != "any":
                if needle not in field_texts(rec.run)[term.field]:
                    return False
            elif "\0" in needle or exact:
                if needle not in haystack(rec.run):
                    return False
            elif not (needle in rec.search_id
                      or any(needle in texts[g][c] for g, c in enumerate(codes))):
                return False
        return True

    def select(
        self,
        order: list[Row],
        terms: tuple[Term, ...],
        active_only: bool,
        profile: str | None,
        passes: Callable[[Row], bool],
        now: datetime,
    ) -> bytes:
        """One byte per row of `order`: 1 if it passes the filters (every term, AND-ed).
        `passes` is the one-row test (for rows whose codes cannot tell)."""
        if not self.valid:
            self.rebuild(order)
        n = len(order)
        if not n:
            return b""
        key: MaskKey = (terms, active_only, profile)
        timeless = all(t.field != "since" for t in terms)  # else the clock changes the answer
        if timeless and (kept := self._masks.get(key)) is not None:
            self._masks.move_to_end(key)
            return kept
        codes = self.codes
        ones = int.from_bytes(b"\x01" * n, "little")
        within = self._narrowed_from(key) if timeless else None
        keep = ones if within is None else int.from_bytes(within, "little")
        slow = 0  # rows to test one by one
        for k in self.overflowed:
            slow |= _lane(codes, k, _OVER_TABLE) & _lane(codes, k + 1, _OVER_TABLE)
        slow &= keep
        if profile is not None:
            keep &= _group(codes, PROFILE_LANE, bytes(p == profile for p in self.pp_profile))
        if active_only:
            keep &= _lane(codes, STATUS_INDEX_LANE, _ACTIVE_TABLE)
        for term in terms:
            if not keep:
                break
            keep &= self._term_mask(order, codes, term, keep & (ones ^ slow), ones, now)
        if any(t.field == "any" and "\0" in t.text for t in terms):
            slow = ones if within is None else int.from_bytes(within, "little")
        if slow:
            keep &= ones ^ slow
            found = bytearray(keep.to_bytes(n, "little"))
            for i in compress(range(n), slow.to_bytes(n, "little")):
                if passes(order[i]):
                    found[i] = 1
            mask = bytes(found)
        else:
            mask = keep.to_bytes(n, "little")
        if timeless:
            self._masks[key] = mask
            if len(self._masks) > MASKS_KEPT:
                self._masks.popitem(last=False)
        return mask

    def _narrowed_from(self, key: MaskKey) -> bytes | None:
        """A kept mask that every row passing `key` is in (the newest such), if any."""
        terms, active_only, profile = key
        for (old_terms, old_active, old_profile), mask in reversed(self._masks.items()):
            if old_active and not active_only:
                continue
            if old_profile is not None and old_profile != profile:
                continue
            if all(any(new.field == old.field and old.text in new.text and _narrows(new, old)
                       for new in terms) for old in old_terms):
                return mask
        return None

    def _term_mask(self, order: list[Row], codes: bytearray, term: Term, open_rows: int,
                   ones: int, now: datetime) -> int:
        """Rows one term keeps (as a mask int); `open_rows`: those still in (only their ids
        are searched when no group matches)."""
        needle = term.text
        n = len(order)
        if term.field == "since":
            age = term.age or timedelta(0)
            return int.from_bytes(bytes(recent(rec.run, age, now) for rec in order), "little")
        if term.field == "status":
            return _group(codes, STATUS_LANE, bytes(status_hit(text, needle) for text in self.texts[0]))
        if term.field == "profile":
            return _group(codes, PROFILE_LANE, bytes(needle in p.lower() for p in self.pp_profile))
        if term.field == "workflow":
            return (_group(codes, WORKFLOW_NAME_LANE, bytes(map(contains, self.texts[2], repeat(needle))))
                    | _group(codes, WORKFLOW_ID_LANE, bytes(map(contains, self.texts[3], repeat(needle)))))
        meta = 0
        for k, texts in zip(GROUPS, self.texts, strict=True):
            meta |= _group(codes, k, bytes(map(contains, texts, repeat(needle))))
        unknown = open_rows & (ones ^ meta)  # rows none of whose groups match: their id decides
        if unknown:
            meta |= self._id_hits(unknown, n, needle)
        return meta

    def _id_hits(self, unknown: int, n: int, needle: str) -> int:
        """Of the rows marked in `unknown` (a mask int), those whose id contains `needle`.

        From the ids kept for the word itself, else for a shorter word inside it (only
        they can hold it; `prefetch`), else by testing ids: for most of the rows every
        id, the answer masked, since picking the rows out and putting the answers back
        cost more than the tests it saved (7.2 against 5.0 ms for 88% of 50,000 ids)."""
        held = self._holding.get(needle)
        if held is not None:
            return held.mask & unknown
        part = self._held_part(needle)
        if part is not None and len(part.ids) * 2 < unknown.bit_count():
            return self._search_held(part, n, needle).mask & unknown
        if part is not None:
            unknown &= part.mask
        if unknown.bit_count() * 2 > n:
            return int.from_bytes(bytes(map(contains, self.ids, repeat(needle))), "little") & unknown
        rows = unknown.to_bytes(n, "little")
        found = bytes(map(contains, compress(self.ids, rows), repeat(needle)))
        if not found.count(1):
            return 0
        hits = bytearray(len(rows))
        for i in compress(compress(range(len(rows)), rows), found):
            hits[i] = 1
        return int.from_bytes(hits, "little")

    def _held_part(self, needle: str) -> _Holding | None:
        """The kept ids of the longest word inside `needle` (only they can hold it)."""
        best: str | None = None
        for word in self._holding:
            if word in needle and (best is None or len(word) > len(best)):
                best = word
        return None if best is None else self._holding[best]

    def _search_held(self, part: _Holding, n: int, needle: str) -> _Holding:
        """Every row whose id holds `needle`, read from the rows holding a part of it."""
        found = bytes(map(contains, part.ids, repeat(needle)))
        places = array("I", compress(part.places, found))
        hits = bytearray(n)
        for i in places:
            hits[i] = 1
        return _Holding(places, list(compress(part.ids, found)), int.from_bytes(hits, "little"))

    def prefetch(self, terms: tuple[Term, ...]) -> None:
        """Find and keep every id holding each word of `terms`, between keystrokes: the
        next keystroke makes a word longer, and only these ids can hold it."""
        if not self.valid or not self.ids:
            return
        n = len(self.ids)
        for term in terms:
            needle = term.text
            if term.field != "any" or "\0" in needle or needle in self._holding:
                continue
            part = self._held_part(needle)
            if part is not None:
                held = self._search_held(part, n, needle)
            else:
                found = bytes(map(contains, self.ids, repeat(needle)))
                held = _Holding(array("I", compress(range(n), found)), list(compress(self.ids, found)),
                                int.from_bytes(found, "little"))
            self._holding[needle] = held
            if len(self._holding) > WORDS_KEPT:
                self._holding.popitem(last=False)

    def counts(self, mask: bytes) -> Counter[int]:
        """Rows per status index among those the mask shows."""
        if not mask:
            return Counter()
        shown = int.from_bytes(self.codes[STATUS_INDEX_LANE::WIDTH], "little") | int.from_bytes(
            mask.translate(_HIDE_TABLE), "little"
        )
        statuses = shown.to_bytes(len(mask), "little")  # hidden rows read 0xff
        return Counter({si: c for si in range(len(STATUSES)) if (c := statuses.count(si))})


def _lane(codes: bytearray, k: int, table: bytes) -> int:
    """Byte `k` of every row mapped through `table`, as one big integer (row 0 lowest)."""
    return int.from_bytes(codes[k::WIDTH].translate(table), "little")


def _narrows(new: Term, old: Term) -> bool:
    """Whether `new` (whose text holds `old`'s) keeps only rows `old` kept: not when a
    status term grows from a common word's part (`st:c`, the common status) into a
    platform's own (`st:cr`, which finds the CRASHED runs `st:c` left out)."""
    return new.field != "status" or names_common(new.text) == names_common(old.text)


def _group(codes: bytearray, k: int, flags: bytes) -> int:
    """Rows whose 16-bit code in lane `k` has its flag (one byte per code, 0 or 1) set."""
    if len(flags) <= 256:  # every high byte is 0
        return _lane(codes, k, flags.ljust(256, b"\0"))
    out = 0
    for h in range(0, len(flags), 256):
        part = flags[h : h + 256]
        if part.count(1):
            high = bytes(h >> 8) + b"\x01" + bytes(255 - (h >> 8))  # 1 at index h >> 8
            out |= _lane(codes, k, part.ljust(256, b"\0")) & _lane(codes, k + 1, high)
    return out
