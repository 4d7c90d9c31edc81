"""`runtui sim`: serve the simulator until SIGINT/SIGTERM (the click CLI calls `main`)."""

from __future__ import annotations

import argparse
import ipaddress
import re
import signal
import socket
import sys
import threading
from pathlib import Path
from types import FrameType

from .config import ALL_FAULT_KINDS, MAX_RUNS, SimConfig
from .server import SimServer, write_config

_DOTTED = re.compile(r"^[0-9.]+$")


def _port(text: str) -> int:
    """0-65535: a larger one reached the socket and ended the server thread with a traceback."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a TCP port (0-65535; 0 picks a free one)")
    return port


def _host(text: str) -> str:
    """An IP address or a name: 999.1.1.1 is neither (and is not sent to DNS as a name)."""
    if _DOTTED.match(text) or ":" in text:
        try:
            ipaddress.ip_address(text.strip("[]"))
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not an IP address") from None
        return text.strip("[]")
    if not text or len(text) > 253:
        raise argparse.ArgumentTypeError(f"{text!r} is not a host name")
    return text


def _cannot_listen(host: str, port: int) -> str | None:
    """Why the server could not listen on host:port, asked before its thread starts (which
    would only print a traceback), or None."""
    try:
        family, kind, proto, _name, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except (socket.gaierror, UnicodeError) as exc:
        return f"cannot listen on {host}: {getattr(exc, 'strerror', None) or exc}"
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            return f"cannot listen on {host}:{port}: {exc.strerror}"
    return None


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="runtui sim", description="Serve simulated Wexa, Edges and B3OS APIs on one port."
    )
    p.add_argument("--host", type=_host, default="127.0.0.1",
                   help="address to listen on: an IP address or a host name (default 127.0.0.1)")
    p.add_argument("--port", type=_port, default=0, help="TCP port; 0 (the default) picks a free port")
    p.add_argument("--seed", type=int, default=7,
                   help="seed of the simulated world: same seed, same runs (default 7)")
    p.add_argument("--runs", type=int, default=60,
                   help=f"seeded runs over the three providers (default 60, at most {MAX_RUNS:,})")
    p.add_argument("--speed", type=float, default=1.0,
                   help="how fast runs progress: >1 faster, <1 slower (default 1)")
    p.add_argument(
        "--faults", type=float, default=0.0, metavar="RATE",
        help="probability 0..1 of a fault per request (default 0)"
    )
    p.add_argument(
        "--fault-kinds",
        default=",".join(ALL_FAULT_KINDS),
        help="comma-separated subset of (default all): " + ", ".join(ALL_FAULT_KINDS),
    )
    p.add_argument("--inbox", type=int, default=0, metavar="N",
                   help="Wexa executions parked on an inbox item at start (the demo uses 3)")
    p.add_argument("--spawn-every", type=float, default=20.0, metavar="SECONDS",
                   help="seconds between new runs, 0 = never (default 20)")
    p.add_argument(
        "--write-config",
        type=Path,
        metavar="PATH",
        help="write a runtui config with one profile per provider (its directory must exist)",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.write_config is not None and not args.write_config.parent.is_dir():
        # Refused, not created: a typo must not make directories anywhere.
        parser.error(f"--write-config: no directory {args.write_config.parent}")
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
    problem = _cannot_listen(args.host, args.port)
    if problem is not None:
        print(f"runtui sim: {problem}", file=sys.stderr)
        return 1
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    server = SimServer(config, host=args.host, port=args.port)
    try:
        try:
            url = server.start()
        except RuntimeError as exc:  # the thread ended: uvicorn has said why on stderr
            print(f"runtui sim: {exc}", file=sys.stderr)
            return 1
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
