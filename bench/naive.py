"""The naive way to watch runs: one GET per active run per refresh interval.

    python -m bench.naive URL SECONDS [--interval 2] [--concurrency 32]

Uses each provider's GET-one endpoint (the same ones runtui uses to read one run):
Wexa `GET /execute_flow/{id}`, Edges `GET /flows/runs/{uid}`, B3OS `GET /v1/runs/{id}`.
The ids are the sim's active runs at start (`/_bench/active`). Prints one JSON line:
requests sent, rounds completed, how late the rounds ran.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

import httpx

from runtui.sim.config import DEFAULT_KEYS

UA = "runtui-bench-naive"


def endpoints(base: str, active: dict[str, list[str]]) -> list[tuple[str, dict[str, str], dict[str, str]]]:
    out = []
    for rid in active.get("wexa", []):
        out.append((f"{base}/wexa/execute_flow/{rid}", {"x-api-key": DEFAULT_KEYS["wexa"]}, {}))
    for rid in active.get("edges", []):
        out.append((f"{base}/edges/v1/flows/runs/{rid}", {"X-API-Key": DEFAULT_KEYS["edges"]}, {}))
    for rid in active.get("b3os", []):
        out.append(
            (
                f"{base}/b3os/v1/runs/{rid}",
                {"authorization": f"Bearer {DEFAULT_KEYS['b3os']}"},
                {"summary": "true"},
            )
        )
    return out


async def poll(base: str, seconds: float, interval: float, concurrency: int) -> dict[str, object]:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(headers={"user-agent": UA}, limits=limits, timeout=30) as client:
        active = (await client.get(f"{base}/_bench/active")).json()
        targets = endpoints(base, active)
        sem = asyncio.Semaphore(concurrency)
        sent = errors = 0

        async def one(url: str, headers: dict[str, str], params: dict[str, str]) -> None:
            nonlocal sent, errors
            async with sem:
                sent += 1
                try:
                    r = await client.get(url, headers=headers, params=params)
                    if r.status_code >= 400:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1

        start = time.monotonic()
        rounds = 0
        late = 0.0
        while time.monotonic() - start < seconds:
            t = time.monotonic()
            await asyncio.gather(*(one(*x) for x in targets))
            rounds += 1
            took = time.monotonic() - t
            late = max(late, took - interval)
            await asyncio.sleep(max(0.0, interval - took))
        return {
            "targets": len(targets),
            "sent": sent,
            "errors": errors,
            "rounds": rounds,
            "seconds": round(time.monotonic() - start, 2),
            "worst_round_overrun_s": round(late, 2),
        }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.naive")
    p.add_argument("url")
    p.add_argument("seconds", type=float)
    p.add_argument("--interval", type=float, default=2.0)
    p.add_argument("--concurrency", type=int, default=32)
    a = p.parse_args(argv)
    print(json.dumps(asyncio.run(poll(a.url.rstrip("/"), a.seconds, a.interval, a.concurrency))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
