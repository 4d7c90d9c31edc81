"""Snapshot app: the runs screen over fixed workflows (W opens the workflows view)."""

from __future__ import annotations

from tests.tui.apps.workflows_support import build_app, freeze

app = build_app()

if __name__ == "__main__":
    freeze()
    app.run()
