"""The config's `[keymap]` table, checked against the bindings runtui has.

Textual applies a keymap silently: an unknown binding id or a key name it cannot
produce ("ctrl+nonsense") just leaves the binding without a key, and a key another
binding of the screen has goes to one of the two, the other left with none (`"runs.pause"
= "j"`: the run table kept `j`, and pause had no key at all). These checks say each such
entry in a toast at start-up, and it is not applied: its binding keeps its own key. The
run keys of the runs screen (`runs.cancel`, …) also work in the detail, so a remap of one
reaches its `detail.` twin unless the keymap names the twin itself. Hints that name a key
in words ask `key_named` for the one bound. Which bindings each screen holds at once is
read from the screens themselves in runtui.tui.key_chains (this module imports none).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, NamedTuple

from textual.app import App
from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode
from textual.keys import Keys, format_key, key_to_character

MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
_NAMED_KEYS = frozenset(k.value for k in Keys)
# runs.X remapped moves detail.X with it (the detail's run keys are the table's), and
# attention.X for the queue's run keys: a cancel moved off `c` to avoid slips stayed on
# `c` under `!`.
RUN_KEYS_IN_DETAIL = ("execute", "pause", "resume", "cancel", "retry", "again", "watch", "logs",
                      "copy", "refresh")
RUN_KEYS_IN_QUEUE = ("resume", "retry", "cancel")
TWINS = {"detail": RUN_KEYS_IN_DETAIL, "attention": RUN_KEYS_IN_QUEUE}
# A pushed view's way back (the log view, the detail, `!`, `W`, …): escape, and `q` too.
# An operator in the log view pressed `q` by the reflex of less and journalctl and was at
# the shell, the filter, marks and scope lost; `q` quits only from the runs list.
BACK_KEYS = "escape,q"


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


@functools.cache
def keys_of(cls: type) -> tuple[Binding, ...]:
    """`cls`'s bindings with its bases', one key each, as Textual merges them (a class's
    key replaces its bases' bindings of that key; no class here stops the inheritance)."""
    by_key: dict[str, list[Binding]] = {}
    for base in reversed(cls.__mro__):
        by_key.update(BindingsMap(vars(base).get("BINDINGS", ())).key_to_bindings)
    return tuple(binding for bindings in by_key.values() for binding in bindings)


@functools.cache
def app_keys(app_class: type[App[Any]]) -> tuple[Binding, ...]:
    """The app's keys, the command palette's with them: Textual adds it to every app
    (without an id: no keymap moves it, but a remap onto it is a clash)."""
    palette = [Binding(app_class.COMMAND_PALETTE_BINDING, "command_palette")
               if app_class.ENABLE_COMMAND_PALETTE else None]
    return (*keys_of(app_class), *(b for b in palette if b is not None))


class Held(NamedTuple):
    """One key's binding on a screen, and the class (widget, screen or app) that holds it."""

    binding: Binding
    holder: type

    def name(self) -> str:
        return self.binding.id or f"{self.holder.__name__}'s {self.binding.action}"


class Chain(NamedTuple):
    """The keys one screen holds at once: the focused widget's, its ancestors', the screen's
    and the app's. A key two of them have acts for one only."""

    screen: str  # "the runs screen"
    held: list[Held]


def _normal(keys: str) -> list[str]:
    """Textual's names for `keys` ("?" is question_mark), as it reads a keymap."""
    return [key for part in keys.split(",") if part.strip()
            for key in BindingsMap([Binding(part.strip(), "")]).key_to_bindings]


class Checked(NamedTuple):
    """What the keymap can apply (with its twins), and one sentence per entry left out."""

    applied: dict[str, str]
    problems: list[str]


def check_keymap(keymap: Mapping[str, str], chains: list[Chain]) -> Checked:
    """The entries that can work; each other one is said and left out, so its binding keeps
    its own key: an unknown id, a key never pressed, or a key another binding of a screen
    where it acts already has (a widget's included: the run table's `j`). Whichever of the
    two Textual let win, one of them lost its key without a word. A `runs.X` whose key is
    taken only where its twin acts (`runs.resume = A`, and `A` is the queue's "all seen")
    moves on the runs screen and the twin stays."""
    known = {held.binding.id for chain in chains for held in chain.held}
    problems: dict[str, list[str]] = {}
    entries: dict[str, str] = {}
    for binding_id, keys in keymap.items():
        why = (next((w for key in keys.split(",") if (w := key_problem(key)) is not None), None)
               if binding_id in known else "no key has this id (the README's key table lists them)")
        if why is None:
            entries[binding_id] = keys
        else:
            problems[binding_id] = [f"{binding_id} = {keys!r} not applied: {why}"]
    kept: set[str] = set()  # twins left on their own key
    while (clash := _first_clash(entries, kept, chains)) is not None:
        entry, moved, why = clash
        said = f"{entry} = {entries[entry]!r} not applied" + (f" to {moved}" if moved != entry else "")
        problems.setdefault(entry, []).append(f"{said}: {why}")
        if moved == entry:
            del entries[entry]
        else:
            kept.add(moved)
    applied = {binding_id: keys for binding_id, keys in with_twins(entries).items() if binding_id not in kept}
    return Checked(applied, [said for binding_id in keymap for said in problems.get(binding_id, [])])


def _first_clash(entries: Mapping[str, str], kept: set[str], chains: list[Chain]
                 ) -> tuple[str, str, str] | None:
    """The first entry, the binding it moves (itself or a twin) and why, that gives a key
    another binding of the same chain has after every entry is applied (two bindings
    swapping keys is fine)."""
    full = {binding_id: keys for binding_id, keys in with_twins(entries).items() if binding_id not in kept}
    for entry in entries:
        moved = [entry, *(twin for twin in _twins(entry) if twin in full and twin not in entries)]
        for binding_id in moved:  # said on the entry's own screen before its twins'
            for chain in chains:
                if why := _taken(binding_id, full, chain):
                    return entry, binding_id, why
    return None


def _taken(binding_id: str, keymap: Mapping[str, str], chain: Chain) -> str | None:
    """Why a key `keymap` gives `binding_id` on this chain is another binding's, or None."""
    own = [held for held in chain.held if held.binding.id == binding_id]
    if not own:
        return None
    new = [key for key in _normal(keymap[binding_id]) if key not in {h.binding.key for h in own}]
    for key in new:
        for other in chain.held:
            if other.binding.id == binding_id:
                continue
            other_id = other.binding.id or ""
            keys = _normal(keymap[other_id]) if other_id in keymap else [other.binding.key]
            if key in keys:
                return f"{format_key(key)} is {other.name()} on {chain.screen}"
    return None


def _twins(binding_id: str) -> list[str]:
    screen, _, name = binding_id.partition(".")
    return [f"{twin}.{name}" for twin, names in TWINS.items() if screen == "runs" and name in names]


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


def key_named(node: DOMNode, binding_id: str, holder: type | None = None, *, every: bool = False) -> str:
    """The key bound to `binding_id` as the footer shows it, the [keymap] applied: a hint
    that names a key ("paused: G follows") names the one that acts. The binding is looked
    up on `holder` (the class declaring it, when neither `node`'s nor the app's), `node`'s
    class, then the app's. `every`: all its keys ("up/k"), not the first."""
    app = node.app
    sources = [*(keys_of(cls) for cls in (holder, type(node)) if cls is not None), app_keys(type(app))]
    declared = next((found for keys in sources if (found := [b for b in keys if b.id == binding_id])), None)
    if declared is None:
        raise LookupError(f"no binding {binding_id!r} on {holder or type(node)} or the app")
    keymap: Mapping[str, str] = getattr(app, "bound_keymap", {})
    if binding_id in keymap:
        declared = [declared[0].with_key(key, key_display=None) for key in _normal(keymap[binding_id])]
    shown = dict.fromkeys(app.get_key_display(b) for b in declared)
    return "/".join(shown) if every else next(iter(shown))
