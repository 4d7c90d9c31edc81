"""Assembles the three provider mounts and the control routes into one ASGI app."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

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
