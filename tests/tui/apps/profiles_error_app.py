"""Snapshot app: the profiles screen with one good profile and one in error (100x30)."""

from __future__ import annotations

from tests.tui.apps.profiles_support import build

CONFIG = """\
# my runtui profiles
[profiles.edges-prod]
provider = "edges"
api_key_env = "EDGES_API_KEY"
read_only = true

[profiles.broken]
provider = "nope"
api_key_env = "NOPE_KEY"
"""

app = build(CONFIG)
