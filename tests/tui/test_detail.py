"""The detail pane and screen: what they show, how they follow a run, errors, huge answers."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import DataTable, Tabs, TextArea

from runtui.errors import ProviderError
from runtui.model import Run, Status, Step
from runtui.tui.screens.confirm import ConfirmScreen
from runtui.tui.screens.detail import DetailScreen
from runtui.tui.widgets.detail_pane import RAW_LIMIT, DetailPane, format_raw, whole_raw_command
from runtui.tui.widgets.log_panel import LogPanel
from runtui.tui.widgets.steps_tree import StepsTree
from tests.tui.apps.detail_support import (
    CSS_PATH,
    NOW,
    PaneApp,
    frozen_clock,
    make_workspace,
    sample_detail,
    sample_run,
)

APPS = Path(__file__).parent / "apps"


def screen_text(app: App[Any]) -> str:
    """What the terminal shows now, as plain text lines."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def wait_for(pilot: Pilot[Any], cond: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met in {timeout}s")
        await pilot.pause(0.02)
    await pilot.pause()


async def open_pane(pilot: Pilot[Any], run: Run) -> DetailPane:
    pane = pilot.app.query_one(DetailPane)
    pane.show_run(run)
    await wait_for(pilot, lambda: pane.detail is not None and pane.raw_text != "")
    return pane


async def show_tab(pilot: Pilot[Any], pane: DetailPane, tab: str) -> str:
    """Open a tab and wait until it is laid out on screen (not a fixed pause: under load
    a frame can take longer than any pause chosen)."""
    pane.show_tab(tab)
    target = pane.query_one(f"#{tab}")
    await wait_for(pilot, lambda: target.display and target.region.height > 0)
    await pilot.pause()
    return screen_text(pilot.app)


async def test_pane_shows_fields_steps_outputs_and_raw() -> None:
    ws, fakes = make_workspace()
    detail = sample_detail()
    fakes["b3-prod"].details[detail.run.id] = detail
    app = PaneApp(ws, clock=frozen_clock)
    async with app.run_test(size=(220, 50)) as pilot:
        pane = await open_pane(pilot, detail.run)
        assert pane.run == detail.run
        text = screen_text(app)
        for expected in ("run_7f3a9c2e41d84b0c", "b3-prod", "b3os", "Invoice sync (wf_invoice_sync)",
                         "▶ running", "raw: running", "2025-03-14 11:55:00 (5m00s ago)",
                         "5m00s (so far)", "12.50 CU", "picked by worker-3"):
            assert expected in text, expected
        # Allowed actions come from the table: a running B3OS run can only be cancelled.
        assert re.search(r"actions +cancel\b", text)
        assert re.search(r"no pause +B3OS pauses whole workflows' triggers", text)
        assert "updated 12:00:00" in text

        text = await show_tab(pilot, pane, "tab-steps")
        assert "✔ succeeded  fetch invoices [http]  10s" in text
        assert "✘ failed  validate totals  error: total mismatch on INV-0042" in text
        assert "○ queued  upload [http]" in text
        tree = pane.query_one(StepsTree)
        assert [n.data.id for n in tree.root.children if n.data] == ["s1", "s2", "s3"]
        assert [n.data.id for n in tree.root.children[1].children if n.data] == ["s2a", "s2b"]

        text = await show_tab(pilot, pane, "tab-outputs")
        assert "Outputs (2 row(s))" in text
        assert "INV-0041" in text and "120.5" in text
        outputs = pane.query_one("#outputs-table", DataTable)
        assert outputs.row_count == 2 and str(outputs.get_row_at(1)[3]) == "x" * 79 + "…"  # capped at 80
        assert "month" in text and "2025-02" in text

        text = await show_tab(pilot, pane, "tab-raw")
        assert '"workflowId": "wf_invoice_sync"' in text
        assert pane.raw_note == ""


