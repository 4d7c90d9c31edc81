"""The log view's figures, side by side with Textual's own `Log` and `RichLog` fed the same lines.

    python -m bench.logs            # 1,000,000 lines; the follow window 10 s
    python -m bench.logs --quick    # 200,000 lines; the follow window 5 s

In-process parts (each in a fresh subprocess, so RSS deltas are clean) run the
widgets headless (`App.run_test`) and time what a user waits for: the first
screen once a million lines have arrived, a page of scrolling, a search over all
lines, and the memory each line costs. The follow part starts a real process
under a pty (bench/term.py) that appends 1,000 lines a second to a followed run
and measures its CPU and the bytes it writes per newly visible line, then covers
the log with another screen and counts what is written while it is hidden.
Figures are printed with the targets of the logs issue; nothing is asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"first_screen_s": 0.3, "page_ms": 10.0, "search_ms": 150.0, "bytes_per_line": 150.0,
           "follow_cpu_pct": 5.0, "bytes_per_visible_line": 300.0, "hidden_bytes": 0.0}
SOURCES = ["flow", "fetch-invoices", "match-payments", "push-ledger", "notify", "load-csv",
           "enrich-rows", "export"]
PAGE = 200  # lines per read (Prefect's page)
WORDS = ["invoice", "payment", "batch", "ledger", "retry", "customer", "export", "row", "status",
         "timeout", "page", "cursor", "matched", "pushed", "queued", "skipped"]


def make_lines(count: int, start: int = 0) -> list[Any]:
    """`count` log lines like a busy flow writes: 40-110 characters, four levels, eight sources."""
    from runtui.model import LogEvent, LogLevel

    levels = (LogLevel.INFO, LogLevel.INFO, LogLevel.INFO, LogLevel.DEBUG, LogLevel.WARNING,
              LogLevel.INFO, LogLevel.INFO, LogLevel.ERROR)
    t0 = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
    lines = []
    for n in range(start, start + count):
        words = " ".join(WORDS[(n * 7 + k * 3) % len(WORDS)] for k in range(6 + n % 10))
        message = f"step {n % 997}: {words} id={n:08d}"
        lines.append(LogEvent(id=str(n), time=t0 + timedelta(milliseconds=n), level=levels[n % 8],
                              message=message, source=SOURCES[n % 8]))
    return lines


def rss_kb() -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


# ---- one measurement per subprocess ---------------------------------------------------------


def page_figures(widget: Any, page_down: Callable[[], object], pages: int = 200) -> dict[str, float]:
    """Median and p95 of one page down and the rendering of the page it shows."""
    widget.scroll_to(y=0, animate=False, immediate=True)
    height = widget.scrollable_content_region.height
    samples = []
    for _ in range(pages):
        t0 = time.perf_counter()
        page_down()
        for y in range(height):
            widget.render_line(y)
        samples.append(time.perf_counter() - t0)
    samples.sort()
    return {"page_ms": samples[len(samples) // 2] * 1000,
            "page_ms_p95": samples[int(len(samples) * 0.95)] * 1000}


async def measure_runtui(count: int) -> dict[str, float]:
    """runtui's LogView: the buffer and rows are built as the follower builds them."""
    from textual.app import App, ComposeResult

    from runtui.engine.logs import LogBuffer
    from runtui.tui.widgets.log_rows import LogRows
    from runtui.tui.widgets.log_view import LogView

    gc.collect()
    before = rss_kb()
    buffer = LogBuffer(max_lines=max(count, 1))
    for start in range(0, count, PAGE):  # as the follower adds them: a page per read
        buffer.add(make_lines(min(PAGE, count - start), start))
    rows = LogRows(buffer.lines)

    class Bench(App[None]):
        def compose(self) -> ComposeResult:
            yield LogView(rows)

    out: dict[str, float] = {}
    app = Bench()
    async with app.run_test(size=(200, 50)) as pilot:
        view = app.query_one(LogView)
        t0 = time.perf_counter()
        view.lines_changed(buffer.dropped)  # a million lines have arrived: place them, follow
        height = view.scrollable_content_region.height
        for y in range(height):
            view.render_line(y)
        out["first_screen_s"] = time.perf_counter() - t0
        await pilot.pause()
        gc.collect()
        out["bytes_per_line"] = (rss_kb() - before) * 1024 / count
        out |= page_figures(view, lambda: view.action_page(1))
        t0 = time.perf_counter()
        found = rows.search("id=00123")
        out["search_ms"] = (time.perf_counter() - t0) * 1000
        out["search_found"] = found
    return out


async def measure_peer(kind: str, count: int) -> dict[str, float]:
    """Textual's `Log` (write_lines) or `RichLog` (write per line) fed the same lines as text."""
    from textual.app import App, ComposeResult
    from textual.widgets import Log, RichLog

    gc.collect()
    before = rss_kb()  # the texts count: the widget keeps them
    texts = [f"{line.time:%H:%M:%S} {line.level.name:<7} {line.source} {line.message}"
             for line in make_lines(count)]

    class Bench(App[None]):
        def compose(self) -> ComposeResult:
            yield Log(max_lines=None) if kind == "Log" else RichLog(max_lines=None)

    out: dict[str, float] = {}
    app = Bench()
    async with app.run_test(size=(200, 50)) as pilot:
        widget = app.query_one(Log if kind == "Log" else RichLog)
        t0 = time.perf_counter()
        if isinstance(widget, Log):
            widget.write_lines(texts)
        else:
            for text in texts:
                widget.write(text)
        height = widget.scrollable_content_region.height
        for y in range(height):
            widget.render_line(y)
        out["first_screen_s"] = time.perf_counter() - t0
        await pilot.pause()
        del texts
        gc.collect()
        out["bytes_per_line"] = (rss_kb() - before) * 1024 / count
        out |= page_figures(widget, lambda: widget.scroll_to(
            y=widget.scroll_offset.y + height, animate=False, immediate=True))
    return out


