"""On a terminal of 16 colours (TERM=xterm, screen, linux without COLORTERM) every meaning
keeps a colour of its own.

Rich sends each colour there as its nearest of the 16, and the theme's soft pink error,
light blue and light green fell on the same grey (SGR 37): a failed run looked like a
running one, a profile in error like one that is fine, and the theme's orange warning
came out red as errors do. The terminal's codes are read here from what the app draws,
downgraded to 16 colours as Rich does it for the real terminal.
"""

from __future__ import annotations

from typing import Any

import pytest
from rich.color import ColorSystem
from rich.style import Style

from runtui.model import Status
from runtui.tui import clock as tui_clock
from runtui.tui.app import RuntuiApp
from runtui.tui.screens.runs import RunsScreen
from runtui.tui.screens.workflows import WorkflowsScreen, WorkflowTable
from runtui.tui.widgets.run_table import STATUS_CLASSES, RunTable
from tests.tui.apps import runs_support, workflows_support
from tests.tui.conftest import styles_holding, wait_for

RED, GREEN, YELLOW = "31", "32", "33"
BRIGHT_RED, BRIGHT_GREEN, BRIGHT_YELLOW = "91", "92", "93"


@pytest.fixture
def sixteen_colours(monkeypatch: pytest.MonkeyPatch) -> None:
    """GNU screen (and tmux's old default, the Linux console, xterm without COLORTERM)."""
    monkeypatch.setenv("TERM", "screen")
    monkeypatch.delenv("COLORTERM", raising=False)


def code(style: Style) -> str:
    """The foreground SGR code a 16-colour terminal gets for `style`."""
    assert style.color is not None, style
    return style.color.downgrade(ColorSystem.STANDARD).get_ansi_codes(foreground=True)[0]


def codes(app: RuntuiApp, needle: str) -> set[str]:
    styles = styles_holding(app, needle)
    assert styles, f"{needle!r} is not on screen"
    return {code(style) for style in styles}


def status_codes(table: RunTable) -> dict[Status, str]:
    return {status: code(table.get_component_rich_style(name, partial=True))
            for status, name in STATUS_CLASSES.items() if status is not Status.UNKNOWN}


async def test_each_status_has_an_ansi_colour_of_its_own(sixteen_colours: None) -> None:
    app = runs_support.build_app(broken=True)
    assert app.console.color_system == "standard"
    async with app.run_test(size=(180, 30)) as pilot:
        await wait_for(pilot, lambda: bool(styles_holding(app, "✘ flows-staging")), what="the health line")
        table = app.screen.query_one(RunTable)
        by_status = status_codes(table)
        assert by_status[Status.FAILED] == BRIGHT_RED
        assert by_status[Status.SUCCEEDED] == BRIGHT_GREEN
        assert by_status[Status.PAUSED] == BRIGHT_YELLOW
        assert len(set(by_status.values())) == len(by_status), by_status
        plain = codes(app, "Legacy bridge sweeper")  # a run's name: the table's own text colour
        assert plain.isdisjoint(by_status.values()), (plain, by_status)
        # What the terminal is sent: the failed rows (none is the cursor's) in red.
        assert codes(app, "✘ failed") == {BRIGHT_RED}
        # The health line: a profile in error red, one that is fine green.
        assert codes(app, "✘ flows-staging") == {BRIGHT_RED}
        assert codes(app, "● b3-prod") == {BRIGHT_GREEN}


SEVERITIES = ("information", "warning", "error")


async def test_toast_severities_differ(sixteen_colours: None) -> None:
    """The theme's warning orange and error pink were both bright red."""
    app = runs_support.build_app()
    async with app.run_test(size=(180, 40), notifications=True) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), what="the runs screen")
        for severity in SEVERITIES:
            app.notify(f"a toast of {severity}", severity=severity)  # type: ignore[arg-type]
        await wait_for(pilot, lambda: len(app.screen.query("Toast")) == 3, what="three toasts")
        bars, titles = {}, {}
        for severity in SEVERITIES:
            toast = app.screen.query_one(f"Toast.-{severity}")
            bars[severity] = code(Style(color=toast.styles.border_left[1].rich_color))
            titles[severity] = code(toast.get_component_rich_style("toast--title", partial=True))
        assert bars == {"information": GREEN, "warning": YELLOW, "error": RED}
        assert titles == {"information": BRIGHT_GREEN, "warning": BRIGHT_YELLOW, "error": BRIGHT_RED}


async def test_the_workflows_flags_keep_their_colours(sixteen_colours: None,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure's FAIL count and flags were the same grey as a success's figures."""
    monkeypatch.setattr(tui_clock, "now", lambda: workflows_support.NOW)
    app = workflows_support.build_app()
    async with app.run_test(size=(200, 30)) as pilot:
        await pilot.press("W")
        await wait_for(pilot, lambda: isinstance(app.screen, WorkflowsScreen), what="the workflows view")
        looks = app.screen.query_one(WorkflowTable).looks()
        assert (code(looks.failed), code(looks.warning), code(looks.succeeded)) == \
            (BRIGHT_RED, BRIGHT_YELLOW, BRIGHT_GREEN)


async def test_a_light_theme_gets_the_dark_ansi_colours(sixteen_colours: None) -> None:
    """Bright yellow or cyan on white cannot be read: a light theme gets the plain ones."""
    app = runs_support.build_app()
    async with app.run_test(size=(180, 30)) as pilot:
        app.theme = "textual-light"
        await pilot.pause()
        by_status = status_codes(app.screen.query_one(RunTable))
        assert by_status[Status.FAILED] == RED and by_status[Status.PAUSED] == YELLOW
        assert len(set(by_status.values())) == len(by_status), by_status


def _variables(monkeypatch: pytest.MonkeyPatch, **env: str | None) -> dict[str, Any]:
    for name, value in env.items():
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    return dict(runs_support.build_app().theme_variables)


def test_no_color_and_more_colours_keep_the_themes_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """NO_COLOR's greys are made from the theme's colours, and read (tests of NO_COLOR);
    256 colours and truecolor have the theme's pink and blue to send."""
    theirs = _variables(monkeypatch, TERM="xterm", COLORTERM="truecolor")
    assert _variables(monkeypatch, TERM="xterm-256color", COLORTERM=None) == theirs
    assert _variables(monkeypatch, TERM="screen", COLORTERM=None, NO_COLOR="1") == theirs
    assert _variables(monkeypatch, TERM="screen", COLORTERM=None, NO_COLOR=None) != theirs
