"""Provider name -> adapter class, found through the `runtui.providers` entry-point group.

Names are listed from package metadata without importing the adapters, so
`runtui profiles list` stays fast, and the listing is kept between starts while no
installed package changes (`installed.py`); a class is imported only when a profile
uses it.
"""

from __future__ import annotations

import contextlib
import importlib
import os
from typing import TYPE_CHECKING, Any

import msgspec

from runtui.config import Config, Profile, state_dir
from runtui.errors import ConfigError
from runtui.providers import installed

if TYPE_CHECKING:
    import httpx

    from runtui.providers.base import Provider
    from runtui.providers.redact import SecretPool

GROUP = "runtui.providers"

# Used when runtui runs from a source tree without installed metadata.
BUILTIN = {
    "wexa": "runtui.providers.wexa:WexaProvider",
    "edges": "runtui.providers.edges:EdgesProvider",
    "b3os": "runtui.providers.b3os:B3osProvider",
    "prefect": "runtui.providers.prefect:PrefectProvider",
}


class ProviderEntry(msgspec.Struct, frozen=True):
    name: str
    target: str  # "module:Class"
    registered: bool = False  # an entry point (False: runtui's own table, no metadata)


_AVAILABLE: dict[str, ProviderEntry] | None = None


def available(*, fresh: bool = False) -> dict[str, ProviderEntry]:
    """Every installed adapter: the entry points as last read while no installed package
    has changed (`runtui.providers.installed`), or (`fresh`) read again."""
    global _AVAILABLE
    if _AVAILABLE is None or fresh:
        _AVAILABLE = _scan(fresh=fresh)
    return dict(_AVAILABLE)


def _scan(*, fresh: bool) -> dict[str, ProviderEntry]:
    found: dict[str, ProviderEntry] = {
        name: ProviderEntry(name, target) for name, target in BUILTIN.items()
    }
    for name, target in installed.entry_points(GROUP, state_dir(), fresh=fresh):
        found[name] = ProviderEntry(name, target, registered=True)
    return found


def origins() -> dict[str, str | None]:
    """Provider name -> the package that registered it, for `runtui providers`: one read of
    the metadata for all of them (each package's METADATA is parsed, ~1 ms a package)."""
    from importlib.metadata import entry_points

    packages = {(ep.name, ep.value): ep.dist.name
                for ep in entry_points(group=GROUP) if ep.dist is not None}
    return {name: packages.get((entry.name, entry.target)) if entry.registered else "runtui (built in)"
            for name, entry in available().items()}


def names() -> frozenset[str]:
    return frozenset(available())


_CACHE: dict[str, type[Provider]] = {}


def provider_class(name: str) -> type[Provider]:
    """Import the adapter class for `name` (defining it registers its actions table). Raises
    ConfigError when it cannot be loaded or is not a `Provider`."""
    from runtui.providers.base import Provider

    if name in _CACHE:
        return _CACHE[name]
    entry = available().get(name)
    if entry is None:
        raise ConfigError(f"unknown provider {name!r} (installed: {', '.join(sorted(available()))})",
                          field="provider")
    module_name, _, attr = entry.target.partition(":")
    try:
        cls = getattr(importlib.import_module(module_name), attr)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"provider {name!r} failed to load: {exc}", field="provider") from None
    if not isinstance(cls, type) or not issubclass(cls, Provider):
        raise ConfigError(f"provider {name!r} is not a runtui Provider class", field="provider")
    _CACHE[name] = cls
    return cls


def create(profile: Profile, *, transport: httpx.AsyncBaseTransport | None = None,
           deadline: float | None = None, max_bytes: int | None = None,
           key_timeout: float | None = None, shared_secrets: SecretPool | None = None) -> Provider:
    """Build the adapter for a profile (resolves its key; raises ConfigError). `deadline`
    and `max_bytes` bound each request and answer, `key_timeout` its api_key_cmd
    ([defaults]; None: the built-in limits); `shared_secrets` the secrets of the other
    profiles built, masked in this one's answers too."""
    from runtui.key_command import DEFAULT_TIMEOUT
    from runtui.providers.base import Provider
    from runtui.providers.http import DEFAULT_DEADLINE, DEFAULT_MAX_BYTES

    cls = provider_class(profile.provider)
    if not issubclass(cls, Provider):
        raise ConfigError(f"provider {profile.provider!r} is not a runtui Provider", field="provider")
    return cls.from_profile(profile, transport=transport,
                            deadline=DEFAULT_DEADLINE if deadline is None else deadline,
                            max_bytes=DEFAULT_MAX_BYTES if max_bytes is None else max_bytes,
                            key_timeout=DEFAULT_TIMEOUT if key_timeout is None else key_timeout,
                            shared_secrets=shared_secrets)


