"""Add or edit one profile. Keys are never typed here: only where the key comes from.

The form returns `(name, values)`, written by the caller's `save` (`config.save_profile`)
before the form closes: a refusal is said in the form, what was typed kept.
Fields the form does not show (provider extras, refresh_seconds, an inline key that was
put in the file by hand) are carried over from the values it was opened with.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Collection, Mapping
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from runtui import config as config_mod
from runtui.display import PASSWORD_MASK, shown_url, unmasked_url
from runtui.env_names import is_plain_env_name
from runtui.errors import ConfigError, RuntuiError
from runtui.human_input import coerce
from runtui.providers import registry
from runtui.providers.options import ProviderOption
from runtui.providers.options import problems as option_problems
from runtui.tui.keymap import key_named
from runtui.tui.screens.form_box import form_box
from runtui.tui.toasts import keep_toasts_under

# The keys this form owns; everything else in the initial values is kept as it was.
MANAGED = ("provider", "base_url", "api_key_env", "api_key_cmd", "keyring", "api_key",
           "read_only", "allow_insecure_http")

SOURCE_ENV = "env"
SOURCE_CMD = "cmd"
SOURCE_KEYRING = "keyring"
SOURCE_INLINE = "inline"
SOURCE_NONE = "none"  # a provider that works without a key (a local Prefect server)

URL_PASSWORD_NOTE = f"The password is hidden ({PASSWORD_MASK}); leave {PASSWORD_MASK} to keep it."

INLINE_HINT = ("Keys are never typed here. Prefer an environment variable, a command that prints "
               "the key, or the system keyring. An inline api_key can only be added to the file "
               "by hand, with the file at mode 0600.")

FormResult = tuple[str, dict[str, Any]]
Saver = Callable[[FormResult], None]  # writes the form's result; raises RuntuiError or ValueError


def provider_default_url(provider: str) -> str | None:
    """The adapter's default base URL, or None when it cannot be loaded."""
    try:
        cls = registry.provider_class(provider)
    except ConfigError:
        return None
    value = getattr(cls, "default_base_url", None)
    return value if isinstance(value, str) else None


def provider_options(provider: str) -> tuple[ProviderOption, ...]:
    """The settings the provider declares (none when its adapter cannot be loaded)."""
    try:
        cls = registry.provider_class(provider)
    except ConfigError:
        return ()
    return tuple(o for o in getattr(cls, "options", ()) if not o.secret)  # secrets: never typed here


def _needs_key(provider: str) -> bool:
    try:
        return bool(getattr(registry.provider_class(provider), "needs_key", True))
    except ConfigError:
        return True


def _option_rows(providers: Collection[str]) -> list[tuple[ProviderOption, list[str]]]:
    """One form row per distinct option name, with the providers that declare it."""
    rows: dict[str, tuple[ProviderOption, list[str]]] = {}
    for provider in sorted(providers):
        for option in provider_options(provider):
            rows.setdefault(option.name, (option, []))[1].append(provider)
    return list(rows.values())


def _css_name(provider: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in provider)


def provider_label(provider: str) -> str:
    try:
        cls = registry.provider_class(provider)
    except ConfigError:
        return provider
    value = getattr(cls, "label", None)
    return value if isinstance(value, str) else provider


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def hidden_env_value(value: Any) -> bool:
    """A `*_env` value from the file that is not plainly a variable's name (`ghp_…`): it may
    be the secret pasted where the name goes, so its field shows dots (saved as it is)."""
    return isinstance(value, str) and bool(value) and not is_plain_env_name(value)


