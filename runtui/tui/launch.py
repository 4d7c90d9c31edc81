"""Start the app: the only entry the CLI needs, imported lazily so the CLI stays fast."""

from __future__ import annotations

from pathlib import Path


def run_app(config_path: Path, *, title_suffix: str | None = None) -> int:
    from runtui.engine.workspace import Workspace
    from runtui.errors import ConfigError, ConfigRefused
    from runtui.tui.app import RuntuiApp

    try:
        workspace = Workspace.load(config_path)
    except ConfigRefused as exc:
        # Not opened at all: an empty app would invite writing profiles into that file.
        import sys

        print(f"runtui: {exc}", file=sys.stderr)
        return 2
    except ConfigError as exc:
        # A file we cannot parse at all: open anyway, empty, and say why.
        from runtui import config as config_mod

        workspace = Workspace(config_mod.Config(path=config_path, errors=[exc]))
    app = RuntuiApp(workspace, title_suffix=title_suffix)
    app.run()
    return app.return_code or 0
