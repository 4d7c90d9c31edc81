"""A screen model over recorded pty chunks (pyte), used after the fact, never in the reader thread.

Optional: without pyte the figures that need to know *what* changed on screen
are reported as None.
"""

from __future__ import annotations

from typing import Any

try:
    import pyte
except ImportError:  # pragma: no cover
    pyte = None


def available() -> bool:
    return pyte is not None


class Screen:
    def __init__(self, cols: int, rows: int) -> None:
        assert pyte is not None
        self.cols, self.rows = cols, rows
        self.screen = pyte.Screen(cols, rows)
        self.stream = pyte.ByteStream(self.screen)
        self.fed = 0  # chunks fed so far

    def feed_until(self, chunks: list[tuple[float, bytes]], t: float) -> None:
        """Feed every recorded chunk with a timestamp < t."""
        i = self.fed
        n = len(chunks)
        while i < n and chunks[i][0] < t:
            self.stream.feed(chunks[i][1])
            i += 1
        self.fed = i

    def feed_next(self, chunks: list[tuple[float, bytes]]) -> float | None:
        """Feed one more chunk; its timestamp, or None when there is none."""
        if self.fed >= len(chunks):
            return None
        t, data = chunks[self.fed]
        self.stream.feed(data)
        self.fed += 1
        return t

    def lines(self) -> list[str]:
        return list(self.screen.display)

    def styled(self) -> list[tuple[Any, ...]]:
        """Each line as (char, fg, bg, bold, reverse, ...) cells: a style change is a change too."""
        cols = self.cols
        out = []
        buf = self.screen.buffer
        for y in range(self.rows):
            line = buf[y]
            out.append(tuple(line[x] for x in range(cols)))
        return out


def changed_lines(a: list[tuple[Any, ...]], b: list[tuple[Any, ...]]) -> int:
    return sum(1 for x, y in zip(a, b, strict=True) if x != y)


def bursts(
    chunks: list[tuple[float, bytes]], t0: float, t1: float, gap: float = 0.01
) -> list[tuple[int, int, int]]:
    """Indexes [start, end) and byte counts of groups of chunks closer than `gap` s, in [t0, t1)."""
    out: list[tuple[int, int, int]] = []
    start = None
    last = 0.0
    size = 0
    for i, (t, data) in enumerate(chunks):
        if t < t0:
            continue
        if t >= t1:
            break
        if start is None:
            start, size = i, len(data)
        elif t - last > gap:
            out.append((start, i, size))
            start, size = i, len(data)
        else:
            size += len(data)
        last = t
    if start is not None:
        end = start
        while end < len(chunks) and chunks[end][0] < t1:
            end += 1
        out.append((start, end, size))
    return out


def frame_stats(
    chunks: list[tuple[float, bytes]], t0: float, t1: float, cols: int, rows: int
) -> dict[str, Any] | None:
    """Replay up to t0, then per output burst in [t0, t1): bytes, lines changed (text or style).

    Returns bytes, bursts, changed_lines, wasted_bytes (bursts that changed nothing),
    bytes_per_changed_line, max_burst.
    """
    if pyte is None:
        return None
    scr = Screen(cols, rows)
    scr.feed_until(chunks, t0)
    before = scr.styled()
    total = changed = wasted = biggest = 0
    groups = bursts(chunks, t0, t1)
    for start, end, size in groups:
        for i in range(start, end):
            scr.stream.feed(chunks[i][1])
        scr.fed = end
        after = scr.styled()
        n = changed_lines(before, after)
        total += size
        changed += n
        biggest = max(biggest, size)
        if n == 0:
            wasted += size
        before = after
    return {
        "bytes": total,
        "bursts": len(groups),
        "changed_lines": changed,
        "wasted_bytes": wasted,
        "bytes_per_changed_line": round(total / changed, 1) if changed else None,
        "max_burst": biggest,
    }


def table_rows(lines: list[str]) -> tuple[int, dict[str, tuple[int, int]]] | None:
    """Find the run table's header line; (its y, {title: (x0, x1)}) from the column titles."""
    titles = ("STATUS", "WORKFLOW", "ID", "PROFILE", "CREATED")
    for y, line in enumerate(lines):
        if all(f" {t}" in line or line.lstrip().startswith(t) for t in titles[:3]) and "WORKFLOW" in line:
            pos = []
            for t in (
                "STATUS",
                "WORKFLOW",
                "ID",
                "PROFILE",
                "CREATED",
                "DURATION",
                "COST",
                "PROVIDER",
                "UPDATED",
            ):
                x = line.find(t if t != "ID" else " ID ")
                if x >= 0:
                    pos.append((x + (1 if t == "ID" else 0), t))
            pos.sort()
            cols = {t: (x, pos[i + 1][0] if i + 1 < len(pos) else len(line)) for i, (x, t) in enumerate(pos)}
            return y, cols
    return None
