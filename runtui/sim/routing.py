"""What every provider route shares: stats, faults, auth, error bodies, params.

`provider_route` wraps a plain handler so the handler only deals with the
platform's semantics; handlers raise `ApiError` for 4xx answers.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import JSONResponse as StarletteJSONResponse
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from .faults import HTML_PAGE, PRE, AbortResponse, body_fault, hold
from .world import World

Handler = Callable[[Request], Awaitable[Response]]


HOLD_SECONDS = 30.0


class JSONResponse(StarletteJSONResponse):
    """Starlette's JSON answer written by orjson: the stdlib encoder was two fifths of the
    simulator's time serving a 50,000-run listing, on the core next to the app being
    measured. The same compact UTF-8 form; what orjson refuses (integers past 64 bits,
    keys that are not strings) the stdlib writes as before. One difference: a NaN or an
    infinity, which Starlette refused, orjson writes as null (the simulator builds none).
    """

    def render(self, content: Any) -> bytes:
        try:
            return orjson.dumps(content)
        except TypeError:  # orjson.JSONEncodeError
            return super().render(content)


class ApiError(Exception):
    """A 4xx/5xx answer in the provider's own error shape."""

    def __init__(self, status: int, message: str, label: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.label = label


@dataclass(frozen=True)
class Dialect:
    """How one simulated platform speaks, declared by its routes module: where it is
    mounted, which header carries the key, and the shape of its error bodies."""

    name: str
    prefix: str
    read_key: Callable[[Request], str | None]
    error_body: Callable[[World, int, str, str | None], Any]


def header_key(name: str) -> Callable[[Request], str | None]:
    """The key sent as-is in header `name` (Wexa's and Edges' x-api-key)."""
    return lambda request: request.headers.get(name)


def bearer_key(request: Request) -> str | None:
    """The key of an `Authorization: Bearer …` header (B3OS)."""
    auth = request.headers.get("authorization", "")
    return auth[7:].strip() if auth[:7].lower() == "bearer " else None


def error_response(
    world: World,
    dialect: Dialect,
    status: int,
    message: str,
    label: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = dialect.error_body(world, status, message, label)
    return JSONResponse(body, status_code=status, headers=headers)


def envelope(world: World, data: Any, code: int = 200) -> JSONResponse:
    """B3OS answers: always `{code, data, message, requestId}`."""
    return JSONResponse({"code": code, "data": data, "message": "OK", "requestId": world.request_id()})


def authorized(world: World, dialect: Dialect, request: Request) -> bool:
    key = world.config.keys.get(dialect.name, "")
    return bool(key) and dialect.read_key(request) == key


def qint(
    request: Request, name: str, default: int, lo: int, hi: int | None = None, clamp: bool = True
) -> int:
    """An integer query parameter; below `lo` or not a number is a 400, above `hi` is clamped."""
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"'{name}' must be an integer", "BAD_PARAMETERS") from None
    if value < lo:
        raise ApiError(400, f"'{name}' must be >= {lo}", "BAD_PARAMETERS")
    if hi is not None and value > hi:
        if not clamp:
            raise ApiError(400, f"'{name}' must be <= {hi}", "BAD_PARAMETERS")
        value = hi
    return value


def qbool(request: Request, name: str) -> bool:
    return request.query_params.get(name, "").lower() in ("1", "true", "yes")


async def read_json(request: Request) -> Any:
    """The JSON body, or None when empty; invalid JSON is a 400."""
    raw = await request.body()
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise ApiError(400, "Request body is not valid JSON", "BAD_INPUT") from None


async def _pre_fault(world: World, dialect: Dialect, kind: str, request: Request) -> Response | None:
    rng = world.faults.rng
    if kind == "latency":
        await asyncio.sleep(rng.uniform(0.5, 3.0))
        return None
    if kind == "429":
        return error_response(
            world, dialect, 429, "Too many requests", "STATUS_429", {"Retry-After": str(rng.randint(1, 5))}
        )
    if kind in ("500", "502", "503"):
        status = int(kind)
        text = {500: "Internal server error", 502: "Bad gateway", 503: "Service unavailable"}[status]
        return error_response(world, dialect, status, text)
    if kind == "html":
        return Response(HTML_PAGE, status_code=503, media_type="text/html")
    if kind == "timeout":
        await hold(request, HOLD_SECONDS, world.closing)
        return AbortResponse(504)
    return AbortResponse(200)  # reset


def provider_route(world: World, dialect: Dialect, method: str, path: str, handler: Handler,
                   kind: str) -> Route:
    """A starlette Route with stats, fault injection and auth around `handler`.

    kind: list | run | action | other | stream (decides which faults can apply).
    """
    provider = dialect.name
    key = f"{method} {dialect.prefix}{path}"

    async def endpoint(request: Request) -> Response:
        world.stats.record(provider, key)
        fault = world.faults.pick(kind, method)
        if fault in PRE:
            early = await _pre_fault(world, dialect, fault or "", request)
            if early is not None:
                return early
            fault = None
        if not authorized(world, dialect, request):
            return error_response(world, dialect, 401, "Invalid API key", "UNAUTHORIZED")
        try:
            world.sync()
            response = await handler(request)
        except ApiError as exc:
            return error_response(world, dialect, exc.status, exc.message, exc.label)
        if fault is None or isinstance(response, StreamingResponse) or not 200 <= response.status_code < 300:
            return response
        if fault == "lost_response":
            return AbortResponse(response.status_code)
        return body_fault(fault, response, provider, world.faults.rng)

    endpoint.__name__ = f"{provider}_{handler.__name__}"
    return Route(path, endpoint, methods=[method])
