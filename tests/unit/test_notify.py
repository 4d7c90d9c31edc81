"""Notifications: once per event, rate-limited, the command hook, terminal sequences."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from runtui import config as config_mod
from runtui.config import NotifySettings
from runtui.engine.notify import Event, Notifier, desktop_sequences


def event(key: str) -> Event:
    return Event(key=key, title="run failed", message=f"p {key}: failed", data={"id": key})


def test_each_event_once_and_no_faster_than_the_interval() -> None:
    now = [100.0]
    notifier = Notifier(NotifySettings(min_interval_seconds=10), clock=lambda: now[0])
    assert notifier.offer(event("a")) is True
    assert notifier.offer(event("a")) is False  # the same event never twice
    now[0] += 3
    assert notifier.offer(event("b")) is False  # too soon after "a"
    now[0] += 10
    assert notifier.offer(event("b")) is False  # "b" was already offered: not again later
    assert notifier.offer(event("c")) is True
    assert (notifier.sent, notifier.suppressed) == (2, 1)


async def test_the_command_gets_the_event_as_json_on_stdin(tmp_path: Path) -> None:
    out = tmp_path / "event.json"
    script = f"import sys, pathlib; pathlib.Path({str(out)!r}).write_text(sys.stdin.read())"
    notifier = Notifier(NotifySettings(command=f"{sys.executable} -c {json.dumps(script)}"))
    assert await notifier.run_command(event("r1")) is None
    assert json.loads(out.read_text()) == {"title": "run failed", "message": "p r1: failed", "id": "r1"}


async def test_a_failing_command_is_reported_not_raised() -> None:
    notifier = Notifier(NotifySettings(command=f"{sys.executable} -c 'raise SystemExit(3)'"))
    assert await notifier.run_command(event("x")) == "notify command exited 3"
    missing = Notifier(NotifySettings(command="/no/such/notifier"))
    assert "could not start" in str(await missing.run_command(event("y")))


async def test_a_failing_command_says_the_first_line_of_its_error_output(tmp_path: Path) -> None:
    """A command written for a shell (`cat >> log`) is exec'd without one: what it wrote on
    stderr is the user's only clue, so the message carries its first line."""
    log = tmp_path / "notify.log"
    notifier = Notifier(NotifySettings(command=f"cat >> {log}"))
    problem = await notifier.run_command(event("z"))
    assert problem is not None and problem.startswith("notify command exited 1: cat: ")
    assert "'>>'" in problem and "\n" not in problem
    script = ("import sys; sys.stderr.write('\\n  \\x1b[31mno route to pager\\nsecond line\\n'); "
              "raise SystemExit(2)")
    noisy = Notifier(NotifySettings(command=f"{sys.executable} -c {json.dumps(script)}"))
    said = await noisy.run_command(event("w"))
    assert said is not None and said.startswith("notify command exited 2: ")
    assert "no route to pager" in said and "second line" not in said and "\x1b" not in said


async def test_a_command_that_cannot_start_names_the_program() -> None:
    missing = Notifier(NotifySettings(command="/no/such/notifier --flag"))
    said = await missing.run_command(event("v"))
    assert said == "notify command could not start /no/such/notifier: No such file or directory"


def test_desktop_sequences_are_clean_and_pass_through_tmux() -> None:
    plain = desktop_sequences("run failed", "evil\x1b]52;c;AAAA\x07\u202ename;x", in_tmux=False)
    assert plain.count("\x1b") == 2 and plain.count("\x07") == 2  # only our two OSCs
    assert "\u202e" not in plain and "]52" in plain  # the text stays visible, inert
    assert plain.startswith("\x1b]9;run failed: ") and "\x1b]777;notify;run failed;" in plain
    wrapped = desktop_sequences("t", "m", in_tmux=True)
    assert wrapped.startswith("\x1bPtmux;\x1b\x1b]9;t: m\x07\x1b\\")


def test_notify_table_is_validated_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("[notify]\nbell = true\nmin_interval_seconds = -1\n", encoding="utf-8")
    cfg = config_mod.load(path)
    assert [e.field for e in cfg.errors] == ["notify.min_interval_seconds"]
    assert cfg.errors[0].line == 3
    path.write_text("[notify]\ndesktop = true\ncommand = 'notify-send'\n", encoding="utf-8")
    assert config_mod.load(path).notify == NotifySettings(desktop=True, command="notify-send")


async def test_a_command_program_others_can_write_is_refused_not_run(tmp_path: Path) -> None:
    """As for api_key_cmd: the config others cannot write named a script anyone could
    rewrite, which then ran on every event with the user's environment."""
    marker = tmp_path / "ran"
    program = tmp_path / "notify.sh"
    program.write_text(f"#!/bin/sh\ntouch {marker}\n", encoding="utf-8")
    program.chmod(0o777)
    notifier = Notifier(NotifySettings(command=f"{program} --team ops"))
    said = await notifier.run_command(event("g"))
    assert said == (f"refused: the notify command program {program} is writable by group or others "
                    f"(mode 777); run `chmod go-w {program}`")
    assert not marker.exists()
    program.chmod(0o755)
    assert await notifier.run_command(event("h")) is None
    assert marker.exists()
