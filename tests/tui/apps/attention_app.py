"""Snapshot app: the attention screen over the runs screen's 32 fixed runs (clock frozen)."""

from __future__ import annotations

from tests.tui.apps.runs_support import NOW, build_app

app = build_app()


def freeze() -> None:
    from runtui.tui import clock

    clock.now = lambda: NOW


if __name__ == "__main__":
    freeze()
    app.run()
