"""Rich styles in the theme's colours, for text a widget builds in code; and those colours
on a terminal of 16 colours.

A plain `red` is the terminal's dark red, and Textual's NO_COLOR filter turns it into a
grey two shades off a dark background: a failure drawn in it vanished. The theme's text
colours (`$text-error`, `$text-success`, ...) are made to be read on its backgrounds, and
so are their greys. The run table takes them through its CSS; text built in code names
them in a style spec (`"$text-error bold"`) that `themed` turns into a Rich style.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from rich.style import Style
from textual.color import Color


def themed(spec: str, variables: Mapping[str, str] | None) -> Style:
    """`spec`'s Rich style words, with a `$name` word as the theme's colour of that name
    (`variables`: the app's `theme_variables`; without them, no colour: the words alone)."""
    colour: str | None = None
    words: list[str] = []
    for word in spec.split():
        if word.startswith("$"):
            colour = (variables or {}).get(word[1:])
        else:
            words.append(word)
    return _style(" ".join(words), colour)


@lru_cache(maxsize=256)
def _style(words: str, colour: str | None) -> Style:
    style = Style.parse(words) if words else Style()
    if colour is None:
        return style
    return style + Style(color=Color.parse(colour).rich_color)


# Rich's names of the colour systems that have 16 colours (a terminal of 8 gets them too).
SIXTEEN_COLOURS = frozenset({"standard", "windows"})

# Colours of Rich's 16-colour palette (rich/_palettes.py, STANDARD_PALETTE), each the
# nearest to itself: on such a terminal Rich sends every colour as the palette's nearest,
# and the theme's soft ones all fell on the same few. Its pink error, light blue and light
# green text came out as one grey (SGR 37): a failed run looked like a running one, a
# profile in error like one that is fine; its orange warning came out red, as errors.
# The meanings get a colour each; the same hues as the theme's.
_RED, _GREEN, _YELLOW, _BLUE = "#AA0000", "#00AA00", "#AA5500", "#0000AA"
_GREY, _WHITE = "#555555", "#AAAAAA"
_BRIGHT_RED, _BRIGHT_GREEN, _BRIGHT_YELLOW, _BRIGHT_CYAN = "#FF5555", "#55FF55", "#FFFF55", "#55FFFF"

_BACKGROUNDS = {  # bars and borders: a toast's severity, a dialog's, an invalid field's
    "error": _RED,
    "warning": _YELLOW,
    "success": _GREEN,
}
_TEXT_ON_DARK = {
    "text-error": _BRIGHT_RED,  # failed; a profile in error; error lines and fields
    "text-success": _BRIGHT_GREEN,  # succeeded; a profile that is fine
    "text-warning": _BRIGHT_YELLOW,  # paused; rate limited, stale
    "text-primary": _BRIGHT_CYAN,  # running
    "text-muted": _WHITE,  # queued; notes
    "text-disabled": _GREY,  # cancelled
}
_TEXT_ON_LIGHT = {
    "text-error": _RED,
    "text-success": _GREEN,
    "text-warning": _YELLOW,
    "text-primary": _BLUE,
    "text-muted": _GREY,
    "text-disabled": _WHITE,
}


def sixteen_colour_variables(color_system: str | None, *, dark: bool, ansi: bool,
                             no_color: bool) -> dict[str, str]:
    """The theme variables a terminal of `color_system` needs in place of the theme's
    (none for one of 256 colours or more). An ANSI theme already names the terminal's
    own colours, and NO_COLOR's greys are kept as they are."""
    if color_system not in SIXTEEN_COLOURS or ansi or no_color:
        return {}
    return {**_BACKGROUNDS, **(_TEXT_ON_DARK if dark else _TEXT_ON_LIGHT)}
