"""Profiles screen, profile form and welcome screen, driven through the real app."""

from __future__ import annotations

import codecs
import os
import socket
import stat
import tomllib
from pathlib import Path
from typing import Any

import pytest
from textual.app import ComposeResult
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Checkbox, DataTable, Input, Select, Static

from runtui.engine.workspace import Workspace
from runtui.tui.app import RuntuiApp
from runtui.tui.screens.confirm import ConfirmScreen
from runtui.tui.screens.profile_form import ProfileFormScreen
from runtui.tui.screens.profiles import ProfilesScreen
from runtui.tui.screens.welcome import WelcomeScreen
from tests.tui.conftest import notifications, type_in_one_burst, wait_for

SENTINEL_ENV = "sk-SENTINEL-ENV-7f3a9c"
SENTINEL_INLINE = "sk-SENTINEL-INLINE-52d1e0"


class RunsScreen(Screen[None]):
    """Stand-in for the runs screen: only its name matters to the profiles screens."""

    def compose(self) -> ComposeResult:
        yield Static("runs")


class _App(RuntuiApp):
    def __init__(self, workspace: Workspace) -> None:
        super().__init__(workspace, watch=False)
        self.opened = 0

    def open_runs(self) -> None:
        self.opened += 1
        self.push_screen(RunsScreen())


@pytest.fixture(autouse=True)
def _state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNTUI_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("RUNTUI_CONFIG", str(tmp_path / "unused.toml"))


def write(tmp_path: Path, text: str, mode: int = 0o600) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def make_app(path: Path) -> _App:
    return _App(Workspace.load(path))


def table_rows(screen: ProfilesScreen) -> list[dict[str, str]]:
    """The visible table, one {column header: cell text} per row."""
    table = screen.query_one(DataTable)
    headers = [str(col.label) for col in table.ordered_columns]
    return [dict(zip(headers, map(str, table.get_row_at(i)), strict=True))
            for i in range(table.row_count)]


def screen_text(app: _App) -> str:
    """Everything visible: the SVG screenshot plus each widget's own text."""
    parts = [app.export_screenshot()]
    for widget in app.screen.query("*"):
        if isinstance(widget, Input):
            parts.append(widget.value)
        elif isinstance(widget, Static):
            parts.append(str(widget.render()))
    if isinstance(app.screen, ProfilesScreen):
        parts += [" ".join(r.values()) for r in table_rows(app.screen)]
    return "\n".join(parts)


def top(app: _App) -> Screen[Any]:
    """The current screen, read fresh (no type narrowing carried between presses)."""
    return app.screen


async def open_profiles(pilot: Pilot[Any]) -> ProfilesScreen:
    await pilot.press("P")
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ProfilesScreen)
    return screen


async def select_row(pilot: Pilot[Any], screen: ProfilesScreen, name: str) -> None:
    for i, row in enumerate(table_rows(screen)):
        if row["NAME"] == name:
            screen.query_one(DataTable).move_cursor(row=i)
            await pilot.pause()
            return
    raise AssertionError(f"no row {name!r} in {table_rows(screen)}")


async def wait_workers(pilot: Pilot[Any]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ---- the list -----------------------------------------------------------------------


async def test_list_shows_key_source_never_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RT_TEST_KEY", SENTINEL_ENV)
    path = write(tmp_path, f"""
[profiles.envp]
provider = "edges"
api_key_env = "RT_TEST_KEY"

[profiles.inl]
provider = "b3os"
api_key = "{SENTINEL_INLINE}"
read_only = true
""")
    app = make_app(path)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_profiles(pilot)
        rows = {r["NAME"]: r for r in table_rows(screen)}
        assert rows["envp"] == {"NAME": "envp", "PROVIDER": "edges",
                                "BASE URL": "(default: api.edges.run/v1)", "KEY": "env:RT_TEST_KEY",
                                "MODE": "", "HEALTH": "not checked (t tests)"}
        assert rows["inl"]["KEY"] == "inline"
        assert rows["inl"]["MODE"] == "read-only"
        for name in ("envp", "inl"):
            await select_row(pilot, screen, name)
            text = screen_text(app)
            assert "env:RT_TEST_KEY" in text
            assert SENTINEL_ENV not in text and SENTINEL_INLINE not in text
        # The edit form of the inline profile does not show the key either.
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ProfileFormScreen)
        text = screen_text(app)
        assert "inline key in the file" in text
        assert SENTINEL_ENV not in text and SENTINEL_INLINE not in text


URL_PASSWORD = "pw-in-url-4711"
WITH_URL_PASSWORD = f"""
[profiles.withpw]
provider = "edges"
base_url = "https://al:{URL_PASSWORD}@e.test/v1"
api_key_env = "X"
"""


