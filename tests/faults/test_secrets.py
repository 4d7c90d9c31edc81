"""Keys never show: not on any screen, CLI output, error, journal, log or stored screenshot.

Sentinel keys are given to all three simulated platforms (SimConfig(keys=...) and the env vars
the profiles read), plus an inline key and a wrong key; then every screen, every CLI command
and every error path is driven and everything a user or a log could see is searched.
Provider-level proofs: tests/unit/providers/test_prov_common.py (redirects, echoed keys).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
from textual.widgets import DataTable

from runtui import config as config_mod
from runtui.config import Profile, validated
from runtui.engine.health import HealthState
from runtui.engine.journal import default_path
from runtui.engine.workspace import Workspace
from runtui.errors import ConfigError, ProviderError
from runtui.providers import http as http_mod
from runtui.providers.b3os import B3osProvider
from runtui.providers.edges import EdgesProvider
from runtui.providers.wexa import WexaProvider
from runtui.secret import Secret
from runtui.tui.app import RuntuiApp
from runtui.tui.screens.confirm import ConfirmScreen
from runtui.tui.screens.detail import DetailScreen
from runtui.tui.screens.execute import ExecuteScreen
from runtui.tui.screens.help import HelpScreen
from runtui.tui.screens.profile_form import ProfileFormScreen
from runtui.tui.screens.profiles import ProfilesScreen
from runtui.tui.screens.runs import RunsScreen
from runtui.tui.screens.welcome import WelcomeScreen
from runtui.tui.widgets.detail_pane import DetailPane

from .conftest import SimFactory, SimHandle, run_cli, wait_for

REPO = Path(__file__).resolve().parents[2]
SENT = {"wexa": "sentinel-wexa-4c1d9e07b2a6", "edges": "sentinel-edges-7e52a0f9c318",
        "b3os": "b3sk_SENTINEL_8f3a1c5d2e9b"}
WRONG = "sentinel-wrong-0b6f2d93a4e1"
WRONG_ENV = "RUNTUI_FAULTS_WRONG_KEY"
SECRETS = [*SENT.values(), WRONG]

EXTRA = f"""
[profiles.edges-inline]
provider = "edges"
base_url = "{{url}}/edges/v1"
api_key = "{SENT['edges']}"

