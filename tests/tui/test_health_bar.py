"""The health bar says every profile's state at any width: the ok ones fold into a count."""

from __future__ import annotations

from textual.app import App, ComposeResult

from runtui.engine.health import Health, HealthState
from runtui.tui.widgets.health_bar import HealthBar

HEALTH = {
    "b3os-prod": Health(profile="b3os-prod", state=HealthState.OK, runs=120),
    "edges-prod": Health(profile="edges-prod", state=HealthState.OK, runs=80),
    "prefect-local": Health(profile="prefect-local", state=HealthState.ERROR, message="HTTP 503"),
    "wexa-prod": Health(profile="wexa-prod", state=HealthState.OK, runs=40),
}


class BarApp(App[None]):
    def compose(self) -> ComposeResult:
        yield HealthBar(id="health")

    def on_mount(self) -> None:
        self.query_one(HealthBar).update_all(HEALTH)


def shown(app: BarApp) -> str:
    return str(app.query_one(HealthBar).render())


async def test_wide_every_profile_is_named() -> None:
    app = BarApp()
    async with app.run_test(size=(200, 5)) as pilot:
        await pilot.pause()
        text = shown(app)
        assert all(name in text for name in HEALTH)
        assert "3 ok" not in text


async def test_at_80_columns_the_ok_profiles_fold_and_the_trouble_stays_named() -> None:
    app = BarApp()
    async with app.run_test(size=(80, 5)) as pilot:
        await pilot.pause()
        text = shown(app)
        assert text.startswith("● 3 ok (240 runs)")
        assert "✘ prefect-local" in text and "503" in text
        assert len(text) <= 80
