"""The tools users would pick instead, measured in the same run as the main benchmark.

`python -m bench --peers` runs the three peer comparisons as child processes (each
already a benchmark of its own) and prints their figures in one table with ratios:

* `runtui runs list` against `prefect flow-run ls` on one real Prefect server with
  200 and 2,000 flow runs (bench/peers.py: whole processes, median of 5);
* `runtui runs wait` on 100 runs against one GET per run per tick (bench/wait.py, the
  polling `gh run watch`-style watchers do);
* the log view against Textual's `Log` and `RichLog` (bench/logs.py).

Each child prints one JSON line last; a child that fails is reported, not fatal.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _child(module: str, args: list[str], timeout: float) -> dict[str, Any]:
    try:
        done = subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True,
                              text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"{module} took over {timeout:.0f} s"}
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = (done.stderr or done.stdout)[-400:].strip().replace("\n", " | ")
        return {"error": f"{module} exited {done.returncode}: {tail}"}
    found: dict[str, Any] = json.loads(lines[-1])
    return found


def measure(quick: bool) -> dict[str, Any]:
    """Every peer comparison; quick: fewer repeats and shorter windows."""
    repeat = "3" if quick else "5"
    return {
        "prefect": _child("bench.peers", ["--sizes", "200,2000", "--repeat", repeat], 1200),
        "wait": _child("bench.wait", ["--seconds", "10" if quick else "20", "--repeat", repeat], 900),
        "logs": _child("bench.logs", ["--quick"] if quick else [], 1800),
    }


def _spread(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s ({min(values):.2f}-{max(values):.2f})"


def rows(found: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(figure, runtui, the peer, ratio) lines for the table."""
    out: list[tuple[str, str, str, str]] = []
    prefect = found.get("prefect", {})
    if "error" in prefect:
        out.append(("runs list vs prefect flow-run ls", "-", "-", prefect["error"][:60]))
    for row in prefect.get("peers", []):
        ours, theirs = row.get("runtui") or [], row.get("prefect") or []
        if ours and theirs:
            ratio = statistics.median(theirs) / statistics.median(ours)
            out.append((f"list {row['limit']:,} of {row['runs']:,} Prefect flow runs", _spread(ours),
                        f"prefect flow-run ls {_spread(theirs)}", f"{ratio:.1f}x faster"))
        if row.get("runtui_all"):
            out.append((f"list all {row['runs']:,}", _spread(row["runtui_all"]),
                        "prefect flow-run ls: refused (limit <= 200)", "-"))
    wait = found.get("wait", {})
    if "error" in wait:
        out.append(("runs wait vs per-run polling", "-", "-", wait["error"][:60]))
    elif wait:
        ours, naive = wait["runtui"], wait["naive"]
        out.append((f"runs wait on {wait['waited']} runs, {wait['seconds']:g} s (requests)",
                    f"{statistics.median(ours):g} ({min(ours)}-{max(ours)})",
                    f"one GET per run per tick {statistics.median(naive):g}", f"{wait['ratio']}x fewer"))
    logs = found.get("logs", {})
    if "error" in logs:
        out.append(("log view vs Log / RichLog", "-", "-", logs["error"][:60]))
    for key, label, unit in (("first_screen_s", "first screen", " s"), ("page_ms", "page down", " ms"),
                             ("bytes_per_line", "RSS per line", " B")):
        results = logs.get("results", {})
        ours = results.get("runtui", {}).get(key)
        log_peer = results.get("Log", {}).get(key)
        rich = results.get("RichLog", {}).get(key)
        if ours is None:
            continue
        ratio = f"{log_peer / ours:.1f}x vs Log" if log_peer and ours else "-"
        peer_lines = f"{logs.get('peer_lines', 0):,}"
        theirs = (f"Log {_figure(log_peer)}{unit}, RichLog {_figure(rich)}{unit} ({peer_lines} lines)"
                  if log_peer is not None and rich is not None else "-")
        figure = f"log view, {logs.get('lines', 0):,} lines: {label}"
        out.append((figure, f"{_figure(ours)}{unit}", theirs, ratio))
    return out


def _figure(value: float) -> str:
    """Three significant digits, never in exponent form (5,190 B, not 5.19e+03 B)."""
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.3g}"


def print_rows(found: dict[str, Any]) -> None:
    print("\nside by side with the tools users would pick instead (same run, same machine):")
    for figure, ours, theirs, ratio in rows(found):
        print(f"  {figure:44} runtui {ours:24} {theirs:52} {ratio}")
