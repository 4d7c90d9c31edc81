"""The config's [keymap]: entries that cannot work are said, a key taken from another
binding is said, and a remapped run key works in the detail too."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from runtui.engine.health import HealthState
from runtui.engine.workspace import Workspace
from runtui.tui.app import RuntuiApp
from runtui.tui.key_chains import binding_ids, screen_chains
from runtui.tui.keymap import RUN_KEYS_IN_DETAIL, check_keymap, key_problem
from runtui.tui.screens.attention import AttentionScreen
from runtui.tui.screens.confirm import ConfirmScreen
from runtui.tui.screens.detail import DetailScreen
from runtui.tui.screens.help import HelpScreen
from runtui.tui.screens.logs import LogScreen
from runtui.tui.screens.runs import RunsScreen
from runtui.tui.widgets.log_panel import LogPanel
from runtui.tui.widgets.log_view import LogView
from tests.tui.conftest import TuiSim, notifications, screen_text, wait_for


def test_key_names_textual_can_produce_pass_and_others_are_named() -> None:
    for key in ("C", "5", "ctrl+x", "f5", "pageup", "question_mark", "space", "shift+tab", "ctrl+shift+f1"):
        assert key_problem(key) is None, key
    assert "'nonsense' is not a key name" in (key_problem("ctrl+nonsense") or "")
    assert "'hyperx' is not a modifier" in (key_problem("hyperx+a") or "")
    assert key_problem(" ") == "an empty key"


def test_every_binding_id_is_found_and_every_run_key_has_a_detail_twin() -> None:
    ids = binding_ids(RuntuiApp)
    for expected in ("app.quit", "runs.cancel", "table.first", "detail.next_tab", "logs.search",
                     "attention.ack", "workflows.pause", "diff.all", "profiles.add", "welcome.demo"):
        assert expected in ids, expected
    for name in RUN_KEYS_IN_DETAIL:
        assert f"runs.{name}" in ids and f"detail.{name}" in ids, name
    on_a_screen = {held.binding.id for chain in screen_chains(RuntuiApp)[1:] for held in chain.held}
    assert set(ids) <= on_a_screen  # each widget with keys is on the chain of a screen it is on
    applied, said = check_keymap({"bogus.id": "x", "runs.pause": "ctrl+nonsense", "runs.cancel": "C"},
                                 screen_chains(RuntuiApp))
    assert len(said) == 2
    assert said[0].startswith("bogus.id = 'x' not applied: no key has this id")
    assert said[1].startswith("runs.pause = 'ctrl+nonsense' not applied: 'nonsense' is not a key name")
    assert applied == {"runs.cancel": "C", "detail.cancel": "C", "attention.cancel": "C"}


@asynccontextmanager
async def keymapped(tui_sim: TuiSim, tmp_path: Path, keymap: str
                    ) -> AsyncIterator[tuple[RuntuiApp, Pilot[Any], RunsScreen]]:
    config = tmp_path / "config.toml"
    config.write_text(tui_sim.config_path.read_text() + "\n[keymap]\n" + keymap)
    config.chmod(0o600)
    app = RuntuiApp(Workspace.load(config))
    async with app.run_test(size=(120, 36)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), what="runs screen")
        ws = app.workspace
        await wait_for(pilot, lambda: len(ws.health) == 3 and all(
            h.state is not HealthState.LOADING for h in ws.health.values()), what="first polls")
        screen = app.screen
        assert isinstance(screen, RunsScreen)
        yield app, pilot, screen


async def test_entries_that_cannot_work_are_said_and_a_run_key_moves_in_the_detail_too(
        tui_sim: TuiSim, tmp_path: Path) -> None:
    """An unknown id and a key no terminal sends were applied silently; `runs.cancel = C`
    left the detail's cancel on `c`."""
    keymap = '"runs.cancel" = "C"\n"bogus.id" = "x"\n"runs.pause" = "ctrl+nonsense"\n'
    async with keymapped(tui_sim, tmp_path, keymap) as (app, pilot, screen):
        await wait_for(pilot, lambda: any(n.startswith("keymap: ") for n in notifications(app)),
                       what="the keymap's problems")
        said = next(n for n in notifications(app) if n.startswith("keymap: "))
        assert "bogus.id = 'x' not applied" in said and "'nonsense' is not a key name" in said
        assert "runs.cancel" not in said
        running = next(r for r in screen.table.visible_runs()
                       if r.provider == "b3os" and r.status.value == "running")
        app.push_screen(DetailScreen(running))
        await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen), what="the detail")
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)  # c is no longer cancel
        await pilot.press("C")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="cancel asks")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen), what="the detail again")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), what="the runs")
        await pilot.press("exclamation_mark")  # the queue's cancel moved too (it stayed on c)
        await wait_for(pilot, lambda: isinstance(app.screen, AttentionScreen), what="the queue")
        actions = {key: active.binding.action for key, active in app.screen.active_bindings.items()}
        assert actions.get("C") == "act('cancel')" and actions.get("c") != "act('cancel')"


