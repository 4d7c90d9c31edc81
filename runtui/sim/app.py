"""Assembles the three provider mounts and the control routes into one ASGI app."""

from __future__ import annotations

from email.utils import formatdate

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import b3os, control, edges, wexa
from .config import SimConfig
from .faults import install_log_filter
from .routing import JSONResponse
from .world import World


def create_app(config: SimConfig) -> Starlette:
    """Build a fresh world (seeded runs) and the app serving it on one port."""
    world = World(config)
    install_log_filter()

    async def index(request: Request) -> Response:
        return JSONResponse({"name": "runtui sim", "mounts": ["/wexa", "/edges/v1", "/b3os", "/_sim"]})

    app = Starlette(
        routes=[
            Route("/", index, methods=["GET"]),
            Mount("/wexa", routes=wexa.routes(world)),
            Mount("/edges/v1", routes=edges.routes(world)),
            Mount("/b3os", routes=b3os.routes(world)),
            Mount("/_sim", routes=control.routes(world)),
        ]
    )
    app.state.world = world
    return app


class ServerDate:
    """Says the sim's clock in each answer's `Date`, as a server says its own (uvicorn's
    `Date` is turned off: two would be read as one, joined by a comma)."""

    def __init__(self, app: ASGIApp, world: World) -> None:
        self.app = app  # the sim's app, or a wrapper of it (the benchmark counts requests)
        self.world = world

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        clock = self.world.clock

        async def dated(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"date"]
                headers.append((b"date", formatdate(clock.server_date(), usegmt=True).encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, dated)