def _option_text(value: Any) -> str:
    """A provider option's value as its field shows it. Numbers and flags too: shown
    empty, a field saved unchanged deleted the value from the file."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return _text(value)


def _flag(value: Any) -> bool:
    return value is True


class StateCheckbox(Checkbox):
    """A checkbox whose mark shows its state without colour (NO_COLOR): X when on, blank when off."""

    def __init__(self, label: str, value: bool = False, *, id: str | None = None) -> None:
        super().__init__(label, value, id=id)
        self.BUTTON_INNER = "X" if value else " "

    def watch_value(self) -> None:
        super().watch_value()
        self.BUTTON_INNER = "X" if self.value else " "
        self.refresh()


class ProfileFormScreen(ModalScreen[FormResult | None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "save", "Save", id="profile_form.save"),
        Binding("escape", "cancel", "Cancel", id="profile_form.cancel"),
    ]

    # Its own rules, parsed when it is first shown (not at start-up with the app's).
    DEFAULT_CSS = form_box("ProfileFormScreen #form", 84) + """
    ProfileFormScreen #form-title {
        height: 1;
    }
    ProfileFormScreen .row {
        height: auto;
    }
    ProfileFormScreen .label {
        width: 12;
        padding: 1 1 0 0;
    }
    ProfileFormScreen .row Input, ProfileFormScreen .row Select {
        width: 1fr;
    }
    ProfileFormScreen .checks Checkbox {
        width: 1fr;
    }
    ProfileFormScreen Input.invalid, ProfileFormScreen Select.invalid > SelectCurrent {
        border: tall $error;
    }
    ProfileFormScreen #form-hint, ProfileFormScreen #url-note {
        color: $text-muted;
    }
    ProfileFormScreen #url-note {
        padding-left: 12;
    }
    ProfileFormScreen #form-errors {
        color: $text-error;
        margin: 1 0 0 0;
    }
    ProfileFormScreen #form-buttons {
        height: auto;
        align: center middle;
        margin-top: 1;
    }
    ProfileFormScreen #form-buttons Button {
        margin: 0 2;
    }
    """

    def __init__(self, *, profile_name: str | None = None, values: Mapping[str, Any] | None = None,
                 existing: Collection[str] = (), save: Saver | None = None) -> None:
        super().__init__()
        self.save = save
        self.original_name = profile_name
        self.initial: dict[str, Any] = dict(values or {})
        self.existing = set(existing)
        self.has_inline = self.initial.get("api_key") not in (None, "")
        # an api_key_env that may be the key pasted in its place: its field shows dots
        self.env_hidden = hidden_env_value(self.initial.get("api_key_env"))
        self.errors: list[str] = []
        self.option_rows = _option_rows(registry.names())

    # ---- building ---------------------------------------------------------------------

    def _initial_source(self) -> str:
        if _text(self.initial.get("api_key_env")):
            return SOURCE_ENV
        if _text(self.initial.get("api_key_cmd")):
            return SOURCE_CMD
        if _flag(self.initial.get("keyring")):
            return SOURCE_KEYRING
        if self.has_inline:
            return SOURCE_INLINE
        if self.original_name is not None:
            return SOURCE_NONE  # an existing profile with no key source: keyless
        return SOURCE_ENV

    def compose(self) -> ComposeResult:
        init = self.initial
        providers = sorted(registry.names())
        provider = _text(init.get("provider"))
        sources: list[tuple[str, str]] = [
            ("environment variable", SOURCE_ENV),
            ("command that prints the key", SOURCE_CMD),
            ("system keyring", SOURCE_KEYRING),
            ("no key (a server that needs none)", SOURCE_NONE),
        ]
        if self.has_inline:
            sources.append(("inline key in the file (kept as is)", SOURCE_INLINE))
        source = self._initial_source()
        key_value = _text(init.get("api_key_cmd")) if source == SOURCE_CMD else _text(init.get("api_key_env"))
        title = f"Edit profile {self.original_name}" if self.original_name else "Add a profile"
        with VerticalScroll(id="form"):
            # the name comes from the file: styled as text, never read as markup
            save, cancel = key_named(self, "profile_form.save"), key_named(self, "profile_form.cancel")
            keys = f"   {save} saves, {cancel} cancels"
            yield Static(Text.assemble((title, "bold"), keys), id="form-title")
            yield Static("", id="form-errors", markup=False)
            with Horizontal(classes="row"):
                yield Label("Name", classes="label")
                yield Input(self.original_name or "", placeholder="e.g. wexa-prod", id="name")
            with Horizontal(classes="row"):
                yield Label("Provider", classes="label")
                yield Select([(f"{p} ({provider_label(p)})", p) for p in providers],
                             prompt="choose a provider", id="provider",
                             value=provider if provider in providers else Select.NULL)
            stored_url = _text(init.get("base_url"))
            with Horizontal(classes="row"):
                yield Label("Base URL", classes="label")
                # a password written into the URL is never on screen (saving puts it back)
                yield Input(shown_url(stored_url), id="base_url")
            if shown_url(stored_url) != stored_url:
                yield Static(URL_PASSWORD_NOTE, id="url-note", markup=False)
            with Horizontal(classes="row"):
                yield Label("Key from", classes="label")
                yield Select(sources, allow_blank=False, value=source, id="key_source")
            with Horizontal(classes="row", id="key-row"):
                yield Label("Env var", classes="label", id="key-label")
                yield Input(key_value, id="key_value", password=source == SOURCE_ENV and self.env_hidden)
            for option, owners in self.option_rows:
                owner_classes = " ".join(f"opt-for-{_css_name(o)}" for o in owners)
                with Horizontal(classes=f"row provider-option {owner_classes}"):
                    yield Label(option.name.replace("_", " ").capitalize()[:11], classes="label")
                    yield Input(_option_text(init.get(option.name)), id=option.name,
                                placeholder=("(required) " if option.required else "") + option.help,
                                password=option.name.endswith("_env")
                                and hidden_env_value(init.get(option.name)))
            with Horizontal(classes="row checks"):
                yield StateCheckbox("read-only", _flag(init.get("read_only")), id="read_only")
                yield StateCheckbox("allow insecure http", _flag(init.get("allow_insecure_http")),
                                    id="allow_insecure_http")
            yield Static(INLINE_HINT, id="form-hint", markup=False)
            with Horizontal(id="form-buttons"):
                yield Button("Save (F2)", id="save", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")

    def on_mount(self) -> None:
        keep_toasts_under(self.query_one("#form"))  # no toast over a field being typed in
        self._sync()
        self.query_one("#form-errors", Static).display = False
        # Now, not by focus() (a turn of the loop later): a name typed right after `a`
        # lands in the field (RuntuiApp.on_key), not in the scroll box focused first.
        # The field is the form's first: nothing to scroll (before the first layout,
        # scrolling to it would scroll the title away).
        self.set_focus(self.query_one("#name", Input), scroll_visible=False)

    # ---- reacting ---------------------------------------------------------------------

    def _provider(self) -> str | None:
        value = self.query_one("#provider", Select).value
        return value if isinstance(value, str) else None

    def _source(self) -> str:
        value = self.query_one("#key_source", Select).value
        return value if isinstance(value, str) else SOURCE_ENV

    def _sync(self) -> None:
        """Show the fields that belong to the chosen provider and key source."""
        provider = self._provider()
        for row in self.query(".provider-option"):
            row.display = provider is not None and row.has_class(f"opt-for-{_css_name(provider)}")
        default = provider_default_url(provider) if provider else None
        self.query_one("#base_url", Input).placeholder = (
            f"default: {default}" if default else "required for this provider" if provider
            else "choose a provider first")
        source = self._source()
        key_row = self.query_one("#key-row")
        key_row.display = source in (SOURCE_ENV, SOURCE_CMD)
        label = self.query_one("#key-label", Label)
        key_input = self.query_one("#key_value", Input)
        key_input.password = source == SOURCE_ENV and self.env_hidden
        if source == SOURCE_CMD:
            label.update("Command")
            key_input.placeholder = "e.g. pass show wexa/api-key"
        else:
            label.update("Env var")
            key_input.placeholder = f"e.g. {(provider or 'wexa').upper()}_API_KEY"

    @on(Select.Changed)
    def _changed(self, _event: Select.Changed) -> None:
        self._sync()

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Input.Submitted)
    def _submitted(self, _event: Input.Submitted) -> None:
        self.focus_next()

    # ---- result -----------------------------------------------------------------------

    def _value(self, widget_id: str) -> str:
        return self.query_one(f"#{widget_id}", Input).value.strip()

    def _checked(self, widget_id: str) -> bool:
        return self.query_one(f"#{widget_id}", Checkbox).value

    def collect(self) -> tuple[FormResult | None, list[tuple[str, str]]]:
        """The result, or the problems as (widget id, message)."""
        problems: list[tuple[str, str]] = []
        name = self._value("name")
        if not config_mod.NAME_RE.match(name):
            problems.append(("name", "name: use letters, digits, '.', '_' or '-' (max 64), "
                                     "starting with a letter or digit"))
        elif name != self.original_name and name in self.existing:
            problems.append(("name", f"name: a profile named {name!r} already exists"))
        provider = self._provider()
        if provider is None:
            problems.append(("provider", "provider: choose one"))
        insecure = self._checked("allow_insecure_http")
        base_url = unmasked_url(self._value("base_url"), _text(self.initial.get("base_url")))
        if base_url is None:
            problems.append(("base_url", f"base URL: {PASSWORD_MASK} keeps the saved password only for the "
                                         "saved user name; type the password itself"))
        elif base_url:
            from runtui.urls import check_base_url

            try:
                check_base_url(base_url, allow_insecure_http=insecure, profile=name)
            except ConfigError as err:
                problems.append(("base_url", f"base URL: {err.detail}"))
        elif provider is not None and provider_default_url(provider) is None:
            problems.append(("base_url", "base URL: this provider has no default; give one"))
        source = self._source()
        key_value = self._value("key_value")
        if source == SOURCE_ENV:
            if not key_value:
                problems.append(("key_value", "env var: give the name of the variable that holds the key"))
            elif not config_mod.is_env_name(key_value):
                problems.append(("key_value", "env var: a variable name (letters, digits, '_'), "
                                              "not the key itself"))
        elif source == SOURCE_CMD:
            try:
                words = shlex.split(key_value)
            except ValueError as exc:
                problems.append(("key_value", f"command: {exc}"))
            else:
                if not words:
                    problems.append(("key_value", "command: give a command that prints the key"))
        settings: dict[str, Any] = {}
        for option in provider_options(provider) if provider else ():
            text = self._value(option.name)
            if not text:
                continue
            try:
                settings[option.name] = coerce(option.kind, text)
            except ValueError as exc:
                problems.append((option.name, f"{option.name}: {exc}"))
        if provider is not None:
            declared = provider_options(provider)
            problems.extend((name, why) for name, why in option_problems(declared, settings)
                            if name not in {p for p, _ in problems})
            if source == SOURCE_NONE and _needs_key(provider):
                problems.append(("key_source", "key: this provider needs a key"))
        if problems:
            return None, problems

        owned = set(MANAGED) | {o.name for o, _owners in self.option_rows}
        values: dict[str, Any] = {k: v for k, v in self.initial.items() if k not in owned and k != "name"}
        values.update({
            "provider": provider,
            "base_url": base_url or None,
            "api_key_env": key_value if source == SOURCE_ENV else None,
            "api_key_cmd": key_value if source == SOURCE_CMD else None,
            "keyring": True if source == SOURCE_KEYRING else None,
            "api_key": self.initial.get("api_key") if source == SOURCE_INLINE else None,
            **settings,
            "read_only": True if self._checked("read_only") else None,
            "allow_insecure_http": True if insecure else None,
        })
        values = {k: v for k, v in values.items() if v is not None}
        try:
            config_mod.validated(config_mod.Profile, {**values, "name": name})
        except config_mod.Invalid as exc:
            return None, [("name", f"profile: {exc}")]
        return (name, values), []

    def action_save(self) -> None:
        result, problems = self.collect()
        for widget in self.query("Input, Select"):
            widget.remove_class("invalid")
        box = self.query_one("#form-errors", Static)
        if result is None:
            for widget_id, _msg in problems:
                self.query_one(f"#{widget_id}").add_class("invalid")
            box.update("\n".join(f"✘ {msg}" for _id, msg in problems))
            box.display = True
            self.errors = [msg for _id, msg in problems]
            self.query_one(f"#{problems[0][0]}").focus()
            self.query_one("#form", VerticalScroll).scroll_home(animate=False)
            return
        refused = self._write(result)
        if refused is not None:
            box.update(f"✘ not saved: {refused}")
            box.display = True
            self.errors = [refused]
            self.query_one("#form", VerticalScroll).scroll_home(animate=False)
            return
        self.dismiss(result)

    def _write(self, result: FormResult) -> str | None:
        """Save through the caller's `save`, while the form is still open: why it refused
        (a full disk, the file gone, a profile the loader would refuse), or None. Saved
        after the form had closed, a refusal was a toast and what was typed was lost."""
        if self.save is None:
            return None
        try:
            self.save(result)
        except (RuntuiError, ValueError) as exc:
            return str(exc)
        return None

    def action_cancel(self) -> None:
        self.dismiss(None)
