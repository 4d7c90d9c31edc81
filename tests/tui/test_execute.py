"""The execute form: validation, parsed inputs, the Wexa goal, prefill from a run and a schema."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.widgets import Input, Label, Select, Static, TextArea

from runtui.errors import ProviderError
from runtui.model import Run, StartRequest, Status
from runtui.providers.base import WorkflowInfo
from runtui.tui.screens.execute import ExecuteScreen, goal_of, parse_inputs, with_required, workflow_error
from tests.tui.apps.detail_support import CSS_PATH, MemoryProvider, make_workspace, sample_detail, sample_run

APPS = Path(__file__).parent / "apps"
UNSET: Any = object()


class Host(App[None]):
    CSS_PATH = CSS_PATH

    def __init__(self, profiles: dict[str, str], *, run: Run | None = None, same_inputs: bool = False,
                 offered: list[str] | None = None) -> None:
        super().__init__()
        self.workspace, self.fakes = make_workspace(profiles)
        self.offered = offered or list(profiles)
        self.run_ = run
        self.same_inputs = same_inputs
        self.result: Any = UNSET

    def on_mount(self) -> None:
        self.push_screen(ExecuteScreen(self.offered, self.run_, same_inputs=self.same_inputs),
                         self.done)

    def done(self, result: tuple[str, StartRequest] | None) -> None:
        self.result = result

    @property
    def form(self) -> ExecuteScreen:
        screen = self.screen
        assert isinstance(screen, ExecuteScreen)
        return screen

    def fake(self, name: str) -> MemoryProvider:
        return self.fakes[name]


async def wait_for(pilot: Pilot[Any], cond: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met in {timeout}s")
        await pilot.pause(0.02)
    await pilot.pause()


def error_text(form: ExecuteScreen) -> str:
    error = form.query_one("#execute-error", Static)
    return str(error.render()) if error.display else ""


async def test_empty_workflow_is_refused_inline() -> None:
    app = Host({"b3-prod": "b3os"})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("f2")
        await pilot.pause()
        assert app.result is UNSET
        assert isinstance(app.screen, ExecuteScreen)
        assert "workflow id is required" in error_text(app.form)
        assert app.form.query_one("#execute-workflow", Input).has_class("-invalid")


async def test_tab_never_lands_on_start_and_enter_never_starts() -> None:
    """Tab, Tab used to land on Start: typed text went nowhere and Enter started a run
    with no inputs. Tab walks the fields only; Enter goes to the next field; F2 starts."""
    from textual.widgets import Button, TextArea

    app = Host({"b3-prod": "b3os"})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        form = app.form
        await pilot.press(*"wf_1", "enter")
        assert app.result is UNSET and isinstance(app.focused, TextArea)  # on to the inputs
        for _ in range(6):
            await pilot.press("tab")
            assert not isinstance(app.focused, Button)
        form.inputs_area.focus()
        await pilot.press(*"{oops")
        await pilot.press("f2")
        await pilot.pause()
        assert app.result is UNSET and form.inputs_area.has_focus  # the bad field has focus
        form.query_one("#execute-workflow", Input).value = ""
        await pilot.press("f2")
        await pilot.pause()
        assert form.query_one("#execute-workflow", Input).has_focus


@pytest.mark.parametrize(("value", "problem"), [("wf 1", "spaces"), ("wf\x07x", "control"),
                                                 ("wf\tx", "spaces")])
async def test_workflow_with_whitespace_or_control_is_refused(value: str, problem: str) -> None:
    app = Host({"b3-prod": "b3os"})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.form.query_one("#execute-workflow", Input).value = value
        await pilot.press("f2")
        await pilot.pause()
        assert app.result is UNSET
        assert problem in error_text(app.form)


@pytest.mark.parametrize(("inputs", "problem"), [
    ("{bad", "inputs are not JSON"),
    # Python's json reads these; the send then raised (no JSON number is NaN or 1e999).
    ('{"a": NaN}', "NaN is not a JSON number"),
    ('{"a": 1e999}', "1e999 is past what a number holds"),
    ("[" * 100_000, "nested too deeply"),
    ("[1, 2]", "must be a JSON object"),
    ('"text"', "must be a JSON object"),
    ("month", "line 1: expected key=value"),
    ("a=1\n=2", "line 2"),
])
async def test_bad_inputs_keep_the_form_open(inputs: str, problem: str) -> None:
    app = Host({"b3-prod": "b3os"})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.form.query_one("#execute-workflow", Input).value = "wf_1"
        app.form.query_one("#execute-inputs", TextArea).load_text(inputs)
        await pilot.press("f2")
        await pilot.pause()
        assert app.result is UNSET
        assert isinstance(app.screen, ExecuteScreen)
        assert problem in error_text(app.form)
        # Fixing the inputs then starts.
        app.form.query_one("#execute-inputs", TextArea).load_text('{"ok": true}')
        await pilot.press("f2")
        await pilot.pause()
        assert app.result == ("b3-prod", StartRequest(workflow_id="wf_1", inputs={"ok": True}))


async def test_key_value_lines_are_parsed_and_returned() -> None:
    app = Host({"b3-prod": "b3os", "edges-prod": "edges"})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        # The workflow id is typed like a user would.
        await pilot.click("#execute-workflow")
        await pilot.press(*"wf_42")
        app.form.query_one("#execute-inputs", TextArea).load_text(
            'month=2025-02\ncount=3\n# a comment\n\nflags={"a": [1, 2]}\nname = hello world\nnone=null')
        await pilot.click("#execute-start")
        await pilot.pause()
        assert app.result == ("b3-prod", StartRequest(
            workflow_id="wf_42",
            inputs={"month": "2025-02", "count": 3, "flags": {"a": [1, 2]}, "name": "hello world",
                    "none": None}))


async def test_escape_cancels() -> None:
    app = Host({"b3-prod": "b3os"})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.result is None
        assert not isinstance(app.screen, ExecuteScreen)


async def test_goal_only_for_wexa_and_label_from_provider_class() -> None:
    app = Host({"b3-prod": "b3os", "edges-prod": "edges", "wexa-dev": "wexa"})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        form = app.form
        goal = form.query_one("#execute-goal", Input)
        label = form.query_one("#workflow-label", Label)
        assert form.profile == "b3-prod"
        assert not goal.display and str(label.render()) == "workflow id"

        form.query_one("#execute-profile", Select).value = "edges-prod"
        await pilot.pause()
        assert not goal.display and str(label.render()) == "flow slug"

        form.query_one("#execute-profile", Select).value = "wexa-dev"
        await pilot.pause()
        assert goal.display and str(label.render()) == "agentflow id"
        form.query_one("#execute-workflow", Input).value = "af_1"
        goal.value = "  summarise the inbox  "
        await pilot.press("f2")
        await pilot.pause()
        assert app.result == ("wexa-dev", StartRequest(workflow_id="af_1", goal="summarise the inbox"))


async def test_goal_is_not_sent_for_other_providers() -> None:
    app = Host({"wexa-dev": "wexa", "b3-prod": "b3os"})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        form = app.form
        assert form.profile == "wexa-dev"  # the first offered profile when no run is given
        assert form.query_one("#execute-goal", Input).display
        form.query_one("#execute-goal", Input).value = "a goal"
        form.query_one("#execute-profile", Select).value = "b3-prod"
        form.query_one("#execute-workflow", Input).value = "wf"
        await pilot.press("f2")
        await pilot.pause()
        assert app.result == ("b3-prod", StartRequest(workflow_id="wf"))


async def test_prefill_from_run_without_same_inputs() -> None:
    run = sample_run(Status.FAILED, "failure", profile="b3-prod")
    app = Host({"a-first": "edges", "b3-prod": "b3os"}, run=run)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.1)
        form = app.form
        assert form.profile == "b3-prod"
        assert form.query_one("#execute-workflow", Input).value == "wf_invoice_sync"
        assert form.query_one("#execute-inputs", TextArea).text == ""
        assert app.fake("b3-prod").reads == 0


async def test_same_inputs_prefills_inputs_and_goal_from_the_run() -> None:
    run = Run(profile="wexa-dev", provider="wexa", id="exec-1", workflow_id="af_9",
              status=Status.SUCCEEDED, raw_status="completed")
    app = Host({"wexa-dev": "wexa"}, run=run, same_inputs=True)
    app.fake("wexa-dev").details["exec-1"] = sample_detail(run, raw={
        "data": {"_id": "exec-1", "goal": "Reconcile February", "input_variables": {"month": "2025-02"}}})
    detail = app.fake("wexa-dev").details["exec-1"]
    app.fake("wexa-dev").details["exec-1"] = detail.model_copy(
        update={"inputs": {"month": "2025-02", "nested": {"a": 1}}})
    async with app.run_test(size=(80, 24)) as pilot:
        form = app.form
        await wait_for(pilot, lambda: form.query_one("#execute-inputs", TextArea).text != "")
        assert form.query_one("#execute-goal", Input).value == "Reconcile February"
        assert form.query_one("#execute-workflow", Input).value == "af_9"
        await pilot.press("f2")
        await pilot.pause()
        assert app.result == ("wexa-dev", StartRequest(
            workflow_id="af_9", inputs={"month": "2025-02", "nested": {"a": 1}},
            goal="Reconcile February"))


async def test_same_inputs_read_error_is_shown_and_form_still_works() -> None:
    run = sample_run(Status.FAILED, "failure")
    app = Host({"b3-prod": "b3os"}, run=run, same_inputs=True)
    app.fake("b3-prod").errors.append(ProviderError("bad gateway", provider="b3os", status=502))
    async with app.run_test(size=(80, 24)) as pilot:
        form = app.form
        await wait_for(pilot, lambda: "cannot read the inputs" in error_text(form))
        assert "HTTP 502" in error_text(form)
        await pilot.press("f2")
        await pilot.pause()
        assert app.result == ("b3-prod", StartRequest(workflow_id="wf_invoice_sync"))


async def test_schema_hint_and_required_keys_prefilled() -> None:
    app = Host({"b3-prod": "b3os"})
    app.fake("b3-prod").workflows["wf_s"] = WorkflowInfo(id="wf_s", inputs=(
        {"key": "month", "type": "string", "required": True},
        {"key": "limit", "type": "integer", "required": False},
        {"key": "tags", "type": "array", "required": True},
    ))
    async with app.run_test(size=(80, 24)) as pilot:
        form = app.form
        await pilot.pause()
        form.query_one("#execute-workflow", Input).value = "wf_s"
        hint = form.query_one("#schema-hint", Static)
        await wait_for(pilot, lambda: hint.display)
        assert str(hint.render()) == ("inputs: month (string, required), limit (integer), "
                                      "tags (array, required)")
        assert parse_inputs(form.query_one("#execute-inputs", TextArea).text) == {"month": "",
                                                                                  "tags": []}
        # Another workflow without a schema clears the hint (the user's text stays).
        form.query_one("#execute-workflow", Input).value = "wf_other"
        await wait_for(pilot, lambda: not hint.display)
        assert "month" in form.query_one("#execute-inputs", TextArea).text


async def test_schema_does_not_overwrite_what_the_user_typed() -> None:
    app = Host({"b3-prod": "b3os"})
    app.fake("b3-prod").workflows["wf_s"] = WorkflowInfo(id="wf_s", inputs=(
        {"key": "month", "type": "string", "required": True},))
    async with app.run_test(size=(80, 24)) as pilot:
        form = app.form
        await pilot.pause()
        area = form.query_one("#execute-inputs", TextArea)
        area.focus()
        await pilot.press("x", "=", "1")
        form.query_one("#execute-workflow", Input).value = "wf_s"
        hint = form.query_one("#schema-hint", Static)
        await wait_for(pilot, lambda: hint.display)
        assert area.text == "x=1"


def test_parse_inputs() -> None:
    assert parse_inputs("") == {}
    assert parse_inputs("  \n ") == {}
    assert parse_inputs('{"a": 1}') == {"a": 1}
    assert parse_inputs("a=1\nb=x y\nc=[1]\nd=\ne=true") == {"a": 1, "b": "x y", "c": [1], "d": "",
                                                           "e": True}
    assert parse_inputs("url=http://x/?a=b") == {"url": "http://x/?a=b"}
    # Not JSON a platform can read: the text as typed, a string.
    assert parse_inputs("a=NaN\nb=1e999\nc=-Infinity") == {"a": "NaN", "b": "1e999", "c": "-Infinity"}
    for bad in ("{", "[]", "null", "a"):
        with pytest.raises(ValueError):
            parse_inputs(bad)


def test_helpers() -> None:
    assert workflow_error("") == "workflow id is required"
    assert workflow_error("", "flow slug") == "flow slug is required"
    assert workflow_error("ok-1_2.3") is None
    # refused in a URL path by every platform that puts it there: said in the form
    assert workflow_error("x[/]") == "workflow id must not contain '/'"
    assert workflow_error("a\\b") == "workflow id must not contain '\\\\'"
    assert workflow_error("..") == "workflow id cannot be '..'"
    assert workflow_error("a\u200bb") is not None  # zero-width space is a format (C*) character
    assert with_required({"a": 1}, [{"key": "a", "required": True}, {"key": "b", "type": "object",
                                                                      "required": True}]) == {
        "a": 1, "b": {}}
    assert goal_of({"data": {"goal": "g"}}) == "g"
    assert goal_of({"goal": ""}) is None
    assert goal_of(None) is None


def test_execute_form_snapshot(snap_compare: Callable[..., bool]) -> None:
    async def ready(pilot: Pilot[Any]) -> None:
        screen = pilot.app.screen
        assert isinstance(screen, ExecuteScreen)
        await wait_for(pilot, lambda: screen.query_one("#schema-hint", Static).display)

    assert snap_compare(APPS / "execute_snap_app.py", terminal_size=(80, 24), run_before=ready)


async def test_the_form_opens_with_its_title_in_view() -> None:
    """Focusing the workflow field as the form mounts (so text typed ahead lands in it)
    scrolled to it before the first layout: at 80x24 the title and profile went away."""
    app = Host({"w-prod": "wexa"}, run=sample_run(profile="w-prod", provider="wexa"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.focused is app.form.query_one("#execute-workflow", Input)
        assert app.form.query_one("#execute-box", VerticalScroll).scroll_y == 0
