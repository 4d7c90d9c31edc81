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

No dangerous character is dropped: each one becomes a visible stand-in, so
the operator sees that the server sent it (`␛]52;c;…␇`) and the terminal runs
none of it. C0 controls and DEL become their Unicode control pictures (one
cell each); C1 controls, bidi and invisible format characters become `\\x9b` /
`\\u202e` escapes, and the zero-width ones (a zero-width space, a word joiner, a BOM)
one cell, `◌`, so a narrow column is not eaten by a 6-character escape.

Emoji sequences are drawn in a width every terminal agrees on. Rich measures
`🧑🏽‍🚀` as one 2-cell character, tmux as 4 cells (and `✔️` as 2 against 1), so a
cell updated later landed at the wrong column and garbled the row. Shown text drops
the emoji variation selector (U+FE0F) and skin-tone modifiers, and a zero-width
joiner between emoji, so a sequence shows as its emoji one by one (`🧑🚀`). Rich also
counts the letter after any joiner as taking no cell, so a joiner between two letters
of a script (Devanagari `क्‍ष`) is dropped too: it changes only how they are shaped,
which a terminal hardly does. A joiner anywhere else joins nothing and shows as `◌`.
The stored data (journal, `--json`) keeps the raw text.

`clipped` cuts to a number of terminal cells, never inside a character cluster
(a flag, a letter with its marks), and ends what it cut in "…".
"""

from __future__ import annotations

import re
import unicodedata
from itertools import pairwise
from typing import Final

_C0: Final = range(0x00, 0x20)
_DEL: Final = 0x7F
_C1: Final = range(0x80, 0xA0)
# Bidi controls (embeddings, overrides, isolates, marks) and the invisible characters
# that hide or reorder text: zero-width space, line/paragraph separators, word joiner,
# the invisible operators, BOM, interlinear annotation. ZWNJ (U+200C) stays: several
# scripts need it, and it neither hides nor reorders text. ZWJ: see `_plain_emoji`.
_HIDDEN: Final = (
    0x061C, 0x180E, 0x200B, 0x200E, 0x200F, *range(0x2028, 0x202F), *range(0x2060, 0x2065),
    *range(0x2066, 0x206A), 0xFEFF, 0xFFF9, 0xFFFA, 0xFFFB,
)
# Of those, the ones that take no room and reorder nothing: one visible cell says they are there.
_ZERO_WIDTH: Final = frozenset((0x180E, 0x200B, *range(0x2060, 0x2065), 0xFEFF))
INVISIBLE_MARK: Final = "\u25cc"  # ◌, the conventional placeholder of a character not seen
ELLIPSIS: Final = "…"
_ZWJ: Final = "\u200d"
# Emoji: the pictographic planes and the symbol blocks emoji come from (arrows to misc.
# symbols and arrows). What a joiner next to one joins is an emoji sequence.
_EMOJI: Final = "\U0001F000-\U0001FAFF\u2190-\u2BFF\u00a9\u00ae\u203c\u2049\u2122\u2139\u3030\u303d"
# The emoji presentation selector, and a skin tone after an emoji: terminals disagree on
# how wide they make the emoji (and on a skin tone's own width).
_PRESENTATION: Final = re.compile(f"\ufe0f|(?<=[{_EMOJI}])[\U0001F3FB-\U0001F3FF]")
_IS_EMOJI: Final = re.compile(f"[{_EMOJI}]")


def _stand_in(code: int) -> str:
    if code in _C0:
        return chr(0x2400 + code)  # ␀ … ␟, e.g. ESC -> ␛
    if code == _DEL:
        return "\u2421"  # ␡
    if code in _C1:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def _shown_as(code: int) -> str:
    return INVISIBLE_MARK if code in _ZERO_WIDTH else _stand_in(code)


_ONE_LINE: Final[dict[int, str]] = {
    code: _shown_as(code) for code in (*_C0, _DEL, *_C1, *_HIDDEN)
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
    # C-speed checks: true for almost every string, then nothing to do
    if text.isprintable() and (text.isascii() or not _PRESENTATION.search(text)):
        return text
    return _plain_emoji(text).translate(_ONE_LINE)


def _plain_emoji(text: str) -> str:
    """`text` with its emoji sequences broken into emoji every terminal draws alike, and its
    joiners dropped (see the module's docstring); one that joins no emoji and no script
    letters becomes `◌`."""
    text = _PRESENTATION.sub("", text)
    if _ZWJ not in text:
        return text
    pieces = text.split(_ZWJ)
    out = [pieces[0]]
    for before, after in pairwise(pieces):
        left, right = before[-1:], after[:1]
        joins = _IS_EMOJI.match(left) or _IS_EMOJI.match(right) or (
            _joins_letters(left) and _joins_letters(right))
        if not joins:
            out.append(INVISIBLE_MARK)
        out.append(after)
    return "".join(out)


def _joins_letters(char: str) -> bool:
    """A letter or mark of a script that shapes with a joiner (Arabic, the Indic scripts)."""
    return bool(char) and not char.isascii() and unicodedata.category(char)[0] in "LM"


def cells(text: str) -> int:
    """How many terminal columns `text` (shown text, see `one_line`) takes: a wide character
    (日本, most emoji) takes two."""
    if text.isascii():
        return len(text)
    from rich.cells import cell_len  # loaded only for text that needs it (the CLI starts faster)

    return cell_len(text)


def start_cells(text: str, width: int) -> str:
    """The start of `text` (shown text) that fits `width` cells, cut between character
    clusters: a flag or a letter with its marks is kept whole or left out."""
    if text.isascii():
        return text[: max(0, width)]
    window = 4 * width + 64  # clusters are measured in a window, not over a 20,000-character value
    while True:
        part = text[:window]
        used = 0
        for start, _end, size in _clusters(part):
            if used + size > width:
                return text[:start]
            used += size
        if len(part) == len(text):
            return text
        window *= 4  # marks piled on letters (zalgo): look further


def end_cells(text: str, width: int) -> str:
    """The end of `text` (shown text) that fits `width` cells, cut between character clusters."""
    if text.isascii():
        return text[len(text) - max(0, width):]
    window = 4 * width + 64
    while True:
        part = text[-window:]
        offset, used = len(text) - len(part), 0
        clusters = _clusters(part)
        for _start, end, size in reversed(clusters[1:] if offset else clusters):  # the first may be a piece
            if used + size > width:
                return text[offset + end:]
            used += size
        if not offset:
            return text
        window *= 4


def _clusters(text: str) -> list[tuple[int, int, int]]:
    """(start, end, cells) of each character cluster: Rich's graphemes (a character with
    its marks), with two regional indicators (one flag) joined into one."""
    from rich.cells import split_graphemes

    spans, _ = split_graphemes(text)
    out: list[tuple[int, int, int]] = []
    for span in spans:
        if out and _is_flag_half(text, out[-1]) and _is_flag_half(text, span) and out[-1][2] < 2:
            start, _end, size = out.pop()
            span = (start, span[1], size + span[2])
        out.append(span)
    return out


def _is_flag_half(text: str, span: tuple[int, int, int]) -> bool:
    return span[1] - span[0] == 1 and 0x1F1E6 <= ord(text[span[0]]) <= 0x1F1FF


def clipped(text: str, width: int) -> str:
    """`text` on one harmless line (`one_line`) of at most `width` terminal cells: a longer
    one keeps its start and ends in "…" (a character is never cut in two)."""
    line = one_line(text)
    if line.isascii():
        return line if len(line) <= width else line[: width - 1] + ELLIPSIS if width > 0 else ""
    if len(start_cells(line, width)) == len(line):
        return line
    return start_cells(line, width - 1) + ELLIPSIS if width > 0 else ""


def clipped_start(text: str, width: int) -> str:
    """As `clipped`, but a longer text keeps its end, after a "…": a field path
    (`….duration_s`) or a file path is told apart by its end."""
    line = one_line(text)
    if line.isascii():
        return line if len(line) <= width else ELLIPSIS + line[len(line) - width + 1:] if width > 0 else ""
    if len(end_cells(line, width)) == len(line):
        return line
    return ELLIPSIS + end_cells(line, width - 1) if width > 0 else ""


def multi_line(text: str) -> str:
    """`text` for a block of lines: as `one_line`, but newlines and tabs stay.

    A Windows line end (CR LF) becomes a plain newline; a CR anywhere else is
    shown (`␍`), since it would let the text after it overwrite the line.
    """
    if text.isprintable() and (text.isascii() or not _PRESENTATION.search(text)):
        return text
    if "\r\n" in text:
        text = text.replace("\r\n", "\n")
    return _plain_emoji(text).translate(_MULTI_LINE)


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
    shown = _stand_in(ord(found)) if found in DANGEROUS else f"\\u{ord(found):04x}"
    return (f"it holds a control, bidi or invisible character ({shown}), "
            "which a paste could run as a command or show as other text")
