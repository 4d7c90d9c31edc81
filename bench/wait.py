"""`runtui runs wait` on 100 runs against one request per run per tick (`gh run watch` style).

    python -m bench.wait [--runs 4000] [--waited 100] [--seconds 20] [--repeat 3]

Starts `bench.simserve` (the simulator with request counters), picks `--waited`
active Edges runs, and for `--seconds` of wall time each:
  * runs the real `runtui runs wait ... --timeout SECONDS` in its own process;
  * polls the same runs naively: one GET per run per refresh interval (2 s).
Requests are counted by the simulator per client. Prints a table (median, min, max
of `--repeat` windows) and one JSON line. A benchmark, not a test: nothing asserts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.naive import UA
from runtui.sim.config import DEFAULT_KEYS

PROFILE = "edges-sim"
INTERVAL = 2.0


def start_sim(runs: int, config: Path) -> tuple[subprocess.Popen[str], str, dict[str, str]]:
    proc = subprocess.Popen([sys.executable, "-m", "bench.simserve", "--runs", str(runs),
                             "--active-fraction", "0.5", "--write-config", str(config)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    url = proc.stdout.readline().split()[-1]
    exports = proc.stdout.readline().split()[1:]
    env = dict(item.split("=", 1) for item in exports)
    return proc, url, env


def requests_by(url: str, client: str) -> int:
    count: int = httpx.get(f"{url}/_bench/polls").json()["clients"][client]
    return count


def runtui_window(url: str, config: Path, env: dict[str, str], ids: list[str], seconds: float) -> int:
    httpx.post(f"{url}/_bench/reset")
    subprocess.run([sys.executable, "-m", "runtui", "--config", str(config), "runs", "wait", *ids,
                    "-p", PROFILE, "--json", "--timeout", str(seconds)],
                   env={**os.environ, **env}, capture_output=True, check=False)
    return requests_by(url, "runtui")


async def naive_window(url: str, ids: list[str], seconds: float) -> int:
    httpx.post(f"{url}/_bench/reset")
    headers = {"X-API-Key": DEFAULT_KEYS["edges"], "user-agent": UA}
    async with httpx.AsyncClient(headers=headers, timeout=30) as client:
        start = time.monotonic()
        while time.monotonic() - start < seconds:
            tick = time.monotonic()
            await asyncio.gather(*(client.get(f"{url}/edges/v1/flows/runs/{i}") for i in ids))
            await asyncio.sleep(max(0.0, INTERVAL - (time.monotonic() - tick)))
    return requests_by(url, "naive")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.wait")
    parser.add_argument("--runs", type=int, default=4000)
    parser.add_argument("--waited", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="runtui-bench-wait-") as tmp:
        config = Path(tmp) / "config.toml"
        proc, url, env = start_sim(args.runs, config)
        try:
            ids = httpx.get(f"{url}/_bench/active").json()["edges"][: args.waited]
            ours = [runtui_window(url, config, env, ids, args.seconds) for _ in range(args.repeat)]
            naive = [asyncio.run(naive_window(url, ids, args.seconds)) for _ in range(args.repeat)]
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    ticks = args.seconds / INTERVAL
    ratio = statistics.median(naive) / max(1, statistics.median(ours))
    print(f"runs wait on {len(ids)} active runs of one profile, {args.seconds:g} s windows "
          f"({ticks:g} ticks of {INTERVAL:g} s), median (min-max) of {args.repeat}:")
    for label, counts in (("runtui runs wait", ours), ("one GET per run per tick", naive)):
        print(f"  {label:<26} {statistics.median(counts):>7g} requests "
              f"({min(counts)}-{max(counts)}), {statistics.median(counts) / ticks:.1f}/tick")
    print(f"  -> {ratio:.1f}x fewer requests")
    print(json.dumps({"waited": len(ids), "seconds": args.seconds, "runtui": ours, "naive": naive,
                      "ratio": round(ratio, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
