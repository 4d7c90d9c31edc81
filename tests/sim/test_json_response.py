"""The simulator's JSON answers: orjson's bytes where it can, the stdlib's where it cannot."""

from __future__ import annotations

import json

from runtui.sim.routing import JSONResponse


def test_answers_are_the_compact_utf8_json_starlette_wrote() -> None:
    content = {"name": "flöw ✓", "items": [{"id": "a", "n": 1, "cost": 0.25, "ok": True, "x": None}]}
    body = JSONResponse(content).body
    assert body == json.dumps(content, ensure_ascii=False, separators=(",", ":")).encode()
    assert json.loads(bytes(body)) == content


def test_values_orjson_refuses_are_still_written() -> None:
    content = {"big": 2**70, 3: "non-string key"}
    assert json.loads(bytes(JSONResponse(content).body)) == {"big": 2**70, "3": "non-string key"}
