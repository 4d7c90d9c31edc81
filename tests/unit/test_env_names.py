"""Which `*_env` values are quoted as a variable's name: only the plain ones."""

from __future__ import annotations

import pytest

from runtui.env_names import env_source, env_variable, is_plain_env_name


@pytest.mark.parametrize("name", ["EDGES_API_KEY", "B3OS_WEBHOOK_SECRET_2", "RUNTUI_SIM_WEXA_KEY", "K",
                                  "_PRIVATE", "AUTHORIZATION_TOKEN", "RT_TEST_KEY"])
def test_a_plain_name_is_quoted(name: str) -> None:
    assert is_plain_env_name(name)
    assert env_variable(name, "api_key_env") == f"environment variable {name}"
    assert env_source(name) == f"env:{name}"


@pytest.mark.parametrize("value", [
    "ghp_4Tq9ZrX2mB7vK1nL8pW3sY6dF0hJ5gC2aE9u",  # mixed case
    "my_edges_key",  # lower case: a name maybe, but a key is spelt so too
    "AKIAZ7Q4N2XW9L3K8P5R",  # a long run of letters and digits
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ",  # a run longer than any word
    "A" * 65,  # longer than a name
    "1_STARTS_WITH_A_DIGIT",
])
def test_anything_else_is_said_by_its_setting(value: str) -> None:
    assert not is_plain_env_name(value)
    assert env_variable(value, "webhook_secret_env") == "the environment variable named in webhook_secret_env"
    assert env_source(value) == "env:(name not shown)"
