"""`--json` listings are written as their rows are encoded: the same bytes as `json.dumps`
of the whole list, without the whole list (574 MB at 100,000 runs before)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from runtui.cli_json_array import json_array_chunks, write_json_array

ROWS: list[Any] = [
    {"id": "r1", "status": "running", "cost": {"amount": 0.5, "unit": "USD"}, "partial": False,
     "finished_at": None, "steps": [], "inputs": {}, "outputs": [1, [2, {"x": []}]]},
    {"id": "line\nbreak\r\tand \x1b[31m red \u202e bidi", "name": "請求書 ○ ●", "n": 10**20},
    {"when": datetime(2026, 12, 6, 21, 0, tzinfo=UTC), "float": 1e-7, "nested": {"a": {"b": {"c": "d"}}}},
    {},
    [],
    "a bare string",
    None,
]


@pytest.mark.parametrize("indent", [2, None], ids=["indented", "one line"])
@pytest.mark.parametrize("count", [0, 1, len(ROWS)])
def test_the_text_is_json_dumps_of_the_whole_list(indent: int | None, count: int) -> None:
    rows = ROWS[:count]
    expected = json.dumps(rows, indent=indent, default=str, ensure_ascii=True)
    assert "".join(json_array_chunks(iter(rows), indent=indent)) == expected
    written: list[str] = []
    write_json_array(iter(rows), written.append, indent=indent, batch_chars=1)
    assert "".join(written) == expected + "\n"


def test_the_first_write_comes_before_the_rows_end() -> None:
    """The rows are an iterator that ends only once something was written: a writer that
    gathered every row first would take all 5,000 and fail."""
    written: list[str] = []
    taken = 0

    def rows() -> Iterator[dict[str, Any]]:
        nonlocal taken
        for i in itertools.count():
            if written:
                return
            assert i < 5000, "every row taken, nothing written yet"
            taken += 1
            yield {"id": f"run-{i}", "workflow": "Payroll in USDC " * 4, "status": "running"}

    write_json_array(rows(), written.append, indent=2)
    text = "".join(written)
    assert json.loads(text) == [{"id": f"run-{i}", "workflow": "Payroll in USDC " * 4, "status": "running"}
                                for i in range(taken)]
    assert text == json.dumps(json.loads(text), indent=2) + "\n"