def secrets_at_hand(profile: Profile) -> list[str]:
    """A profile's secrets known without running or asking anything: its key from the
    environment or the config, and its secret settings (`setting_secrets`). A keyring
    entry or a key command's key is learnt when the profile's provider is built or first
    asks for it."""
    from runtui.providers.base import setting_secrets

    found: list[str] = []
    if profile.api_key_env and not profile.api_key_cmd:
        found.append(os.environ.get(profile.api_key_env, "").strip())
    elif profile.api_key is not None and not (profile.api_key_cmd or profile.keyring):
        found.append(profile.api_key.get_secret_value().strip())
    if profile.extras:  # its adapter is imported only then (~6 ms for some)
        with contextlib.suppress(ConfigError):  # a provider that cannot load: it fails when used
            found += setting_secrets(provider_class(profile.provider), profile)
    return found


def check_settings(cfg: Config) -> None:
    """Check each profile against what its provider needs and declares (a key source, a
    base URL when it has no default, its settings); a profile that fails moves to
    `cfg.errors` (with file and line), so it shows as broken while the others work.
    `profiles add` runs the same check on the file it is about to write.

    A setting the provider does not declare is a warning (`cfg.warnings`), not an error:
    the file may be shared with a newer or older adapter, and the profile form keeps such
    keys as they are; but a misspelt `webhok_secret_env` must not go unnoticed until the
    server refuses a request."""
    for name, profile in list(cfg.profiles.items()):
        try:
            cls = provider_class(profile.provider)
        except ConfigError:
            continue  # a provider that cannot load: the profile fails when it is used
        cfg.warnings += _undeclared(cls, cfg, profile)
        found = _problem(cls, profile) or _readable_secret(cls, profile, cfg)
        if found is not None:
            key, why = found
            cfg.errors.append(ConfigError(why, path=str(cfg.path), line=cfg.line_of(name, key)
                                          or cfg.line_of(name), field=key, profile=name))
            del cfg.profiles[name]


def _undeclared(cls: type[Provider], cfg: Config, profile: Profile) -> list[ConfigError]:
    """A warning for each of the profile's settings its provider does not declare."""
    declared = [o.name for o in cls.options]
    takes = f"{profile.provider} takes: {', '.join(declared) or 'none'}"
    return [ConfigError(f"unknown setting, ignored ({takes})", path=str(cfg.path),
                        line=cfg.line_of(profile.name, key), field=key, profile=profile.name)
            for key in profile.extras if key not in declared]


def _problem(cls: type[Provider], profile: Profile) -> tuple[str | None, str] | None:
    """(field, why) for the first thing `cls` cannot work with in `profile`, or None."""
    from runtui.providers.options import problems

    if cls.needs_key and profile.key_source == "none":
        return None, "no key source: set api_key_env, api_key_cmd or keyring"
    if not profile.base_url and not cls.default_base_url:
        return "base_url", "base_url is required for this provider"
    found = problems(cls.options, profile.extras)
    return found[0] if found else None


def _readable_secret(cls: type[Provider], profile: Profile, cfg: Config) -> tuple[str, str] | None:
    """(field, why) for a secret setting written inline in a file others can read: refused
    as an inline api_key is (`config._parse_profile`), the file's mode told, never the value."""
    mode = cfg.file_mode
    if mode is None or not mode & 0o077:
        return None
    for option in cls.options:
        if option.secret and profile.setting(option.name) not in (None, ""):
            return option.name, (
                f"inline {option.name} in a file readable by others (mode {mode:o}); run "
                f"`chmod 600 {cfg.path}` or use {option.name}_env instead")
    return None


def describe(name: str) -> dict[str, Any]:
    """What a provider declares, for `runtui providers --json`: options, per-kind actions by
    raw status, and the capabilities faces ask about."""
    cls = provider_class(name)
    table = cls.actions
    return {
        "label": cls.label,
        "options": [o.to_json() for o in cls.options],
        "kinds": [k.value for k in cls.kinds],
        "can_execute": table.can_execute,
        "actions": {kind.value: {status: sorted(a.value for a in acts) for status, acts in rules.items()}
                    for kind, rules in table.per_kind.items()},
        "capabilities": sorted(capabilities(cls)),
    }


def capabilities(cls: type[Provider]) -> set[str]:
    """The optional capabilities `cls` offers (the protocols it implements) and its actions."""
    from runtui.providers.capabilities import CAPABILITIES, supports

    found = {"list", "detail"}
    found.update(name for name, protocol in CAPABILITIES.items() if supports(cls, protocol))
    if cls.takes_goal:
        found.add("goal")
    actions = {a for rules in cls.actions.per_kind.values() for acts in rules.values() for a in acts}
    found.update(a.value for a in actions)
    if cls.actions.can_execute:
        found.add("execute")
    return found
