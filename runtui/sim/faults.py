"""Fault injection: which fault a request gets, and how a fault looks on the wire.

Faults are decided per request with probability `rate`; the kind is drawn from
the configured kinds that make sense for that route (a `duplicate` only on a
list page, a `lost_response` only on a POST), so narrowing `kinds` in a test
makes the fault land where it is observable.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import random
import threading
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from .config import ALL_FAULT_KINDS

__all__ = ["ALL_FAULT_KINDS", "AbortResponse", "ConnectionAbort", "FaultState", "install_log_filter"]

# kinds that answer before the handler runs
PRE = frozenset({"latency", "429", "500", "502", "503", "timeout", "reset", "html"})
# kinds that change a successful JSON answer
POST_ANY = frozenset({"truncated", "malformed", "wrongtypes"})
POST_RUNS = frozenset({"unknown_status"})
POST_LIST = frozenset({"duplicate", "vanish"})

UNKNOWN_STATUS = {"wexa": "awaiting_approval", "edges": "RETRYING", "b3os": "queued"}

HTML_PAGE = (
    "<!DOCTYPE html>\n<html><head><title>503 Service Temporarily Unavailable</title></head>\n"
    "<body><center><h1>503 Service Temporarily Unavailable</h1></center>"
    "<hr><center>nginx</center></body></html>\n"
)


class ConnectionAbort(Exception):
    """Raised after the response started so the server drops the connection."""


class AbortResponse(Response):
    """Sends the status line and headers, then aborts: the client sees a reset."""

    def __init__(self, status_code: int = 200) -> None:
        super().__init__(content=b"", status_code=status_code)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": self.status_code,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")],
            }
        )
        raise ConnectionAbort("sim fault: connection reset")


class _DropAbort(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not _is_abort(exc)


def _is_abort(exc: BaseException | None) -> bool:
    if isinstance(exc, ConnectionAbort):
        return True
    if isinstance(exc, BaseExceptionGroup):
        return any(_is_abort(e) for e in exc.exceptions)
    return False


def install_log_filter() -> None:
    """Keep injected resets out of uvicorn's error log."""
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _DropAbort) for f in logger.filters):
        logger.addFilter(_DropAbort())


class FaultState:
    """Live fault settings plus their own seeded generator."""

    def __init__(self, rate: float, kinds: tuple[str, ...], seed: int) -> None:
        self.rate = rate
        self.kinds = kinds
        self.rng = random.Random(seed ^ 0xFA17)
        self.counts: dict[str, int] = {}

    def configure(self, rate: float, kinds: tuple[str, ...]) -> None:
        unknown = [k for k in kinds if k not in ALL_FAULT_KINDS]
        if unknown:
            raise ValueError(f"unknown fault kinds: {', '.join(unknown)}")
        if not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be between 0 and 1")
        self.rate = rate
        self.kinds = kinds

    def pick(self, route_kind: str, method: str) -> str | None:
        """Fault kind for this request, or None. route_kind: list|run|action|other|stream."""
        if self.rate <= 0 or not self.kinds or self.rng.random() >= self.rate:
            return None
        usable = [k for k in self.kinds if applicable(k, route_kind, method)]
        if not usable:
            return None
        kind = self.rng.choice(usable)
        self.counts[kind] = self.counts.get(kind, 0) + 1
        return kind


def applicable(kind: str, route_kind: str, method: str) -> bool:
    if kind in PRE:
        return True
    if route_kind == "stream":
        return False
    if kind == "lost_response":
        return method == "POST"
    if kind in POST_ANY:
        return True
    if kind in POST_RUNS:
        return route_kind in ("list", "run", "action")
    if kind in POST_LIST:
        return route_kind == "list"
    return False


async def hold(request: Request, seconds: float, closing: threading.Event) -> None:
    """Hold a request without answering until the client leaves, time is up, or shutdown."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while loop.time() < deadline and not closing.is_set():
        if await request.is_disconnected():
            return
        await asyncio.sleep(0.1)


def _targets(payload: Any) -> list[dict[str, Any]]:
    """The run-like dicts in a payload (list page, envelope, or single object)."""
    if isinstance(payload, dict):
        if "requestId" in payload and "data" in payload:
            return _targets(payload["data"])
        items = payload.get("items")
        if isinstance(items, list):
            return [i for i in items if isinstance(i, dict)]
        return [payload]
    if isinstance(payload, list):
        return [i for i in payload if isinstance(i, dict)]
    return []


def _list_of(payload: Any) -> list[Any] | None:
    if isinstance(payload, list):
        return payload
    if isinstance(payload, dict):
        data = payload.get("data") if "requestId" in payload else payload
        if isinstance(data, dict) and isinstance(data.get("items"), list):
            items: list[Any] = data["items"]
            return items
    return None


def _wrong(value: Any) -> Any:
    if isinstance(value, bool):
        return "yes"
    if isinstance(value, (int, float)):
        return f"{value}s"
    if isinstance(value, str):
        return 12345
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return "n/a"
    return {"unexpected": True}


def mutate(kind: str, payload: Any, provider: str, rng: random.Random) -> Any:
    """Apply a body-level fault to a decoded JSON payload (returns a new payload)."""
    payload = copy.deepcopy(payload)
    if kind == "unknown_status":
        targets = _targets(payload)
        if targets:
            rng.choice(targets)["status"] = UNKNOWN_STATUS[provider]
    elif kind == "wrongtypes":
        targets = _targets(payload)
        if targets:
            target = rng.choice(targets)
            keys = sorted(target)
            for key in rng.sample(keys, min(3, len(keys))):
                target[key] = _wrong(target[key])
            if keys:
                target[rng.choice(keys)] = None
    elif kind in ("duplicate", "vanish"):
        items = _list_of(payload)
        if items:
            i = rng.randrange(len(items))
            if kind == "duplicate":
                items.insert(i + 1, copy.deepcopy(items[i]))
            else:
                del items[i]
    return payload


def body_fault(kind: str, response: Response, provider: str, rng: random.Random) -> Response:
    """Rewrite a successful JSON response according to a post-handler fault kind."""
    raw = bytes(response.body)
    headers = {
        k: v for k, v in response.headers.items() if k.lower() not in ("content-length", "content-type")
    }
    if kind == "truncated":
        return Response(
            raw[: len(raw) // 2],
            status_code=response.status_code,
            headers=headers,
            media_type="application/json",
        )
    if kind == "malformed":
        return Response(
            b'{"status": "running", "items": [1, 2,, }' + b"\x00<",
            status_code=200,
            headers=headers,
            media_type="application/json",
        )
    payload = json.loads(raw)
    body = json.dumps(mutate(kind, payload, provider, rng), separators=(",", ":")).encode()
    return Response(body, status_code=response.status_code, headers=headers, media_type="application/json")
