"""A profile's key command: its key trimmed, its output never in an error."""

from __future__ import annotations

from collections.abc import Iterator

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