def test_a_key_another_binding_of_the_screen_has_is_not_applied() -> None:
    """`runs.cancel = p` took pause's key without a word, and `runs.pause = j` lost to the
    run table's `j` (a widget's key, in front of the screen's): either way a binding had no
    key. The entry is said and left out; two bindings swapping keys is fine."""
    chains = screen_chains(RuntuiApp)
    applied, said = check_keymap({"runs.cancel": "p", "runs.resume": "R,q", "runs.pause": "j",
                                  "workflows.pause": "down", "logs.follow": "F"}, chains)
    assert said == [
        "runs.cancel = 'p' not applied: p is runs.pause on the runs screen",
        "runs.resume = 'R,q' not applied: R is runs.again on the runs screen",
        "runs.pause = 'j' not applied: j is table.cursor_down on the runs screen",
        "workflows.pause = 'down' not applied: ↓ is WorkflowTable's cursor_down on the workflows screen",
    ]
    assert applied == {"logs.follow": "F"}
    swapped = {"runs.cancel": "p", "runs.pause": "c"}
    assert check_keymap(swapped, chains) == (
        {**swapped, "detail.cancel": "p", "detail.pause": "c", "attention.cancel": "p"}, [])
    # taken only where a twin acts: the twin keeps its key, the entry moves on its own screen
    assert check_keymap({"runs.resume": "A"}, chains) == (
        {"runs.resume": "A", "detail.resume": "A"},
        ["runs.resume = 'A' not applied to attention.resume: A is attention.ack_all on the attention screen"])
    # two entries after one key: the first is left out, the second then has it alone
    assert check_keymap({"runs.cancel": "x", "runs.pause": "x"}, chains) == (
        {"runs.pause": "x", "detail.pause": "x"},
        ["runs.cancel = 'x' not applied: x is runs.pause on the runs screen"])


async def test_a_remap_onto_the_tables_key_is_said_and_pause_keeps_p(tui_sim: TuiSim, tmp_path: Path) -> None:
    """`runs.pause = j` was accepted silently: `j` still moved the cursor, `p` no longer
    paused, and Pause left the footer and the help."""
    async with keymapped(tui_sim, tmp_path, '"runs.pause" = "j"\n') as (app, pilot, screen):
        await wait_for(pilot, lambda: "keymap: runs.pause = 'j' not applied: j is table.cursor_down on the "
                       "runs screen" in notifications(app), what="the clash said")
        focused = screen.focused
        assert focused is screen.table  # the chain the check reads: the table's keys before the screen's
        actions = {key: active.binding.id for key, active in screen.active_bindings.items()}
        assert actions.get("p") == "runs.pause" and actions.get("j") == "table.cursor_down"
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        assert ("p", "Pause", "runs.pause") in help_screen.key_rows()