async def test_a_password_in_the_base_url_is_refused_and_never_on_screen(tmp_path: Path) -> None:
    """httpx never sent a URL's `user:password@`: the server's 401 was all the user saw.
    The profile is broken, saying where a key goes instead, and the password is not shown."""
    app = make_app(write(tmp_path, WITH_URL_PASSWORD))
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_profiles(pilot)
        assert table_rows(screen)[0]["BASE URL"] == "config.toml:4 base_url"
        await select_row(pilot, screen, "withpw")
        detail = str(screen.query_one("#profiles-detail", Static).render())
        assert "user name or password" in " ".join(detail.split())
        assert URL_PASSWORD not in screen_text(app)


async def test_the_form_refuses_a_password_in_the_base_url_without_showing_it(tmp_path: Path) -> None:
    path = write(tmp_path, '[profiles.one]\nprovider = "edges"\napi_key_env = "ONE_KEY"\n')
    before = path.read_text()
    app = make_app(path)
    async with app.run_test(size=(100, 40)) as pilot:
        await open_profiles(pilot)
        await pilot.press("a")
        await pilot.pause()
        form = await fill_form(pilot, name="withpw", provider="edges", key_value="X",
                               base_url=f"https://al:{URL_PASSWORD}@e.test/v1")
        await pilot.press("f2")
        await wait_workers(pilot)
        assert app.screen is form
        said = "\n".join(form.errors)
        assert "user name or password" in said and "api_key_env" in said
        assert URL_PASSWORD not in said
    assert path.read_text() == before


async def test_broken_profiles_show_as_error_rows_with_line(tmp_path: Path) -> None:
    path = write(tmp_path, """# comment
[profiles.good]
provider = "edges"
api_key_env = "X"

[profiles.badprov]
provider = "nope"
api_key_env = "X"

[profiles.badfield]
provider = "edges"
api_key_env = "X"
read_only = "maybe"
""")
    app = make_app(path)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_profiles(pilot)
        rows = {r["NAME"]: r for r in table_rows(screen)}
        assert rows["good"]["PROVIDER"] == "edges"
        assert rows["badprov"]["PROVIDER"] == "✘ ERROR"
        assert rows["badprov"]["BASE URL"] == "config.toml:7 provider"
        assert "unknown provider 'nope'" in rows["badprov"]["HEALTH"]
        assert rows["badfield"]["BASE URL"] == "config.toml:13 read_only"
        title = str(screen.query_one("#profiles-title", Static).render())
        assert "1 not checked, 2 in error" in title
        await select_row(pilot, screen, "badprov")
        detail = str(screen.query_one("#profiles-detail", Static).render())
        assert "config.toml:7; field 'provider': unknown provider 'nope'" in detail
        # Narrower, columns go (MODE, then BASE URL), and the row still says file:line.
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        rows = {r["NAME"]: r for r in table_rows(screen)}
        assert "MODE" not in rows["badprov"]
        assert "config.toml:7 provider" in " ".join(rows["badprov"].values())
        await pilot.resize_terminal(60, 24)
        await pilot.pause()
        rows = {r["NAME"]: r for r in table_rows(screen)}
        assert "BASE URL" not in rows["badprov"]
        assert rows["badprov"]["HEALTH"].startswith("✘ config.toml:7 provider: ")
        # Testing a broken profile names the problem instead of crashing.
        await pilot.press("t")
        await wait_workers(pilot)
        ok, text = screen.results["badprov"]
        assert not ok and "unknown provider" in text


async def test_unknown_settings_show_as_warning_rows_with_line(tmp_path: Path) -> None:
    """A misspelt `webhok_secret_env` was silently kept: the profile looked fine until the
    server refused an answer. It is ignored, and the screen says so with its line."""
    path = write(tmp_path, """[defaults]
refresh_second = 5

[profiles.chain]
provider = "b3os"
api_key_env = "X"
webhok_secret_env = "HOOK"
""")
    app = make_app(path)
    async with app.run_test(size=(120, 30)) as pilot:
        assert any("refresh_second" in n for n in notifications(app)), "told at start"
        screen = await open_profiles(pilot)
        rows = table_rows(screen)
        assert rows[0]["NAME"] == "chain" and rows[0]["PROVIDER"] == "b3os", "the profile still works"
        warned = {r["BASE URL"]: r for r in rows if r["PROVIDER"] == "! WARNING"}
        assert set(warned) == {"config.toml:2 defaults.refresh_second", "config.toml:7 webhok_secret_env"}
        assert warned["config.toml:7 webhok_secret_env"]["HEALTH"].startswith("! unknown setting, ignored")
        title = str(screen.query_one("#profiles-title", Static).render())
        assert "2 unknown setting(s) ignored" in title and "in error" not in title
        screen.query_one(DataTable).move_cursor(row=2)
        await pilot.pause()
        detail = str(screen.query_one("#profiles-detail", Static).render())
        assert detail.startswith("! profile chain: config.toml:7; field 'webhok_secret_env'")
        assert "webhook_secret_env" in detail, "the setting it may have meant is named"


