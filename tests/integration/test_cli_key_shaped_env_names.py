"""A key pasted where a `*_env` setting's variable name goes, spelt like a name (letters,
digits and `_`: `ghp_…`, `sk_live_…`, an AWS key id), passes the name check, and was
quoted by "environment variable <it> is not set", in `profiles list`'s key column and,
for B3OS's webhook secret, in the journal. Only a plain name (upper case, digits and
`_`, no long run mixing letters and digits) is quoted now; any other is "the
environment variable named in <setting>"."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from runtui.engine.journal import default_path
from runtui.sim.config import KEY_ENV
from tests.cli_result import invoke
from tests.integration.conftest import Sim

# Made-up keys in the shapes of real ones: each a valid variable name by the file's check.
KEY_SHAPED = [
    "ghp_4Tq9ZrX2mB7vK1nL8pW3sY6dF0hJ5gC2aE9u",  # a GitHub token
    "sk_live_51NzQ8aB3cD4eF5gH6iJ7kL8mN9oP0qR",  # a Stripe key
    "AKIAZ7Q4N2XW9L3K8P5R",  # an AWS access key id: upper case and digits
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4",  # a hex token
]


def own_profile(sim: Sim, tmp_path: Path, provider: str, settings: str) -> Path:
    """The sim's config and one more profile, `own`, on `provider`, taking `settings`."""
    text = sim.config_path.read_text(encoding="utf-8") + (
        f'\n[profiles.own]\nprovider = "{provider}"\nbase_url = "{sim.url}/{provider}"\n{settings}\n')
    config = tmp_path / "config.toml"
    config.write_text(text, encoding="utf-8")
    config.chmod(0o600)
    return config


@pytest.mark.parametrize("pasted", KEY_SHAPED)
def test_a_key_shaped_api_key_env_is_never_quoted(sim: Sim, tmp_path: Path, pasted: str) -> None:
    assert pasted not in os.environ
    config = own_profile(sim, tmp_path, "edges", f'api_key_env = "{pasted}"')
    listed = invoke(config, "runs", "list", "-p", "own")
    assert listed.code == 2
    assert "the environment variable named in api_key_env is not set or empty" in listed.err, listed.err
    as_json = invoke(config, "runs", "list", "-p", "own", "--json")
    tested = invoke(config, "profiles", "test", "own")
    assert tested.code != 0
    profiles = invoke(config, "profiles", "list")
    assert "env:(name not shown)" in profiles.out, profiles.out
    profiles_json = invoke(config, "profiles", "list", "--json")
    everything = invoke(config, "runs", "list")  # the other profiles still listed, this one said
    assert "edges-sim" in everything.out and "named in api_key_env" in everything.err, everything.err
    for result in (listed, as_json, tested, profiles, profiles_json, everything):
        assert pasted not in result.out + result.err


def test_a_plain_variable_name_is_still_quoted(sim: Sim, tmp_path: Path) -> None:
    config = own_profile(sim, tmp_path, "edges", 'api_key_env = "RUNTUI_TEST_UNSET_EDGES_KEY"')
    listed = invoke(config, "runs", "list", "-p", "own")
    assert "environment variable RUNTUI_TEST_UNSET_EDGES_KEY is not set or empty" in listed.err, listed.err
    assert "env:RUNTUI_TEST_UNSET_EDGES_KEY" in invoke(config, "profiles", "list").out


def test_a_key_shaped_webhook_secret_env_is_never_quoted_nor_journaled(sim: Sim, tmp_path: Path) -> None:
    pasted = "whsec_9Kx2Lm4Np6Qr8St0Uv2Wx4Yz6Ab8Cd0E"
    config = own_profile(sim, tmp_path, "b3os",
                         f'api_key_env = "{KEY_ENV["b3os"]}"\nwebhook_secret_env = "{pasted}"')
    run_id = str(sim.find("b3os", "waiting")[0]["id"])
    answered = invoke(config, "attention", "answer", run_id, "-p", "own", "--data", "{}")
    assert answered.code == 2, answered.err
    assert "the environment variable named in webhook_secret_env is not set or empty" in answered.err, \
        answered.err
    history = invoke(config, "history")
    journal = default_path().read_text(encoding="utf-8")
    assert "named in webhook_secret_env" in journal
    for text in (answered.out + answered.err, history.out + history.err, journal):
        assert pasted not in text


def test_profiles_add_takes_a_key_shaped_name_and_says_it_will_not_be_shown(tmp_path: Path) -> None:
    """It may be a real variable (`ghp_token` in lower case): taken, never quoted, and said,
    so a key pasted there is noticed when it is written, not when a request fails."""
    config = tmp_path / "new.toml"
    pasted, hook = KEY_SHAPED[0], "whsec_9Kx2Lm4Np6Qr8St0Uv2Wx4Yz6Ab8Cd0E"
    added = invoke(config, "profiles", "add", "b", "--provider", "b3os", "--api-key-env", pasted,
                   "--set", f"webhook_secret_env={hook}")
    assert added.code == 0, added.err
    assert "note: api_key_env is not plainly a variable's name" in added.err, added.err
    assert "note: webhook_secret_env is not plainly a variable's name" in added.err, added.err
    assert pasted not in added.out + added.err and hook not in added.out + added.err
    plain = invoke(config, "profiles", "add", "c", "--provider", "b3os", "--api-key-env", "B3OS_KEY")
    assert plain.code == 0 and "note:" not in plain.err, plain.err
