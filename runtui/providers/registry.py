"""Provider name -> adapter class, found through the `runtui.providers` entry-point group.

Names are listed from package metadata without importing the adapters, so
`runtui profiles list` stays fast; a class is imported only when a profile uses it.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import TYPE_CHECKING

from runtui.actions import register_table
from runtui.config import Profile
from runtui.errors import ConfigError

if TYPE_CHECKING:
    import httpx

    from runtui.providers.base import Provider

GROUP = "runtui.providers"

# Used when runtui runs from a source tree without installed metadata.
BUILTIN = {
    "wexa": "runtui.providers.wexa:WexaProvider",
    "edges": "runtui.providers.edges:EdgesProvider",
    "b3os": "runtui.providers.b3os:B3osProvider",
    "prefect": "runtui.providers.prefect:PrefectProvider",
}


@dataclass(frozen=True)
class ProviderEntry:
    name: str
    target: str  # "module:Class"
    distribution: str | None


_AVAILABLE: dict[str, ProviderEntry] | None = None


def available() -> dict[str, ProviderEntry]:
    """Every installed adapter. The package metadata is scanned (~10 ms) once per process."""
    global _AVAILABLE
    if _AVAILABLE is None:
        _AVAILABLE = _scan()
    return dict(_AVAILABLE)


def _scan() -> dict[str, ProviderEntry]:
    found: dict[str, ProviderEntry] = {
        name: ProviderEntry(name, target, "runtui (built in)") for name, target in BUILTIN.items()
    }
    for ep in entry_points(group=GROUP):
        dist = ep.dist.name if ep.dist is not None else None
        found[ep.name] = ProviderEntry(ep.name, ep.value, dist)
    return found


def names() -> frozenset[str]:
    return frozenset(available())


_CACHE: dict[str, type] = {}


def provider_class(name: str) -> type:
    """Import the adapter class for `name` (and register its actions table)."""
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
    if not isinstance(cls, type):
        raise ConfigError(f"provider {name!r} does not name a class", field="provider")
    register_table(cls.actions)  # type: ignore[attr-defined]
    _CACHE[name] = cls
    return cls


def create(profile: Profile, *, transport: httpx.AsyncBaseTransport | None = None,
           deadline: float | None = None, max_bytes: int | None = None) -> Provider:
    """Build the adapter for a profile (resolves its key; raises ConfigError). `deadline`
    and `max_bytes` bound each request and answer ([defaults]; None: the built-in limits)."""
    from runtui.providers.base import Provider
    from runtui.providers.http import DEFAULT_DEADLINE, DEFAULT_MAX_BYTES

    cls = provider_class(profile.provider)
    if not issubclass(cls, Provider):
        raise ConfigError(f"provider {profile.provider!r} is not a runtui Provider", field="provider")
    return cls.from_profile(profile, transport=transport,
                            deadline=DEFAULT_DEADLINE if deadline is None else deadline,
                            max_bytes=DEFAULT_MAX_BYTES if max_bytes is None else max_bytes)
