"""Wexa's inbox (human in the loop), as the SDK 0.1.16 reads and answers it.

Routes: `GET /inbox?projectID=&limit=&status=&type=&after_id=&view=ui` lists
items; `POST /inbox/update/runtime_input|anomaly_detection|preview/{execution_id}
?projectID=` answers one. Wexa publishes no schema for an item, so every field
is read defensively (several spellings, any envelope) and an item this parser
cannot tie to an execution is skipped rather than guessed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec

from runtui.model import HumanRequest
from runtui.providers import parse as p

NAME = "wexa"
INPUT = "runtime_input"
ANOMALY = "anomaly_detection"
PREVIEW = "preview"
TYPES = (INPUT, ANOMALY, PREVIEW)
NOTE = "Wexa publishes no schema for inbox items: fields are read as the server sends them."
_DEFAULT_TITLE = {INPUT: "the agent asks for input", ANOMALY: "an anomaly waits for approval",
                  PREVIEW: "a preview waits for approval"}


def _items(body: Any) -> list[dict[str, Any]]:
    if isinstance(body, list):
        return p.dicts(body)
    for key in ("data", "items", "inbox", "results"):
        found = p.dig(body, key)
        if isinstance(found, list):
            return p.dicts(found)
        if isinstance(found, dict):
            return _items(found)
    return []


def page_cursor(body: Any) -> tuple[int, str | None]:
    """How many items a page of `GET /inbox` holds and the last one's id: the
    `after_id` of the next page (the raw item, whether or not it parses)."""
    items = _items(body)
    last = p.first_text(items[-1], "_id", "id") if items else None
    return len(items), last


def _fields(obj: dict[str, Any]) -> tuple[dict[str, Any], ...]:
    """Input fields from any of the spellings seen; each as the execute form's field shape."""
    raw = p.dig(obj, "runtime_input", "fields")
    for spelling in ("fields", "input_fields", "runtime_input", "variables"):
        if isinstance(raw, list):
            break
        raw = obj.get(spelling)
    fields: list[dict[str, Any]] = []
    for spec in p.dicts(raw if isinstance(raw, list) else []):
        key = p.first_text(spec, "name", "key", "id")
        if not key:
            continue
        field: dict[str, Any] = {"key": key, "type": p.text(spec.get("type")) or "string",
                                 "required": spec.get("required") is True}
        label = p.first_text(spec, "label", "title")
        if label:
            field["label"] = label
        description = p.first_text(spec, "description", "help")
        if description:
            field["description"] = description
        if "default" in spec:
            field["default"] = p.to_jsonable(spec["default"])
        fields.append(field)
    return tuple(fields)


def parse_inbox(body: Any, profile: str, *, pending_only: bool = True) -> list[HumanRequest]:
    """Answerable items: each tied to an execution and of a type the SDK can answer."""
    found: list[HumanRequest] = []
    for obj in _items(body):
        kind = (p.first_text(obj, "type", "inbox_type", "item_type") or "").lower()
        execution = p.first_text(obj, "execution_id", "executionId", "execution_flow_id")
        status = (p.first_text(obj, "status") or "pending").lower()
        if kind not in TYPES or not execution or (pending_only and status != "pending"):
            continue
        agent = p.first_text(obj, "agent_id", "agentId") or ""
        title = p.first_text(obj, "title", "summary", "message", "name") or _DEFAULT_TITLE[kind]
        context: dict[str, Any] = {"type": kind, "agent_id": agent}
        preview = p.to_jsonable(obj.get("preview_input")) if kind == PREVIEW else None
        if isinstance(preview, dict):
            context["initial"] = preview  # the draft, editable before it is approved
        # A rejected anomaly or preview ends the execution (cancelled, as the simulator
        # reads Wexa): the work done so far is lost, so the form asks before it rejects.
        found.append(HumanRequest(
            run_id=execution, profile=profile, provider=NAME, title=title,
            fields=_fields(obj) if kind == INPUT else (),
            free_form=(kind == INPUT and not _fields(obj)) or isinstance(preview, dict),
            can_reject=kind != INPUT, reject_ends_run=kind != INPUT,
            ref=p.first_text(obj, "_id", "id") or "", note=NOTE, context=context))
    return found


