"""The execute form: profile, workflow, (Wexa) goal and inputs, validated before it closes.

It builds a `StartRequest`; the runs screen sends it (`Starter`). The form stays open
until the platform has answered: a start the platform refused (an unknown workflow, a
missing input) is said in the form with everything typed still there. It closes once a
run started, or when the answer was lost (a run may exist: starting again from a form
left open could start a second one). Inputs are a JSON object or `key=value` lines (a
value that parses as JSON is taken as JSON).
"""

from __future__ import annotations

import asyncio
import json
import unicodedata
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from runtui.errors import ConfigError, ProviderError
from runtui.human_input import json_value
from runtui.model import Run, StartRequest
from runtui.providers import registry
from runtui.providers.capabilities import DescribesWorkflows
from runtui.safe_text import multi_line
from runtui.tui.guard import guarded
from runtui.tui.key_order import later
from runtui.tui.keymap import key_named
from runtui.tui.screens.form_box import form_box
from runtui.tui.toasts import keep_toasts_under
from runtui.tui.widgets.keys_footer import keys_footer

if TYPE_CHECKING:
    from runtui.engine.workspace import Workspace

SCHEMA_DELAY = 0.4  # seconds of no typing in the workflow field before its schema is read
EMPTY_BY_TYPE: dict[str, Any] = {"string": "", "object": {}, "array": [], "boolean": False}

Starter = Callable[[str, StartRequest], Awaitable[str | None]]
"""Sends a start for (profile, request): returns why the platform refused it (nothing
started: the form stays open with it) or None once it started or was reported (the
form closes)."""


def parse_inputs(text: str) -> dict[str, Any]:
    """A JSON object, or `key=value` lines (`#` comments and blank lines skipped).

    Raises ValueError with a message fit for the form.
    """
    stripped = text.strip()
    if not stripped:
        return {}
    if stripped[0] in "{[\"" or stripped in ("null", "true", "false"):
        try:
            value = json_value(stripped)
        except ValueError as exc:
            raise ValueError(f"inputs are {exc}") from None
        if not isinstance(value, dict):
            raise ValueError(f"inputs must be a JSON object, not {type(value).__name__}")
        return value
    result: dict[str, Any] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, raw = line.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ValueError(f"inputs line {number}: expected key=value or a JSON object")
        raw = raw.strip()
        try:
            result[key] = json_value(raw)
        except ValueError:  # plain text ("NaN" too) is a string
            result[key] = raw
    return result


def workflow_error(value: str, label: str = "workflow id") -> str | None:
    """Why `value` cannot be a workflow id, or None when it can."""
    if not value:
        return f"{label} is required"
    # The platforms put the id in a URL path, where these are refused (http.seg): said
    # here, the form stays open with what was typed, not closed for a toast seconds later.
    if value in (".", ".."):
        return f"{label} cannot be {value!r}"
    for ch in value:
        if ch in "/\\":
            return f"{label} must not contain {ch!r}"
        if ch.isspace():
            return f"{label} must not contain spaces"
        if unicodedata.category(ch).startswith("C"):
            return f"{label} must not contain control characters"
    return None


def schema_hint(fields: Sequence[Mapping[str, Any]]) -> str:
    parts = []
    for spec in fields:
        key = str(spec.get("key") or spec.get("name") or "?")
        kind = str(spec.get("type") or "any")
        req = ", required" if spec.get("required") else ""
        parts.append(f"{key} ({kind}{req})")
    return "inputs: " + ", ".join(parts)


