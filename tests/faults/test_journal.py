"""The audit journal: a "started" line before the request, the outcome after, and a crash
mid-action still leaves the started record that `runtui history` shows."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import httpx
import pytest

from runtui.config import Profile
from runtui.engine.control import Controller
from runtui.engine.journal import Journal, default_path
from runtui.errors import ConfigError
from runtui.model import Action, Run, StartRequest, Status
from runtui.providers.edges import EdgesProvider

from .conftest import run_cli

KEY_ENV = "FAULTS_JOURNAL_KEY"
RUN = Run(profile="e", provider="edges", id="r-journal-1", raw_status="RUNNING", status=Status.RUNNING)


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def provider(monkeypatch: pytest.MonkeyPatch, handler: Any) -> EdgesProvider:
    monkeypatch.setenv(KEY_ENV, "journal-key-123456")
    profile = Profile(name="e", provider="edges", base_url="https://edges.test/v1", api_key_env=KEY_ENV)
    built = EdgesProvider.from_profile(profile, transport=httpx.MockTransport(handler))
    assert isinstance(built, EdgesProvider)
    return built


async def test_started_is_on_disk_before_the_request_and_outcome_after(
        monkeypatch: pytest.MonkeyPatch) -> None:
    journal = Journal()
    seen_at_post: list[list[dict[str, Any]]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            seen_at_post.append(lines(journal.path))  # what a crash right now would leave
            return httpx.Response(200, json={"uid": RUN.id, "status": "STOPPED"})
        return httpx.Response(200, json={"uid": RUN.id, "status": "STOPPED"})

    prov = provider(monkeypatch, handler)
    result = await Controller(journal).act(prov, RUN, Action.CANCEL)
    assert result.ok
    assert len(seen_at_post) == 1
    [started] = seen_at_post[0]
    assert started["phase"] == "started" and started["run_id"] == RUN.id and started["action"] == "cancel"
    recs = lines(journal.path)
    assert [r["phase"] for r in recs] == ["started", "finished"]
    assert recs[1]["id"] == started["id"] and recs[1]["outcome"] == "ok"
    assert journal.path == default_path()  # RUNTUI_STATE_DIR (isolated per test)
    assert oct(journal.path.stat().st_mode & 0o777) == "0o600"
    await prov.aclose()


@pytest.mark.parametrize("exc", [KeyboardInterrupt, asyncio.CancelledError],
                         ids=["KeyboardInterrupt", "cancelled"])
async def test_interrupted_action_keeps_its_started_record(monkeypatch: pytest.MonkeyPatch,
                                                          exc: type[BaseException]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            raise exc()
        return httpx.Response(200, json={"uid": RUN.id, "status": "RUNNING"})

    prov = provider(monkeypatch, handler)
    controller = Controller(Journal())
    with pytest.raises(exc):
        await controller.act(prov, RUN, Action.CANCEL)
    assert not controller.is_busy(RUN)  # a later action is not blocked forever
    recs = lines(Journal().path)
    assert recs[0]["phase"] == "started" and recs[0]["run_id"] == RUN.id
    assert recs[-1]["outcome"] == "uncertain" and exc.__name__ in recs[-1]["message"]
    with pytest.raises(exc):
        await controller.execute(prov, StartRequest(workflow_id="flow-x"))
    res = run_cli(Path("unused.toml"), "history", "--json")
    entries = res.json()
    assert [(e["action"], e["outcome"]) for e in entries] == [("cancel", "uncertain"),
                                                              ("execute flow-x", "uncertain")]
    await prov.aclose()


CRASHER = textwrap.dedent("""
    import asyncio, os, httpx
    from runtui.config import Profile
    from runtui.engine.control import Controller
    from runtui.engine.journal import Journal
    from runtui.model import Action, Run, Status
    from runtui.providers.edges import EdgesProvider

    def handler(request):
        if request.method == "POST":
            os._exit(137)  # the process dies mid-request: no outcome can be written
        return httpx.Response(200, json={"uid": "r-crash", "status": "RUNNING"})

    os.environ["K"] = "crash-key-123456"
    prof = Profile(name="prod", provider="edges", base_url="https://edges.test/v1", api_key_env="K")
    prov = EdgesProvider.from_profile(prof, transport=httpx.MockTransport(handler))
    run = Run(profile="prod", provider="edges", id="r-crash", raw_status="RUNNING", status=Status.RUNNING)
    asyncio.run(Controller(Journal()).act(prov, run, Action.CANCEL))
