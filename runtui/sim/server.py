"""Runs the sim app under uvicorn in a background thread, and writes a config for it."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from types import TracebackType

import uvicorn

from .app import ServerDate, create_app
from .catalog import WEBHOOK_SECRET, wexa_project_id, wexa_user_id
from .config import KEY_ENV, PROVIDERS, SimConfig
from .world import World


class SimServer:
    """uvicorn on its own event loop in a daemon thread; `start()` returns the base URL."""

    def __init__(self, config: SimConfig, host: str = "127.0.0.1", port: int = 0) -> None:
        self.config = config
        self.host = host
        self.port = port
        self.url = ""
        self.app = create_app(config)
        self.world: World = self.app.state.world
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self, timeout: float = 15.0) -> str:
        """Listen (again, after `stop()`: on the same port, the same runs, as a server back
        from an outage)."""
        self.world.closing.clear()
        uv_config = uvicorn.Config(
            ServerDate(self.app, self.world),
            date_header=False,  # the sim's own, from its clock (`ServerDate`)
            host=self.host,
            port=self.port,
            log_level="warning",
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=1,
            timeout_keep_alive=30,
        )
        server = uvicorn.Server(uv_config)
        self._server = server
        thread = threading.Thread(target=server.run, name="runtui-sim", daemon=True)
        self._thread = thread
        thread.start()
        deadline = time.monotonic() + timeout
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError(f"runtui sim could not listen on {self.host}:{self.port}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("runtui sim did not start in time")
            time.sleep(0.01)
        sock = server.servers[0].sockets[0]
        port = int(sock.getsockname()[1])
        host = self.host if ":" not in self.host else f"[{self.host}]"
        self.port = port
        self.url = f"http://{host}:{port}"
        return self.url

    def stop(self) -> None:
        self.world.closing.set()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = None
        self._thread = None

    def __enter__(self) -> SimServer:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _q(value: str) -> str:
    """A TOML basic string (JSON escaping is a valid subset for these values)."""
    return json.dumps(value)


WEBHOOK_SECRET_ENV = "RUNTUI_SIM_B3OS_WEBHOOK_SECRET"


def write_config(path: Path, url: str, config: SimConfig) -> dict[str, str]:
    """Write a runtui config TOML (mode 0600) with one profile per provider pointing at the sim.

    Returns the env vars to set, {VAR: key}.
    """
    base = url.rstrip("/")
    text = "\n".join(
        [
            "# written by runtui sim",
            "[defaults]",
            "refresh_seconds = 2",
            "",
            "[profiles.wexa-sim]",
            'provider = "wexa"',
            f"base_url = {_q(base + '/wexa')}",
            f"api_key_env = {_q(KEY_ENV['wexa'])}",
            f"project_id = {_q(wexa_project_id(config.seed))}",
            f"user_id = {_q(wexa_user_id(config.seed))}",
            "",
            "[profiles.edges-sim]",
            'provider = "edges"',
            f"base_url = {_q(base + '/edges/v1')}",
            f"api_key_env = {_q(KEY_ENV['edges'])}",
            "",
            "[profiles.b3os-sim]",
            'provider = "b3os"',
            f"base_url = {_q(base + '/b3os')}",
            f"api_key_env = {_q(KEY_ENV['b3os'])}",
            f"webhook_secret_env = {_q(WEBHOOK_SECRET_ENV)}",
            "",
        ]
    )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(path, 0o600)
    env = {KEY_ENV[p]: config.keys[p] for p in PROVIDERS}
    env[WEBHOOK_SECRET_ENV] = WEBHOOK_SECRET
    return env
