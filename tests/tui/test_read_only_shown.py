"""A read-only profile says so on the runs screen, and the footer's greyed keys follow
what changes them, not only the cursor: on the simulator, at 80x24 and wide."""

from __future__ import annotations

from pathlib import Path

from textual.app import App, ComposeResult

from runtui.engine.health import Health, HealthState
from runtui.tui.widgets.health_bar import HealthBar
from runtui.tui.widgets.keys_footer import KeysFooter
from tests.tui.conftest import TuiSim, runs_loaded, wait_for
from tests.tui.test_actions_pilot import select
from tests.tui.test_profiles import open_profiles, table_rows


def read_only_wexa(tui_sim: TuiSim, tmp_path: Path) -> Path:
    config = tmp_path / "config.toml"
    text = tui_sim.config_path.read_text(encoding="utf-8")
    config.write_text(text.replace("[profiles.wexa-sim]\n", "[profiles.wexa-sim]\nread_only = true\n"),
                      encoding="utf-8")
    config.chmod(0o600)
    return config


async def test_the_health_line_marks_a_read_only_profile_at_any_width(
        tui_sim: TuiSim, tmp_path: Path) -> None:
    """`● wexa-sim ok 20 runs`: nothing on the runs screen said its keys would be refused."""
    config = read_only_wexa(tui_sim, tmp_path)
    for size in ((200, 50), (80, 24)):
        async with runs_loaded(config, size=size) as (app, pilot, _screen):
            bar = app.screen.query_one(HealthBar)
            await wait_for(pilot, lambda bar=bar: "● wexa-sim RO ok 20 runs" in str(bar.render()),
                           what=f"RO at {size}")
            assert "edges-sim RO" not in str(bar.render())


async def test_the_footer_greys_again_when_the_marks_are_cleared(tui_sim: TuiSim, tmp_path: Path) -> None:
    """On a read-only run with runs marked, Cancel is drawn enabled (it acts on the marks);
    esc cleared them and Cancel stayed enabled until the cursor moved."""
    run_id = tui_sim.take("wexa", "running")
    async with runs_loaded(read_only_wexa(tui_sim, tmp_path), size=(80, 24)) as (app, pilot, screen):
        footer = app.screen.query_one(KeysFooter)
        await select(pilot, screen, "wexa", run_id)
        await wait_for(pilot, lambda: ("c", "Cancel", False) in footer.shown, what="greyed: read-only")
        await pilot.press("space", "up")  # marks it, then back on it
        await wait_for(pilot, lambda: bool(screen.table.marks) and screen.table.cursor_run is not None
                       and screen.table.cursor_run.id == run_id, what="marked")
        await wait_for(pilot, lambda: ("c", "Cancel", True) in footer.shown, what="enabled for the marks")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not screen.table.marks, what="marks cleared")
        await wait_for(pilot, lambda: ("c", "Cancel", False) in footer.shown, what="greyed again")


class FourProfiles(App[None]):
    """Four profiles do not fit 80 columns: the ok ones fold into a count."""

    def compose(self) -> ComposeResult:
        yield HealthBar(id="health")

    def on_mount(self) -> None:
        bar = self.query_one(HealthBar)
        bar.update_all({name: Health(profile=name, state=HealthState.OK, runs=10)
                        for name in ("b3os-prod", "edges-prod", "prefect-local", "wexa-prod")})
        bar.set_read_only(frozenset({"wexa-prod"}))


async def test_a_folded_ok_count_still_names_the_read_only_profile() -> None:
    app = FourProfiles()
    async with app.run_test(size=(80, 5)) as pilot:
        await pilot.pause()
        text = str(app.query_one(HealthBar).render())
        assert text.startswith("● 4 ok (40 runs, wexa-prod RO)"), text


async def test_at_80_columns_the_profiles_view_names_read_only_where_mode_has_no_room(
        tui_sim: TuiSim, tmp_path: Path) -> None:
    """80 columns drop the MODE column: read-only was then said only for the cursor's row."""
    async with runs_loaded(read_only_wexa(tui_sim, tmp_path), size=(80, 24)) as (_app, pilot, _screen):
        profiles = await open_profiles(pilot)
        rows = {row["NAME"]: row for row in table_rows(profiles)}
        assert "MODE" not in rows["wexa-sim RO"]
        assert {"b3os-sim", "edges-sim", "wexa-sim RO"} <= set(rows)
