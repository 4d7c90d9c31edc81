"""The simulator's config with profiles of a test's own added: key sources, key commands."""

from __future__ import annotations

from pathlib import Path

from tests.integration.conftest import Sim

PATHS = {"edges": "/edges/v1", "b3os": "/b3os"}
"""Where each provider's API sits on the simulator."""


def config_with(sim: Sim, tmp_path: Path, profiles: dict[str, tuple[str, str]], *,
                defaults: str = "") -> Path:
    """The sim's config plus `profiles`: name -> (provider, its key source line), and
    `defaults` lines added to its [defaults]; written owner-only to `tmp_path`."""
    text = sim.config_path.read_text(encoding="utf-8")
    if defaults:
        text = text.replace("[defaults]\n", f"[defaults]\n{defaults}\n")
        assert defaults in text, "the sim's config has a [defaults] table"
    for name, (provider, source) in profiles.items():
        text += (f'\n[profiles.{name}]\nprovider = "{provider}"\nbase_url = "{sim.url}{PATHS[provider]}"\n'
                 f"{source}\n")
    config = tmp_path / "config.toml"
    config.write_text(text, encoding="utf-8")
    config.chmod(0o600)
    return config