async def test_help_names_the_sort_keys_the_keymap_left(tui_sim: TuiSim, tmp_path: Path) -> None:
    """The help said "1-9  Sort by column N" whatever the keymap did: with sort_9 on 0 it
    read "1-0", and with sort_3 on x it listed the digits in no column order."""
    keymap = '"runs.sort_9" = "0"\n"runs.sort_3" = "x,ctrl+3"\n'
    async with keymapped(tui_sim, tmp_path, keymap) as (app, pilot, _screen):
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help")
        text = screen_text(app)
        assert "1, 2, 4-8" in text and "runs.sort_1, 2, 4…8" in text
        assert "1-9" not in text and "1-0" not in text
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        rows = [row for row in help_screen.key_rows() if row[2].startswith("runs.sort_")]
        assert rows == [("1, 2, 4-8", "Sort by column N", "runs.sort_1, 2, 4…8"),
                        ("x, ^3", "Sort by column 3", "runs.sort_3"),
                        ("0", "Sort by column 9", "runs.sort_9")]
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen), what="the help closed")


async def test_a_key_not_applied_leaves_the_default_key_working_and_in_the_help(
        tui_sim: TuiSim, tmp_path: Path) -> None:
    """`runs.diff = ctrl+nonsense` was said "not applied", yet `d` no longer compared and the
    help listed `^nonsense`."""
    async with keymapped(tui_sim, tmp_path, '"runs.diff" = "ctrl+nonsense"\n') as (app, pilot, _screen):
        await wait_for(pilot, lambda: any("'nonsense' is not a key name" in n for n in notifications(app)),
                       what="the keymap's problem")
        await pilot.press("d")
        await wait_for(pilot, lambda: any("mark two runs" in n for n in notifications(app)),
                       what="d still compares")
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        assert ("d", "Compare two marked", "runs.diff") in help_screen.key_rows()
        assert "nonsense" not in screen_text(app)


async def test_hints_name_the_keys_the_keymap_bound(tui_sim: TuiSim, tmp_path: Path) -> None:
    """With `logs.follow = F` the log's status line still said "paused: G follows" (and `G`
    did nothing); the runs list's "need attention (!)" and "(esc clears)" named the
    default keys the same way."""
    keymap = '"logs.follow" = "F"\n"app.attention" = "ctrl+a"\n"runs.back" = "x"\n'
    async with keymapped(tui_sim, tmp_path, keymap) as (app, pilot, screen):
        alerts = app.alerts
        assert alerts is not None
        await wait_for(pilot, lambda: alerts.count > 0 and f"{alerts.count} need attention (^a)"
                       in screen_text(app), what="the attention count with its key")
        await pilot.press("space")
        await wait_for(pilot, lambda: "1 marked (x clears)" in screen_text(app),
                       what="the marks with their key")
        running = next(r for r in screen.table.visible_runs()
                       if r.provider == "b3os" and r.status.value == "running")
        screen.table.move_cursor_to(running.key)
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, LogScreen), what="the log")
        log_screen = app.screen
        assert isinstance(log_screen, LogScreen)
        panel = log_screen.panel
        # the chain the keymap check reads for this screen: the view's keys, then the panel's
        focused = log_screen.focused
        assert focused is not None
        assert [type(n) for n in focused.ancestors_with_self][:2] == [LogView, LogPanel]
        await wait_for(pilot, lambda: "● live" in panel.status_words(), what="the live log")
        await pilot.press("k")
        await wait_for(pilot, lambda: "paused: F follows" in panel.status_words(),
                       what="the remapped key said")
        await pilot.press("F")
        await wait_for(pilot, lambda: panel.view.following, what="F follows")


async def test_suspend_is_listed_and_the_keymap_moves_it(tui_sim: TuiSim, tmp_path: Path) -> None:
    """ctrl+z suspends to the shell (`app.suspend`); a [keymap] entry moves it like any key."""
    async with keymapped(tui_sim, tmp_path, '"app.suspend" = "f9"\n') as (app, pilot, _screen):
        asked: list[str] = []
        app.action_suspend_process = lambda: asked.append("suspend")  # type: ignore[method-assign]
        await pilot.press("ctrl+z")
        await pilot.press("f9")
        await wait_for(pilot, lambda: asked == ["suspend"], what="f9 to suspend")
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help")
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        assert ("f9", "Suspend", "app.suspend") in help_screen.key_rows()
