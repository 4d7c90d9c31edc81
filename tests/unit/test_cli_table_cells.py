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


def test_runs_diff_keeps_each_80_column_line_whole() -> None:
    """`runs diff` in an 80-column terminal: a CJK value cut at 60 characters was ~25
    columns too wide, so the terminal wrapped it and B began mid-line."""
    from runtui.cli_output import cell
    from runtui.cli_workflows import DIFF_COLUMNS, _value

    conclusion = ("## リード選別エージェント👩\u200d💻審査フロー\n\n"
                  "Process the new batch for スターク・インダストリーズ")
    rows = [["≠", "outputs[0].conclusion.conclusion", _value(conclusion), _value(conclusion + " and more")],
            ["≠", "steps.見込み客リサーチャー🔎.duration_s", _value(12.1), _value(32.7)],
            ["", "status", _value("succeeded"), _value("succeeded")]]
    out = render([[cell(v) for v in row] for row in rows], DIFF_COLUMNS, 80).splitlines()
    assert all(cell_len(line) <= 80 for line in out), out
    assert out[1].startswith("≠  …].conclusion.conclusion  ## リード選別エージェン…  ## リード選別")
    assert out[1].endswith("…")
    assert out[2].split() == ["≠", "…サーチャー🔎.duration_s", "12.1", "32.7"]  # the path keeps its end
