"""A key is trimmed the same way from every source, and one that cannot be sent or masked
whole (a space inside, under 6 characters) is refused before any request, never shown."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest

from runtui.sim.config import KEY_ENV
from tests.cli_result import invoke
from tests.integration.conftest import Sim
from tests.integration.sim_config import config_with


def with_keyring(monkeypatch: pytest.MonkeyPatch, entries: dict[str, str]) -> None:
    """A keyring backend holding `entries` (profile name -> password), as the `keyring`
    extra's module answers for service 'runtui'."""
    module = types.ModuleType("keyring")

    def get_password(service: str, user: str) -> str | None:
        return entries.get(user) if service == "runtui" else None

    module.get_password = get_password  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "keyring", module)


def test_keys_with_spaces_around_them_work_from_every_source(sim: Sim, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    b3os_key, edges_key = sim.env[KEY_ENV["b3os"]], sim.env[KEY_ENV["edges"]]
    with_keyring(monkeypatch, {"kb": f"{b3os_key} ", "ke": f"\t{edges_key}"})
    monkeypatch.setenv("RUNTUI_TEST_PADDED_KEY", f" {edges_key}\t")
    config = config_with(sim, tmp_path, {
        "kb": ("b3os", "keyring = true"), "ke": ("edges", "keyring = true"),
        "inline": ("edges", f'api_key = " {edges_key} "'),
        "env": ("edges", 'api_key_env = "RUNTUI_TEST_PADDED_KEY"'),
    })
    for name in ("kb", "ke", "inline", "env"):
        tested = invoke(config, "profiles", "test", name)
        assert tested.code == 0 and f"OK {name}" in tested.out, (name, tested.out + tested.err)
        assert "LocalProtocolError" not in tested.err


REFUSED = {
    "spaced": ("sk live 9f8e7d6c", "has a space or tab inside"),
    "tabbed": ("sk\tlive-9f8e7d6c", "has a space or tab inside"),
    "short": ("qz7x9", "is shorter than 6 characters, too short to be masked if a server echoes it"),
}


def test_a_key_with_a_space_inside_or_too_short_is_refused_unseen(sim: Sim, tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    with_keyring(monkeypatch, {f"ring-{name}": key for name, (key, _why) in REFUSED.items()})
    profiles: dict[str, tuple[str, str]] = {}
    for name, (key, _why) in REFUSED.items():
        monkeypatch.setenv(f"RUNTUI_TEST_{name.upper()}_KEY", key)
        profiles[f"env-{name}"] = ("b3os", f'api_key_env = "RUNTUI_TEST_{name.upper()}_KEY"')
        profiles[f"ring-{name}"] = ("b3os", "keyring = true")
    config = config_with(sim, tmp_path, profiles)
    requests_before = sim.control("GET", "/stats")["routes"]
    for name, (key, why) in REFUSED.items():
        for profile in (f"env-{name}", f"ring-{name}"):
            tested = invoke(config, "profiles", "test", profile)
            assert tested.code == 2, (profile, tested.out + tested.err)
            assert f"the key ({'keyring' if profile.startswith('ring') else 'env:'}" in tested.err
            assert why in tested.err and "the key is not shown" in tested.err, tested.err
            assert "connection failed" not in tested.err
            shown = tested.out + tested.err
            assert key not in shown and all(word not in shown for word in key.split() if len(word) > 3)
    assert sim.control("GET", "/stats")["routes"] == requests_before, "no request was sent with them"