async def test_tabs_are_reachable_by_keyboard() -> None:
    ws, fakes = make_workspace()
    detail = sample_detail()
    fakes["b3-prod"].details[detail.run.id] = detail
    app = PaneApp(ws, clock=frozen_clock)
    async with app.run_test(size=(220, 50)) as pilot:
        pane = await open_pane(pilot, detail.run)
        for _ in range(10):  # the tab strip is reached with tab
            if isinstance(app.focused, Tabs):
                break
            await pilot.press("tab")
        assert isinstance(app.focused, Tabs)
        await pilot.press("right")
        await pilot.pause()
        assert pane.query_one("#detail-tabs").active == "tab-steps"  # type: ignore[attr-defined]
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert pane.query_one("#detail-tabs").active == "tab-logs"  # type: ignore[attr-defined]
        # A provider that reads no logs says so in the tab instead of showing nothing.
        panel = pane.query_one(LogPanel)
        assert "no log" in panel.status_words()
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert pane.query_one("#detail-tabs").active == "tab-outputs"  # type: ignore[attr-defined]
        assert not pane.query(LogPanel)  # the log is let go when its tab closes


async def test_tab_keys_never_land_on_a_hidden_widget() -> None:
    """] to Steps, Tab into the tree, ] to the next tab: the keys used to do nothing
    until Tab, because focus stayed on the tree the switch had hidden."""
    from runtui.tui.widgets.steps_tree import StepsTree

    ws, fakes = make_workspace()
    detail = sample_detail()
    fakes["b3-prod"].details[detail.run.id] = detail
    app = PaneApp(ws, clock=frozen_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_pane(pilot, detail.run)
        pane.query_one(Tabs).focus()
        await pilot.pause()
        await pilot.press("right_square_bracket")
        await pilot.pause()
        tabs = pane.query_one("#detail-tabs")
        assert tabs.active == "tab-steps"  # type: ignore[attr-defined]
        assert isinstance(app.focused, Tabs)  # on the bar, focus stays on the bar
        await pilot.press("down")  # ↓ goes into the tab: the tree takes the arrows
        await pilot.pause()
        assert isinstance(app.focused, StepsTree)
        for expected in ("tab-logs", "tab-outputs", "tab-raw"):
            await pilot.press("right_square_bracket")
            await wait_for(pilot, lambda: isinstance(app.focused, Tabs))  # not the hidden tree
            assert tabs.active == expected  # type: ignore[attr-defined]
        await pilot.press("right_square_bracket", "right_square_bracket")  # quickly: no bounce back
        await pilot.pause()
        assert tabs.active == "tab-steps"  # type: ignore[attr-defined]
        await pilot.press("down")
        await pilot.pause()
        assert isinstance(app.focused, StepsTree)
        await pilot.press("right_square_bracket", "right_square_bracket", "right_square_bracket")
        await pilot.pause()
        await pilot.press("left_square_bracket")
        await pilot.pause()
        assert tabs.active == "tab-outputs"  # type: ignore[attr-defined]


async def test_update_changes_status_and_keeps_tree_state() -> None:
    ws, fakes = make_workspace()
    fake = fakes["b3-prod"]
    detail = sample_detail()
    fake.details[detail.run.id] = detail
    app = PaneApp(ws, clock=frozen_clock)
    async with app.run_test(size=(220, 50)) as pilot:
        pane = await open_pane(pilot, detail.run)
        tree = pane.query_one(StepsTree)
        transform = tree.root.children[1]
        transform.collapse()
        tree.move_cursor(tree.root.children[2])
        await pilot.pause()
        first_node = tree.root.children[0]

        done = sample_run(Status.SUCCEEDED, "success")
        steps = tuple(s.model_copy(update={"status": Status.SUCCEEDED, "raw_status": "success"})
                      for s in detail.steps)
        fake.details[done.id] = detail.model_copy(update={"run": done, "steps": steps})
        pane.refresh_now()
        await wait_for(pilot, lambda: pane.run is not None and pane.run.status is Status.SUCCEEDED)
        text = screen_text(app)
        assert "✔ succeeded" in text and "raw: success" in text
        assert "2025-03-14 11:59:00 (1m00s ago)" in text
        # Same step ids: nodes updated in place, the user's collapse and cursor kept.
        assert tree.root.children[0] is first_node
        assert not tree.root.children[1].is_expanded
        assert tree.cursor_node is not None and tree.cursor_node.data is not None
        assert tree.cursor_node.data.id == "s3"
        assert "upload" in str(tree.root.children[2].label) and "succeeded" in str(
            tree.root.children[2].label)


async def test_new_steps_rebuild_but_keep_cursor() -> None:
    ws, fakes = make_workspace()
    fake = fakes["b3-prod"]
    detail = sample_detail()
    fake.details[detail.run.id] = detail
    app = PaneApp(ws, clock=frozen_clock)
    async with app.run_test(size=(220, 50)) as pilot:
        pane = await open_pane(pilot, detail.run)
        tree = pane.query_one(StepsTree)
        tree.move_cursor(tree.root.children[2])
        await pilot.pause()
        extra = Step(id="s4", name="notify", status=Status.QUEUED)
        fake.details[detail.run.id] = detail.model_copy(update={"steps": (*detail.steps, extra)})
        pane.refresh_now()
        await wait_for(pilot, lambda: len(tree.root.children) == 4)
        assert tree.cursor_node is not None and tree.cursor_node.data is not None
        assert tree.cursor_node.data.id == "s3"


async def test_error_keeps_last_data_and_says_stale() -> None:
    ws, fakes = make_workspace()
    fake = fakes["b3-prod"]
    detail = sample_detail()
    fake.details[detail.run.id] = detail
    app = PaneApp(ws, clock=frozen_clock)
    async with app.run_test(size=(220, 50)) as pilot:
        pane = await open_pane(pilot, detail.run)
        fake.errors.append(ProviderError("service unavailable", provider="b3os", status=503))
        pane.refresh_now()
        await wait_for(pilot, lambda: pane.error is not None)
        text = screen_text(app)
        assert "b3os HTTP 503: service unavailable — stale since 12:00:00" in text
        # The last good data is still there.
        assert pane.detail is detail
        assert "Invoice sync (wf_invoice_sync)" in text and "12.50 CU" in text
        text = await show_tab(pilot, pane, "tab-steps")
        assert "validate totals" in text
        # The next good read clears the error.
        pane.refresh_now()
        await wait_for(pilot, lambda: pane.error is None)
        assert "stale" not in screen_text(app)


async def test_first_read_error_and_config_error_are_shown() -> None:
    ws, fakes = make_workspace()
    fakes["b3-prod"].errors.append(ProviderError("timed out", provider="b3os", kind="timeout"))
    app = PaneApp(ws, clock=frozen_clock)
    async with app.run_test(size=(220, 50)) as pilot:
        pane = app.query_one(DetailPane)
        pane.show_run(sample_run())
        await wait_for(pilot, lambda: pane.error is not None)
        assert "b3os timeout: timed out — no detail read yet" in screen_text(app)
        # The summary is still shown while there is no detail.
        assert "run_7f3a9c2e41d84b0c" in screen_text(app)

        pane.show_run(sample_run(profile="missing"))
        await wait_for(pilot, lambda: pane.error is not None and "config" in pane.error)
        assert "no profile named 'missing'" in screen_text(app)


async def test_note_run_shows_newer_summary_and_reads_again() -> None:
    ws, fakes = make_workspace(refresh=60)  # only a wake-up reads again within the test
    fake = fakes["b3-prod"]
    detail = sample_detail()
    fake.details[detail.run.id] = detail
    app = PaneApp(ws, clock=frozen_clock)
    async with app.run_test(size=(220, 50)) as pilot:
        pane = await open_pane(pilot, detail.run)
        reads = fake.reads
        waiting = sample_run(Status.WAITING, "waiting", updated_at=NOW)
        fake.details[detail.run.id] = sample_detail(waiting)
        pane.note_run(waiting)
        assert pane.run == waiting  # shown at once, before the detail is read again
        await wait_for(pilot, lambda: fake.reads > reads)  # the follower was woken
        await wait_for(pilot, lambda: pane.detail is not None and pane.detail.run == waiting)
        text = screen_text(app)
        assert "◔ waiting" in text and re.search(r"actions +resume, cancel", text)
        # An older summary is ignored.
        pane.note_run(sample_run(updated_at=NOW - timedelta(minutes=1)))
        assert pane.run == waiting
        # show_run of the open run does not restart anything (the table calls it on cursor moves).
        follower = pane.follower
        pane.show_run(waiting)
        assert pane.follower is follower


async def test_huge_raw_is_truncated_and_ui_stays_responsive() -> None:
    ws, fakes = make_workspace()
    fake = fakes["b3-prod"]
    big = {"items": [{"i": i, "blob": "y" * 1000} for i in range(10_000)]}  # ~10 MB
    detail = sample_detail(raw=big)
    fake.details[detail.run.id] = detail
    app = PaneApp(ws, clock=frozen_clock)
    async with app.run_test(size=(120, 40)) as pilot:
        gaps: list[float] = []
        last = [time.monotonic()]

        def beat() -> None:
            now = time.monotonic()
            gaps.append(now - last[0])
            last[0] = now

        app.set_interval(0.02, beat)
        pane = app.query_one(DetailPane)
        pane.show_tab("tab-raw")
        started = time.monotonic()
        pane.show_run(detail.run)
        await wait_for(pilot, lambda: pane.raw_note != "" and "truncated" in pane.raw_note, timeout=20)
        assert time.monotonic() - started < 10
        assert len(pane.raw_text) <= RAW_LIMIT
        assert "MB compact" in pane.raw_note
        # Big text goes to the virtualised TextArea, and the UI answers keys meanwhile.
        area = pane.query_one("#raw-text", TextArea)
        assert area.display and area.text == pane.raw_text
        assert "truncated for display" in screen_text(app)
        t0 = time.monotonic()
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert time.monotonic() - t0 < 1.0
        assert max(gaps) < 1.0, f"event loop stalled for {max(gaps):.2f}s"
        # A new but equal 10 MB answer is compared off the UI thread and not redrawn.
        shown = pane.raw_text
        fake.details[detail.run.id] = sample_detail(raw={"items": list(big["items"])})
        pane.refresh_now()
        await pilot.pause(0.5)
        assert pane.raw_text is shown


def test_format_raw_cuts_without_encoding_everything() -> None:
    small = format_raw({"a": 1})
    assert small.text == '{\n  "a": 1\n}' and small.note == ""
    cut = format_raw({"k": ["v" * 100] * 1000}, limit=1000)
    assert len(cut.text) <= 1000 and cut.text.endswith("\n")
    assert "truncated" in cut.note
    run = Run(profile="b3-prod", provider="b3os", id="run_1; rm -rf ~")
    named = format_raw({"k": ["v" * 100] * 1000}, limit=1000, whole=whole_raw_command(run))
    assert named.note.endswith("(all of it: runtui runs show 'run_1; rm -rf ~' --profile b3-prod --json)")
    assert format_raw(None).note == "no raw JSON for this run"


# ---- the full-screen variant -----------------------------------------------------------


async def test_detail_screen_escape_and_control_keys_delegate_to_runs_screen() -> None:
    from runtui.tui.app import RuntuiApp
    from runtui.tui.screens.runs import RunsScreen

    ws, fakes = make_workspace()
    detail = sample_detail()
    fakes["b3-prod"].details[detail.run.id] = detail
    ws.store.upsert([detail.run])
    app = RuntuiApp(ws, watch=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen))
        app.push_screen(DetailScreen(detail.run, clock=frozen_clock, tz=UTC))
        await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen))
        pane = app.screen.query_one(DetailPane)
        await wait_for(pilot, lambda: pane.detail is not None)
        text = screen_text(app)
        assert "run_7f3a9c2e41d84b0c" in text and "esc" in text.splitlines()[-1]
        # cancel is allowed for a running B3OS run: the runs screen asks to confirm.
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, RunsScreen))


