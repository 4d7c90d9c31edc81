"""`runtui runs list` against the platform's own CLI, on the same real Prefect server.

    python -m bench.peers [--sizes 200,2000] [--repeat 5]

Starts `prefect server start` (the version the test extra pins) on a free loopback
port with its own SQLite file, creates one flow with N finished flow runs over
REST, then times, as whole processes, `prefect flow-run ls --limit N` and
`runtui runs list --profile prefect --limit N`: median, min and max of `--repeat`
runs each, side by side with the ratio. Prefect's server refuses a page over 200,
so at 2,000 runs both list 200, and runtui also lists all 2,000 (paging), which
`prefect flow-run ls` cannot. A benchmark, not a test: nothing asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.bytecode import compile_app

START_TIMEOUT = 120.0
PREFECT_MAX_LIMIT = 200  # the server refuses a larger page: "Invalid limit: must be <= 200"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def prefect_env(home: Path, api_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update({"PREFECT_HOME": str(home), "PREFECT_API_URL": api_url,
                "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{home / 'prefect.db'}",
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_UI_ENABLED": "false",
                "PREFECT_SERVER_UI_ENABLED": "false", "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",
                "PREFECT_CLIENT_SERVER_VERSION_CHECK_ENABLED": "false"})
    return env


def start_server(prefect: str, env: dict[str, str], api_url: str, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        proc = subprocess.Popen([prefect, "server", "start", "--host", "127.0.0.1", "--port",
                                 api_url.split(":")[-1].split("/")[0]], env=env, stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"prefect server exited {proc.returncode}: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{api_url}/health", timeout=2).json() is True:
                return proc
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"prefect server not healthy in {START_TIMEOUT:.0f} s")


def seed_runs(api_url: str, total: int) -> None:
    """`total` completed flow runs of one flow."""
    with httpx.Client(base_url=api_url, timeout=30) as client:
        flow = client.post("/flows/", json={"name": "bench-peers"}).json()
        for i in range(total):
            state = {"type": "COMPLETED", "name": "Completed"}
            body = {"flow_id": flow["id"], "name": f"bench-{i}", "state": state}
            for attempt in range(8):  # SQLite answers 503 while busy; Prefect's client retries too
                response = client.post("/flow_runs/", json=body)
                if response.status_code != 503:
                    break
                time.sleep(0.2 * (attempt + 1))
            if response.status_code >= 400:
                raise SystemExit(f"creating a flow run: HTTP {response.status_code} {response.text[:300]}")


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(argv, env=env, capture_output=True, check=False)
    took = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{argv[:3]} exited {result.returncode}: {result.stderr.decode()[-500:]}")
    return took


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.peers")
    parser.add_argument("--sizes", default="200,2000")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    prefect = shutil.which("prefect", path=str(Path(sys.executable).parent)) or shutil.which("prefect")
    if prefect is None:
        raise SystemExit("prefect is not installed: pip install -e '.[test]'")
    compile_app()
    runtui = [sys.executable, "-m", "runtui"]
    results: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory(prefix="runtui-bench-peers-") as tmp:
        home = Path(tmp)
        api_url = f"http://127.0.0.1:{free_port()}/api"
        env = prefect_env(home, api_url)
        config = home / "runtui.toml"
        config.write_text(f'[profiles.prefect]\nprovider = "prefect"\nbase_url = "{api_url}"\n'
                          "allow_insecure_http = true\n", encoding="utf-8")
        config.chmod(0o600)
        server = start_server(prefect, env, api_url, home / "server.log")
        try:
            seeded = 0
            for size in sizes:
                seed_runs(api_url, size - seeded)
                seeded = size
                limit = min(size, PREFECT_MAX_LIMIT)
                theirs = [timed([prefect, "flow-run", "ls", "--limit", str(limit)], env)
                          for _ in range(args.repeat)]
                ours = [timed([*runtui, "--config", str(config), "runs", "list", "--profile", "prefect",
                               "--limit", str(limit)], env) for _ in range(args.repeat)]
                row: dict[str, object] = {"runs": size, "limit": limit, "prefect": theirs, "runtui": ours}
                if limit < size:  # what the platform's CLI cannot do in one call
                    row["runtui_all"] = [timed([*runtui, "--config", str(config), "runs", "list",
                                                "--profile", "prefect"], env) for _ in range(args.repeat)]
                results.append(row)
        finally:
            server.terminate()
            server.wait(timeout=20)
    print(f"list N flow runs of a real Prefect server, whole process, median (min-max) of {args.repeat}:")
    print(f"{'runs':>6} {'listed':>6}  {'prefect flow-run ls (s)':>24}  {'runtui runs list (s)':>22}  ratio")
    for row in results:
        theirs, ours = row["prefect"], row["runtui"]
        assert isinstance(theirs, list) and isinstance(ours, list)
        ratio = statistics.median(theirs) / statistics.median(ours)
        print(f"{row['runs']:>6} {row['limit']:>6}  {_fmt(theirs):>24}  {_fmt(ours):>22}  {ratio:.1f}x")
        every = row.get("runtui_all")
        if isinstance(every, list):
            print(f"{row['runs']:>6} {row['runs']:>6}  {'refused (limit <= 200)':>24}  {_fmt(every):>22}")
    print(json.dumps({"peers": results}))
    return 0


def _fmt(samples: list[float]) -> str:
    return f"{statistics.median(samples):.2f} ({min(samples):.2f}-{max(samples):.2f})"


if __name__ == "__main__":
    sys.exit(main())
