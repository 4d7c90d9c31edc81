"""Snapshot app: the runs screen over 32 fixed runs of three profiles, every profile ok."""

from __future__ import annotations

from tests.tui.apps.runs_support import build_app, freeze_clock

app = build_app()

if __name__ == "__main__":
    freeze_clock()
    app.run()