async def test_detail_screen_without_runs_screen_sends_nothing() -> None:
    ws, fakes = make_workspace()
    detail = sample_detail()
    fakes["b3-prod"].details[detail.run.id] = detail

    class Host(App[None]):
        CSS_PATH = CSS_PATH

        def __init__(self) -> None:
            super().__init__()
            self.workspace = ws

        def on_mount(self) -> None:
            self.push_screen(DetailScreen(detail.run, clock=frozen_clock, tz=UTC))

        def copy_id(self, text: str) -> str:
            self.copy_to_clipboard(text)
            return f"copied {text}"

        def control_run(self, name: str, run: Run) -> None:
            asked.append((name, run.id))  # a host with no runs screen: nothing is sent

    asked: list[tuple[str, str]] = []
    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen))
        screen = app.screen
        assert isinstance(screen, DetailScreen)
        # The detail only asks the app (AppHost.control_run), for its own run.
        screen.action_control("cancel")
        await pilot.pause()
        assert asked == [("cancel", detail.run.id)]
        assert isinstance(app.screen, DetailScreen)
        await pilot.press("ctrl+r")
        await pilot.press("y")
        await pilot.pause()
        assert app.clipboard == detail.run.id


# ---- end to end against the simulator ---------------------------------------------------


@pytest.fixture
def sim_workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    server_mod = pytest.importorskip("runtui.sim.server")
    from runtui.engine.workspace import Workspace
    from runtui.sim.config import SimConfig

    cfg = SimConfig(seed=7, runs=12)
    server = server_mod.SimServer(cfg)
    url = server.start()
    try:
        env = server_mod.write_config(tmp_path / "config.toml", url, cfg)
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        yield Workspace.load(tmp_path / "config.toml")
    finally:
        server.stop()


