"""`runtui demo`: the simulator in-process on a free loopback port, and the app on it.

The only production-side module that touches `runtui.sim`, and only lazily.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def run_demo(*, runs: int = 60, seed: int = 7, speed: float = 1.0, faults: float = 0.0,
             print_only: bool = False) -> int:
    from runtui.sim.config import SimConfig
    from runtui.sim.server import SimServer, write_config

    sim_config = SimConfig(seed=seed, runs=runs, speed=speed, faults=faults, inbox=3)
    with tempfile.TemporaryDirectory(prefix="runtui-demo-") as tmp, SimServer(sim_config) as server:
        config_path = Path(tmp) / "config.toml"
        env = write_config(config_path, server.url, sim_config)
        os.environ.update(env)
        os.environ.setdefault("RUNTUI_STATE_DIR", str(Path(tmp) / "state"))
        if print_only:
            return _print_listing(server.url, config_path)
        from runtui.tui.launch import run_app

        return run_app(config_path, title_suffix="demo")


def _print_listing(url: str, config_path: Path) -> int:
    from runtui.cli import cli

    print(f"runtui sim listening on {url}")
    print(f"config: {config_path}")
    try:
        cli.main(args=["--config", str(config_path), "runs", "list", "--limit", "10"],
                 prog_name="runtui", standalone_mode=False)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0
