"""The config's `[keymap]` table, checked against the bindings runtui has.

Textual applies a keymap silently: an unknown binding id or a key name it cannot
produce ("ctrl+nonsense") just leaves the binding without a key. These checks say so
in a toast at start-up, and an entry with a key never pressed is not applied (its binding
keeps its own key); a key taken from another binding is said when Textual reports
the clash (`RuntuiApp.handle_bindings_clash`). The run keys of the runs screen
(`runs.cancel`, …) also work in the detail, so a remap of one reaches its `detail.`
twin unless the keymap names the twin itself.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping, Sequence
from types import ModuleType

from textual.binding import Binding, BindingType
from textual.keys import Keys, key_to_character

MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
_NAMED_KEYS = frozenset(k.value for k in Keys)
# runs.X remapped moves detail.X with it (the detail's run keys are the table's), and
# attention.X for the queue's run keys: a cancel moved off `c` to avoid slips stayed on
# `c` under `!`.
RUN_KEYS_IN_DETAIL = ("execute", "pause", "resume", "cancel", "retry", "again", "watch", "logs",
                      "copy", "refresh")
RUN_KEYS_IN_QUEUE = ("resume", "retry", "cancel")
TWINS = {"detail": RUN_KEYS_IN_DETAIL, "attention": RUN_KEYS_IN_QUEUE}


def key_problem(key: str) -> str | None:
    """Why `key` (one key, as Textual names it) can never be pressed, or None."""
    name = key.strip()
    if not name:
        return "an empty key"
    *mods, base = name.split("+") if len(name) > 1 else [name]
    unknown = [m for m in mods if m not in MODIFIERS]
    if unknown:
        return f"{unknown[0]!r} is not a modifier ({', '.join(sorted(MODIFIERS))})"
    if len(base) == 1 or base in _NAMED_KEYS or key_to_character(base) is not None:
        return None
    return f"{base!r} is not a key name (e.g. 'C', 'ctrl+x', 'f5', 'pageup', 'question_mark')"


def pressable(keymap: Mapping[str, str]) -> dict[str, str]:
    """The entries whose every key can be pressed: the others are said and not applied,
    so their binding keeps its own key (given to Textual, it would have none)."""
    return {binding_id: keys for binding_id, keys in keymap.items()
            if all(key_problem(key) is None for key in keys.split(","))}


def _modules(package: ModuleType) -> list[ModuleType]:
    return [importlib.import_module(f"{package.__name__}.{info.name}")
            for info in pkgutil.iter_modules(package.__path__)]


def binding_groups(app_bindings: Sequence[BindingType]) -> list[list[Binding]]:
    """Each screen or widget class's own bindings with an id, the app's (`app_bindings`,
    handed in: the app imports this module) added to each: the keys one binding chain may
    hold at once; and the app's alone."""
    from runtui.tui import screens, widgets

    mine = [b for b in app_bindings if isinstance(b, Binding) and b.id]
    groups: list[list[Binding]] = [mine]
    for module in [*_modules(screens), *_modules(widgets)]:
        for value in vars(module).values():
            own = vars(value).get("BINDINGS") if isinstance(value, type) else None
            found = [b for b in own or () if isinstance(b, Binding) and b.id]
            if found and value.__module__ == module.__name__:
                groups.append(found + mine)
    return groups


def binding_ids(app_bindings: Sequence[BindingType]) -> dict[str, Binding]:
    """Every binding runtui declares with an id, from the app, its screens and widgets."""
    return {b.id: b for group in binding_groups(app_bindings) for b in group if b.id}


def _keys(binding: Binding, keymap: Mapping[str, str]) -> list[str]:
    return [k.strip() for k in (keymap.get(binding.id or "") or binding.key).split(",") if k.strip()]


def keymap_problems(keymap: Mapping[str, str], groups: list[list[Binding]]) -> list[str]:
    """One sentence per entry that cannot work: an unknown id, a key never pressed, a key
    another binding of the same screen had (Textual gives it over without a word)."""
    known = {b.id for group in groups for b in group}
    problems: list[str] = []
    for binding_id, keys in keymap.items():
        if binding_id not in known:
            problems.append(f"{binding_id!r}: no key has this id (the README's key table lists them)")
            continue
        for key in keys.split(","):
            why = key_problem(key)
            if why is not None:
                problems.append(f"{binding_id} = {keys!r}: {why}")
    taken: set[tuple[str, str]] = set()
    for binding_id in keymap:  # said in the keymap's order
        for group in groups:
            remapped = next((b for b in group if b.id == binding_id), None)
            if remapped is None:
                continue
            for other in group:
                if other.id == binding_id or (binding_id, other.id) in taken:
                    continue
                shared = set(_keys(remapped, keymap)) & set(_keys(other, keymap))
                if shared:
                    taken.add((binding_id, str(other.id)))
                    left = [k for k in _keys(other, keymap) if k not in shared]
                    problems.append(
                        f"{binding_id} = {keymap[binding_id]!r} takes {sorted(shared)[0]!r} from "
                        f"{other.id} ({other.description or other.action}), which "
                        + (f"keeps {', '.join(left)}" if left else "has no key now"))
    return problems


def with_twins(keymap: Mapping[str, str]) -> dict[str, str]:
    """`keymap`, plus `detail.X` and `attention.X` for each remapped `runs.X` the keymap
    does not name itself."""
    full = dict(keymap)
    for screen, names in TWINS.items():
        for name in names:
            mine, twin = f"runs.{name}", f"{screen}.{name}"
            if mine in keymap and twin not in keymap:
                full[twin] = keymap[mine]
    return full
