"""A server or network error names the profile once and the provider once. Before,
`runs show ID -p edges-down` said only `edges network: connection failed`, which does
not say which of two edges profiles is down, and a profile named after its provider
read `runtui: edges: edges network: ...`."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from tests.cli_result import invoke
from tests.integration.conftest import Sim

KEY_ENV = "RUNTUI_SIM_EDGES_KEY"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port  # nothing listens there once the socket is closed


@pytest.fixture
def config(sim: Sim, tmp_path: Path) -> Path:
    down = f"http://127.0.0.1:{_closed_port()}/edges/v1"
    path = tmp_path / "config.toml"
    path.write_text("\n".join(
        f'[profiles.{name}]\nprovider = "{provider}"\nbase_url = "{url}"\napi_key_env = "{key_env}"\n'
        for name, provider, url, key_env in [
            ("edges-down", "edges", down, KEY_ENV),
            ("edges", "edges", down, KEY_ENV),
            ("b3os-lost", "b3os", f"{sim.url}/nowhere", "RUNTUI_SIM_B3OS_KEY"),
        ]))
    return path


DOWN = "runtui: edges-down: edges network: connection failed"


@pytest.mark.parametrize(("args", "said"), [
    (("runs", "show", "some-run", "-p", "edges-down"), DOWN),
    (("runs", "logs", "some-run", "-p", "edges-down"), DOWN),
    (("runs", "cancel", "some-run", "-p", "edges-down", "--yes"), DOWN),
    (("runs", "show", "some-run", "-p", "b3os-lost"), "runtui: b3os-lost: b3os HTTP 404"),
    (("runs", "show", "some-run", "-p", "edges"), "runtui: edges: network: connection failed"),
    (("runs", "list", "-p", "edges"), "runtui: edges: network: connection failed"),
    (("profiles", "test", "edges"), "runtui: edges: network: connection failed"),
], ids=lambda v: " ".join(v) if isinstance(v, tuple) else "")
def test_the_error_names_the_profile_once(config: Path, sim: Sim, args: tuple[str, ...], said: str) -> None:
    res = invoke(config, *args)
    assert res.code == 1
    assert res.err.startswith(said), res.err
    profile = args[args.index("-p") + 1] if "-p" in args else args[-1]
    assert res.err.count(profile) == 1, res.err
    assert sim.env[KEY_ENV] not in res.err


def test_the_json_error_says_the_profile(config: Path) -> None:
    res = invoke(config, "runs", "show", "some-run", "-p", "edges-down", "--json")
    error = json.loads(res.out)["error"]
    assert (res.code, error["profile"], error["kind"]) == (1, "edges-down", "network")

