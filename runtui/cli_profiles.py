"""`runtui profiles list|add|remove|test`: the stored profiles, one account on one platform each.

`add` and `remove` rewrite the config file atomically under a lock, its comments and
mode kept; a setting is checked against what the provider declares, and a secret is
never written into the file. Exit 0 done, 1 a profile's server failed (`test`), 2 a
usage or config error.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import click

from runtui import config as config_mod
from runtui import display
from runtui.cli_args import JSON_HELP
from runtui.cli_context import (
    HOW_TO_ADD,
    Ctx,
    handles_errors,
    listing_exit_code,
    profile_failure,
    run_async,
    say_warnings,
    workspace_of,
)
from runtui.cli_output import EXIT_OK, EXIT_USAGE, JsonAwareGroup, cell, fail, say, table
from runtui.env_names import is_plain_env_name
from runtui.errors import ProviderError, RuntuiError

if TYPE_CHECKING:
    from runtui.providers.options import ProviderOption


@click.group(cls=JsonAwareGroup)
def profiles() -> None:
    """Stored profiles: one account on one platform each."""


@profiles.command("list")
@click.option("--json", "as_json", is_flag=True, help=JSON_HELP)
@click.pass_obj
@handles_errors
def profiles_list(obj: Ctx, as_json: bool) -> None:
    """Profiles and where their keys come from (never the keys)."""

    from runtui.engine.workspace import load_config

    obj.require_config(needs_profiles=False)
    cfg = load_config(obj.config_path)
    say_warnings(cfg)
    # A password written into a base URL is never printed (display.shown_url).
    urls = {p.name: display.shown_url(p.base_url) if p.base_url else None for p in cfg.profiles.values()}
    rows = [[p.name, p.provider, urls[p.name] or "(default)", p.key_source,
             "read-only" if p.read_only else ""] for p in cfg.profiles.values()]
    if as_json:
        say(json.dumps([{"name": p.name, "provider": p.provider, "base_url": urls[p.name],
                         "key_source": p.key_source, "read_only": p.read_only}
                        for p in cfg.profiles.values()], indent=2))
    else:
        say(f"# {cfg.path}")
        say(table(rows, ["NAME", "PROVIDER", "BASE URL", "KEY", "MODE"]))
    for err in cfg.errors:
        say(f"runtui: {err}", err=True)
    if not cfg.profiles and not cfg.errors:
        say(f"runtui: no profiles yet: {HOW_TO_ADD}", err=True)
    sys.exit(EXIT_USAGE if cfg.errors else EXIT_OK)


@profiles.command("add")
@click.argument("name")
@click.option("--provider", required=True, help="The platform: see `runtui providers`.")
@click.option("--base-url", default=None,
              help="The API root (default: the platform's own; required for Prefect).")
@click.option("--api-key-env", default=None, help="Name of the env var holding the key (preferred).")
@click.option("--api-key-cmd", default=None, help="Command printing the key, e.g. 'pass show x'.")
@click.option("--keyring", "use_keyring", is_flag=True, help="Read the key from the system keyring.")
@click.option("--read-only", is_flag=True,
              help="Never send an action for this profile (the TUI greys those keys out).")
@click.option("--allow-insecure-http", is_flag=True,
              help="Allow plain http:// to a host other than loopback.")
@click.option("--replace", is_flag=True, help="Overwrite a profile of the same name.")
@click.option("--set", "extras", multiple=True, metavar="KEY=VALUE",
              help="A setting the provider declares (`runtui providers` lists them), e.g. "
                   "project_id=... (Wexa) or webhook_secret_env=VAR (B3OS). Repeatable.")
@click.pass_obj
@handles_errors
def profiles_add(obj: Ctx, name: str, provider: str, base_url: str | None, api_key_env: str | None,
                 api_key_cmd: str | None, use_keyring: bool, read_only: bool,
                 allow_insecure_http: bool, replace: bool, extras: tuple[str, ...]) -> None:
    """Add a profile (written atomically under a lock, comments and the file's mode kept).

    Exit 2 names a missing or invalid setting: the provider's declaration decides.
    """
    from runtui.providers import registry
    from runtui.providers.options import problems

    if provider not in registry.names():
        fail(f"unknown provider {provider!r} (installed: {', '.join(sorted(registry.names()))})",
             EXIT_USAGE)
    if use_keyring and not config_mod.keyring_installed():
        fail(f"--keyring: {config_mod.KEYRING_EXTRA}; nothing written", EXIT_USAGE)
    options = {o.name: o for o in registry.provider_class(provider).options}
    values: dict[str, Any] = {"provider": provider, "base_url": base_url, "api_key_env": api_key_env,
                              "api_key_cmd": api_key_cmd, "keyring": use_keyring or None,
                              "read_only": read_only or None,
                              "allow_insecure_http": allow_insecure_http or None}
    settings: dict[str, Any] = {}
    for item in extras:
        key, value = _extra_setting(item, provider, options)
        if key in values:
            fail(f"--set {key}: use --{key.replace('_', '-')} instead", EXIT_USAGE)
        settings[key] = value
    for _key, why in problems(options.values(), settings):
        fail(f"{provider}: {why} (--set KEY=VALUE)", EXIT_USAGE)
    try:
        config_mod.save_profile(obj.config_path, name, {**values, **settings}, replace=replace,
                                check=registry.check_settings)
    except ValueError as exc:
        fail(f"invalid profile: {exc}", EXIT_USAGE)
    say(f"added profile {name!r} to {obj.config_path}")
    for key, value in {"api_key_env": api_key_env, **settings}.items():
        if key.endswith("_env") and isinstance(value, str) and value and not is_plain_env_name(value):
            say(f"runtui: note: {key} is not plainly a variable's name (upper case, digits and _), "
                "so it is never shown; if it is the secret itself, put that in a variable and name "
                "the variable instead", err=True)


_SECRET_WORDS = ("key", "secret", "token", "password")
_COMMON_FIELDS = ("provider", "base_url", "api_key_env", "api_key_cmd", "keyring", "read_only",
                  "allow_insecure_http", "refresh_seconds")


def _extra_setting(item: str, provider: str, options: Mapping[str, ProviderOption]) -> tuple[str, Any]:
    """One `--set KEY=VALUE`: a setting `provider` declares, never a secret written into the file."""
    from runtui.human_input import coerce

    key, sep, value = item.partition("=")
    key = key.strip()
    if not sep or not key.isidentifier() or not key.islower():
        fail(f"--set wants KEY=VALUE with a lower-case key, got {item!r}", EXIT_USAGE)
    if key in _COMMON_FIELDS:
        fail(f"--set {key}: use --{key.replace('_', '-')} instead", EXIT_USAGE)
    option = options.get(key)
    secret = option.secret if option is not None else (
        any(word in key for word in _SECRET_WORDS) and not key.endswith(("_env", "_cmd")))
    if secret:
        # The value would be a credential stored in the file: name where it lives instead.
        env_option = "--" + f"{key}_env".replace("_", "-")
        where = f"{env_option} VARIABLE" if f"{key}_env" in _COMMON_FIELDS else f"--set {key}_env=VARIABLE"
        fail(f"--set {key}: runtui does not write secrets into the config; put it in an "
             f"environment variable and give {where}", EXIT_USAGE)
    if option is None:
        known = ", ".join(sorted(options)) or "none"
        fail(f"--set {key}: {provider} has no such setting (it takes: {known})", EXIT_USAGE)
    try:
        return key, coerce(option.kind, value.strip())
    except ValueError as exc:
        fail(f"--set {key}: {exc}", EXIT_USAGE)


@profiles.command("remove")
@click.argument("name")
@click.pass_obj
@handles_errors
def profiles_remove(obj: Ctx, name: str) -> None:
    """Remove a profile from the file (the rest of the file, comments too, is kept)."""
    obj.require_config(needs_profiles=False)
    config_mod.remove_profile(obj.config_path, name)
    say(f"removed profile {name!r}")


@profiles.command("test")
@click.argument("name", required=False)
@click.option("--all", "test_all", is_flag=True,
              help="Test every profile (at once): a line each, OK or FAILED.")
@click.pass_obj
@handles_errors
def profiles_test(obj: Ctx, name: str | None, test_all: bool) -> None:
    """One cheap authenticated read per profile: OK, or the reason it failed.

    Exit 0 when every profile tested OK; 1 when one failed because of its server (refused
    or down), or failed among others that are OK; 2 when none passed and the config alone
    is to blame (a key variable unset, an api_key_cmd that gives no key, a broken profile),
    or NAME is no profile. One profile and --all say the same profile alike.
    """
    if test_all and name is not None:
        fail("give one profile or --all, not both", EXIT_USAGE)
    if not test_all and name is None:
        fail("name one profile, or give --all", EXIT_USAGE)
    ws = workspace_of(obj)
    names = ws.profile_names if test_all else [str(name)]

    async def one(profile: str) -> str:
        return await ws.provider(profile).check()

    async def main() -> list[str | BaseException]:
        try:
            return await asyncio.gather(*(one(n) for n in names), return_exceptions=True)
        finally:
            await ws.aclose()

    results = run_async(main())
    failures: list[RuntuiError] = []
    for profile, result in zip(names, results, strict=True):
        if isinstance(result, BaseException):
            result = profile_failure(profile, result)
            if not test_all:
                raise result  # one profile: its error and exit code, as every command
            failures.append(result)
            said = result.naming(profile) if isinstance(result, ProviderError) else f"{profile}: {result}"
            say(f"FAILED {cell(said)}")  # the profile once, even one named after its provider
        else:
            say(f"OK {profile}: {cell(result)}")
    for err in ws.config.errors if test_all else ():
        failures.append(err)
        say(f"FAILED {err.profile or ws.config.path}: {cell(err)}")
    # As `runs list`: 2 when nothing passed for the config's sake alone, as one profile's test says it.
    passed = any(not isinstance(result, BaseException) for result in results)
    sys.exit(listing_exit_code(passed, failures))
