"""A simulator middleware that ends a run just before an action on it reaches the platform.

It stands for a run that ended between the read an action was decided on and the
request: the platform refuses the action and the read-back shows the run ended.
Forced on the server's own loop, as the first thing the POST does, so no test races it.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from runtui.sim.world import World


class EndsMeanwhile:
    """Wraps the sim's app; `arm(provider, run_id, status)` makes the next action POST
    (any POST outside /_sim) first put that run in `status`."""

    def __init__(self, app: ASGIApp, world: World) -> None:
        self.app = app
        self.world = world
        self.armed: tuple[str, str, str] | None = None

    def arm(self, provider: str, run_id: str, status: str) -> None:
        self.armed = (provider, run_id, status)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.armed is not None and scope["type"] == "http" and scope["method"] == "POST" \
                and not scope["path"].startswith("/_sim"):
            provider, run_id, status = self.armed
            self.armed = None
            now = self.world.sync()
            store = self.world.store(provider)
            run = store.get(run_id)
            assert run is not None, run_id
            self.world.life(provider).force(run, status, now)
            store.reschedule(run)
        await self.app(scope, receive, send)