[profiles.edges-wrong]
provider = "edges"
base_url = "{{url}}/edges/v1"
api_key_env = "{WRONG_ENV}"
"""


def assert_clean(text: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"a key leaked into {where}"
        assert secret[-10:] not in text, f"part of a key leaked into {where}"


@pytest.fixture
def sim(sims: SimFactory, monkeypatch: pytest.MonkeyPatch) -> SimHandle:
    handle = sims(speed=1e-9, runs=30, keys=dict(SENT))
    monkeypatch.setenv(WRONG_ENV, WRONG)
    path = handle.config_path
    path.write_text(path.read_text() + EXTRA.replace("{url}", handle.url))
    path.chmod(0o600)
    return handle


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    caplog.set_level(logging.DEBUG)
    yield caplog


async def test_no_screen_shows_a_key(sim: SimHandle, logs: pytest.LogCaptureFixture,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    textual_log: list[str] = []
    original_log = RuntuiApp._log

    def spy(self: Any, group: Any, verbosity: Any, frame: Any, *objects: Any, **kwargs: Any) -> None:
        textual_log.append(" ".join(map(repr, objects)) + repr(kwargs))
        original_log(self, group, verbosity, frame, *objects, **kwargs)

    monkeypatch.setattr(RuntuiApp, "_log", spy)
    b3_id = sim.subject("b3os", "running")
    edges_id = sim.subject("edges", "RUNNING")
    shots: dict[str, str] = {}
    ws = Workspace.load(sim.config_path)
    app = RuntuiApp(ws, watch=True)
    async with app.run_test(size=(140, 40)) as pilot:
        def shot(name: str) -> None:
            shots[name] = app.export_screenshot()

        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), what="runs screen")
        runs = app.screen
        assert isinstance(runs, RunsScreen)
        await wait_for(pilot, lambda: runs.ws.store.get(("b3os-sim", b3_id)) is not None, 15, "rows")
        await wait_for(pilot, lambda: ws.health.get("edges-wrong") is not None
                       and ws.health["edges-wrong"].state is HealthState.ERROR, 15, "the 401")
        assert "Invalid API key" in (ws.health["edges-wrong"].message or "")
        shot("runs")
        # detail, every tab
        runs.table.move_cursor_to(("b3os-sim", b3_id))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen), 5, "detail")
        pane = app.screen.query_one(DetailPane)
        await wait_for(pilot, lambda: pane.detail is not None, 10, "detail read")
        shot("detail-overview")
        for tab in ("steps", "logs", "outputs", "raw"):
            await pilot.press("right_square_bracket")
            await pilot.pause(0.3)
            shot(f"detail-{tab}")
        raw_text = json.dumps(pane.detail.raw if pane.detail else None, default=str)
        assert_clean(raw_text, "the raw JSON")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is runs, 5, "back")
        # execute form
        runs.table.move_cursor_to(("edges-sim", edges_id))
        await pilot.pause(0.1)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExecuteScreen), 5, "execute form")
        await pilot.pause(0.3)
        shot("execute")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is runs, 5, "back")
        # confirm (and a real cancel, so the journal has a line)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), 5, "confirm")
        shot("confirm")
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen is runs and not runs.ws.controller.in_flight, 10, "sent")
        await pilot.pause(0.3)
        shot("runs-after-cancel")
        # help
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), 5, "help")
        shot("help")
        await pilot.press("escape")
        # profiles, a test of every profile, and the form of every profile
        await pilot.press("P")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfilesScreen), 5, "profiles")
        profiles = app.screen
        table = profiles.query_one(DataTable)
        for row in range(table.row_count):
            table.move_cursor(row=row)
            await pilot.press("t")
            await pilot.pause(0.5)
        shot("profiles")
        for row in range(table.row_count):
            table.move_cursor(row=row)
            await pilot.press("e")
            await wait_for(pilot, lambda: isinstance(app.screen, ProfileFormScreen), 5, "form")
            await pilot.pause(0.1)
            shot(f"profile-form-{row}")
            await pilot.press("escape")
            await wait_for(pilot, lambda p=profiles: app.screen is p, 5, "form closed")
        notes = " ".join(f"{n.title} {n.message}" for n in app._notifications)
        assert_clean(notes, "a notification")
        health = " ".join(str(h) + h.describe() for h in ws.health.values())
        assert_clean(health, "health")
    # welcome (no profiles)
    welcome = RuntuiApp(Workspace(config_mod.Config(path=sim.config_path.parent / "empty.toml")),
                        watch=False)
    async with welcome.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: isinstance(welcome.screen, WelcomeScreen), 5, "welcome")
        shots["welcome"] = welcome.export_screenshot()
    assert len(shots) >= 12
    for name, svg in shots.items():
        assert_clean(svg, f"the {name} screenshot")
    assert_clean("\n".join(textual_log), "Textual's log")
    assert_clean(logs.text, "the Python log")
    assert_clean(default_path().read_text(), "the journal")
    assert "cancel" in default_path().read_text()
    assert_clean(repr(ws.config) + repr(ws.config.profiles), "the config repr")
    inline = ws.config.profiles["edges-inline"]
    assert isinstance(inline.api_key, Secret)
    as_json = msgspec.json.encode(inline, enc_hook=str).decode()  # what a careless dump would give
    assert_clean(repr(inline) + str(inline) + f"{inline.api_key}" + as_json, "the Profile repr/json")


def test_no_cli_command_prints_a_key(sim: SimHandle, logs: pytest.LogCaptureFixture,
                                     tmp_path: Path) -> None:
    b3_id = sim.subject("b3os", "running")
    wexa_id = sim.subject("wexa", "running")
    task_id = sim.find("wexa", None, 50)
    task = next((t["task_id"] for t in task_id if t.get("task_id")), "no-task")
    failed = sim.subject("b3os", "failed")
    commands: list[tuple[str, ...]] = [
        ("runs", "list"), ("runs", "list", "-p", "edges-wrong"), ("runs", "list", "-p", "edges-inline"),
        ("runs", "show", b3_id, "-p", "b3os-sim"), ("runs", "show", wexa_id, "-p", "wexa-sim"),
        ("runs", "show", "nope", "-p", "edges-wrong"),
        ("runs", "pause", wexa_id, "-p", "wexa-sim"), ("runs", "resume", wexa_id, "-p", "wexa-sim"),
        ("runs", "start", wexa_id, "-p", "wexa-sim"), ("runs", "cancel", b3_id, "-p", "b3os-sim"),
        ("runs", "retry", failed, "-p", "b3os-sim"),
        ("runs", "execute", "-p", "edges-sim", "-w", "linkedin-profile-enrich", "-i", "url=x"),
        ("runs", "execute", "-p", "edges-wrong", "-w", "linkedin-profile-enrich"),
        ("tasks", "list", "-p", "wexa-sim"), ("tasks", "show", task, "-p", "wexa-sim"),
        ("tasks", "pause", task, "-p", "wexa-sim"), ("tasks", "resume", task, "-p", "wexa-sim"),
        ("tasks", "stop", task, "-p", "wexa-sim"),
        ("profiles", "list"), ("history",),
    ]
    seen = 0
    for cmd in commands:
        for extra in ((), ("--json",)):
            res = run_cli(sim.config_path, *cmd, *extra)
            assert_clean(res.out + res.err, f"`runtui {' '.join(cmd + extra)}`")
            seen += 1
    for name in ("wexa-sim", "edges-sim", "b3os-sim", "edges-inline", "edges-wrong"):
        res = run_cli(sim.config_path, "profiles", "test", name)
        assert_clean(res.out + res.err, f"`runtui profiles test {name}`")
        if name == "edges-wrong":
            assert res.code == 1 and "401" in res.err
    res = run_cli(sim.config_path, "providers")
    assert_clean(res.out + res.err, "`runtui providers`")
    copy = tmp_path / "copy.toml"
    copy.write_text(sim.config_path.read_text())
    copy.chmod(0o600)
    res = run_cli(copy, "profiles", "add", "more", "--provider", "edges", "--api-key-env", WRONG_ENV)
    assert res.code == 0
    assert_clean(copy.read_text().replace(SENT["edges"], ""), "the rewritten config")  # inline stays
    assert copy.read_text().count(SENT["edges"]) == 1
    assert seen == 2 * len(commands)
    assert_clean(default_path().read_text(), "the journal")
    assert_clean(logs.text, "the Python log")


# ---- hostile servers on the CLI path ---------------------------------------------------------


def _force_transport(monkeypatch: pytest.MonkeyPatch, handler: Any) -> list[httpx.Request]:
    """Every HTTP client runtui builds talks to `handler` instead of the network."""
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    monkeypatch.setattr(http_mod, "default_transport", lambda: httpx.MockTransport(record))
    return seen


def _echo_all(request: httpx.Request) -> httpx.Response:
    """A server that echoes whatever credential it got, in every field it has."""
    got = " ".join(request.headers.get(h, "") for h in ("x-api-key", "authorization"))
    body = {"message": f"invalid key {got}", "detail": f"key {got} rejected", "label": got,
            "code": 401, "data": None, "requestId": got.split()[-1] if got.split() else "r"}
    return httpx.Response(401, json=body, headers={"x-request-id": got.split()[-1] if got else "r"})


def test_a_server_echoing_the_key_is_redacted_on_the_cli(sim: SimHandle,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _force_transport(monkeypatch, _echo_all)
    for profile in ("wexa-sim", "edges-sim", "b3os-sim", "edges-inline"):
        for extra in ((), ("--json",)):
            res = run_cli(sim.config_path, "runs", "list", "-p", profile, *extra)
            assert res.code == 1 and "401" in res.err
            assert_clean(res.out + res.err, f"runs list -p {profile} against an echoing server")
        res = run_cli(sim.config_path, "profiles", "test", profile)
        assert_clean(res.out + res.err, f"profiles test {profile} against an echoing server")
    assert seen  # the requests did carry the keys (to their own host): the echo was real


@pytest.mark.parametrize("cls", [WexaProvider, EdgesProvider, B3osProvider], ids=lambda c: c.name)
async def test_echoed_key_is_redacted_in_every_error_field(cls: Any, monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    monkeypatch.setenv("FAULTS_ECHO_KEY", SENT["b3os"])
    profile = validated(Profile, {"name": "t", "provider": cls.name, "api_key_env": "FAULTS_ECHO_KEY",
                                      "base_url": "https://api.test", "project_id": "p" * 24,
                                      "user_id": "u"})
    provider = cls.from_profile(profile, transport=httpx.MockTransport(_echo_all))
    with pytest.raises(ProviderError) as info:
        await provider.get_run("r1")
    err = info.value
    assert_clean(f"{err} {err.message} {err.request_id} {err!r} {err.args}", f"{cls.name}'s error")
    await provider.aclose()


def test_credentials_never_follow_a_redirect_to_another_host_on_the_cli(
        sim: SimHandle, monkeypatch: pytest.MonkeyPatch) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "evil.example":
            return httpx.Response(200, json=[])
        return httpx.Response(302, headers={"location": "https://evil.example/steal"})

    seen = _force_transport(monkeypatch, handler)
    for profile in ("wexa-sim", "edges-sim", "b3os-sim", "edges-inline"):
        res = run_cli(sim.config_path, "runs", "list", "-p", profile)
        assert res.code == 1
        assert "not followed: a redirect to another origin (https://evil.example)" in res.err
        assert_clean(res.out + res.err, "the redirect error")
    assert seen and all(r.url.host != "evil.example" for r in seen)


def test_https_is_required_off_loopback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAULTS_K", "https-key-123456")
    path = tmp_path / "c.toml"
    path.write_text('[profiles.plain]\nprovider = "edges"\nbase_url = "http://api.example.com/v1"\n'
                    'api_key_env = "FAULTS_K"\n\n[profiles.lan]\nprovider = "edges"\n'
                    'base_url = "http://10.0.0.7/v1"\napi_key_env = "FAULTS_K"\n'
                    'allow_insecure_http = true\n')
    path.chmod(0o600)
    for args in (("runs", "list", "-p", "plain"), ("runs", "show", "x", "-p", "plain"),
                 ("profiles", "test", "plain")):
        res = run_cli(path, *args)
        assert res.code != 0 and "use https" in res.err and "allow_insecure_http" in res.err, res
    ws = Workspace.load(path)
    assert ws.provider("lan").http.base.scheme == "http"  # opted out: allowed
    for url in ("http://127.0.0.1:1/v1", "http://localhost:1/v1", "http://[::1]:1/v1"):
        http_mod.check_base_url(url, allow_insecure_http=False, profile="x")
    for url in ("ftp://x/v1", "file:///etc/passwd", "http://169.254.169.254/"):
        with pytest.raises(ConfigError):
            http_mod.check_base_url(url, allow_insecure_http=False, profile="x")


def test_inline_key_in_a_readable_file_is_refused_without_echoing_it(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(f'[profiles.p]\nprovider = "b3os"\napi_key = "{SENT["b3os"]}"\n')
    path.chmod(0o640)
    for args in (("profiles", "list"), ("profiles", "list", "--json"), ("runs", "list"),
                 ("runs", "show", "x", "-p", "p"), ("profiles", "test", "p")):
        res = run_cli(path, *args)
        assert res.code != 0 and "chmod 600" in res.err, (args, res)
        assert_clean(res.out + res.err, f"`runtui {' '.join(args)}`")


def test_runs_list_of_a_broken_profile_is_a_clean_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(f'[profiles.p]\nprovider = "b3os"\napi_key = "{SENT["b3os"]}"\n')
    path.chmod(0o640)
    res = run_cli(path, "runs", "list", "-p", "p")
    assert res.code == 2 and "chmod 600" in res.err
    assert_clean(res.out + res.err, "runs list -p p")


def test_no_stored_screenshot_contains_a_key() -> None:
    svgs = [p for d in ("tests", "screenshots") for p in (REPO / d).rglob("*.svg")]
    for svg in svgs:
        assert_clean(svg.read_text(errors="replace"), str(svg.relative_to(REPO)))


@pytest.mark.parametrize("cls", [WexaProvider, EdgesProvider, B3osProvider], ids=lambda c: c.name)
async def test_echoed_key_in_a_non_json_2xx_is_redacted(cls: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        got = request.headers.get("x-api-key") or request.headers.get("authorization", "")
        return httpx.Response(200, text=f"<html>hello {got}</html>", headers={"x-request-id": got})

    monkeypatch.setenv("FAULTS_ECHO_KEY", SENT["b3os"])
    profile = validated(Profile, {"name": "t", "provider": cls.name, "api_key_env": "FAULTS_ECHO_KEY",
                                      "base_url": "https://api.test", "project_id": "p" * 24,
                                      "user_id": "u"})
    provider = cls.from_profile(profile, transport=httpx.MockTransport(handler))
    with pytest.raises(ProviderError) as info:
        await provider.get_run("r1")
    err = info.value
    assert err.kind == "parse"
    assert_clean(f"{err} {err.message} {err.request_id}", f"{cls.name}'s parse error")
    await provider.aclose()


async def test_b3os_success_false_echo_is_redacted(monkeypatch: pytest.MonkeyPatch) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        got = request.headers.get("authorization", "")
        return httpx.Response(200, json={"success": False, "message": f"bad token {got}"})

    monkeypatch.setenv("FAULTS_ECHO_KEY", SENT["b3os"])
    profile = Profile(name="t", provider="b3os", base_url="https://api.test", api_key_env="FAULTS_ECHO_KEY")
    provider = B3osProvider.from_profile(profile, transport=httpx.MockTransport(handler))
    with pytest.raises(ProviderError) as info:
        await provider.get_run("r1")
    await provider.aclose()
    assert_clean(str(info.value), "B3OS's success:false error")