@pytest.mark.parametrize("profile", ["b3os-sim", "edges-sim", "wexa-sim"])
async def test_detail_against_simulator(sim_workspace: object, profile: str) -> None:
    from runtui.engine.workspace import Workspace
    from runtui.providers.base import ListQuery

    assert isinstance(sim_workspace, Workspace)
    ws = sim_workspace
    provider = ws.provider(profile)
    runs = await provider.list_runs(ListQuery(limit=5))
    assert runs, "the simulator listed no runs"
    run = runs[0]
    app = PaneApp(ws)
    async with app.run_test(size=(220, 50)) as pilot:
        pane = app.query_one(DetailPane)
        pane.show_run(run)
        await wait_for(pilot, lambda: pane.detail is not None and pane.raw_text != "", timeout=15)
        assert pane.detail is not None and pane.detail.run.id == run.id
        text = screen_text(app)
        assert run.id in text and profile in text
        assert "updated " in text
        text = await show_tab(pilot, pane, "tab-raw")
        assert pane.raw_text.lstrip().startswith(("{", "["))
    await ws.aclose()


# ---- snapshot ---------------------------------------------------------------------------


def test_detail_screen_snapshot(snap_compare: Callable[..., bool]) -> None:
    async def ready(pilot: Pilot[Any]) -> None:
        pane = pilot.app.screen.query_one(DetailPane)
        await wait_for(pilot, lambda: pane.detail is not None and pane.raw_text != "")

    assert snap_compare(APPS / "detail_snap_app.py", terminal_size=(80, 24), run_before=ready)


