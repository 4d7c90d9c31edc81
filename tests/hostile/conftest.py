"""Fixtures for the hostile-server tests: a server per attack, a private config and state."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.hostile.server import HostileServer

KEY = "hostile-key-0123456789"
KEY_ENV = "RUNTUI_HOSTILE_KEY"


@pytest.fixture(autouse=True)
def private_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNTUI_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv(KEY_ENV, KEY)


@pytest.fixture
def hostile() -> Iterator[Callable[[str], HostileServer]]:
    """Start servers by mode; all are stopped when the test ends."""
    started: list[HostileServer] = []

    def start(mode: str) -> HostileServer:
        server = HostileServer(mode).__enter__()
        started.append(server)
        return server

    try:
        yield start
    finally:
        for server in started:
            server.__exit__(None, None, None)


def write_config(path: Path, servers: dict[str, HostileServer], defaults: str = "") -> Path:
    """One Edges profile per server, the key in an environment variable; mode 0600."""
    text = f"[defaults]\n{defaults}\n" if defaults else ""
    for name, server in servers.items():
        text += (f'[profiles.{name}]\nprovider = "edges"\nbase_url = "{server.url}"\n'
                 f'api_key_env = "{KEY_ENV}"\n')
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return path


def write_b3os_config(path: Path, servers: dict[str, HostileServer], defaults: str = "") -> Path:
    """One B3OS profile per server (its Bearer key in the same variable); mode 0600."""
    text = f"[defaults]\n{defaults}\n" if defaults else ""
    for name, server in servers.items():
        text += (f'[profiles.{name}]\nprovider = "b3os"\nbase_url = "{server.url.removesuffix("/v1")}"\n'
                 f'api_key_env = "{KEY_ENV}"\n')
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return path
