"""The cropping compositor sends a dirty span's own cells, not the line up to them."""

from __future__ import annotations

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from textual._compositor import ChopsUpdate
from textual.strip import Strip

from runtui.tui.compositor import CroppedChopsUpdate

LINE = Strip([Segment("a" * 150, Style(color="red")), Segment("12s   ", Style(color="blue")),
              Segment("b" * 44, Style(color="red"))])


def _render(cls: type[ChopsUpdate], x1: int, x2: int) -> str:
    update = cls([{0: LINE}], [(0, x1, x2)], [[200]])
    return update.render_segments(Console(color_system="truecolor", force_terminal=True))


def test_a_span_mid_line_sends_only_its_cells() -> None:
    stock = _render(ChopsUpdate, 150, 156)
    cropped = _render(CroppedChopsUpdate, 150, 156)
    assert "a" * 10 in stock  # Textual sends from the widget's left edge
    assert "a" not in cropped and "b" not in cropped and "12s" in cropped
    assert cropped.startswith("\x1b[1;151H")  # the cursor goes to the span itself
    assert len(cropped) < 60 < len(stock)


def test_a_whole_line_is_unchanged() -> None:
    assert _render(CroppedChopsUpdate, 0, 200) == _render(ChopsUpdate, 0, 200)