async def test_a_failure_stays_readable_without_colour(monkeypatch: pytest.MonkeyPatch) -> None:
    """A plain red turns, under NO_COLOR, into a grey two shades off the background: the
    title's "✘ failed", the error field and a failed step were all but invisible."""
    from tests.tui.conftest import grey_contrast, styles_holding

    monkeypatch.setenv("NO_COLOR", "1")  # read when the app is made
    ws, fakes = make_workspace()
    run = sample_run(Status.FAILED, "failure", last_error="quota exceeded on INV-0042")
    detail = sample_detail(run)
    fakes["b3-prod"].details[run.id] = detail
    app = PaneApp(ws, clock=frozen_clock)
    async with app.run_test(size=(220, 50)) as pilot:
        pane = await open_pane(pilot, run)
        plain = grey_contrast(styles_holding(app, "Invoice sync (wf_invoice_sync)")[0])
        for needle in ("✘ failed", "✘ quota exceeded on INV-0042"):
            styles = styles_holding(app, needle)
            assert styles, needle
            for style in styles:
                assert grey_contrast(style) >= plain * 0.5, (needle, style, plain)
                assert style.bold, (needle, style)
        await show_tab(pilot, pane, "tab-steps")
        styles = styles_holding(app, "error: total mismatch on INV-0042")
        assert styles and all(grey_contrast(style) >= plain * 0.5 for style in styles), (styles, plain)
