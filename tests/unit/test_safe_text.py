"""Property: whatever a server sends, what a face renders holds no C0/C1 control, ESC,
DEL or bidi/invisible format character, and nothing is silently dropped."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from runtui import display
from runtui.model import Run, Status
from runtui.safe_text import DANGEROUS, multi_line, one_line
from runtui.tui.widgets.columns import CELL_TEXT

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
    assert len(shown) >= len(text), "every character is kept, as itself or a visible stand-in"


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
