"""A process under a pseudo-terminal, its output timestamped chunk by chunk, and /proc readings.

The reader thread does as little as possible: `os.read`, a timestamp, an append,
a `bytes.find` for the markers the benchmark waits for, and the answer a
modern terminal gives to Textual's one query (synchronized output, mode 2026).
Everything else (screen model, byte counts per window) is computed by the
caller from the recorded chunks.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import struct
import subprocess
import termios
import threading
import time
from collections.abc import Sequence

CLK_TCK = os.sysconf("SC_CLK_TCK")
SYNC_QUERY = b"\x1b[?2026$p"
SYNC_REPLY = b"\x1b[?2026;2$y"  # "supported, currently reset", as kitty / wezterm / foot / iTerm2 answer


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads), in seconds."""
    with open(f"/proc/{pid}/stat", "rb") as fh:
        data = fh.read()
    fields = data[data.rindex(b")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def status_kb(pid: int, key: str) -> int:
    """A `VmXXX:` figure of /proc/PID/status in kB (0 if absent)."""
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


class PtyProcess:
    """Start `argv` with stdin/stdout/stderr on a pty of `cols` x `rows`."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        env: dict[str, str],
        cols: int = 200,
        rows: int = 50,
        markers: Sequence[bytes] = (),
        answer_sync: bool = True,
    ) -> None:
        self.cols, self.rows = cols, rows
        self.chunks: list[tuple[float, bytes]] = []
        self.markers: dict[bytes, float | None] = {m: None for m in markers}
        self._tail = b""
        self._answer_sync = answer_sync
        self._lock = threading.Lock()
        self.last_chunk = 0.0
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.master = master
        self.t_start = time.perf_counter()
        self.proc = subprocess.Popen(
            list(argv),
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,
            close_fds=True,
        )
        os.close(slave)
        self.pid = self.proc.pid
        self._thread = threading.Thread(target=self._read, name="pty-reader", daemon=True)
        self._thread.start()

    # ---- the reader thread ---------------------------------------------------------------

    def _read(self) -> None:
        master = self.master
        chunks = self.chunks
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                return
            if not data:
                return
            now = time.perf_counter()
            chunks.append((now, data))
            self.last_chunk = now
            window = self._tail + data
            if self._answer_sync and SYNC_QUERY in window:
                self._answer_sync = False
                with contextlib.suppress(OSError):
                    os.write(master, SYNC_REPLY)
            for marker, seen in self.markers.items():
                if seen is None and marker in window:
                    self.markers[marker] = now
            self._tail = window[-256:]

    # ---- helpers for the caller ----------------------------------------------------------

    def watch(self, marker: bytes) -> None:
        """Start looking for a marker in output from now on."""
        self.markers.setdefault(marker, None)

    def wait_marker(self, marker: bytes, timeout: float) -> float | None:
        """Seconds since process start when `marker` first appeared (None on timeout)."""
        self.watch(marker)
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            seen = self.markers.get(marker)
            if seen is not None:
                return seen - self.t_start
            if self.proc.poll() is not None:
                return None
            time.sleep(0.005)
        return None

    def wait_quiet(self, quiet: float = 0.3, timeout: float = 30.0) -> bool:
        """Wait until no output came for `quiet` seconds."""
        deadline = time.perf_counter() + timeout
        while time.perf_counter() < deadline:
            if time.perf_counter() - max(self.last_chunk, self.t_start) >= quiet:
                return True
            time.sleep(0.01)
        return False

    def send(self, data: bytes) -> float:
        t = time.perf_counter()
        os.write(self.master, data)
        return t

    def key_latency(
        self, data: bytes, *, quiet: float = 0.05, timeout: float = 5.0
    ) -> tuple[float | None, float | None, int]:
        """Send a key; (first output, last output before `quiet` s of silence, bytes), seconds after send."""
        n0 = len(self.chunks)
        t0 = self.send(data)
        deadline = t0 + timeout
        first = None
        while time.perf_counter() < deadline:
            if first is None and len(self.chunks) > n0:
                first = self.chunks[n0][0]
            if first is not None and time.perf_counter() - self.last_chunk >= quiet:
                break
            time.sleep(0.002)
        if first is None:
            return None, None, 0
        burst = [c for c in self.chunks[n0:] if c[0] <= self.last_chunk]
        last = burst[-1][0]
        return first - t0, last - t0, sum(len(b) for _, b in burst)

    def bytes_between(self, t0: float, t1: float) -> int:
        return sum(len(b) for t, b in self.chunks if t0 <= t < t1)

    def cpu(self) -> float:
        return cpu_seconds(self.pid)

    def hwm_kb(self) -> int:
        return status_kb(self.pid, "VmHWM")

    def rss_kb(self) -> int:
        return status_kb(self.pid, "VmRSS")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                os.killpg(self.pid, signal.SIGKILL)
                self.proc.wait(5)
        with contextlib.suppress(OSError):
            os.close(self.master)
        self._thread.join(2)

    def text(self) -> str:
        """Everything written so far, decoded (for error messages)."""
        return b"".join(b for _, b in self.chunks).decode("utf-8", "replace")
