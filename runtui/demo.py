"""The demo: the simulator in-process on a free loopback port, a config for it, the app on it.

The one entry to the simulator for the production side (`runtui demo` and the welcome
screen's "Start the demo"), and only lazily. It imports no face: the CLI and the
welcome screen call it, never the other way round.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

INBOX = 3  # Wexa executions that start out waiting in the inbox: the attention queue has work
_DIRECTORIES: set[Path] = set()  # the directories of demos not stopped yet (they hold keys)


@dataclass
class Demo:
    """A running simulator and the config that points at it."""

    url: str
    config_path: Path
    server: Any  # runtui.sim.server.SimServer (not imported until a demo starts)
    directory: Path

    def stop(self) -> None:
        """Stop the simulator and remove the demo's files; safe to call twice."""
        self.server.stop()
        shutil.rmtree(self.directory, ignore_errors=True)
        _DIRECTORIES.discard(self.directory)


def start(*, runs: int = 60, seed: int = 7, speed: float = 1.0, faults: float = 0.0) -> Demo:
    """Start the simulator, write a config for it, export its keys; blocking (a thread's job
    inside an app). The caller stops it."""
    from runtui.sim.config import SimConfig
    from runtui.sim.server import SimServer, write_config

    sim_config = SimConfig(seed=seed, runs=runs, speed=speed, faults=faults, inbox=INBOX)
    server = SimServer(sim_config)
    url = server.start()
    directory = Path(tempfile.mkdtemp(prefix="runtui-demo-"))
    _DIRECTORIES.add(directory)
    try:
        config_path = directory / "config.toml"
        os.environ.update(write_config(config_path, url, sim_config))
        os.environ.setdefault("RUNTUI_STATE_DIR", str(directory / "state"))
    except BaseException:
        server.stop()
        shutil.rmtree(directory, ignore_errors=True)
        _DIRECTORIES.discard(directory)
        raise
    return Demo(url=url, config_path=config_path, server=server, directory=directory)


def remove_directories_now() -> None:
    """Remove every running demo's directory: for a process that must end at once."""
    for directory in list(_DIRECTORIES):
        shutil.rmtree(directory, ignore_errors=True)
    _DIRECTORIES.clear()


@contextmanager
def running(*, runs: int = 60, seed: int = 7, speed: float = 1.0, faults: float = 0.0
            ) -> Iterator[Demo]:
    demo = start(runs=runs, seed=seed, speed=speed, faults=faults)
    try:
        yield demo
    finally:
        demo.stop()
