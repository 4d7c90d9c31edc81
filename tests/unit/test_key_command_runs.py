"""A profile's key command: its key trimmed, its output never in an error."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from runtui import key_command
from runtui.errors import ConfigError
from runtui.key_command import KeyCommand


@pytest.fixture(autouse=True)
def _no_remembered_keys() -> Iterator[None]:
    key_command.forget()
    yield
    key_command.forget()


async def test_key_from_command_is_trimmed_and_errors_hide_output() -> None:
    key = await KeyCommand("echo ' sekrit-from-cmd '", profile="x").key()
    assert key.get_secret_value() == "sekrit-from-cmd"
    with pytest.raises(ConfigError) as info:
        await KeyCommand("sh -c 'echo leaked; exit 3'", profile="y").key()
    assert "leaked" not in str(info.value) and "3" in str(info.value)
    assert info.value.field == "api_key_cmd" and info.value.profile == "y"


async def test_a_command_that_cannot_start_names_its_program() -> None:
    """"could not start: No such file or directory" did not say which file: `pass` not
    installed, or a path mistyped."""
    with pytest.raises(ConfigError) as info:
        await KeyCommand("no-such-vault-cli show edges", profile="e").key()
    assert "api_key_cmd could not start no-such-vault-cli: No such file or directory" in str(info.value)
    assert "show edges" not in str(info.value)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_failed_command_is_not_run_again_until_its_wait_is_over(tmp_path: Path) -> None:
    """A hung or failing command run on every poll held the profile (and, before, the whole
    app) for its timeout again and again: its failure is kept for a wait that doubles."""
    runs = tmp_path / "runs"
    clock = Clock()
    command = KeyCommand(f"sh -c 'echo ran >> {runs}; exit 1'", profile="p", clock=clock)

    def times_run() -> int:
        return len(runs.read_text().splitlines()) if runs.exists() else 0

    for _ in range(3):
        with pytest.raises(ConfigError):
            await command.key()
    assert times_run() == 1, "the failure is told again without running the command"
    clock.now += key_command.FIRST_RETRY
    with pytest.raises(ConfigError):
        await command.key()
    assert times_run() == 2, "run again once the wait is over"
    clock.now += key_command.FIRST_RETRY
    with pytest.raises(ConfigError):
        await command.key()
    assert times_run() == 2, "the second wait is twice as long"
    command.retry()  # a refresh asked for
    with pytest.raises(ConfigError):
        await command.key()
    assert times_run() == 3
    key_command.forget(command.command)  # the profile edited
    with pytest.raises(ConfigError):
        await command.key()
    assert times_run() == 4


async def test_a_failure_nobody_waits_for_any_more_is_not_reported_as_lost() -> None:
    """A request given up (a pane closed) leaves the command running for the others; when it
    then fails with no one waiting, its failure is kept, not logged by asyncio as an
    exception never retrieved (noise on the terminal under the TUI)."""
    loop = asyncio.get_running_loop()
    reported: list[dict[str, Any]] = []
    loop.set_exception_handler(lambda _loop, context: reported.append(context))
    command = KeyCommand("sh -c 'exit 1'", profile="p")
    waiter = loop.create_task(command.key())
    while not command.running:
        await asyncio.sleep(0)
    waiter.cancel()
    while command.running:
        await asyncio.sleep(0.01)
    gc.collect()
    assert reported == []
    with pytest.raises(ConfigError, match="exit code 1"):
        await command.key()  # the kept failure


async def test_a_kept_failure_told_many_times_does_not_grow() -> None:
    """Each poll of a profile whose command failed is told the failure again: the same
    exception raised again and again kept every earlier traceback."""
    command = KeyCommand("sh -c 'exit 1'", profile="p")
    depths = []
    for _ in range(5):
        try:
            await command.key()
        except ConfigError as exc:
            depth, tb = 0, exc.__traceback__
            while tb is not None:
                depth, tb = depth + 1, tb.tb_next
            depths.append(depth)
    assert len(set(depths[1:])) == 1, depths


async def test_a_stopped_command_is_reaped_by_asyncio_alone(caplog: pytest.LogCaptureFixture) -> None:
    """Killing the command's process after its group let subprocess's poll reap it before
    asyncio's child watcher, which then logged "Unknown child process pid N" (1-2% of
    stops; many stops make the race show)."""
    caplog.set_level("WARNING", logger="asyncio")
    for _ in range(200):
        with pytest.raises(ConfigError):
            await KeyCommand("sleep 600", profile="slow", timeout=0.01).key()
        key_command.forget()
    await asyncio.sleep(0)  # a watcher's late report lands on the loop
    assert not [r for r in caplog.records if "Unknown child process" in r.getMessage()]
