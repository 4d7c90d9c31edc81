"""The footer repaints only when the keys it shows change (a focus change that leaves
them alone costs nothing), and follows a key that is greyed out or comes back."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Button

from runtui.tui.widgets.keys_footer import KeysFooter, keys_footer
from tests.tui.conftest import screen_text, wait_for


class FooterApp(App[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "pause", "Pause"), Binding("r", "resume", "Resume"),
        Binding("x", "hidden", "Hidden", show=False)]
    paused = False

    def compose(self) -> ComposeResult:
        yield Button("one", id="one")
        yield Button("two", id="two")
        yield keys_footer()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pause":
            return None if self.paused else True  # None: shown greyed out
        return True

    def action_pause(self) -> None:
        self.paused = True
        self.refresh_bindings()

    def action_resume(self) -> None:
        self.paused = False
        self.refresh_bindings()


async def test_footer_repaints_only_when_what_it_shows_changes() -> None:
    app = FooterApp()
    async with app.run_test(size=(80, 10)) as pilot:
        footer = app.query_one(KeysFooter)
        await wait_for(pilot, lambda: len(footer.shown) >= 2, what="the keys")
        assert [(k, d) for k, d, _ in footer.shown][:2] == [("p", "Pause"), ("r", "Resume")]
        assert "p Pause r Resume" in screen_text(app)
        repaints: list[Any] = []
        original = footer.refresh

        def counted(*args: Any, **kwargs: Any) -> Any:
            repaints.append(args)
            return original(*args, **kwargs)

        footer.refresh = counted  # type: ignore[method-assign]
        app.set_focus(app.query_one("#two", Button))  # the keys shown stay the same
        await pilot.pause()
        await pilot.pause()
        assert repaints == [], "repainted for nothing"
        await pilot.press("p")  # Pause greys out: the footer must follow
        await wait_for(pilot, lambda: ("p", "Pause", False) in footer.shown, what="greyed out")
        assert repaints


async def test_a_set_of_keys_shown_before_is_drawn_again_without_rendering_it() -> None:
    """The footer flips between a few sets as the cursor moves; each is drawn once, and a
    set seen before comes back as it was drawn, never as the last one drawn."""
    app = FooterApp()
    async with app.run_test(size=(80, 10)) as pilot:
        footer = app.query_one(KeysFooter)
        await wait_for(pilot, lambda: len(footer.shown) >= 2, what="the keys")
        renders: list[object] = []
        original = footer.render

        def counted() -> Any:
            renders.append(footer.shown)
            return original()

        footer.render = counted  # type: ignore[method-assign]

        def greyed() -> str:
            return "".join(s.text for s in footer.render_line(0) if s.style is not None and s.style.dim)

        assert "Pause" not in greyed()
        for key, grey in (("p", True), ("r", False), ("p", True), ("r", False)):
            await pilot.press(key)
            await wait_for(pilot, lambda grey=grey: ("p", "Pause", not grey) in footer.shown, what=key)
            await pilot.pause()
            assert ("Pause" in greyed()) is grey
            assert "p Pause r Resume" in screen_text(app)
        assert len(renders) == 1, renders  # the greyed set, once; the first was drawn before