# ---- add / edit / remove ------------------------------------------------------------


async def fill_form(pilot: Pilot[Any], **fields: Any) -> ProfileFormScreen:
    form = pilot.app.screen
    assert isinstance(form, ProfileFormScreen)
    for wid, value in fields.items():
        widget = form.query_one(f"#{wid}")
        if isinstance(widget, Select):
            widget.value = value
        elif isinstance(widget, Checkbox):
            widget.value = bool(value)
        elif isinstance(widget, Input):
            widget.value = ""
            widget.focus()
            await pilot.press(*list(value))
    await pilot.pause()
    return form


async def edit_form(pilot: Pilot[Any], name: str, **fields: Any) -> ProfileFormScreen:
    """The profiles screen, `name` selected, its form open (`e`), `fields` filled in."""
    screen = await open_profiles(pilot)
    await select_row(pilot, screen, name)
    await pilot.press("e")
    await pilot.pause()
    return await fill_form(pilot, **fields)


async def test_add_keeps_the_mode_and_comments_and_reloads(tmp_path: Path) -> None:
    path = write(tmp_path, """# keep me: my profiles
[profiles.one]
provider = "edges"
api_key_env = "ONE_KEY"  # trailing comment
""", mode=0o644)
    app = make_app(path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_profiles(pilot)
        await pilot.press("a")
        await pilot.pause()
        await fill_form(pilot, name="wx", provider="wexa", key_value="WX_KEY",
                        project_id="0123456789abcdef01234567", user_id="u1")
        await pilot.press("f2")
        await wait_workers(pilot)
        assert app.screen is screen
        text = path.read_text()
        assert "# keep me: my profiles" in text and "# trailing comment" in text
        assert stat.S_IMODE(path.stat().st_mode) == 0o644
        data = tomllib.loads(text)["profiles"]["wx"]
        assert data == {"provider": "wexa", "api_key_env": "WX_KEY",
                        "project_id": "0123456789abcdef01234567", "user_id": "u1"}
        # The workspace was reloaded: the new profile is in the list without a restart.
        assert "wx" in app.workspace.config.profiles
        assert "wx" in [r["NAME"] for r in table_rows(screen)]


async def test_form_validation_errors_inline(tmp_path: Path) -> None:
    path = write(tmp_path, '[profiles.one]\nprovider = "edges"\napi_key_env = "K"\n')
    app = make_app(path)
    async with app.run_test(size=(100, 40)) as pilot:
        await open_profiles(pilot)
        await pilot.press("a")
        await pilot.pause()
        form = await fill_form(pilot, name="bad name!", provider="edges", key_value="",
                               base_url="http://example.com/api")
        await pilot.press("f2")
        await pilot.pause()
        assert app.screen is form
        errors = "\n".join(form.errors)
        assert "name: use letters" in errors
        assert "env var: give the name" in errors
        assert "plain http to example.com" in errors
        assert "✘ name: use letters" in str(form.query_one("#form-errors", Static).render())
        assert form.query_one("#name", Input).has_class("invalid")
        # An existing name, and a key pasted where the variable name goes.
        await fill_form(pilot, name="one", key_value="sk-abc.def")
        await pilot.press("f2")
        await pilot.pause()
        errors = "\n".join(form.errors)
        assert "already exists" in errors and "not the key itself" in errors
        # Fixed: loopback http needs no opt-in; the remote one does.
        await fill_form(pilot, name="two", key_value="TWO_KEY", allow_insecure_http=True)
        await pilot.press("f2")
        await wait_workers(pilot)
        assert isinstance(app.screen, ProfilesScreen)
        saved = tomllib.loads(path.read_text())["profiles"]["two"]
        assert saved["allow_insecure_http"] is True
        assert saved["base_url"] == "http://example.com/api"


async def test_edit_keeps_fields_the_form_does_not_show(tmp_path: Path) -> None:
    path = write(tmp_path, f"""# header comment
[profiles.b]
provider = "b3os"
api_key = "{SENTINEL_INLINE}"
org_id = "org-1"
refresh_seconds = 5.0
custom_thing = 42
""")
    app = make_app(path)
    async with app.run_test(size=(100, 40)) as pilot:
        form = await edit_form(pilot, "b", read_only=True)
        assert form.query_one("#key_source", Select).value == "inline"
        assert form.query_one("#org_id", Input).value == "org-1"
        await pilot.press("f2")
        await wait_workers(pilot)
        text = path.read_text()
        assert "# header comment" in text
        data = tomllib.loads(text)["profiles"]["b"]
        assert data == {"provider": "b3os", "api_key": SENTINEL_INLINE, "org_id": "org-1",
                        "refresh_seconds": 5.0, "custom_thing": 42, "read_only": True}
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert app.workspace.config.profiles["b"].read_only is True
        # Switching the key source away from inline drops the inline key.
        await pilot.press("e")
        await pilot.pause()
        await fill_form(pilot, key_source="env")
        await fill_form(pilot, key_value="B_KEY")
        await pilot.press("f2")
        await wait_workers(pilot)
        data = tomllib.loads(path.read_text())["profiles"]["b"]
        assert "api_key" not in data and data["api_key_env"] == "B_KEY"
        assert data["custom_thing"] == 42


async def test_a_broken_profile_in_a_file_with_a_byte_order_mark_opens_with_its_values(
        tmp_path: Path) -> None:
    """A broken profile's form starts from its table as written, read apart from the
    loader: a file saved with a BOM gave an empty form, then a fix lost every value."""
    path = tmp_path / "config.toml"
    path.write_bytes(codecs.BOM_UTF8 + b"""[profiles.good]
provider = "edges"
api_key_env = "X"

[profiles.broken]
provider = "b3os"
api_key_env = "B_KEY"
org_id = "org-7"
read_only = "maybe"
""")
    path.chmod(0o600)
    app = make_app(path)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_profiles(pilot)
        assert {r["NAME"]: r["PROVIDER"] for r in table_rows(screen)}["good"] == "edges"
        await select_row(pilot, screen, "broken")
        await pilot.press("e")
        await pilot.pause()
        form = top(app)
        assert isinstance(form, ProfileFormScreen)
        assert form.query_one("#org_id", Input).value == "org-7"
        assert form.query_one("#key_value", Input).value == "B_KEY"


async def test_edit_saved_unchanged_keeps_number_options(tmp_path: Path) -> None:
    """A provider's number options showed as empty fields: saved unchanged, the form
    deleted them from the file."""
    path = write(tmp_path, """[profiles.pf]
provider = "prefect"
base_url = "http://127.0.0.1:9/api"
suspend_timeout_seconds = 0
scheduled_horizon_minutes = 120.5
""")
    app = make_app(path)
    async with app.run_test(size=(100, 40)) as pilot:
        form = await edit_form(pilot, "pf")
        assert form.query_one("#suspend_timeout_seconds", Input).value == "0"
        assert form.query_one("#scheduled_horizon_minutes", Input).value == "120.5"
        await pilot.press("f2")
        await wait_workers(pilot)
        data = tomllib.loads(path.read_text())["profiles"]["pf"]
        assert data == {"provider": "prefect", "base_url": "http://127.0.0.1:9/api",
                        "suspend_timeout_seconds": 0, "scheduled_horizon_minutes": 120.5}


async def test_a_long_profile_name_leaves_room_for_health_at_80_columns(tmp_path: Path) -> None:
    """A 64-character name (the longest allowed) widened NAME until HEALTH left the screen
    for every profile; the name is cut in the table and said whole under it."""
    long_name = "payments-" + "x" * 55
    path = write(tmp_path, f"""[profiles.{long_name}]
provider = "edges"
api_key_env = "RT_UNSET_VARIABLE"

[profiles.short]
provider = "edges"
api_key_env = "RT_UNSET_VARIABLE"
""")
    app = make_app(path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_profiles(pilot)
        rows = table_rows(screen)
        assert all("HEALTH" in row for row in rows)
        names = [row["NAME"] for row in rows]
        assert "short" in names and any(n.startswith("payments-x") and n.endswith("…") for n in names)
        table = screen.query_one(DataTable)
        before_health = sum(col.get_render_width(table) for col in table.ordered_columns[:-1])
        assert before_health + 2 + 20 <= 80  # HEALTH on screen, with 20 columns of room
        await select_row(pilot, screen, next(n for n in names if n.startswith("payments")))
        assert long_name in str(screen.query_one("#profiles-detail", Static).render())


async def test_remove_asks_and_n_keeps_y_removes(tmp_path: Path) -> None:
    path = write(tmp_path, """# top
[profiles.keep]
provider = "edges"
api_key_env = "K"

[profiles.gone]
provider = "edges"
api_key_env = "K"
""")
    app = make_app(path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_profiles(pilot)
        await select_row(pilot, screen, "gone")
        for key in ("ctrl+d", "ctrl+k"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is screen
        await pilot.press("d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await wait_workers(pilot)
        assert top(app) is screen
        assert "gone" in tomllib.loads(path.read_text())["profiles"]
        # A stray Enter on the question is No too.
        await pilot.press("delete")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")
        await wait_workers(pilot)
        assert "gone" in tomllib.loads(path.read_text())["profiles"]
        await select_row(pilot, screen, "gone")
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await wait_workers(pilot)
        profiles = tomllib.loads(path.read_text())["profiles"]
        assert "gone" not in profiles and "keep" in profiles
        assert "# top" in path.read_text()
        assert "gone" not in app.workspace.config.profiles
        assert [r["NAME"] for r in table_rows(screen)] == ["keep"]


async def test_keys_typed_right_after_d_or_a_are_the_dialogs(tmp_path: Path) -> None:
    """The profiles screen opened its dialogs from a worker, a step after the key: d then n
    typed fast left "Remove profile …?" open, and a then a name ran the screen's keys
    (t tested the profile)."""
    path = write(tmp_path, '[profiles.keep]\nprovider = "edges"\napi_key_env = "K"\n')
    app = make_app(path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_profiles(pilot)
        shown: list[Screen[Any]] = []
        app.screen_change_signal.subscribe(app, shown.append, immediate=True)
        type_in_one_burst(app, "d", "n")
        await wait_for(pilot, lambda: [type(s) for s in shown] == [ConfirmScreen, ProfilesScreen],
                       timeout=5, what="the question asked, then answered by the n")
        assert "keep" in tomllib.loads(path.read_text())["profiles"]
        type_in_one_burst(app, "a", "t")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileFormScreen), what="the form")
        await pilot.pause()
        assert screen.results == {}  # the t was not the profiles screen's test


# ---- test -----------------------------------------------------------------------------


async def test_test_against_failing_provider_shows_message(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEAD_KEY", SENTINEL_ENV)
    port = free_port()
    path = write(tmp_path, f"""
[profiles.dead]
provider = "edges"
base_url = "http://127.0.0.1:{port}/v1"
api_key_env = "DEAD_KEY"

[profiles.nokey]
provider = "edges"
api_key_env = "RT_UNSET_VARIABLE"
""")
    monkeypatch.delenv("RT_UNSET_VARIABLE", raising=False)
    app = make_app(path)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_profiles(pilot)
        await select_row(pilot, screen, "dead")
        await pilot.press("t")
        await wait_workers(pilot)
        ok, text = screen.results["dead"]
        assert not ok
        assert text.startswith("edges ") and ("network" in text or "timeout" in text), text
        row = {r["NAME"]: r for r in table_rows(screen)}["dead"]
        assert row["HEALTH"].startswith("✘ edges")
        messages = [n.message for n in app._notifications]
        assert any(m == text for m in messages)
        assert SENTINEL_ENV not in screen_text(app)
        await select_row(pilot, screen, "nokey")
        await pilot.press("t")
        await wait_workers(pilot)
        ok, text = screen.results["nokey"]
        assert not ok and "RT_UNSET_VARIABLE is not set" in text


async def test_test_against_simulator_says_ok(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from runtui.sim.config import SimConfig
    from runtui.sim.server import SimServer, write_config

    cfg = SimConfig(runs=5)
    with SimServer(cfg) as server:
        env = write_config(tmp_path / "config.toml", server.url, cfg)
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        app = make_app(tmp_path / "config.toml")
        async with app.run_test(size=(120, 30)) as pilot:
            screen = await open_profiles(pilot)
            await select_row(pilot, screen, "edges-sim")
            await pilot.press("t")
            await wait_workers(pilot)
            ok, text = screen.results["edges-sim"]
            assert ok and text.startswith("OK: "), text
            row = {r["NAME"]: r for r in table_rows(screen)}["edges-sim"]
            assert row["HEALTH"].startswith("✔ OK: ")


# ---- welcome --------------------------------------------------------------------------


async def test_welcome_appears_without_profiles_and_add_opens_runs(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "config.toml"  # does not exist yet
    app = _App(Workspace.load(path))
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, WelcomeScreen)
        text = screen_text(app)
        assert "No profile yet" in text and "config.toml" in text
        assert app.opened == 0
        await pilot.press("a")
        await pilot.pause()
        await fill_form(pilot, name="first", provider="edges", key_value="FIRST_KEY")
        await pilot.press("f2")
        await wait_workers(pilot)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert tomllib.loads(path.read_text())["profiles"]["first"]["api_key_env"] == "FIRST_KEY"
        assert app.opened == 1
        assert isinstance(app.screen, RunsScreen)
        assert "first" in app.workspace.config.profiles


async def test_a_then_q_typed_fast_on_the_welcome_screen_does_not_quit(tmp_path: Path) -> None:
    """The form came a step after `a` (from a worker): a name typed fast ran the welcome
    screen's keys, and its "q" quit the app."""
    app = _App(Workspace.load(tmp_path / "config.toml"))
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, WelcomeScreen)
        type_in_one_burst(app, "a", "q")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileFormScreen), what="the form")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, ProfileFormScreen)


async def test_an_arrow_typed_after_a_on_the_welcome_screen_waits_for_the_form(tmp_path: Path) -> None:
    """The arrows are priority keys: read in one burst with the `a` before them, they moved
    this screen's focus before the form opened, and the form never saw them."""
    app = _App(Workspace.load(tmp_path / "config.toml"))
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.focused is not None and app.focused.id == "demo"
        type_in_one_burst(app, "a", "down", "x")
        await wait_for(pilot, lambda: isinstance(app.screen, ProfileFormScreen), what="the form")
        await wait_for(pilot, lambda: app.screen.query_one("#name", Input).value == "x", what="x typed")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, WelcomeScreen), what="the welcome screen")
        assert app.focused is not None and app.focused.id == "demo"
        type_in_one_burst(app, "down", "down", "up")  # the arrows alone still move in order
        for _ in range(5):
            await pilot.pause(0.02)
        assert app.focused is not None and app.focused.id == "add"