""")


def test_a_crash_mid_action_leaves_the_started_record_in_history(tmp_path: Path) -> None:
    env = dict(os.environ)
    proc = subprocess.run([sys.executable, "-c", CRASHER], env=env, capture_output=True, text=True,
                          timeout=60, check=False)
    assert proc.returncode == 137, proc.stderr
    recs = lines(default_path())
    assert [r["phase"] for r in recs] == ["started"]
    res = run_cli(tmp_path / "none.toml", "history")
    assert res.code == 0
    row = next(line for line in res.out.splitlines() if "r-crash" in line)
    assert "prod" in row and "cancel" in row and "unknown (no outcome recorded)" in row
    entries = run_cli(tmp_path / "none.toml", "history", "--json").json()
    assert entries[-1]["run_id"] == "r-crash" and entries[-1]["finished"] is None
    # A torn last line (crash while appending) does not break the history either.
    with default_path().open("a") as fh:
        fh.write('{"id": "torn", "phase": "sta')
    assert run_cli(tmp_path / "none.toml", "history").code == 0


def _journal_of(count: int) -> None:
    journal = Journal()

    async def write() -> None:
        for i in range(count):
            await journal.refused(profile="p", provider="edges", run_id=f"r-{i}", action="cancel",
                                  message="no")

    asyncio.run(write())


def test_history_limit_is_the_newest_n(tmp_path: Path) -> None:
    _journal_of(3)
    entries = run_cli(tmp_path / "none.toml", "history", "-n", "2", "--json").json()
    assert [e["run_id"] for e in entries] == ["r-1", "r-2"]


@pytest.mark.parametrize("limit", ["0", "-1"])
def test_history_limit_below_1_is_a_usage_error(tmp_path: Path, limit: str) -> None:
    """`-n 0` printed everything and `-n -1` all but the oldest (a slice from the end)."""
    _journal_of(3)
    res = run_cli(tmp_path / "none.toml", "history", "-n", limit)
    assert res.code == 2 and "--limit" in res.err and "r-0" not in res.out


def test_a_line_that_is_not_utf8_is_skipped_and_counted(tmp_path: Path) -> None:
    _journal_of(2)
    with default_path().open("ab") as fh:
        fh.write(b'{"id": "bad", "phase": "started", "profile": "\xff\xfe"}\n')
    asyncio.run(Journal().refused(profile="p", provider="edges", run_id="r-after", action="pause",
                                  message="no"))
    res = run_cli(tmp_path / "none.toml", "history")
    assert res.code == 0, res.err
    assert all(f"r-{i}" in res.out for i in (0, 1)) and "r-after" in res.out
    assert "1 unreadable line(s) skipped" in res.err
    entries = run_cli(tmp_path / "none.toml", "history", "--json").json()
    assert [e["run_id"] for e in entries] == ["r-0", "r-1", "r-after"]


WRONG_TYPES = [
    '{"id": "w1", "phase": "started", "time": "2026-12-06T10:00:00+00:00", "profile": "a", '
    '"provider": "b", "run_id": "r", "action": 5}',
    '{"id": "w2", "phase": "started", "time": 5, "profile": "a", "provider": "b", "run_id": "r", '
    '"action": "cancel"}',
    '{"id": ["w3"], "phase": "started", "action": "cancel"}',
    '{"id": "r-0", "phase": "finished", "outcome": {"ok": true}}',
]


def test_a_line_of_json_with_wrong_types_is_skipped_and_counted(tmp_path: Path) -> None:
    """`"action": 5` or `"time": 5` ended `history` with a traceback, and `--json` passed
    the number on to scripts as the action."""
    _journal_of(2)
    with default_path().open("a") as fh:
        fh.write("\n".join(WRONG_TYPES) + "\n")
    res = run_cli(tmp_path / "none.toml", "history")
    assert res.code == 0, res.err
    assert "Traceback" not in res.err and f"{len(WRONG_TYPES)} unreadable line(s) skipped" in res.err
    assert "r-0" in res.out and "r-1" in res.out
    entries = run_cli(tmp_path / "none.toml", "history", "--json").json()
    assert [(e["run_id"], e["action"], e["outcome"]) for e in entries] == [
        ("r-0", "cancel", "refused"), ("r-1", "cancel", "refused")]
    assert all(isinstance(e[k], str) for e in entries for k in ("time", "action", "outcome"))


async def test_a_journal_that_cannot_be_written_sends_nothing_and_leaves_the_run_free(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A journal planted as a symlink is refused; the action is not sent, and the run is
    not left marked busy (its keys greyed for good in the TUI)."""
    victim = tmp_path / "victim.rc"
    victim.write_text("# mine\n", encoding="utf-8")
    default_path().parent.mkdir(parents=True, exist_ok=True)
    default_path().symlink_to(victim)
    posts: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            posts.append(request)
        return httpx.Response(200, json={"uid": RUN.id, "status": "RUNNING"})

    prov = provider(monkeypatch, handler)
    controller = Controller(Journal())
    with pytest.raises(ConfigError, match="is a symbolic link"):
        await controller.act(prov, RUN, Action.CANCEL)
    assert not posts and not controller.is_busy(RUN)
    assert victim.read_text(encoding="utf-8") == "# mine\n"
    await prov.aclose()
