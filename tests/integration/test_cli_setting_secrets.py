"""A provider's secret settings (B3OS's webhook secret) are secrets like the key: masked when
a server quotes them back, inline or named by `<name>_env`, and refused inline in a file
others can read."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from runtui.engine.journal import default_path
from runtui.providers import http as http_mod
from runtui.sim.config import KEY_ENV
from tests.cli_result import invoke
from tests.integration.conftest import Sim

WEBHOOK_SECRET = "inline-webhook-s3cret"


def b3os_profile(sim: Sim, tmp_path: Path, settings: str, *, mode: int = 0o600) -> Path:
    """The sim's config with one more B3OS profile, `b3os-own`, taking `settings`."""
    text = sim.config_path.read_text(encoding="utf-8") + (
        f'\n[profiles.b3os-own]\nprovider = "b3os"\nbase_url = "{sim.url}/b3os"\n'
        f'api_key_env = "{KEY_ENV["b3os"]}"\n{settings}\n')
    config = tmp_path / "config.toml"
    config.write_text(text, encoding="utf-8")
    config.chmod(mode)
    return config


def quote_resumes_back(monkeypatch: pytest.MonkeyPatch) -> list[httpx.Request]:
    """The sim, except that a node resume is refused with its query quoted back (as a
    server that logs the request it refuses does)."""
    real = http_mod.default_transport()
    assert real is not None
    resumes: list[httpx.Request] = []

    class QuotesQuery(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.method == "POST" and request.url.path.endswith("/resume"):
                resumes.append(request)
                secret = request.url.params.get("secret")
                query = request.url.query.decode()
                return httpx.Response(400, json={"error": f"bad webhook secret {secret} (query {query})"})
            return await real.handle_async_request(request)

    monkeypatch.setattr(http_mod, "default_transport", QuotesQuery)
    return resumes


def test_an_inline_webhook_secret_quoted_back_is_masked(sim: Sim, tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    config = b3os_profile(sim, tmp_path, f'webhook_secret = "{WEBHOOK_SECRET}"')
    resumes = quote_resumes_back(monkeypatch)
    run_id = str(sim.find("b3os", "waiting")[0]["id"])
    result = invoke(config, "runs", "resume", run_id, "-p", "b3os-own", "--yes")
    assert resumes and resumes[0].url.params.get("secret") == WEBHOOK_SECRET, "the secret was sent"
    assert result.code != 0 and "bad webhook secret ***" in result.err, result.err
    history = invoke(config, "history")
    shown = result.out + result.err + history.out + history.err
    assert WEBHOOK_SECRET not in shown
    assert "bad webhook secret ***" in default_path().read_text(encoding="utf-8")
    assert WEBHOOK_SECRET not in default_path().read_text(encoding="utf-8")


def test_an_inline_webhook_secret_in_a_readable_file_is_refused(sim: Sim, tmp_path: Path) -> None:
    config = b3os_profile(sim, tmp_path, f'webhook_secret = "{WEBHOOK_SECRET}"', mode=0o644)
    tested = invoke(config, "profiles", "test", "b3os-own")
    assert tested.code != 0
    assert "inline webhook_secret in a file readable by others (mode 644)" in tested.err, tested.err
    assert "chmod 600" in tested.err and "webhook_secret_env" in tested.err
    assert WEBHOOK_SECRET not in tested.out + tested.err
    listed = invoke(config, "runs", "list", "-p", "b3os-sim")
    assert listed.code == 0, "the other profiles of the file still work"


# The secret, pasted where its variable's name goes. (One spelt like a NAME, `whsec_live_9f8e`,
# cannot be told from one, as for api_key_env: it is taken, and never quoted, as
# test_cli_key_shaped_env_names.py shows.)
PASTED = "whsec-live+9f8e7d6c/5b4a="


def test_a_secret_pasted_as_an_env_setting_is_refused_without_showing_it(sim: Sim, tmp_path: Path) -> None:
    config = b3os_profile(sim, tmp_path, f'webhook_secret_env = "{PASTED}"')
    run_id = str(sim.find("b3os", "waiting")[0]["id"])
    tested = invoke(config, "profiles", "test", "b3os-own")
    assert tested.code != 0
    assert "webhook_secret_env must be the NAME of the environment variable" in tested.err, tested.err
    assert "the value is not shown" in tested.err
    answered = invoke(config, "attention", "answer", run_id, "-p", "b3os-own", "--data", "{}")
    assert answered.code != 0
    listed = invoke(config, "profiles", "list")
    history = invoke(config, "history")
    journal = default_path().read_text(encoding="utf-8") if default_path().exists() else ""
    for text in (tested.out + tested.err, answered.out + answered.err, listed.out + listed.err,
                 history.out + history.err, journal):
        assert PASTED not in text


def test_profiles_add_refuses_a_secret_as_an_env_setting(sim: Sim, tmp_path: Path) -> None:
    config = tmp_path / "new.toml"
    added = invoke(config, "profiles", "add", "b", "--provider", "b3os", "--api-key-env", "B3OS_KEY",
                   "--set", f"webhook_secret_env={PASTED}")
    assert added.code == 2 and "webhook_secret_env must be the NAME" in added.err, added.err
    assert PASTED not in added.out + added.err
    assert not config.exists() or PASTED not in config.read_text(encoding="utf-8")
    named = invoke(config, "profiles", "add", "b", "--provider", "b3os", "--api-key-env", "B3OS_KEY",
                   "--set", "webhook_secret_env=B3OS_WEBHOOK_SECRET")
    assert named.code == 0, named.err
