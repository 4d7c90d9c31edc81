"""The one switch for Textual's private API: when it turns off, and what the app does then."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual._compositor import Compositor
from textual.drivers.linux_driver import LinuxDriver
from textual.widget import Widget

from runtui import config as config_mod
from runtui.engine.workspace import Workspace
from runtui.tui import frames, switch
from runtui.tui.app import RuntuiApp
from runtui.tui.compositor import CroppingCompositor
from runtui.tui.driver import QuietLinuxDriver
from runtui.tui.screens.runs import RunsScreen

TESTED = sorted(switch.TESTED_TEXTUAL)[0]


@pytest.fixture
def fresh_switch(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Each test decides anew (from a clean environment); the next test does too."""
    for var in (switch.STOCK_ENV, switch.OLD_STOCK_ENV):
        monkeypatch.delenv(var, raising=False)
    switch.decision.cache_clear()
    yield monkeypatch
    switch.decision.cache_clear()


# ---- the rule -----------------------------------------------------------------------------


def test_on_for_a_tested_version_with_every_name() -> None:
    assert switch.decide({}, TESTED, []) == switch.Decision(True, "")


@pytest.mark.parametrize("var", [switch.STOCK_ENV, switch.OLD_STOCK_ENV])
def test_off_when_asked_and_silent(var: str) -> None:
    made = switch.decide({var: "1"}, TESTED, [])
    assert not made.private and not made.warn and var in made.reason


def test_an_empty_or_zero_variable_asks_nothing() -> None:
    assert switch.decide({switch.STOCK_ENV: "0", switch.OLD_STOCK_ENV: ""}, TESTED, []).private


def test_off_with_a_warning_on_an_untested_version() -> None:
    made = switch.decide({}, "8.3.0", [])
    assert not made.private and made.warn and "8.3.0" in made.reason and TESTED in made.reason


def test_off_with_a_warning_when_a_name_is_missing() -> None:
    made = switch.decide({}, TESTED, ["textual.widget:Widget._check_refresh"])
    assert not made.private and made.warn and "_check_refresh" in made.reason


# ---- the probe of the installed Textual -----------------------------------------------------


def test_the_installed_textual_has_every_name() -> None:
    assert switch.textual_version() in switch.TESTED_TEXTUAL  # what the test extra pins
    assert switch.missing_names() == []


def test_the_version_beside_the_package_is_the_librarys_answer() -> None:
    from importlib import metadata

    import textual

    assert switch.version_beside(textual.__file__ or "", "textual") == metadata.version("textual")


def _installed(site: Path, *dist_infos: tuple[str, str]) -> str:
    """A package `pkg` in `site` with the given (directory, METADATA) beside it; its __init__."""
    (site / "pkg").mkdir(parents=True)
    init = site / "pkg" / "__init__.py"
    init.write_text("")
    for directory, meta in dist_infos:
        (site / directory).mkdir()
        (site / directory / "METADATA").write_text(meta)
    return str(init)


def test_the_version_is_read_from_the_headers_of_the_one_dist_info(tmp_path: Path) -> None:
    init = _installed(tmp_path, ("pkg-1.2.3.dist-info", "Metadata-Version: 2.4\nName: Pkg\n"
                                 "Version: 1.2.3\n\nVersion: 9.9.9 (the description, not a header)\n"),
                      ("pkg_extra-5.0.dist-info", "Name: pkg-extra\nVersion: 5.0\n"))
    assert switch.version_beside(init, "pkg") == "1.2.3"


@pytest.mark.parametrize("dist_infos", [
    (),  # an editable install: nothing beside the package
    (("pkg-1.0.dist-info", "Name: pkg\nVersion: 1.0\n"), ("pkg-2.0.dist-info", "Name: pkg\nVersion: 2.0\n")),
    (("pkg-1.0.dist-info", "Name: other\nVersion: 1.0\n"),),
    (("pkg-1.0.dist-info", "Name: pkg\n"),),
])
def test_no_version_unless_one_dist_info_names_the_project(
        tmp_path: Path, dist_infos: tuple[tuple[str, str], ...]) -> None:
    assert switch.version_beside(_installed(tmp_path, *dist_infos), "pkg") is None


