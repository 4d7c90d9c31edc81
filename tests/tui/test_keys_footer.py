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
