"""Tables count terminal columns, not characters: a wide character takes two."""

from __future__ import annotations

from rich.cells import cell_len

from runtui.cli_table import Column, render

COLUMNS = (Column("WORKFLOW", cut=True), Column("ID"))


def test_a_wide_workflow_name_keeps_the_next_column_in_line() -> None:
    out = render([["請求書の照合", "a1"], ["invoice", "b2"]], COLUMNS, None).splitlines()
    # "a1" and "b2" start in the same terminal column as the header's "ID"
    tokens = ("ID", "a1", "b2")
    starts = {cell_len(line[: line.index(token)]) for line, token in zip(out, tokens, strict=True)}
    assert len(starts) == 1


def test_a_wide_name_is_cut_to_the_width_in_columns_and_ids_stay_whole() -> None:
    out = render([["請求書の照合をする長いワークフロー", "run_0123456789"]], COLUMNS, 30).splitlines()
    assert all(cell_len(line) <= 30 for line in out)
    assert out[1].endswith("run_0123456789") and "…" in out[1]