def test_without_a_dist_info_beside_it_the_library_answers(fresh_switch: pytest.MonkeyPatch) -> None:
    from importlib import metadata

    fresh_switch.setattr(switch, "version_beside", lambda package_init, name: None)
    assert switch.textual_version() == metadata.version("textual")


def test_deciding_does_not_load_importlib_metadata() -> None:
    """It cost ~9 ms of every start before the first rows, and nothing else then needs it."""
    code = ("import sys\nfrom runtui.tui import switch\nimport runtui.tui.app\n"
            "assert switch.decision().private\nprint('importlib.metadata' in sys.modules)")
    env = {k: v for k, v in os.environ.items() if k not in (switch.STOCK_ENV, switch.OLD_STOCK_ENV)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "False"


def test_a_missing_method_module_or_instance_attribute_is_found() -> None:
    names = [
        switch.PrivateName("textual.widget:Widget", "_no_such_method"),
        switch.PrivateName("textual._no_such_module", "Thing"),
        switch.PrivateName("textual.app:App", "_no_such_attribute", in_init=True),
        switch.PrivateName("textual.app:App", "_driver", in_init=True),  # there: not reported
    ]
    assert switch.missing_names(names) == [str(n) for n in names[:3]]


def test_a_renamed_private_method_turns_the_switch_off_with_one_log_line(
        fresh_switch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    fresh_switch.delattr(Widget, "_check_refresh")
    with caplog.at_level(logging.WARNING, logger="runtui"):
        assert not switch.private()
        assert not switch.private()  # decided once: no second line
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("runtui")]
    assert len(lines) == 1 and "textual.widget:Widget._check_refresh" in lines[0]


def test_an_untested_version_turns_the_switch_off_with_one_log_line(
        fresh_switch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    fresh_switch.setattr(switch, "textual_version", lambda: "8.9.0")
    with caplog.at_level(logging.WARNING, logger="runtui"):
        assert not switch.private()
    assert [r.getMessage() for r in caplog.records if r.name.startswith("runtui")] == [
        f"Textual's private API is off (stock mode): Textual 8.9.0 is not a tested version ({TESTED})"]


# ---- what the app uses ----------------------------------------------------------------------


def _app() -> RuntuiApp:
    return RuntuiApp(Workspace(config_mod.Config(path=config_mod.default_config_path())), watch=False)


@pytest.mark.skipif(sys.platform == "win32", reason="Textual's Linux driver")
async def test_switch_on_uses_the_quiet_driver_and_the_cropping_compositor(
        fresh_switch: pytest.MonkeyPatch) -> None:
    assert switch.private()
    assert _app().get_driver_class() is QuietLinuxDriver
    assert type(RunsScreen()._compositor) is CroppingCompositor


@pytest.mark.skipif(sys.platform == "win32", reason="Textual's Linux driver")
async def test_switch_off_uses_textuals_own_driver_and_compositor(fresh_switch: pytest.MonkeyPatch) -> None:
    fresh_switch.setattr(switch, "textual_version", lambda: "9.0.0")
    assert not switch.private()
    assert _app().get_driver_class() is LinuxDriver
    assert type(RunsScreen()._compositor) is Compositor


def test_switch_off_leaves_the_repaints_to_textual(fresh_switch: pytest.MonkeyPatch) -> None:
    called: list[Widget] = []

    class Spy(Widget):
        def _check_refresh(self) -> None:
            called.append(self)

    fresh_switch.setenv(switch.STOCK_ENV, "1")
    frames.repaint_now(Spy())
    assert called == []


def _overrides_in_a_fresh_process(env_value: str | None) -> str:
    """Which private methods RunLines overrides, in a new interpreter (decided at import)."""
    code = ("from runtui.tui.widgets.run_lines import RunLines\n"
            "print(sorted(n for n in vars(RunLines) if n.startswith('_size')))")
    env = {k: v for k, v in os.environ.items()
           if k not in (switch.STOCK_ENV, switch.OLD_STOCK_ENV)}
    if env_value is not None:
        env[switch.STOCK_ENV] = env_value
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          check=True).stdout.strip()


def test_stock_mode_overrides_no_private_method() -> None:
    assert _overrides_in_a_fresh_process(None) == "['_size_updated']"
    assert _overrides_in_a_fresh_process("1") == "[]"
