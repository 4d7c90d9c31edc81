"""What toasts say, on the real simulator: a run named by its short id, each word once.

A full id in a news toast wrapped, leaving ": <detail>" alone on the next line; titles
and messages said the same word twice ("answered …" / "answered: …", "execute 1a2b…" /
"started 1a2b… → queued", "profile test1 test1: config-error").
"""

from __future__ import annotations

from pathlib import Path

from runtui import display
from runtui.engine.workspace import Workspace
from runtui.tui.app import RuntuiApp
from tests.tui.conftest import TuiSim, notifications, wait_for
from tests.tui.test_actions_pilot import fill_execute_form, select, tui
from tests.tui.test_attention import _answer_form, _park, own_config
from tests.tui.test_profiles import fill_form, open_profiles


def said(app: RuntuiApp, words: str) -> list[str]:
    """The toasts ("title: message") that hold `words`."""
    return [n for n in notifications(app) if words in n]


async def test_news_names_a_run_by_its_short_id(tui_sim: TuiSim) -> None:
    run_id = tui_sim.take("edges", "RUNNING")
    async with tui(tui_sim.config_path) as (app, pilot, _screen):
        tui_sim.force("edges", run_id, "FAILED")
        app.workspace.refresh_now()
        await wait_for(pilot, lambda: said(app, "needs attention: failed"), what="the news")
        (toast,) = said(app, "needs attention: failed")
        assert f"edges-sim {display.short_id(run_id)}: " in toast
        assert run_id not in toast


async def test_a_profile_in_trouble_is_named_once(tui_sim: TuiSim, tmp_path: Path) -> None:
    """A profile added with a key nobody set: its trouble names it once."""
    app = RuntuiApp(Workspace.load(own_config(tui_sim, tmp_path)))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: app.alerts is not None, what="the runs screen")
        await open_profiles(pilot)
        await pilot.press("a")
        await pilot.pause()
        await fill_form(pilot, name="test1", provider="wexa", key_value="RUNTUI_TEST_UNSET_KEY",
                        project_id="a" * 24, user_id="u1")
        await pilot.press("f2")
        await wait_for(pilot, lambda: said(app, "needs attention: profile"), what="the news")
        (toast,) = said(app, "needs attention: profile")
        assert toast.startswith("needs attention: profile: test1: config-error: "), toast


async def test_a_started_run_is_named_once(tui_sim: TuiSim) -> None:
    flow = tui_sim.catalog()["wexa"]["agentflows"][1]["agentflow_id"]
    subject = tui_sim.take("wexa", "completed", seeded=True)
    async with tui(tui_sim.config_path) as (app, pilot, screen):
        await select(pilot, screen, "wexa", subject)
        known = tui_sim.ids("wexa")
        await pilot.press("e")
        await fill_execute_form(pilot, flow, "summarise the tests", ["topic=words"])
        await pilot.press("f2")
        await wait_for(pilot, lambda: len(tui_sim.ids("wexa") - known) == 1, what="new execution")
        (new_id,) = tui_sim.ids("wexa") - known
        title = f"execute {display.short_id(new_id)}"
        await wait_for(pilot, lambda: said(app, title), what="the toast")
        (toast,) = said(app, title)
        assert toast.startswith(f"{title}: started → ")
        assert new_id not in toast


async def test_an_answer_says_answered_once(tui_sim: TuiSim) -> None:
    run_id = _park(tui_sim, "runtime_input")
    async with tui(tui_sim.config_path) as (app, pilot, _screen):
        await _answer_form(pilot, run_id)
        await pilot.press("e", "u", "f2")
        title = f"answered {display.short_id(run_id)}"
        await wait_for(pilot, lambda: said(app, title), what="the toast")
        (toast,) = said(app, title)
        assert toast.count("answered") == 1, toast
