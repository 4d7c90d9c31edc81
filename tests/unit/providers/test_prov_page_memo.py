"""A list answer that comes back byte for byte is not decoded again; any change is."""

from __future__ import annotations

import itertools
from typing import Any

import httpx
import pytest
from prov_helpers import ok

from runtui.model import Status
from runtui.providers import parse as p
from runtui.providers.b3os import B3osProvider
from runtui.providers.base import ListQuery, Provider, cached_page
from runtui.providers.edges import EdgesProvider
from runtui.providers.wexa import WexaProvider

FIELDS = {"project_id": "p" * 24, "user_id": "u1"}
_request_ids = itertools.count()


def wexa_page(status: str) -> Any:
    return {"execution_flows": [{"execution_id": "r1", "status": status, "created_at": 1.0},
                                {"execution_id": "r2", "status": "completed", "created_at": 0.5}]}


def edges_page(status: str) -> Any:
    return [{"uid": "r1", "status": status, "created_at": "2026-01-01T00:00:00Z"},
            {"uid": "r2", "status": "SUCCEEDED", "created_at": "2025-12-31T00:00:00Z"}]


def b3os_page(status: str) -> Any:
    # B3OS puts a fresh requestId in every answer: that alone is not a change.
    return {"code": 0, "requestId": f"req_{next(_request_ids)}",
            "data": {"items": [{"id": "r1", "status": status}, {"id": "r2", "status": "success"}],
                     "hasMore": False}}


CASES = [(WexaProvider, wexa_page, "running", "completed"),
         (EdgesProvider, edges_page, "RUNNING", "SUCCEEDED"),
         (B3osProvider, b3os_page, "running", "success")]


@pytest.mark.parametrize(("cls", "page", "running", "done"), CASES, ids=[c[0].name for c in CASES])
async def test_an_unchanged_answer_reuses_the_runs_and_a_changed_one_is_parsed(
        make: Any, cls: type[Provider], page: Any, running: str, done: str) -> None:
    state = {"status": running}
    provider, _ = make(cls, lambda request: ok(page(state["status"])), **FIELDS)
    query = ListQuery(page_size=2, limit=2)
    first = await provider.list_runs(query)
    again = await provider.list_runs(query)
    assert provider.pages.hits == 1 and provider.pages.misses == 1
    assert all(a is b for a, b in zip(first, again, strict=True))  # the store skips them by identity
    state["status"] = done
    changed = await provider.list_runs(query)
    assert provider.pages.misses == 2
    assert changed[0].status is Status.SUCCEEDED and first[0].status is Status.RUNNING
    assert changed[1] is first[1]  # the unchanged item is not parsed again either


async def test_a_different_request_is_a_different_page(make: Any) -> None:
    provider, rec = make(EdgesProvider, lambda request: ok(edges_page("RUNNING")))
    await provider.list_runs(ListQuery(page_size=2, limit=2))
    await provider.list_runs(ListQuery(page_size=2, limit=2, statuses=frozenset({Status.RUNNING})))
    assert "status=RUNNING" in str(rec.requests[1].url)
    assert provider.pages.hits == 0 and provider.pages.misses == len(rec.requests) >= 2


def test_page_memo_remembers_nothing_when_build_fails_and_forgets_the_oldest() -> None:
    memo = p.PageMemo(limit=2)
    built: list[str] = []

    def build(value: str) -> Any:
        def inner() -> str:
            built.append(value)
            return value
        return inner

    def boom() -> str:
        raise ValueError("bad page")

    with pytest.raises(ValueError):
        memo.page("a", b"x", boom)
    assert memo.page("a", b"x", build("a1")) == "a1"  # the failure was not remembered
    assert memo.page("a", b"x", build("a2")) == "a1" and built == ["a1"]
    memo.page("b", b"y", build("b1"))
    memo.page("c", b"z", build("c1"))  # over the limit: "a" goes
    assert memo.page("a", b"x", build("a3")) == "a3"
    assert memo.page("c", b"z", build("c2")) == "c1"


def test_response_without_request_content_is_keyed_by_url() -> None:
    memo = p.PageMemo()
    request = httpx.Request("GET", "https://example.test/runs?limit=1")
    response = httpx.Response(200, content=b"[]", request=request)
    assert cached_page(memo, response, lambda: 1) == 1
    assert cached_page(memo, response, lambda: 2) == 1
    other = httpx.Response(200, content=b"[]", request=httpx.Request("GET", "https://example.test/runs?limit=2"))
    assert cached_page(memo, other, lambda: 3) == 3


@pytest.mark.parametrize(("cls", "page", "running", "done"), CASES, ids=[c[0].name for c in CASES])
async def test_a_listing_that_remembers_nothing_leaves_both_memos_alone(
        make: Any, cls: type[Provider], page: Any, running: str, done: str) -> None:
    provider, _ = make(cls, lambda request: ok(page(running)), **FIELDS)
    runs = await provider.list_runs(ListQuery(page_size=2, limit=2, remember=False))
    assert [r.id for r in runs] == ["r1", "r2"]
    assert len(provider.memo) == 0 and len(provider.pages) == 0
    await provider.list_runs(ListQuery(page_size=2, limit=2, statuses=frozenset({Status.RUNNING})))
    assert len(provider.memo) > 0 and len(provider.pages) > 0  # the next listing does
