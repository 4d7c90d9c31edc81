"""The cropping compositor renders only dirty lines and sends a dirty span's own cells."""

from __future__ import annotations

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from textual._compositor import ChopsUpdate
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.screen import Screen
from textual.strip import Strip
from textual.widgets import Static

from runtui.tui.compositor import CroppedChopsUpdate, install_cropping_compositor

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


# ---- only the dirty lines are rendered -------------------------------------------------


class Counting(Static):
    """A Static that records the crops it is asked to render."""

    def __init__(self, text: str, *, id: str) -> None:
        super().__init__(text, id=id)
        self.crops: list[Region] = []

    def render_lines(self, crop: Region) -> list[Strip]:
        self.crops.append(crop)
        return super().render_lines(crop)


class Stacked(Screen[None]):
    def __init__(self, cropping: bool) -> None:
        super().__init__()
        if cropping:
            install_cropping_compositor(self)

    def compose(self) -> ComposeResult:
        yield Counting("top", id="top")
        yield Counting("\n".join(f"line {i}" for i in range(10)), id="mid")
        yield Counting("bottom", id="bottom")


class StackedApp(App[None]):
    def __init__(self, cropping: bool) -> None:
        super().__init__()
        self.cropping = cropping

    def on_mount(self) -> None:
        self.push_screen(Stacked(self.cropping))


async def _mid_renders_when_top_and_bottom_change(cropping: bool) -> tuple[list[Region], str]:
    app = StackedApp(cropping)
    async with app.run_test(size=(40, 14)) as pilot:
        top, mid, bottom = (app.screen.query_one(f"#{n}", Counting) for n in ("top", "mid", "bottom"))
        await pilot.pause()
        mid.crops.clear()
        bottom.crops.clear()
        top.update("top 2", layout=False)
        bottom.update("bottom 2", layout=False)
        for _ in range(100):  # poll until the frame with both updates is rendered
            if bottom.crops:
                break
            await pilot.pause()
        crops = list(mid.crops)
        text = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
        return crops, text


async def test_lines_between_two_dirty_lines_are_not_rendered() -> None:
    stock_crops, stock_text = await _mid_renders_when_top_and_bottom_change(cropping=False)
    crops, text = await _mid_renders_when_top_and_bottom_change(cropping=True)
    assert stock_crops and {c.height for c in stock_crops} == {10}  # Textual renders the whole box
    assert crops == []
    assert text == stock_text and "top 2" in text and "bottom 2" in text and "line 9" in text
