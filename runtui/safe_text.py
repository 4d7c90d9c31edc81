"""Server text made harmless for a terminal: the one rule every face follows.

Servers are untrusted, and a terminal executes what it is sent: ESC ] 52 writes
the clipboard, ESC ] 0 sets the window title, ESC [ 2J clears the screen, a CR
or BS overwrites what came before, and a bidi override (U+202E) shows text in
an order other than the one it has. Rich and Textual drop only BEL, BS, VT, FF
and CR when they build text, so an escape sequence they are given still
reaches the terminal, and widgets that draw their own segments (the run table)
pass even those. So every string a server sent goes through `one_line` (a
cell, a field, a title) or `multi_line` (a message, a JSON document) before a
face shows it.

Nothing is dropped: each dangerous character becomes a visible stand-in, so
the operator sees that the server sent it (`␛]52;c;…␇`) and the terminal runs
none of it. C0 controls and DEL become their Unicode control pictures (one
cell each); C1 controls, bidi and invisible format characters become `\\x9b` /
`\\u202e` escapes. The stored data (journal, `--json`) keeps the raw text.
"""

from __future__ import annotations

from typing import Final

_C0: Final = range(0x00, 0x20)
_DEL: Final = 0x7F
_C1: Final = range(0x80, 0xA0)
# Bidi controls (embeddings, overrides, isolates, marks) and the invisible characters
# that hide or reorder text: zero-width space, line/paragraph separators, word joiner,
# the invisible operators, BOM, interlinear annotation. ZWJ/ZWNJ (U+200C/U+200D) stay:
# emoji sequences and several scripts need them, and they neither hide nor reorder text.
_HIDDEN: Final = (
    0x061C, 0x180E, 0x200B, 0x200E, 0x200F, *range(0x2028, 0x202F), *range(0x2060, 0x2065),
    *range(0x2066, 0x206A), 0xFEFF, 0xFFF9, 0xFFFA, 0xFFFB,
)


def _stand_in(code: int) -> str:
    if code in _C0:
        return chr(0x2400 + code)  # ␀ … ␟, e.g. ESC -> ␛
    if code == _DEL:
        return "\u2421"  # ␡
    if code in _C1:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


_ONE_LINE: Final[dict[int, str]] = {
    code: _stand_in(code) for code in (*_C0, _DEL, *_C1, *_HIDDEN)
}
_MULTI_LINE: Final[dict[int, str]] = {
    code: text for code, text in _ONE_LINE.items() if code not in (0x0A, 0x09)
}
DANGEROUS: Final[frozenset[str]] = frozenset(map(chr, _ONE_LINE))
"""Every character `one_line` replaces (for tests that check what faces render)."""


def one_line(text: str) -> str:
    """`text` for one line of a terminal: every control, escape and bidi character visible.

    Newlines and tabs are made visible too (`␊`, `␉`), so a field cannot break a
    table row or push text into the next column.
    """
    if text.isprintable():  # C-speed check: true for almost every string, then nothing to do
        return text
    return text.translate(_ONE_LINE)


def clipped(text: str, width: int) -> str:
    """`text` on one harmless line (`one_line`) of at most `width` characters: a longer
    one keeps its start and ends in "…"."""
    line = one_line(text)
    return line if len(line) <= width else line[: width - 1] + "…"


def multi_line(text: str) -> str:
    """`text` for a block of lines: as `one_line`, but newlines and tabs stay.

    A Windows line end (CR LF) becomes a plain newline; a CR anywhere else is
    shown (`␍`), since it would let the text after it overwrite the line.
    """
    if text.isprintable():
        return text
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
    return text.translate(_MULTI_LINE)


def copy_refusal(text: str, *, lines: bool = False) -> str | None:
    """Why `text` must not go to a clipboard, or None when it may.

    What is copied is pasted raw into a shell later: an ESC [201~ ends bracketed
    paste, a ^U wipes the line typed so far and a CR runs what follows, and a bidi
    or invisible character pastes other text than the one shown. So server text
    holding any character `one_line` would replace (and any other unprintable one:
    no-break spaces, format characters) is refused whole, never cleaned up into a
    different string the server did not send. `lines`: text the operator selected
    on screen, where newlines and tabs are what they chose; only what `multi_line`
    would replace is refused.
    """
    if lines:
        found = next((ch for ch in text if ch in DANGEROUS and ch not in "\n\t"), None)
    else:
        found = None if text.isprintable() else next(ch for ch in text if not ch.isprintable())
    if found is None:
        return None
    shown = one_line(found) if found in DANGEROUS else f"\\u{ord(found):04x}"
    return (f"it holds a control, bidi or invisible character ({shown}), "
            "which a paste could run as a command or show as other text")
