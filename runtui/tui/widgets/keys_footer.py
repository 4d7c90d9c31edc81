"""The footer every screen shows: the screen's keys on one line of text.

Textual's Footer is a row of widgets, rebuilt (new widgets, restyled, laid out) on
every bindings update, a frame after it. A key that greys another one out (the
cursor on a finished run greys out `c`) therefore cost two or three extra frames:
a sort at 50,000 runs ended 20-30 ms after its table was on screen, and closing the
filter box rebuilt it for nothing. This footer is one widget that renders text: an
update that changes nothing costs a comparison, one that changes a key repaints
one line in the same frame. It looks like the compact Footer (the same theme
colours: key bold, description, a greyed-out key dim) and reads the same public
API (`Screen.active_bindings`, `bindings_updated_signal`, `App.get_key_display`).
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol, runtime_checkable

from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.screen import Screen
from textual.strip import Strip
from textual.widget import Widget

Shown = tuple[tuple[str, str, bool], ...]  # (key as shown, description, enabled)
LINES_KEPT = 8  # drawn lines kept, one per set of keys and size


@runtime_checkable
class DescribesKeys(Protocol):
    """A screen whose key does something else in some state says so here (the runs
    screen's `c` stops a task: "Stop", not "Cancel"); None: the binding's own words."""

    def key_description(self, binding: Binding) -> str | None: ...


class KeysFooter(Widget):
    DEFAULT_CSS = """
    KeysFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
    }
    KeysFooter > .keys-footer--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    KeysFooter > .keys-footer--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"keys-footer--key", "keys-footer--description"}

    def __init__(self) -> None:
        super().__init__()
        self._shown: Shown = ()
        self._drawn: dict[tuple[Shown, Size], Strip] = {}

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._bindings_changed(self.screen)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[Any]) -> None:
        self.sync(screen)

    def sync(self, screen: Screen[Any]) -> None:
        """Keep what the screen's bindings say to show; repaint only when it changed.

        Textual publishes a bindings update when the screen next goes idle, a frame after
        the key that caused it; a screen that knows its keys changed calls this at once,
        so the footer is repainted with the rest of that key's frame."""
        entries: dict[str, tuple[Binding, list[str], str, bool]] = {}  # action -> its entry
        describes = screen if isinstance(screen, DescribesKeys) else None
        for _node, binding, enabled, _tooltip in screen.active_bindings.values():
            if not binding.show:
                continue
            key = self.app.get_key_display(binding)
            entry = entries.get(binding.action)
            if entry is None:  # one entry per action, as Textual's Footer shows it
                words = describes.key_description(binding) if describes is not None else None
                entries[binding.action] = (binding, [key], words or binding.description, enabled)
            elif binding.id is not None and binding.id == entry[0].id and key not in entry[1]:
                entry[1].append(key)  # "esc/q Back": each key of the binding that acts here
        shown = [("/".join(keys), words, enabled) for _binding, keys, words, enabled in entries.values()]
        if tuple(shown) != self._shown:
            self._shown = tuple(shown)
            self.refresh()

    @property
    def shown(self) -> Shown:
        """The keys on the line, in order (for tests)."""
        return self._shown

    def render_line(self, y: int) -> Strip:
        """The line for this set of keys, drawn once per set and size.

        The cursor moving between runs that can and cannot be paused or cancelled flips
        the footer between a few sets; drawing one through Rich's Text and Textual's
        visuals took ~1.4 ms at 200 columns, in the frame of the key that moved it."""
        if y != 0:
            return super().render_line(y)  # the footer is one line tall: nothing to keep
        key = (self._shown, self.size)
        strip = self._drawn.get(key)
        if strip is None:
            strip = super().render_line(y)
            if len(self._drawn) >= LINES_KEPT:
                del self._drawn[next(iter(self._drawn))]
            self._drawn[key] = strip
        return strip

    def notify_style_update(self) -> None:
        """A new theme or style: every kept line is drawn again."""
        super().notify_style_update()
        self._drawn.clear()

    def render(self) -> Text:
        key_style = self.get_component_rich_style("keys-footer--key")
        description_style = self.get_component_rich_style("keys-footer--description")
        text = Text(no_wrap=True, overflow="crop", end="")
        for key, description, enabled in self._shown:
            start = len(text)
            text.append(key, key_style)
            if description:
                text.append(" " + description, description_style)
            if not enabled:
                text.stylize("dim", start, len(text))
            text.append(" ")
        return text


def keys_footer() -> KeysFooter:
    """The screen's keys; help (`?`) and the palette (ctrl+p) list the rest."""
    return KeysFooter()
