"""List answers decoded to the keys their parser reads (runtui.providers.slim).

The slim decoder may only drop what the parser never reads, so the guard here is on
the parser: give it one key at a time that the declaration leaves out, with values
of every shape, and the run it builds must not change. The candidate keys are every
string the adapter's module and the shared parse helpers spell out, so a new key a
parser starts reading is caught without anyone listing it here.
"""

from __future__ import annotations

import ast
import inspect
from typing import Any

import httpx
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runtui.errors import ProviderError
from runtui.model import Kind, Run
from runtui.providers import parse, wexa
from runtui.providers.slim import SlimList, slim_json_of
from runtui.providers.wexa import EXECUTIONS, LIST_KEYS, parse_execution, parse_page

POISONS: tuple[Any, ...] = ("1700000000", 1_700_000_000, "2026-01-01T00:00:00Z", "running",
                            {"total": 5, "message": "boom", "name": "n", "_id": "i"},
                            [{"message": "boom"}], True)


def _strings(*modules: Any) -> set[str]:
    found: set[str] = set()
    for module in modules:
        for node in ast.walk(ast.parse(inspect.getsource(module))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.isidentifier():
                found.add(node.value)
    return found


CANDIDATES = sorted(_strings(wexa, parse))


def _parse(item: dict[str, Any]) -> Run:
    return parse_execution(item, "p")


@pytest.mark.parametrize("key", [k for k in CANDIDATES if k not in EXECUTIONS.keys])
def test_the_execution_parser_reads_no_undeclared_top_level_key(key: str) -> None:
    bare = _parse({"execution_id": "e1"})
    for poison in POISONS:
        assert _parse({"execution_id": "e1", key: poison}) == bare, (key, poison)


@pytest.mark.parametrize("key", [k for k in CANDIDATES if k not in EXECUTIONS.nested["agentflow"]])
def test_the_execution_parser_reads_no_undeclared_agentflow_key(key: str) -> None:
    bare = _parse({"execution_id": "e1", "agentflow": {}})
    for poison in POISONS:
        assert _parse({"execution_id": "e1", "agentflow": {key: poison}}) == bare, (key, poison)


def test_the_guard_would_catch_an_undeclared_key() -> None:
    """The guard's own check: a declared key the parser does read changes the run."""
    assert "agentflow_name" in CANDIDATES
    bare = _parse({"execution_id": "e1"})
    assert _parse({"execution_id": "e1", "agentflow_name": "1700000000"}) != bare


ITEM = {"execution_id": "e1", "_id": "6" * 24, "status": "failed", "agentflow_id": "af-1",
        "agentflow": {"name": "Flow One", "role": "r", "agents": [{"_id": "a1", "llm": {"model": "m"}}]},
        "goal": "g" * 500, "input_variables": {"company": "Acme"}, "created_at": 1_700_000_000.5,
        "start_time": "2026-01-01T00:00:00Z", "end_time": None, "updated_at": 1_700_000_100,
        "tokens": {"input_tokens": 1, "total_tokens": 12}, "errors": [{"message": "boom"}],
        "parent_execution_id": "e0", "task_id": "t1"}


@pytest.mark.parametrize("shape", ["bare", *LIST_KEYS, "data.items"])
def test_slim_answer_drops_the_rest_and_parses_the_same(shape: str) -> None:
    items = [ITEM, {**ITEM, "execution_id": "e2", "status": "running"}]
    if shape == "bare":
        body: Any = items
    elif shape == "data.items":
        body = {"data": {"items": items, "total": 2}}
    else:
        body = {shape: items, "total": 2}
    slim = EXECUTIONS.decode(orjson.dumps(body))
    assert slim is not None
    kept = wexa.items_of(slim)
    assert "agents" not in kept[0]["agentflow"] and "goal" not in kept[0]
    assert parse_page(slim, "p", Kind.RUN) == parse_page(body, "p", Kind.RUN)


@pytest.mark.parametrize("content", [
    b'[{"execution_id": "e1", "agentflow": "not an object"}]',  # a declared object that is not one
    b'[{"execution_id": "e1", "created_at": NaN}]',  # what only the stdlib reads
    b'{"data": 5}', b'"a string"', b"[1, 2]", b"<html>", b'[{"execution_id": "e1"}',
    # nested deeper than msgspec goes (orjson reads up to 1,024 levels), kept or skipped
    b'[{"execution_id": "e1", "errors": ' + b"[" * 1000 + b"]" * 1000 + b"}]",
    b'[{"execution_id": "e1", "goal": ' + b"[" * 100_000 + b"]" * 100_000 + b"}]",
])
def test_what_the_slim_decoder_refuses_goes_the_full_way(content: bytes) -> None:
    assert EXECUTIONS.decode(content) is None


def test_a_slim_list_keeps_only_declared_keys() -> None:
    slim = SlimList("t", ("a",), nested={"n": ("x",)})
    assert slim.decode(b'[{"a": 1, "b": 2, "n": {"x": 1, "y": 2}}, {"n": null}]') == [
        {"a": 1, "n": {"x": 1}}, {"n": None}]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8)
item_keys = st.sampled_from(sorted(EXECUTIONS.keys | {"agents", "goal", "other"}))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.dictionaries(item_keys, json_values, max_size=8), max_size=4))
def test_any_answer_parses_the_same_slim_or_full(items: list[dict[str, Any]]) -> None:
    content = orjson.dumps(items)
    slim = EXECUTIONS.decode(content)
    if slim is None:
        return  # the full way, as before
    assert parse_page(slim, "p", Kind.RUN) == parse_page(orjson.loads(content), "p", Kind.RUN)


def test_nesting_the_slim_decoder_gives_up_on_decides_as_before() -> None:
    """orjson reads 1,024 levels, msgspec fewer: the full way reads what it read, and a
    body past every limit is still a typed parse error, not a RecursionError."""
    deep = b'[{"execution_id": "e1", "errors": ' + b"[" * 1000 + b"]" * 1000 + b"}]"
    assert isinstance(slim_json_of(httpx.Response(200, content=deep), "wexa", EXECUTIONS), list)
    deeper = b'[{"execution_id": "e1", "errors": ' + b"[" * 100_000 + b"]" * 100_000 + b"}]"
    with pytest.raises(ProviderError, match="nested too deeply"):
        slim_json_of(httpx.Response(200, content=deeper), "wexa", EXECUTIONS)


def test_a_byte_that_is_not_utf8_costs_one_character_not_the_list() -> None:
    """msgspec and orjson refuse the body; the full way reads it with U+FFFD in its place."""
    content = b'[{"execution_id": "e1", "agentflow_name": "Lead \xff gen"}, {"execution_id": "e2"}]'
    body = slim_json_of(httpx.Response(200, content=content), "wexa", EXECUTIONS)
    assert [item["execution_id"] for item in body] == ["e1", "e2"]
    assert body[0]["agentflow_name"] == "Lead \ufffd gen"