def with_required(inputs: dict[str, Any], fields: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """`inputs` plus an empty value for every required field it lacks."""
    out = dict(inputs)
    for spec in fields:
        key = spec.get("key") or spec.get("name")
        if spec.get("required") and isinstance(key, str) and key not in out:
            out[key] = EMPTY_BY_TYPE.get(str(spec.get("type")))
    return out


def goal_of(raw: Any) -> str | None:
    """The goal a Wexa execution was started with, from its raw JSON."""
    candidates = [raw]
    if isinstance(raw, dict):
        candidates += [v for v in raw.values() if isinstance(v, dict)]
    for obj in candidates:
        if isinstance(obj, dict) and isinstance(obj.get("goal"), str) and obj["goal"]:
            return str(obj["goal"])
    return None


class ExecuteScreen(ModalScreen[tuple[str, StartRequest] | None]):
    """Dismissed with (profile name, request) on Start, or None on Cancel. With a
    `start`, the request is sent from the form and it is dismissed once it is answered."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "start", "Start", id="execute.start", priority=True, key_display="F2"),
        Binding("escape", "cancel", "Cancel", id="execute.cancel", key_display="Esc"),
    ]

    # Its own rules, parsed when it is first shown (not at start-up with the app's).
    DEFAULT_CSS = form_box("ExecuteScreen #execute-box", 76) + """
    ExecuteScreen #execute-box > Select, ExecuteScreen #execute-box > Input {
        width: 100%;
    }
    ExecuteScreen #execute-inputs {
        height: 7;
    }
    ExecuteScreen #schema-hint {
        color: $text-muted;
    }
    ExecuteScreen #execute-error {
        color: $text-error;
        text-style: bold;
    }
    ExecuteScreen .-invalid {
        border: tall $error;
    }
    ExecuteScreen #execute-buttons {
        height: auto;
        align: center middle;
    }
    ExecuteScreen #execute-buttons Button {
        margin: 0 2;
    }
    """

    def __init__(self, profiles: list[str], run: Run | None = None, same_inputs: bool = False,
                 start: Starter | None = None) -> None:
        super().__init__()
        if not profiles:
            raise ValueError("ExecuteScreen needs at least one profile")
        self.profiles = list(profiles)
        self.run = run
        self.same_inputs = same_inputs
        self.start = start
        self.starting = False  # a start sent, its answer not in: F2 and Esc wait for it
        self.schema: tuple[dict[str, Any], ...] = ()
        self._edited = False  # the user typed in the inputs: schema prefill leaves them alone
        self._set_text = ""  # what the form itself last put in the inputs

    # ---- compose -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        run = self.run
        first = run.profile if run is not None and run.profile in self.profiles else self.profiles[0]
        title = "Run again" if self.same_inputs and run is not None else "Execute a run"
        with VerticalScroll(id="execute-box"):
            # The keys in the first line: at 60x15 the buttons are below the fold.
            heading = Text(title, style="bold")
            start, cancel = key_named(self, "execute.start"), key_named(self, "execute.cancel")
            heading.append(f"   {start} start · {cancel} cancel", style="dim")
            yield Static(heading, id="execute-title")
            yield Label("Profile", classes="execute-label")
            yield Select([(p, p) for p in self.profiles], value=first, allow_blank=False,
                         id="execute-profile")
            yield Label("workflow id", id="workflow-label", classes="execute-label")
            yield Input(value=(run.workflow_id or "") if run else "", id="execute-workflow",
                        placeholder="id as the platform shows it")
            yield Label("Goal (Wexa)", id="goal-label", classes="execute-label")
            yield Input(id="execute-goal", placeholder="what this execution should achieve")
            yield Label("Inputs: a JSON object, or key=value lines", classes="execute-label")
            yield TextArea("", id="execute-inputs", soft_wrap=True, tab_behavior="focus")
            yield Static("", id="schema-hint", markup=False)
            yield Static("", id="execute-error", markup=False)
            with Horizontal(id="execute-buttons"):
                # Not in the Tab order: Tab, Tab used to land on Start, typed text went
                # nowhere and Enter started a run with no inputs. F2 / Esc / the mouse.
                yield Button(f"Start ({start})", id="execute-start", variant="primary")
                yield Button(f"Cancel ({cancel})", id="execute-cancel")
        yield keys_footer()

    def on_mount(self) -> None:
        self.query_one("#execute-error", Static).display = False
        self.query_one("#schema-hint", Static).display = False
        keep_toasts_under(self.query_one("#execute-box"))  # no toast over a field being typed in
        self._profile_changed()
        for button in self.query(Button):
            button.can_focus = False
        workflow = self.query_one("#execute-workflow", Input)
        # The first field keeps the title and the profile in view (R at 80x24 used to
        # focus Start, scrolling both away). Focused now, not by focus() (a turn of the
        # loop later): keys typed right after `e` land in it (RuntuiApp.on_key). Without
        # scrolling: before the first layout, scrolling to the field hid the title.
        if workflow.value and self.same_inputs:
            self.set_focus(self.inputs_area, scroll_visible=False)
            self.query_one("#execute-box", VerticalScroll).scroll_home(animate=False)
        else:
            self.set_focus(workflow, scroll_visible=False)
        if self.same_inputs and self.run is not None:
            self._load_same_inputs(self.run)

    # ---- helpers -----------------------------------------------------------------------

    @property
    def _workspace(self) -> Workspace:
        ws: Workspace = self.app.workspace  # type: ignore[attr-defined]
        return ws

    @property
    def profile(self) -> str:
        value = self.query_one("#execute-profile", Select).value
        return value if isinstance(value, str) else self.profiles[0]

    @property
    def provider_name(self) -> str | None:
        profile = self._workspace.config.profiles.get(self.profile)
        return profile.provider if profile is not None else None

    @property
    def takes_goal(self) -> bool:
        """Does this profile's provider take a goal with a start (a capability, not a name)?"""
        name = self.provider_name
        if name is None:
            return False
        try:
            return bool(getattr(registry.provider_class(name), "takes_goal", False))
        except ConfigError:
            return False

    @property
    def workflow_label(self) -> str:
        name = self.provider_name
        if name is None:
            return "workflow id"
        try:
            cls = registry.provider_class(name)
        except ConfigError:
            return "workflow id"
        return str(getattr(cls, "workflow_label", "workflow id"))

    @property
    def inputs_area(self) -> TextArea:
        return self.query_one("#execute-inputs", TextArea)

    def _set_inputs(self, inputs: Mapping[str, Any]) -> None:
        text = json.dumps(dict(inputs), indent=2, ensure_ascii=False, default=str) if inputs else ""
        self._set_text = text
        self.inputs_area.load_text(text)

    def _hint(self, text: str) -> None:
        hint = self.query_one("#schema-hint", Static)
        hint.update(multi_line(text))  # built from the server's input schema
        hint.display = bool(text)

    def show_error(self, message: str | None) -> None:
        error = self.query_one("#execute-error", Static)
        # plain text: the rule above colours it (the theme's error text colour, bold)
        error.update(Text(f"✘ {multi_line(message)}") if message else "")
        error.display = bool(message)
        if message:
            self._bring_into_view(error)

    def _show_starting(self) -> None:
        error = self.query_one("#execute-error", Static)
        error.update(Text("starting… (waiting for the platform's answer)", style="bold"))
        error.display = True
        self._bring_into_view(error)

    def _bring_into_view(self, line: Static) -> None:
        """Scroll the form to `line` once it is laid out: at 80x24 it sits under the Inputs
        box, below the fold, and F2 seemed to do nothing. Then to the field in error (it
        has the focus) with as little scrolling as it takes, so both show when they fit."""

        def scroll() -> None:
            line.scroll_visible(animate=False, immediate=True)
            focused = self.focused
            if focused is not None:
                focused.scroll_visible(animate=False, immediate=True)

        self.call_after_refresh(scroll)

    # ---- reacting ----------------------------------------------------------------------

    @on(Select.Changed, "#execute-profile")
    def _on_profile(self, _event: Select.Changed) -> None:
        self._profile_changed()

    def _profile_changed(self) -> None:
        goal = self.takes_goal
        self.query_one("#goal-label", Label).display = goal
        self.query_one("#execute-goal", Input).display = goal
        self.query_one("#workflow-label", Label).update(self.workflow_label)
        self.query_one("#execute-workflow", Input).placeholder = f"{self.workflow_label} to start"
        self._load_schema(self.profile, self.query_one("#execute-workflow", Input).value.strip())

    @on(Input.Changed, "#execute-workflow")
    def _on_workflow(self, event: Input.Changed) -> None:
        event.input.remove_class("-invalid")
        self._load_schema(self.profile, event.value.strip())

    @on(TextArea.Changed, "#execute-inputs")
    def _on_inputs(self, _event: TextArea.Changed) -> None:
        if self.inputs_area.text != self._set_text:
            self._edited = True

    @on(Input.Submitted)
    def _on_submit(self, event: Input.Submitted) -> None:
        """Enter in a field goes to the next one; only F2 starts (Enter used to start a run
        with the inputs not yet typed)."""
        event.stop()
        self.focus_next()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "execute-start":
            self.action_start()
        elif event.button.id == "execute-cancel":
            self.action_cancel()

    # ---- workers -----------------------------------------------------------------------

    @work(exclusive=True, group="schema", exit_on_error=False)
    @guarded("reading the input schema")
    async def _load_schema(self, profile: str, workflow_id: str) -> None:
        self.schema = ()
        self._hint("")
        if not workflow_id or workflow_error(workflow_id) is not None:
            return
        await asyncio.sleep(SCHEMA_DELAY)
        try:
            provider = self._workspace.provider(profile)
            if not isinstance(provider, DescribesWorkflows):
                return  # the platform publishes no inputs: the JSON box is the form
            info = await provider.get_workflow(workflow_id)
        except ConfigError as exc:
            self._hint(f"cannot read the input schema: {exc.detail}")
            return
        except ProviderError as exc:
            self._hint(f"no input schema: {exc}")
            return
        if info is None or not info.inputs:
            return
        self.schema = tuple(info.inputs)
        self._hint(schema_hint(self.schema))
        self._prefill_required()

    def _prefill_required(self) -> None:
        if not self.schema or self._edited:
            return
        try:
            current = parse_inputs(self.inputs_area.text)
        except ValueError:
            return
        filled = with_required(current, self.schema)
        if filled != current:
            self._set_inputs(filled)

    @work(exclusive=True, group="same-inputs", exit_on_error=False)
    @guarded("reading the run's inputs")
    async def _load_same_inputs(self, run: Run) -> None:
        self._hint("reading the run's inputs…")
        try:
            provider = self._workspace.provider(run.profile)
            detail = await provider.read_run(run.id, run.kind)
        except (ConfigError, ProviderError) as exc:
            self.show_error(f"cannot read the inputs of {run.id}: {exc}")
            self._hint(schema_hint(self.schema) if self.schema else "")
            return
        self._hint(schema_hint(self.schema) if self.schema else "")
        if not self._edited:
            self._set_inputs(with_required(dict(detail.inputs), self.schema))
        goal = self.query_one("#execute-goal", Input)
        found = goal_of(detail.raw)
        if found and not goal.value:
            goal.value = found

    # ---- actions -----------------------------------------------------------------------

    def build_request(self) -> StartRequest:
        """The request the form describes; raises ValueError naming the first problem."""
        workflow = self.query_one("#execute-workflow", Input)
        workflow_id = workflow.value.strip()
        problem = workflow_error(workflow_id, self.workflow_label)
        if problem is not None:
            workflow.add_class("-invalid")
            workflow.focus()  # the bad field, not where the cursor happened to be
            raise ValueError(problem)
        try:
            inputs = parse_inputs(self.inputs_area.text)
        except ValueError:
            self.inputs_area.add_class("-invalid")
            self.inputs_area.focus()
            raise
        self.inputs_area.remove_class("-invalid")
        goal: str | None = None
        if self.takes_goal:
            goal = self.query_one("#execute-goal", Input).value.strip() or None
        return StartRequest(workflow_id=workflow_id, inputs=inputs, goal=goal)

    def action_start(self) -> None:
        """F2, a priority key (it starts from any field): after the keys typed before it,
        which may still be on their way to a field (runtui.tui.key_order), or the run
        would start with what the fields held before them."""
        if later(self.app) or self.starting:
            return
        try:
            request = self.build_request()
        except ValueError as exc:
            self.show_error(str(exc))
            return
        self.show_error(None)
        if self.start is None:
            self.dismiss((self.profile, request))
            return
        self.starting = True
        self._show_starting()
        self._send(self.start, self.profile, request)

    @work(group="execute-start")
    @guarded("starting the run")
    async def _send(self, start: Starter, profile: str, request: StartRequest) -> None:
        try:
            refused = await start(profile, request)
        finally:
            self.starting = False
        if refused is None:
            self.dismiss((profile, request))
        else:
            self.show_error(f"not started: {refused}")

    def action_cancel(self) -> None:
        if not self.starting:  # the answer is on its way: its report must not be lost
            self.dismiss(None)
