"""Every profile's secrets are masked in every profile's answers (`SecretPool`)."""

from __future__ import annotations

import base64
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from runtui.config import Profile
from runtui.engine.workspace import Workspace, load_config
from runtui.key_command import KeyCommand
from runtui.providers import registry
from runtui.providers.http import HttpClient
from runtui.providers.redact import SecretPool
from runtui.secret import Secret
from tests.hostile.server import HostileServer

KEY_A = "key-of-profile-a-0123"
KEY_B = "key-of-profile-b-4567"
HOOK_B = "hook-secret-of-b-89ab"
HOOK_C = "hook+of/profile=c:01"


def echoing(text: str) -> httpx.MockTransport:
    """A server whose every answer carries `text` in a run's name."""
    return httpx.MockTransport(lambda request: httpx.Response(200, json={"name": f"env {text}"}))


def client(key: str, pool: SecretPool, transport: httpx.AsyncBaseTransport | None,
           secrets: tuple[str, ...] = (), base_url: str = "http://127.0.0.1:9") -> HttpClient:
    return HttpClient(provider="test", base_url=base_url, auth_headers={"x-api-key": key},
                      error_reader=lambda body: None, transport=transport, secrets=secrets,
                      shared_secrets=pool)


async def test_another_profiles_key_and_secret_settings_are_masked_in_this_ones_answers() -> None:
    """Each profile's client masked only its own key: B's key in A's answers was printed."""
    pool = SecretPool()
    said = f"A={KEY_A} B={KEY_B.upper()} HOOK={HOOK_B}"
    a = client(KEY_A, pool, echoing(said))
    b = client(KEY_B, pool, echoing(said), secrets=(HOOK_B,))
    for http in (a, b):
        answer = await http.get("/runs")
        assert answer.json() == {"name": "env A=*** B=*** HOOK=***"}
        await http.aclose()


async def test_a_key_a_command_gives_later_is_masked_in_every_profiles_answers() -> None:
    pool = SecretPool()
    said = f"B={KEY_B}"
    a = client(KEY_A, pool, echoing(said))
    assert (await a.get("/runs")).json() == {"name": f"env B={KEY_B}"}, "B's key is not known yet"
    b = HttpClient(provider="test", base_url="http://127.0.0.1:9", auth_headers={},
                   error_reader=lambda body: None, transport=echoing("nothing"), shared_secrets=pool,
                   key_command=KeyCommand(f"echo {KEY_B}", profile="b"),
                   auth_for=lambda key: {"authorization": f"Bearer {key.get_secret_value()}"})
    await b.get("/runs")
    assert (await a.get("/runs")).json() == {"name": "env B=***"}
    for http in (a, b):
        await http.aclose()


async def test_the_other_profiles_secrets_are_masked_in_every_spelling_as_the_profiles_own() -> None:
    """Another profile's key was masked only plain (and JSON-escaped): a server that echoed
    it percent-encoded, in hex or in base64 had it shown."""
    pool = SecretPool()
    pool.add([KEY_B, HOOK_C])
    spelt = [KEY_B.title(), KEY_B.encode().hex().upper(), base64.b64encode(KEY_B.encode()).decode(),
             quote(HOOK_C, safe="").lower(), base64.b64encode(f"user:{KEY_B}".encode()).decode()]
    with HostileServer("leak") as server:
        server.leak = " ".join(spelt)
        http = client(KEY_A, pool, None, base_url=server.url)
        try:
            answer = (await http.get("/flows/runs")).json()
        finally:
            await http.aclose()
    # Basic credentials keep the characters of "user:" alone (see `test_redact.py`).
    assert answer[0]["last_error"] == "failed, env *** *** *** *** dXNlcjp***"


def test_the_secrets_at_hand_are_the_key_and_secret_settings_never_a_command_or_keyring(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Known before any provider is built (`runs show -p a` builds only a's): b's key from
    the environment or the file and its webhook secret; a command is not run for it."""
    monkeypatch.setenv("B_KEY", f" {KEY_B} ")
    monkeypatch.setenv("B_HOOK", HOOK_B)
    b = Profile(name="b", provider="b3os", api_key_env="B_KEY", settings={"webhook_secret_env": "B_HOOK"})
    assert registry.secrets_at_hand(b) == [KEY_B, HOOK_B]
    inline = Profile(name="c", provider="edges", api_key=Secret(KEY_A), settings={"webhook_secret": "x"})
    assert registry.secrets_at_hand(inline)[0] == KEY_A
    ran = Profile(name="d", provider="edges", api_key_cmd="touch /nonexistent/ran")
    assert registry.secrets_at_hand(ran) == []
    assert registry.secrets_at_hand(Profile(name="e", provider="edges", keyring=True)) == []


async def test_a_profile_edited_has_its_new_key_masked_in_the_others_answers_at_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNTUI_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("A_KEY", KEY_A)
    monkeypatch.setenv("B_OLD", "old-key-of-profile-b-000")
    monkeypatch.setenv("B_NEW", KEY_B)
    config = tmp_path / "c.toml"

    def write(b_env: str) -> None:
        config.write_text(f'[profiles.a]\nprovider = "edges"\nbase_url = "http://127.0.0.1:9/v1"\n'
                          f'api_key_env = "A_KEY"\n[profiles.b]\nprovider = "edges"\n'
                          f'base_url = "http://127.0.0.1:9/v1"\napi_key_env = "{b_env}"\n', encoding="utf-8")
        config.chmod(0o600)

    write("B_OLD")
    workspace = Workspace(load_config(config))
    workspace.provider("a")
    assert "old-key-of-profile-b-000" in list(workspace.secrets), "b's key, though b is not built"
    write("B_NEW")
    await workspace.reload(config)
    assert KEY_B in list(workspace.secrets)
    await workspace.aclose()
