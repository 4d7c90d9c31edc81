"""Property: whatever a server sends, what a face renders holds no C0/C1 control, ESC,
DEL or bidi/invisible format character, and nothing is silently dropped."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runtui import display
from runtui.model import Run, Status
from runtui.safe_text import DANGEROUS, cells, clipped, clipped_start, copy_refusal, multi_line, one_line
from runtui.tui.widgets.columns import CELL_TEXT

# What shown text may drop: how wide an emoji is drawn (VS16, skin tones), not what it is.
EMOJI_PRESENTATION = frozenset("\ufe0f\u200d" + "".join(map(chr, range(0x1F3FB, 0x1F400))))
# Any text, with the dangerous characters drawn often.
HOSTILE = st.text(st.one_of(st.sampled_from(sorted(DANGEROUS)), st.characters()), max_size=60)


def _unsafe(text: str, allowed: str = "") -> list[str]:
    return [c for c in text if c not in allowed and (
        c in DANGEROUS or unicodedata.category(c) == "Cc"
        or unicodedata.bidirectional(c) in ("LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"))]


@given(HOSTILE)
def test_one_line_leaves_nothing_a_terminal_would_run(text: str) -> None:
    shown = one_line(text)
    assert not _unsafe(shown)
    kept = "".join(c for c in text if c not in EMOJI_PRESENTATION)
    assert len(shown) >= len(kept), "every character is kept, as itself or a visible stand-in"


@given(HOSTILE)
def test_multi_line_keeps_only_newlines_and_tabs(text: str) -> None:
    assert not _unsafe(multi_line(text), allowed="\n\t")


@given(HOSTILE, HOSTILE, HOSTILE)
def test_every_table_cell_is_harmless(name: str, run_id: str, raw: str) -> None:
    run = Run(profile="p", provider="edges", id=run_id or "x", status=Status.UNKNOWN, raw_status=raw,
              workflow_name=name)
    for key, text_of in CELL_TEXT.items():
        assert not _unsafe(text_of(run, datetime.now(UTC))), key
    assert not _unsafe(display.status_text(run)) and not _unsafe(display.short_id(run.id))


def test_known_attacks_become_visible() -> None:
    assert one_line("\x1b]52;c;Zm9v\x07") == "␛]52;c;Zm9v␇"
    assert one_line("a\u202eb") == "a\\u202eb"
    assert one_line("\x9b31m") == "\\x9b31m"
    assert multi_line("line\r\nnext\rover") == "line\nnext␍over"


def test_a_steps_output_is_shown_as_json_not_a_python_repr() -> None:
    from runtui.model import Step
    from runtui.tui.widgets.steps_tree import step_details

    step = Step(id="s1", name="trigger", status=Status.SUCCEEDED, output={"triggeredAt": "now", "ok": True})
    text = step_details(step, UTC, datetime.now(UTC)).plain
    assert 'output: {"triggeredAt": "now", "ok": true}' in text


@pytest.mark.parametrize("text", ["evil\x1b[201~\x15touch x\rid", "a\u202eb", "a\u200bb", "a\u00a0b",
                                  "a\nb", "a\tb", "a\x9bb", "a\u2066b"])
def test_copy_refusal_refuses_text_a_paste_would_not_keep(text: str) -> None:
    said = copy_refusal(text)
    assert said is not None and "invisible character" in said
    assert said == one_line(said), "the reason itself is harmless"


def test_copy_refusal_of_a_selection_keeps_its_lines_and_refuses_escapes() -> None:
    assert copy_refusal('{\n\t"a": 1\n}', lines=True) is None
    assert copy_refusal("a\u00a0b", lines=True) is None  # shown as it is: no control
    for bad in ("a\x1b[201~b", "a\rb", "a\u202eb", "a\x9bb"):
        assert copy_refusal(bad, lines=True) is not None, repr(bad)


@pytest.mark.parametrize("text", ["0c9b5ed1-4b1e-4c2d-9a7f-000000000001", "run_H363", "a b?c=d#e", "añ日本"])
def test_copy_refusal_lets_plain_ids_through(text: str) -> None:
    assert copy_refusal(text) is None


# Emoji sequences Rich and tmux measured differently (a row's later cells landed at the
# wrong column), and what they are shown as: emoji every terminal draws alike.
SEQUENCES = {
    "주간 KPI 요약 보고서 🧑🏽\u200d🚀": "주간 KPI 요약 보고서 🧑🚀",
    "每日资金再平衡✔️🏳️\u200d🌈": "每日资金再平衡✔🏳🌈",
    "✉️ mail": "✉ mail",
    "✍🏻 sign": "✍ sign",
    "👨\u200d👩\u200d👧\u200d👦 family": "👨👩👧👦 family",
}


@pytest.mark.parametrize(("raw", "shown"), SEQUENCES.items())
def test_emoji_sequences_are_shown_as_their_emoji(raw: str, shown: str) -> None:
    assert one_line(raw) == shown
    assert multi_line(raw + "\n" + raw) == shown + "\n" + shown


def test_a_joiner_that_joins_no_emoji_is_one_visible_cell_like_a_zero_width_space() -> None:
    assert one_line("Support\u200bTriage\u200d") == "Support◌Triage◌"
    assert cells(one_line("Support\u200bTriage")) == len("Support Triage")
    assert one_line("क्\u200dष") == "क्ष"  # shaping only: Rich counted the letter after it as no cell
    assert one_line("a\u202eb") == "a\\u202eb"  # what reorders text keeps its escape


def test_clipped_counts_cells_and_always_says_it_cut() -> None:
    value = "スターク・インダストリーズ"  # 26 cells in 13 characters
    assert clipped(value, 26) == value
    assert clipped(value, 22) == "スターク・インダスト…" and cells(clipped(value, 22)) <= 22
    assert clipped(value, 21) == "スターク・インダスト…"
    for width in range(1, 30):
        assert cells(clipped(value, width)) <= width
        assert cells(clipped_start(value, width)) <= width


def test_a_cut_never_leaves_half_a_flag() -> None:
    name = "請求書照合👨\u200d👩\u200d👧\u200d👦🇯🇵 Invoice"
    for width in range(1, 30):
        shown = clipped(name, width)
        assert shown.count("🇯") == shown.count("🇵"), shown
        assert shown == one_line(name) or shown.endswith("…")


def test_clipped_start_keeps_a_field_paths_end() -> None:
    assert clipped_start("steps.見込み客リサーチャー🔎.duration_s", 12) == "….duration_s"
    assert clipped_start("steps.見込み客リサーチャー🔎.duration_s", 20) == "…チャー🔎.duration_s"
    assert clipped_start("steps.ICP採点者.status", 30) == "steps.ICP採点者.status"
    assert clipped_start("steps.Lead Parser.duration_s", 20) == "…d Parser.duration_s"


def test_a_cut_of_a_huge_value_looks_at_its_start_only() -> None:
    assert clipped("日本" * 50_000, 9) == "日本日本…"
    assert clipped_start("日本" * 50_000, 9) == "…日本日本"
    zalgo = "a" + "\u0301" * 500 + "bcd"
    assert clipped(zalgo, 3) == "a" + "\u0301" * 500 + "b…"
