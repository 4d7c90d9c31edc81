"""Rich styles in the theme's colours, for text a widget builds in code.

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