def answer_body(request: HumanRequest, *, approve: bool,
                values: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The route's type segment and the body the SDK sends for this answer."""
    kind = str(request.context.get("type", INPUT))
    agent = str(request.context.get("agent_id", ""))
    if kind == INPUT:
        return kind, {"is_submitted": True, "values": values, "agent_id": agent}
    if kind == ANOMALY:
        return kind, {"is_approved": approve}
    preview = values or request.context.get("initial") or {}
    return kind, {"agent_id": agent, "is_approved": approve, "preview_input": preview}


# ---- paging: every pending item, at a bounded cost per read -------------------------------

INBOX_PAGE = 100  # items a page, as the SDK asks
PAGES_PER_READ = 50  # pages read at most in one call (5,000 items); a longer inbox is read on
FULL_EVERY = 60.0  # seconds between two reads past the first page: deeper items are older ones


def _key(request: HumanRequest) -> str:
    return request.ref or request.run_id


def merge_segment(known: list[HumanRequest], segment: list[HumanRequest], after: str | None,
                  to_end: bool) -> list[HumanRequest]:
    """`known` (the inbox as read so far, newest first) with `segment`, read just now after
    the item whose key is `after` (None: from the top), in place of the part of `known` it
    covers.

    The list only grows at its top and loses answered items, so the order of the items
    that stay holds: an item of `known` between `after` and the segment's last item
    (or anywhere after `after` when the segment reached the end) is no longer pending.
    """
    keys = [_key(r) for r in known]
    fresh = {_key(r) for r in segment}
    if after is None:
        start = 0
    elif after in keys:
        start = keys.index(after) + 1
    else:  # the cursor itself was dropped by a read in between: add, drop nothing
        return known + [r for r in segment if _key(r) not in set(keys)]
    if to_end:
        end = len(known)
    else:
        covered = [i for i in range(start, len(known)) if keys[i] in fresh]
        end = covered[-1] + 1 if covered else start
    return ([r for r in known[:start] if _key(r) not in fresh] + segment
            + [r for r in known[end:] if _key(r) not in fresh])


# The next page's `after_id` (the raw last item's id, whether or not it parsed), and the
# key of the last item read that did parse: where in `known` that page goes.
_Cursor = tuple[str | None, str | None]
Fetch = Callable[[str | None], Awaitable[Any]]  # one page of `GET /inbox` after that item id


class InboxPages(msgspec.Struct):
    """Every pending inbox item, read page by page (`after_id`) and kept between calls.

    Each call reads the first page (the newest items, where new questions arrive); every
    `FULL_EVERY` seconds it also reads on, at most `PAGES_PER_READ` pages, and a read cut
    there goes on from where it stopped at the next call, so the oldest items (the longest
    waits) are read too, and the cost of a read stays bounded however long the inbox is.
    """

    profile: str
    known: list[HumanRequest] = msgspec.field(default_factory=list)
    resume_after: _Cursor | None = None  # where a cut read goes on; None: it reached the end
    read_all_once: bool = False  # a read has reached the end: no pending item was left unread
    last_full: float | None = None
    # One read at a time: the attention poll and an answer form's lookup may ask at once,
    # and two reads interleaving their pages would merge against each other's cursor.
    lock: asyncio.Lock = msgspec.field(default_factory=asyncio.Lock)

    def note(self) -> str | None:
        """What the faces say while the oldest items are not read yet, else None."""
        if self.read_all_once or self.last_full is None:
            return None
        return (f"{len(self.known):,} inbox items of {self.profile} read, the oldest not yet "
                f"(read {PAGES_PER_READ * INBOX_PAGE:,} at a time)")

    def forget(self, run_id: str) -> None:
        """An item answered from here is gone at once, not at the next deep read."""
        self.known = [r for r in self.known if r.run_id != run_id]

    async def read(self, fetch: Fetch, now: float) -> list[HumanRequest]:
        async with self.lock:
            return await self._read(fetch, now)

    async def _read(self, fetch: Fetch, now: float) -> list[HumanRequest]:
        deep = self.last_full is None or self.resume_after is not None or now - self.last_full >= FULL_EVERY
        cursor: _Cursor = (None, None)
        pages = 0
        if deep and self.resume_after is not None:
            await self._page(fetch, (None, None))  # the newest first: where new questions arrive
            cursor = self.resume_after
        while True:
            full, cursor = await self._page(fetch, cursor)
            pages += 1
            if not full or cursor[0] is None:
                self.resume_after = None
                self.read_all_once = True
                break
            if not deep:
                break
            if pages >= PAGES_PER_READ:
                self.resume_after = cursor
                break
        if deep:
            self.last_full = now
        return list(self.known)

    async def _page(self, fetch: Fetch, cursor: _Cursor) -> tuple[bool, _Cursor]:
        """Read the page after `cursor` into `known`; (it was full, the cursor after it)."""
        after, anchor = cursor
        body = await fetch(after)
        count, last = page_cursor(body)
        segment = parse_inbox(body, self.profile)
        full = count >= INBOX_PAGE
        self.known = merge_segment(self.known, segment, anchor if after is not None else None,
                                   to_end=not full)
        return full, (last, _key(segment[-1]) if segment else anchor)

