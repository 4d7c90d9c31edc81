"""`runtui runs wait` started while the server fails now and then: the first reads of the
waited runs ride it out as the waiting itself does, not exit 1 ("a run failed")."""

from __future__ import annotations

import subprocess
import sys

from .conftest import SimFactory


def test_wait_rides_out_a_failing_first_read(sims: SimFactory) -> None:
    sim = sims(speed=1e-9, runs=15, refresh=0.2)
    run_id = sim.subject("edges", "SUCCEEDED")
    sim.faults(1.0, ["500"])
    proc = subprocess.Popen(
        [sys.executable, "-m", "runtui", "--config", str(sim.config_path), "runs", "wait", run_id,
         "-p", "edges-sim", "--timeout", "60"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        said = proc.stderr.readline()  # blocks until the command reports the failed read
        assert "500" in said, said
        sim.faults(0.0)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0, said + err
    assert "1 of 1 runs succeeded" in out