def child(kind: str, count: int) -> None:
    result = asyncio.run(measure_runtui(count) if kind == "runtui" else measure_peer(kind, count))
    print(json.dumps(result))


def run_child(kind: str, count: int, timeout: float) -> dict[str, Any]:
    started = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-m", "bench.logs", "--child", kind, "--lines", str(count)],
                              cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"gave up after {timeout:.0f} s"}
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall_s"] = time.perf_counter() - started
    return result


# ---- following a run that writes 1,000 lines a second, in a real process under a pty -------


def follow(window: float) -> dict[str, float]:
    from bench.term import PtyProcess

    env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor",
           "PYTHONPATH": str(ROOT)}
    proc = PtyProcess([sys.executable, "-m", "bench.log_feed_app"], env=env, cols=200, rows=50,
                      markers=[b"lines/s"])
    try:
        if proc.wait_marker(b"lines/s", 30) is None:
            return {"error": 1.0}
        time.sleep(3)  # the first second's catch-up is not the steady state
        cpu0, t0 = proc.cpu(), time.perf_counter()
        time.sleep(window)
        cpu1, t1 = proc.cpu(), time.perf_counter()
        written = proc.bytes_between(t0, t1)
        visible_rows = 50 - 4  # title, status, footer (no note for real logs)
        new_visible = min(1000 * (t1 - t0), visible_rows * (t1 - t0))  # ≤ one screenful per read
        proc.send(b"h")  # cover the log with another screen
        time.sleep(1.5)
        h0 = time.perf_counter()
        time.sleep(window / 2)
        hidden = proc.bytes_between(h0, time.perf_counter())
        return {"follow_cpu_pct": (cpu1 - cpu0) / (t1 - t0) * 100,
                "bytes_written_per_s": written / (t1 - t0),
                "bytes_per_visible_line": written / max(1.0, new_visible),
                "bytes_per_new_line": written / (1000 * (t1 - t0)),
                "hidden_bytes": float(hidden)}
    finally:
        proc.stop()


# ---- the table ----------------------------------------------------------------------------


def row(name: str, key: str, results: dict[str, dict[str, Any]], unit: str, scale: float = 1.0) -> str:
    cells = []
    for kind in ("runtui", "Log", "RichLog"):
        value = results.get(kind, {}).get(key)
        cells.append("n/a" if value is None else f"{value * scale:,.1f}{unit}")
    target = TARGETS.get(key)
    ours = results.get("runtui", {}).get(key)
    verdict = "" if target is None or ours is None else ("ok" if ours * scale <= target * scale else "MISS")
    goal = "" if target is None else f"≤ {target * scale:g}{unit}"
    return f"{name:<28} {cells[0]:>14} {cells[1]:>14} {cells[2]:>14} {goal:>12} {verdict}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.logs", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="200k lines, a 5 s follow window")
    parser.add_argument("--lines", type=int, default=None)
    parser.add_argument("--peer-lines", type=int, default=None,
                        help="lines for RichLog (it renders each write; default 100k)")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--skip", default="", help="comma-separated: peers,follow")
    args = parser.parse_args(argv)
    count = args.lines or (200_000 if args.quick else 1_000_000)
    if args.child:
        child(args.child, count)
        return 0
    skip = set(filter(None, args.skip.split(",")))
    peer_count = args.peer_lines or min(count, 100_000)
    results: dict[str, dict[str, Any]] = {}
    print(f"runtui log view: {count:,} lines ...", file=sys.stderr)
    results["runtui"] = run_child("runtui", count, 600)
    if "peers" not in skip:
        print(f"Textual Log: {count:,} lines ...", file=sys.stderr)
        results["Log"] = run_child("Log", count, 600)
        print(f"Textual RichLog: {peer_count:,} lines ...", file=sys.stderr)
        results["RichLog"] = run_child("RichLog", peer_count, 600)
    if "follow" not in skip:
        print("following 1,000 lines/s ...", file=sys.stderr)
        results["runtui"].update(follow(5.0 if args.quick else 10.0))
    print(f"\n{'':<28} {'runtui':>14} {'Textual Log':>14} {'RichLog':>14} {'target':>12}")
    print(f"{'lines':<28} {count:>14,} {count:>14,} {peer_count:>14,}")
    print(row("first screen", "first_screen_s", results, " s"))
    print(row("page down (median)", "page_ms", results, " ms"))
    print(row("page down (p95)", "page_ms_p95", results, " ms"))
    print(row("search all lines", "search_ms", results, " ms"))
    print(row("RSS per line", "bytes_per_line", results, " B"))
    print(row("follow 1k lines/s: CPU", "follow_cpu_pct", results, " %"))
    print(row("  bytes per visible line", "bytes_per_visible_line", results, " B"))
    print(row("  bytes per new line", "bytes_per_new_line", results, " B"))
    print(row("  bytes while hidden", "hidden_bytes", results, " B"))
    errors = {k: v["error"] for k, v in results.items() if "error" in v}
    if errors:
        print(f"errors: {errors}")
    print(json.dumps({"lines": count, "peer_lines": peer_count, "results": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
