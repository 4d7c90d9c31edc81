"""Snapshot app: a profile whose base URL holds a password, for its edit form (80x24)."""

from __future__ import annotations

from tests.tui.apps.profiles_support import build

CONFIG = """\
[profiles.edges-proxy]
provider = "edges"
api_key_env = "EDGES_API_KEY"
base_url = "https://ops:not-on-screen@edges.example.com/api/v1"
"""

app = build(CONFIG)
