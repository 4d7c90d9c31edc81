"""The core stays headless and the simulator stays out of the production path."""

from __future__ import annotations

import subprocess
import sys

CORE = [
    "runtui.model", "runtui.actions", "runtui.config", "runtui.display", "runtui.errors",
    "runtui.providers.base", "runtui.providers.http", "runtui.providers.registry",
    "runtui.providers.wexa", "runtui.providers.edges", "runtui.providers.b3os", "runtui.providers.prefect",
    "runtui.engine.store", "runtui.engine.watcher", "runtui.engine.control",
    "runtui.engine.journal", "runtui.engine.workspace", "runtui.engine.detail", "runtui.cli",
    "runtui.commands", "runtui.startup",
]


def _loaded_after_import(modules: list[str]) -> set[str]:
    code = ("import sys\n" + "".join(f"import {m}\n" for m in modules)
            + "print('\\n'.join(sorted(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_core_and_cli_import_without_textual() -> None:
    loaded = _loaded_after_import(CORE)
    assert "runtui.cli" in loaded  # the probe did import what it claims
    assert not {m for m in loaded if m == "textual" or m.startswith("textual.")}


def test_production_path_never_imports_the_simulator() -> None:
    loaded = _loaded_after_import([*CORE, "runtui.tui.app", "runtui.tui.screens.runs"])
    assert "runtui.tui.app" in loaded
    assert not {m for m in loaded if m.startswith("runtui.sim")}


def test_tui_never_imports_httpx_directly() -> None:
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2] / "runtui" / "tui"
    offenders = [p.name for p in root.rglob("*.py") if "import httpx" in p.read_text()]
    assert offenders == []


def test_the_app_starts_without_the_log_workflow_or_task_machinery() -> None:
    """Logs, workflow figures and tasks are built when a face first asks (the Workspace's
    properties): importing them on every start cost ~9 ms of the time to the first rows."""
    loaded = _loaded_after_import(["runtui.cli", "runtui.tui.launch", "runtui.engine.workspace",
                                   "runtui.tui.app", "runtui.tui.screens.runs"])
    assert "runtui.tui.screens.runs" in loaded
    lazy = {"runtui.engine.logs", "runtui.engine.log_store", "runtui.engine.stats", "runtui.engine.tasks"}
    assert not lazy & loaded


def test_no_start_loads_pydantic() -> None:
    """pydantic and its models cost ~60 ms of every start (first rows, each CLI command):
    the config is read with msgspec. (Prefect, a test dependency, still brings pydantic.)"""
    loaded = _loaded_after_import([*CORE, "runtui.tui.launch", "runtui.tui.app", "runtui.tui.screens.runs"])
    assert "runtui.tui.app" in loaded and "msgspec" in loaded
    assert not {m for m in loaded if m == "pydantic" or m.startswith(("pydantic.", "pydantic_core"))}


def test_the_app_starts_without_the_text_area() -> None:
    """Only the forms that have one import TextArea (its document, syntax and theme modules
    cost ~5 ms of the time to the first rows); the runs screen never needs it."""
    loaded = _loaded_after_import(["runtui.tui.launch", "runtui.tui.app", "runtui.tui.screens.runs"])
    assert "runtui.tui.screens.runs" in loaded
    assert "textual.widgets._text_area" not in loaded
