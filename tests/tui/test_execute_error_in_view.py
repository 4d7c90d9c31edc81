"""At 80x24 the execute form is taller than the screen: what F2 refused must be said
where it is seen, not under the fold."""

from __future__ import annotations

from typing import Any

from textual.app import App
from textual.widgets import Input

from runtui.tui.screens.execute import ExecuteScreen
from tests.tui.test_execute import UNSET, Host, error_text, wait_for


def on_screen(app: App[Any]) -> str:
    """What the terminal shows now, as plain text lines."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def test_a_refused_start_says_why_where_it_is_seen() -> None:
    """Inputs not key=value, F2: nothing visible changed (the message was under the Inputs
    box, below the fold), so F2 seemed to do nothing."""
    app = Host({"w-prod": "wexa"})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.form.query_one("#execute-workflow", Input).value = "wf_1"
        app.form.inputs_area.focus()
        await pilot.press(*"summarise the incident")
        await pilot.press("f2")
        await wait_for(pilot, lambda: "expected key=value" in error_text(app.form))
        assert app.result is UNSET and isinstance(app.screen, ExecuteScreen)
        await wait_for(pilot, lambda: "expected key=value" in on_screen(app))
        assert "summarise the incident" in on_screen(app)  # and the field in error with it


async def test_a_refused_workflow_id_is_said_with_its_field_in_view() -> None:
    """The message is at the bottom, the field at the top: both show."""
    app = Host({"w-prod": "wexa"})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f2")
        await wait_for(pilot, lambda: "is required" in error_text(app.form))
        await wait_for(pilot, lambda: "✘ agentflow id is required" in on_screen(app))
        assert app.focused is app.form.query_one("#execute-workflow", Input)
        assert "agentflow id to start" in on_screen(app)  # the empty field's placeholder
