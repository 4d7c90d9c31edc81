"""A real Prefect 3 server + process worker on 127.0.0.1, shared by the whole session.

Steps (each bounded, everything in one temp dir, no network beyond loopback):
1. a migrated SQLite DB is copied from a template kept in pytest's cache dir
   (built once per Prefect version with `prefect server database upgrade`; saves ~10 s);
2. `prefect server start` on a free port, UI/analytics/scheduler off; wait for /api/health;
3. `prefect worker start --type process` (it creates the work pool), polling every 1 s;
4. flows and deployments registered over REST for a small flow file written here
   (pull step `set_working_directory`, so no storage or docker is involved);
5. teardown: the worker (and the flow-run processes it spawned) first, then the server.

When Prefect is not installed or the server does not come up within 90 s, every test
that uses the fixture is skipped with the reason and the server log's tail.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.cli_result import CliResult, invoke

START_TIMEOUT = 90.0
POOL = "runtui-test-pool"
PROFILE = "prefect"

FLOWS_PY = textwrap.dedent(
    '''
    import time

    from prefect import flow, task
    from prefect.flow_runs import pause_flow_run
    from prefect.input import RunInput


    class Approval(RunInput):
        region: str
        cap: int = 100


    @task
    def step(i: int) -> int:
        time.sleep(0.2)
        return i * 2


    @flow(log_prints=True)
    def quick(n: int = 2) -> int:
        return sum(step(i) for i in range(n))


    @flow(log_prints=True)
    def slow(seconds: int = 120) -> str:
        for _ in range(seconds):
            time.sleep(1)
        return "slow done"


    @flow(log_prints=True)
    def pauser(timeout: int = 300) -> str:
        pause_flow_run(timeout=timeout, poll_interval=1)
        return "resumed"


    @flow(log_prints=True)
    def asker() -> str:
        answer = pause_flow_run(wait_for_input=Approval, timeout=300, poll_interval=1)
        return f"{answer.region}:{answer.cap}"


    @task
    def chatty(i: int) -> int:
        from prefect import get_run_logger
        get_run_logger().warning("task says warning %d", i)
        return i


    @flow(log_prints=True)
    def talker(lines: int = 3) -> str:
        from prefect import get_run_logger
        logger = get_run_logger()
        logger.debug("talker debug line")
        for i in range(lines):
            logger.info("talker info %d", i)
        chatty(7)
        logger.error("talker error line")
        logger.info("hostile \x1b]52;c;Zm9v\x07 tail")
        return "talked"


    @flow(log_prints=True)
    def failer() -> None:
        raise RuntimeError("boom from the failer flow")


    @flow
    def ticker(seconds: int = 60) -> str:
        from prefect import get_run_logger
        logger = get_run_logger()
        for i in range(seconds * 2):
            logger.info("tick %d", i)
            time.sleep(0.5)
        return "ticked"
    '''
).lstrip()


def _int_param(name: str, default: int) -> dict[str, Any]:
    return {"title": name, "type": "integer", "position": 0, "default": default}


DEPLOYMENTS: dict[str, dict[str, Any]] = {
    "quick": {"n": _int_param("n", 2)},
    "slow": {"seconds": _int_param("seconds", 120)},
    "pauser": {"timeout": _int_param("timeout", 300)},
    "failer": {},
    "asker": {},
    "talker": {"lines": _int_param("lines", 3)},
    "ticker": {"seconds": _int_param("seconds", 60)},  # logs twice a second, starts no task
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (the worker runs each flow in a child process)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    out: list[int] = []
    stack = [pid]
    while stack:
        for kid in children.get(stack.pop(), []):
            out.append(kid)
            stack.append(kid)
    return out


def stop_tree(proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """SIGTERM the process and its descendants (all started by this fixture), then SIGKILL."""
    if proc.poll() is not None:
        return
    pids = [proc.pid, *descendants(proc.pid)]
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=timeout)
    for pid in [proc.pid, *descendants(proc.pid), *pids]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)


@dataclass
class PrefectServer:
    api_url: str
    tmp: Path
    config_path: Path
    deployments: dict[str, str]
    timings: dict[str, float] = field(default_factory=dict)

    # ---- Prefect's own REST API: the ground truth the tests check against ------------

    def call(self, method: str, path: str, body: Any = None, tries: int = 5) -> Any:
        """One request; 503 (SQLite busy) is retried as Prefect's own client does."""
        for attempt in range(tries):
            response = httpx.request(method, self.api_url + path, json=body, timeout=15)
            if response.status_code == 503 and attempt < tries - 1:
                time.sleep(0.3 * (attempt + 1))
                continue
            response.raise_for_status()
            return response.json()
        raise AssertionError("unreachable")

    def delete(self, path: str, tries: int = 5) -> None:
        """DELETE, retried on 503 (SQLite busy) like `call`: a test's clean-up must not fail
        because the server's database was locked for a moment."""
        for attempt in range(tries):
            response = httpx.delete(self.api_url + path, timeout=15)
            if response.status_code == 503 and attempt < tries - 1:
                time.sleep(0.3 * (attempt + 1))
                continue
            response.raise_for_status()
            return

    def flow_run(self, run_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self.call("GET", f"/flow_runs/{run_id}")
        return result

    def create_run(self, name: str, parameters: dict[str, Any] | None = None,
                   state: dict[str, Any] | None = None) -> str:
        body: dict[str, Any] = {"parameters": parameters or {}}
        if state is not None:
            body["state"] = state
        created = self.call("POST", f"/deployments/{self.deployments[name]}/create_flow_run", body)
        return str(created["id"])

    def wait_for(self, run_id: str, predicate: Callable[[dict[str, Any]], bool], what: str,
                 timeout: float = 60.0) -> dict[str, Any]:
        """Poll the run until `predicate` holds; fail with the last state seen."""
        deadline = time.monotonic() + timeout
        run = self.flow_run(run_id)
        while not predicate(run):
            if time.monotonic() > deadline:
                raise AssertionError(f"flow run {run_id} not {what} within {timeout:.0f}s: "
                                     f"{run['state_type']}/{run['state_name']} {run['state']['message']!r}")
            time.sleep(0.2)
            run = self.flow_run(run_id)
        return run

    def wait_type(self, run_id: str, *types: str, timeout: float = 60.0) -> dict[str, Any]:
        return self.wait_for(run_id, lambda r: r["state_type"] in types, "/".join(types), timeout)

    def states(self, run_id: str) -> list[tuple[str, str]]:
        return [(s["type"], s["name"]) for s in self.call("GET", f"/flow_run_states/?flow_run_id={run_id}")]

    # ---- runtui's CLI ----------------------------------------------------------------

    def cli(self, *args: str) -> CliResult:
        result = self._cli(*args)
        for wait in (0.5, 2.0):
            if not (result.code == 1 and "HTTP 503" in (result.err + result.out)
                    and args[:1] in (("runs",), ("attention",), ("workflows",))):
                break
            # Prefect's SQLite answers 503 "database is locked" now and then (twice in
            # a row on a busy 2-core CI), before committing. runtui never resends an
            # action by itself; like a person reading that message, the test waits a
            # moment and asks again.
            time.sleep(wait)
            result = self._cli(*args)
        return result

    def _cli(self, *args: str) -> CliResult:
        return invoke(self.config_path, *args)


def _prefect_exe() -> Path | None:
    here = Path(sys.executable).parent / "prefect"
    if here.exists():
        return here
    found = shutil.which("prefect")
    return Path(found) if found else None


def _prefect_version() -> str:
    from importlib.metadata import version

    return version("prefect")


def _base_env(tmp: Path, api_url: str | None, db: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update({
        "PREFECT_HOME": str(tmp / "home"),
        "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{db}",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_SERVER_UI_ENABLED": "false",
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_CLIENT_SERVER_VERSION_CHECK_ENABLED": "false",
        "PREFECT_TELEMETRY_ENABLE_RESOURCE_METRICS": "false",
        "PREFECT_CLOUD_ENABLE_ORCHESTRATION_TELEMETRY": "false",
        "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",  # no cron schedules here
        "PREFECT_WORKER_QUERY_SECONDS": "1",
        "PREFECT_WORKER_HEARTBEAT_SECONDS": "5",
        "PREFECT_API_LOG_RETRYABLE_ERRORS": "true",  # log the cause of any 503 in server.log
        "PYTHONUNBUFFERED": "1",
    })
    if api_url is not None:
        env["PREFECT_API_URL"] = api_url
    return env


def _template_db(cache_dir: Path, exe: Path, tmp: Path) -> Path | None:
    """A migrated, empty SQLite DB for this Prefect version (None: let the server migrate)."""
    template = cache_dir / f"prefect-{_prefect_version()}.db"
    if template.exists():
        return template
    scratch = tmp / "template.db"
    try:
        subprocess.run([str(exe), "server", "database", "upgrade", "-y"],
                       env=_base_env(tmp, None, scratch), cwd=tmp, check=True,
                       capture_output=True, timeout=120)
    except (subprocess.SubprocessError, OSError):
        return None
    for suffix in ("-wal", "-shm"):
        Path(f"{scratch}{suffix}").unlink(missing_ok=True)
    partial = template.with_suffix(".partial")
    shutil.copy(scratch, partial)
    partial.replace(template)
    return template


def _log_tail(path: Path, chars: int = 2500) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError:
        return "(no log)"


@pytest.fixture(scope="session")
def prefect_server(request: pytest.FixtureRequest) -> Iterator[PrefectServer]:
    if importlib.util.find_spec("prefect") is None:
        pytest.skip("prefect is not installed (pip install -e '.[test]' pulls prefect==3.8.8)")
    exe = _prefect_exe()
    if exe is None:
        pytest.skip(f"prefect is importable but no `prefect` executable next to {sys.executable}")
    t0 = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="runtui-prefect-"))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        yield _start(request, exe, tmp, procs, t0)
    finally:
        for proc in reversed(procs):  # the worker (and its flow runs) before the server
            stop_tree(proc)
        if os.environ.get("RUNTUI_KEEP_PREFECT_TMP") != "1":
            shutil.rmtree(tmp, ignore_errors=True)


