"""Which keys each screen holds at once, read from runtui's own screens and widgets: the
keymap's clash check (runtui.tui.keymap.check_keymap) walks these chains.

Apart from the keymap rules because it imports every screen, and the screens import
`key_named` from those rules to name their keys.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from types import ModuleType
from typing import Any

from textual.app import App
from textual.binding import Binding

from runtui.tui.keymap import Chain, Held, app_keys, keys_of


def _modules(package: ModuleType) -> list[ModuleType]:
    return [importlib.import_module(f"{package.__name__}.{info.name}")
            for info in pkgutil.iter_modules(package.__path__)]


def _own_classes() -> list[type]:
    """runtui's screen and widget classes that declare bindings of their own."""
    from runtui.tui import screens, widgets

    return [value for module in [*_modules(screens), *_modules(widgets)] for value in vars(module).values()
            if isinstance(value, type) and value.__module__ == module.__name__
            and vars(value).get("BINDINGS")]


def binding_ids(app_class: type[App[Any]]) -> dict[str, Binding]:
    """Every binding runtui declares with an id, from the app, its screens and widgets."""
    found = [*app_keys(app_class), *(b for cls in _own_classes() for b in keys_of(cls))]
    return {b.id: b for b in found if b.id}


def default_keys(app_class: type[App[Any]]) -> dict[str, list[str]]:
    """Every binding id's default keys, as declared (`key_display` where one is given): the
    reference named one key per id, and a view's back was `q` there, with escape unsaid."""
    found = [*app_keys(app_class), *(b for cls in _own_classes() for b in keys_of(cls))]
    keys: dict[str, list[str]] = {}
    for binding in found:
        if binding.id:
            shown = keys.setdefault(binding.id, [])
            if (key := binding.key_display or binding.key) not in shown:
                shown.append(key)
    return keys


def _in_front() -> dict[type, tuple[type, ...]]:
    """For a screen, the widget with the focus as it opens and those of its ancestors that
    have keys: their keys are looked up before the screen's, so they win a key both have."""
    from textual.containers import VerticalScroll
    from textual.widgets import Button, DataTable, Tabs

    from runtui.tui.screens.attention import AttentionScreen, QueueTable
    from runtui.tui.screens.confirm import ConfirmScreen
    from runtui.tui.screens.detail import DetailScreen
    from runtui.tui.screens.diff import DiffScreen, ValuesScreen
    from runtui.tui.screens.help import HelpScreen
    from runtui.tui.screens.logs import LogScreen
    from runtui.tui.screens.messages import MessagesScreen
    from runtui.tui.screens.profiles import ProfilesScreen
    from runtui.tui.screens.runs import RunsScreen
    from runtui.tui.screens.workflows import WorkflowsScreen, WorkflowTable
    from runtui.tui.widgets.detail_pane import DetailPane
    from runtui.tui.widgets.log_panel import LogPanel
    from runtui.tui.widgets.log_view import LogView
    from runtui.tui.widgets.run_table import RunTable

    return {RunsScreen: (RunTable,), DetailScreen: (Tabs, DetailPane), LogScreen: (LogView, LogPanel),
            WorkflowsScreen: (WorkflowTable,), AttentionScreen: (QueueTable,), ProfilesScreen: (DataTable,),
            DiffScreen: (DataTable,), ValuesScreen: (VerticalScroll,), MessagesScreen: (VerticalScroll,),
            HelpScreen: (VerticalScroll,), ConfirmScreen: (Button,)}


def _screen_name(cls: type) -> str:
    words = re.findall(r"[A-Z][a-z]*", cls.__name__.removesuffix("Screen"))
    return " ".join(words).lower() or cls.__name__


def screen_chains(app_class: type[App[Any]]) -> list[Chain]:
    """Each screen's chain, and one of the app's keys alone (before any screen)."""
    from textual.screen import Screen

    app = [Held(b, app_class) for b in app_keys(app_class)]
    chains = [Chain("every screen", app)]
    front = _in_front()
    for cls in _own_classes():
        if issubclass(cls, Screen):
            widgets = [Held(b, w) for w in front.get(cls, ()) for b in keys_of(w)]
            own = [Held(b, cls) for b in keys_of(cls)]
            chains.append(Chain(f"the {_screen_name(cls)} screen", widgets + own + app))
    return chains
