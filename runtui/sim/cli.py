"""`runtui sim`: serve the simulator until SIGINT/SIGTERM (the click CLI calls `main`)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from .config import ALL_FAULT_KINDS, SimConfig
from .server import SimServer, write_config


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="runtui sim", description="Serve simulated Wexa, Edges and B3OS APIs on one port."
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=0, help="0 picks a free port")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--runs", type=int, default=60, help="seeded runs over the three providers")
    p.add_argument("--speed", type=float, default=1.0, help=">1 makes runs progress faster")
    p.add_argument(
        "--faults", type=float, default=0.0, metavar="RATE", help="probability 0..1 of a fault per request"
    )
    p.add_argument(
        "--fault-kinds",
        default=",".join(ALL_FAULT_KINDS),
        help="comma-separated subset of: " + ",".join(ALL_FAULT_KINDS),
    )
    p.add_argument("--inbox", type=int, default=0, metavar="N",
                   help="Wexa executions parked on an inbox item at start (the demo uses 3)")
    p.add_argument("--spawn-every", type=float, default=20.0, help="seconds between new runs (0 = never)")
    p.add_argument(
        "--write-config",
        type=Path,
        metavar="PATH",
        help="write a runtui config with one profile per provider",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        config = SimConfig(
            seed=args.seed,
            runs=args.runs,
            speed=args.speed,
            faults=args.faults,
            fault_kinds=tuple(k.strip() for k in args.fault_kinds.split(",") if k.strip()),
            spawn_every=args.spawn_every,
            inbox=args.inbox,
        )
    except ValueError as exc:
        print(f"runtui sim: {exc}", file=sys.stderr)
        return 2
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    server = SimServer(config, host=args.host, port=args.port)
    try:
        url = server.start()
        print(f"runtui sim listening on {url}", flush=True)
        if args.write_config is not None:
            env = write_config(args.write_config, url, config)
            exports = " ".join(f"{k}={v}" for k, v in env.items())
            print(f"export {exports}  # config written to {args.write_config}", flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
