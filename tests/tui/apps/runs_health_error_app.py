"""Snapshot app: the runs screen with one profile whose config is broken, shown in the health bar."""

from __future__ import annotations

from tests.tui.apps.runs_support import build_app, freeze_clock

app = build_app(broken=True)

if __name__ == "__main__":
    freeze_clock()
    app.run()
