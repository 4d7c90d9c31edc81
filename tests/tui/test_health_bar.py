"""The health bar says every profile's state at any width: the ok ones fold into a count."""

from __future__ import annotations

from datetime import UTC, datetime

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
    def __init__(self, health: dict[str, Health] | None = None) -> None:
        super().__init__()
        self.health = HEALTH if health is None else health

    def compose(self) -> ComposeResult:
        yield HealthBar(id="health")

    def on_mount(self) -> None:
        self.query_one(HealthBar).update_all(self.health)


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


SINCE = datetime(2026, 12, 6, 15, 39, 11, tzinfo=UTC)
LATER = datetime(2026, 12, 6, 15, 40, 2, tzinfo=UTC)


def down(name: str, since: datetime = LATER) -> Health:
    provider = name.split("-")[0]
    return Health(profile=name, state=HealthState.ERROR, since=since, last_ok=since,
                  message=f"{provider} network: connection failed (ConnectError)")


OUTAGE = {"b3os-sim": down("b3os-sim", SINCE), "edges-sim": down("edges-sim"), "wexa-sim": down("wexa-sim")}


async def test_every_profile_down_says_so_with_every_name_at_80_columns() -> None:
    """In an outage the first profile's error filled the line and hid the others."""
    app = BarApp(OUTAGE)
    async with app.run_test(size=(80, 5)) as pilot:
        await pilot.pause()
        text = shown(app)
        since = SINCE.astimezone().strftime("%H:%M:%S")  # the earliest, in local time
        assert text.startswith(f"✘ all 3 profiles down since {since}: b3os-sim, edges-sim, wexa-sim │ b3os")
        assert len(text) == 80 and text.endswith("…")


async def test_several_down_beside_ok_and_rate_limited_ones_at_200_columns() -> None:
    health = {**OUTAGE, "prefect-local": Health(profile="prefect-local", state=HealthState.OK, runs=7),
              "wexa-prod": Health(profile="wexa-prod", state=HealthState.RATE_LIMITED, message="slow down")}
    app = BarApp(health)
    async with app.run_test(size=(200, 5)) as pilot:
        await pilot.pause()
        text = shown(app)
        assert text.startswith("● 1 ok (7 runs) │ ✘ 3 profiles down since ")
        assert (": b3os-sim, edges-sim, wexa-sim │ ⏳ wexa-prod rate-limited"
                " │ b3os network: connection failed (ConnectError); edges network: connection" in text)
        assert len(text) <= 200


async def test_one_down_profile_keeps_its_own_words() -> None:
    app = BarApp({**HEALTH, "prefect-local": HEALTH["b3os-prod"], "edges-sim": down("edges-sim")})
    async with app.run_test(size=(80, 5)) as pilot:
        await pilot.pause()
        text = shown(app)
        assert "profiles down" not in text and "✘ edges-sim error: edges network" in text
