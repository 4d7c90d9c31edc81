"""How fast this machine ran plain Python during the benchmark.

The figures come from a shared 2-core machine whose speed drifts by 2x from one hour to
the next (the same build's first rows went 0.26 -> 0.44 s, a bare loop 0.73 -> 1.6 s).
Ratios to the floor cancel part of that, CPU per tick does not: each run says how fast
the machine was at its start and at its end, so two runs are compared knowing that.
"""

from __future__ import annotations

import statistics
import time

LOOP = 2_000_000  # additions per probe: ~75 ms on a fast day here
PROBES = 5


def python_loop_ms() -> float:
    """Median CPU milliseconds of LOOP integer additions (a pure-interpreter workload)."""
    times: list[float] = []
    for _ in range(PROBES):
        start = time.process_time()
        total = 0
        for i in range(LOOP):
            total += i
        times.append((time.process_time() - start) * 1000)
    return round(statistics.median(times), 1)
