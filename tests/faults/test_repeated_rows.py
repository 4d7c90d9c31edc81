"""A list page that names a run twice (offset paging while runs start, or a proxy's repeat):
the command line lists it once, as the TUI's store does."""

from __future__ import annotations

from collections import Counter

from .conftest import SimFactory, run_cli


def test_runs_list_names_a_run_a_page_repeats_once(sims: SimFactory) -> None:
    sim = sims(speed=1e-9, runs=30, faults=1.0, fault_kinds=("duplicate",))
    result = run_cli(sim.config_path, "runs", "list", "--json")
    assert result.code == 0, result.err
    ids = Counter((r["profile"], r["id"]) for r in result.json())
    assert ids and all(n == 1 for n in ids.values()), [k for k, n in ids.items() if n > 1]