def _start(request: pytest.FixtureRequest, exe: Path, tmp: Path,
           procs: list[subprocess.Popen[bytes]], t0: float) -> PrefectServer:
    timings: dict[str, float] = {}
    cache = getattr(request.config, "cache", None)  # absent with -p no:cacheprovider
    cache_dir = Path(str(cache.mkdir("prefect-server"))) if cache is not None else tmp
    db = tmp / "prefect.db"
    template = _template_db(cache_dir, exe, tmp)
    if template is not None:
        shutil.copy(template, db)
    timings["db_ready"] = time.monotonic() - t0

    port = free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    env = _base_env(tmp, api_url, db)
    flows_dir = tmp / "flows"
    flows_dir.mkdir()
    (flows_dir / "runtui_test_flows.py").write_text(FLOWS_PY)

    def spawn(name: str, argv: list[str]) -> subprocess.Popen[bytes]:
        with open(tmp / f"{name}.log", "wb") as log:
            proc = subprocess.Popen(argv, env=env, cwd=tmp, stdout=log, stderr=subprocess.STDOUT,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
        procs.append(proc)
        return proc

    server = spawn("server", [str(exe), "server", "start", "--host", "127.0.0.1", "--port", str(port)])
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if server.poll() is not None:
            pytest.skip(f"prefect server exited with {server.returncode}:\n{_log_tail(tmp / 'server.log')}")
        try:
            if httpx.get(api_url + "/health", timeout=2).json() is True:
                break
        except (httpx.HTTPError, ValueError):
            pass
        if time.monotonic() > deadline:
            pytest.skip(f"prefect server not healthy within {START_TIMEOUT:.0f}s:\n"
                        f"{_log_tail(tmp / 'server.log')}")
        time.sleep(0.1)
    timings["server_healthy"] = time.monotonic() - t0

    worker = spawn("worker", [str(exe), "worker", "start", "--pool", POOL, "--type", "process",
                              "--name", "runtui-test-worker"])
    while True:
        if worker.poll() is not None:
            pytest.skip(f"prefect worker exited with {worker.returncode}:\n{_log_tail(tmp / 'worker.log')}")
        response = httpx.post(f"{api_url}/work_pools/{POOL}/workers/filter", json={}, timeout=5)
        if response.status_code == 200 and any(w["status"] == "ONLINE" for w in response.json()):
            break
        if time.monotonic() > deadline:
            pytest.skip(f"prefect worker not online within {START_TIMEOUT:.0f}s:\n"
                        f"{_log_tail(tmp / 'worker.log')}")
        time.sleep(0.2)
    timings["worker_online"] = time.monotonic() - t0

    srv = PrefectServer(api_url=api_url, tmp=tmp, config_path=tmp / "runtui.toml", deployments={},
                        timings=timings)
    workdir = {"prefect.deployments.steps.set_working_directory": {"directory": str(flows_dir)}}
    for name, props in DEPLOYMENTS.items():
        flow = srv.call("POST", "/flows/", {"name": name})
        deployment = srv.call("POST", "/deployments/", {
            "name": f"{name}-dep",
            "flow_id": flow["id"],
            "work_pool_name": POOL,
            "entrypoint": f"runtui_test_flows.py:{name}",
            "pull_steps": [workdir],
            "parameter_openapi_schema": {"title": "Parameters", "type": "object", "properties": props},
            "enforce_parameter_schema": True,
            "parameters": {},
            "tags": ["runtui-test"],
        })
        srv.deployments[name] = deployment["id"]
    timings["deployments"] = time.monotonic() - t0

    srv.config_path.write_text(textwrap.dedent(f"""
        [defaults]
        refresh_seconds = 0.5
        finished_refresh_seconds = 5

        [profiles.{PROFILE}]
        provider = "prefect"
        base_url = "{api_url}"
    """))
    return srv