async def test_welcome_says_a_broken_profile_is_there_and_the_form_knows_its_name(tmp_path: Path) -> None:
    """A file whose only profile is broken opened "No profile yet", and adding a profile
    of that name closed the form with "already exists", losing what was typed."""
    path = write(tmp_path, """[profiles.prod]
provider = "wexa"
api_key_env = "WEXA_KEY"
project_id = "not-hex"
""")
    app = _App(Workspace.load(path))
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, WelcomeScreen)
        text = " ".join(screen_text(app).split())
        assert "No profile yet" not in text
        assert "1 profile in" in text and "cannot be used yet" in text and "(P)" in text
        await pilot.press("a")
        await pilot.pause()
        form = await fill_form(pilot, name="prod", provider="edges", key_value="PROD_KEY")
        await pilot.press("f2")
        await pilot.pause()
        assert app.screen is form  # refused in the form, what was typed still there
        assert "already" in str(form.query_one("#form-errors", Static).render())


async def test_welcome_buttons_by_keyboard_and_quit(tmp_path: Path) -> None:
    app = _App(Workspace.load(tmp_path / "config.toml"))
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.focused is not None and app.focused.id == "demo"
        await pilot.press("down")
        assert app.focused is not None and app.focused.id == "add"
        await pilot.press("down")  # "Open the runs" is hidden without profiles
        assert app.focused is not None and app.focused.id == "quit"
        await pilot.press("enter")
        await pilot.pause()
    assert app.return_code == 0
    assert app.opened == 0


async def test_profiles_from_welcome_offers_to_open_runs(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    app = _App(Workspace.load(path))
    async with app.run_test(size=(100, 30)) as pilot:
        assert isinstance(app.screen, WelcomeScreen)
        await open_profiles(pilot)
        await pilot.press("a")
        await pilot.pause()
        await fill_form(pilot, name="p1", provider="edges", key_value="P1_KEY")
        await pilot.press("f2")
        await wait_workers(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await wait_workers(pilot)
        assert app.opened == 1
        assert isinstance(app.screen, RunsScreen)
        assert not any(isinstance(s, ProfilesScreen) for s in app.screen_stack)


async def test_welcome_demo_starts_simulator_with_temp_config(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from runtui.sim.config import KEY_ENV

    for var in KEY_ENV.values():  # recorded, so monkeypatch undoes what the demo sets
        monkeypatch.setenv(var, "placeholder")
        monkeypatch.delenv(var)
    user_path = tmp_path / "config.toml"
    app = _App(Workspace.load(user_path))
    server: Any = None
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("d")
        await wait_workers(pilot)
        server = app.demo
        assert server is not None and server.url.startswith("http://127.0.0.1:")
        assert app.opened == 1
        assert sorted(app.workspace.config.profiles) == ["b3os-sim", "edges-sim", "wexa-sim"]
        assert app.workspace.config.path != user_path
        assert not user_path.exists()  # the user's file is never written by the demo
        assert os.environ[KEY_ENV["edges"]] == "sim-edges-key"
        # The demo profiles really answer.
        assert (await app.workspace.provider("edges-sim").check())
    assert app.demo is None
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", int(server.url.rsplit(":", 1)[1])), timeout=1).close()


# ---- snapshots ------------------------------------------------------------------------


def test_snapshot_profiles_with_error(snap_compare: Any) -> None:
    assert snap_compare("apps/profiles_error_app.py", press=["P", "down"], terminal_size=(100, 30))


def test_snapshot_welcome(snap_compare: Any) -> None:
    assert snap_compare("apps/welcome_app.py", terminal_size=(80, 24))


async def test_the_form_makes_a_keyless_profile_for_a_local_prefect(tmp_path: Path) -> None:
    path = write(tmp_path, '[profiles.one]\nprovider = "edges"\napi_key_env = "ONE_KEY"\n')
    app = make_app(path)
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await open_profiles(pilot)
        await pilot.press("a")
        await pilot.pause()
        await fill_form(pilot, name="local", provider="prefect", key_source="none",
                        base_url="http://127.0.0.1:4200/api")
        def row_shown(widget_id: str) -> bool:
            parent = app.screen.query_one(f"#{widget_id}").parent
            return parent is not None and bool(parent.display)

        assert row_shown("suspend_timeout_seconds") and not row_shown("project_id")
        await pilot.press("f2")
        await wait_workers(pilot)
        assert app.screen is screen
        data = tomllib.loads(path.read_text())["profiles"]["local"]
        assert data == {"provider": "prefect", "base_url": "http://127.0.0.1:4200/api"}


async def test_a_removed_profile_leaves_the_health_bar_and_the_title_counts_truly(tmp_path: Path) -> None:
    """The health bar kept '✘ gone config-error' after removal, and the title said
    '2 ok' while a row showed an error."""
    from runtui.tui.widgets.health_bar import HealthBar

    path = write(tmp_path, """[profiles.keep]
provider = "edges"
api_key_env = "K"

[profiles.gone]
provider = "nope"
""")
    from runtui.tui.app import RuntuiApp

    app = RuntuiApp(Workspace.load(path))  # watching: the health bar is filled as in real use
    async with app.run_test(size=(120, 30)) as pilot:

        await wait_for(pilot, lambda: bool(top(app).query(HealthBar)) and "gone" in
                       top(app).query_one(HealthBar).health, what="the health bar with 'gone'")
        bar = top(app).query_one(HealthBar)
        screen = await open_profiles(pilot)
        title = str(screen.query_one("#profiles-title").render())
        assert "1 in error" in title and "2 ok" not in title
        await select_row(pilot, screen, "gone")
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await wait_workers(pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert "gone" not in bar.health
        assert "gone" not in str(bar.render())


async def test_j_and_k_move_in_the_profiles_table(tmp_path: Path) -> None:
    path = write(tmp_path, '[profiles.a]\nprovider = "edges"\napi_key_env = "K"\n\n'
                           '[profiles.b]\nprovider = "edges"\napi_key_env = "K"\n')
    app = make_app(path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_profiles(pilot)
        table = screen.query_one(DataTable)
        start = table.cursor_row
        await pilot.press("j")
        assert table.cursor_row == start + 1
        await pilot.press("k")
        assert table.cursor_row == start


async def test_test_runs_a_key_command_that_failed_again(tmp_path: Path) -> None:
    """A failed key command is told again without running for a while; a test asked for
    (`t`) runs it again, so a fixed vault is seen at once."""
    runs, unlocked = tmp_path / "runs", tmp_path / "unlocked"
    command = f"sh -c 'echo ran >> {runs}; test -e {unlocked} && echo the-key || exit 1'"
    path = write(tmp_path, f"""
[profiles.vault]
provider = "edges"
base_url = "http://127.0.0.1:{free_port()}/v1"
api_key_cmd = "{command}"
""")
    app = make_app(path)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_profiles(pilot)
        await select_row(pilot, screen, "vault")
        await pilot.press("t")
        await wait_workers(pilot)
        ok, text = screen.results["vault"]
        assert not ok and "exit code 1" in text, text
        unlocked.touch()
        await pilot.press("t")
        await wait_workers(pilot)
        ok, text = screen.results["vault"]
        assert len(runs.read_text().splitlines()) == 2, "run again when asked"
        assert "api_key_cmd" not in text and ("network" in text or "timeout" in text), text
        assert "the-key" not in screen_text(app)


def _config_in(folder: Path) -> None:
    path = folder / "config.toml"
    path.write_text('[profiles.one]\nprovider = "edges"\napi_key_env = "ONE_KEY"\n', encoding="utf-8")
    path.chmod(0o600)


@pytest.mark.parametrize("how", ["add", "edit"])
async def test_a_save_the_disk_refuses_is_said_in_the_form_with_the_typing_kept(
        tmp_path: Path, how: str) -> None:
    """A read-only or full config directory ended the app with a traceback (OSError from the
    write), and what was typed in the form was lost with it."""
    from tests.read_only_dir import read_only_dir

    with read_only_dir(tmp_path / "ro", _config_in) as folder:
        path = folder / "config.toml"
        app = make_app(path)
        async with app.run_test(size=(100, 40)) as pilot:
            if how == "add":
                await open_profiles(pilot)
                await pilot.press("a")
                await pilot.pause()
                form = await fill_form(pilot, name="two", provider="edges", key_value="TWO_KEY")
            else:
                form = await edit_form(pilot, "one", key_value="OTHER_KEY")
            await pilot.press("f2")
            await wait_for(pilot, lambda: bool(form.errors), what="the refusal")
            assert app.screen is form and app.is_running
            said = str(form.query_one("#form-errors", Static).render())
            assert f"not saved: {path}: cannot write, nothing changed: Read-only file system" in said
            assert form.query_one("#key_value", Input).value == ("TWO_KEY" if how == "add" else "OTHER_KEY")
        assert "OTHER_KEY" not in path.read_text() and "two" not in path.read_text()


@pytest.mark.parametrize("gone", ["file", "profile"])
@pytest.mark.parametrize("new_name", ["one", "uno"])
async def test_an_edit_whose_profile_is_gone_from_the_file_is_refused(
        tmp_path: Path, gone: str, new_name: str) -> None:
    """The file deleted while the app ran, then an edit saved: "saved profile one", and the
    file was made anew holding only that profile; every other profile was gone."""
    path = write(tmp_path, '[profiles.one]\nprovider = "edges"\napi_key_env = "ONE_KEY"\n\n'
                           '[profiles.two]\nprovider = "edges"\napi_key_env = "TWO_KEY"\n')
    app = make_app(path)
    async with app.run_test(size=(100, 40)) as pilot:
        await edit_form(pilot, "one")
        form = await fill_form(pilot, name=new_name, key_value="OTHER_KEY")
        if gone == "file":
            path.unlink()
            why = "the config file no longer exists (deleted since runtui read it); nothing written"
        else:
            path.write_text('[profiles.two]\nprovider = "edges"\napi_key_env = "TWO_KEY"\n', encoding="utf-8")
            why = "no longer in the file (removed since runtui read it); nothing written"
        await pilot.press("f2")
        await wait_for(pilot, lambda: bool(form.errors), what="the refusal")
        assert app.screen is form
        assert why in str(form.query_one("#form-errors", Static).render())
        assert not path.exists() if gone == "file" else "OTHER_KEY" not in path.read_text()


async def test_a_renamed_profile_is_replaced_in_one_write(tmp_path: Path) -> None:
    path = write(tmp_path, '# mine\n[profiles.one]\nprovider = "edges"\napi_key_env = "ONE_KEY"\n\n'
                           '[profiles.two]\nprovider = "edges"\napi_key_env = "TWO_KEY"\n')
    app = make_app(path)
    async with app.run_test(size=(100, 40)) as pilot:
        await edit_form(pilot, "one")
        await fill_form(pilot, name="uno")
        await pilot.press("f2")
        await wait_workers(pilot)
        assert not isinstance(app.screen, ProfileFormScreen)
        data = tomllib.loads(path.read_text())["profiles"]
        assert set(data) == {"uno", "two"} and data["uno"]["api_key_env"] == "ONE_KEY"
        assert "# mine" in path.read_text()


KEY_SHAPED_ENV = "ghp_4Tq9ZrX2mB7vK1nL8pW3sY6dF0hJ5gC2aE9u"
KEY_SHAPED_HOOK = "whsec_9Kx2Lm4Np6Qr8St0Uv2Wx4Yz6Ab8Cd0E"


async def test_a_key_shaped_env_setting_is_never_on_screen(tmp_path: Path) -> None:
    """A key pasted where api_key_env's (or webhook_secret_env's) variable name goes, spelt
    like a name, showed in the KEY column (`env:ghp_…`), in the test's "environment
    variable ghp_… is not set" and in the edit form. Now the column says the name is not
    shown, the test names the setting, and the form's field shows dots (saved as it is)."""
    path = write(tmp_path, f"""
[profiles.pasted]
provider = "edges"
base_url = "http://127.0.0.1:{free_port()}"
api_key_env = "{KEY_SHAPED_ENV}"

[profiles.hook]
provider = "b3os"
base_url = "http://127.0.0.1:{free_port()}"
api_key_env = "RT_HOOK_KEY"
webhook_secret_env = "{KEY_SHAPED_HOOK}"
""")
    app = make_app(path)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_profiles(pilot)
        assert {r["NAME"]: r["KEY"] for r in table_rows(screen)}["pasted"] == "env:(name not shown)"
        await select_row(pilot, screen, "pasted")
        await pilot.press("t")
        await wait_workers(pilot)
        ok, text = screen.results["pasted"]
        assert not ok and "the environment variable named in api_key_env is not set" in text, text
        shown = [app.export_screenshot(), *(" ".join(r.values()) for r in table_rows(screen)),
                 *notifications(app)]
        for name in ("pasted", "hook"):
            await select_row(pilot, screen, name)
            await pilot.press("e")
            await wait_for(pilot, lambda: isinstance(app.screen, ProfileFormScreen), what="the form")
            shown.append(app.export_screenshot())
            fields = {w.id: w for w in app.screen.query(Input)}
            assert fields["key_value"].value in (KEY_SHAPED_ENV, "RT_HOOK_KEY"), "kept, to be saved"
            await pilot.press("escape")
            await wait_for(pilot, lambda: isinstance(app.screen, ProfilesScreen), what="the list")
        assert fields["webhook_secret_env"].value == KEY_SHAPED_HOOK
        for text in shown:
            assert KEY_SHAPED_ENV not in text and KEY_SHAPED_HOOK not in text
