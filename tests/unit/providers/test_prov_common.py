"""What every adapter must do: keys stay home, lost answers are read back, times parse."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from prov_helpers import KEY, ok

from runtui.errors import LONGEST_RETRY_AFTER, ProviderError
from runtui.model import Action, Kind, Run, StartRequest, Status
from runtui.providers import parse as p
from runtui.providers.b3os import B3osProvider
from runtui.providers.base import Provider
from runtui.providers.edges import EdgesProvider
from runtui.providers.http import retry_after, seg
from runtui.providers.wexa import WexaProvider

FIELDS = {"project_id": "p" * 24, "user_id": "u1"}

# (provider, a GET path it reads for run "r1", a body that parses as run "r1" in state `cancelled`)
CASES: list[tuple[type[Provider], dict[str, Any]]] = [
    (WexaProvider, {"execution_id": "r1", "status": "cancelled"}),
    (EdgesProvider, {"uid": "r1", "status": "STOPPED"}),
    (B3osProvider, {"code": 0, "data": {"id": "r1", "status": "cancelled"}}),
]
IDS = [c[0].name for c in CASES]


def key_headers(request: httpx.Request) -> list[str]:
    return [v for v in request.headers.values() if KEY in v]


@pytest.mark.parametrize(("cls", "body"), CASES, ids=IDS)
async def test_redirect_to_another_host_never_carries_the_key(make: Any, cls: type[Provider],
                                                              body: Any) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "evil.example":
            return ok(body)
        return httpx.Response(302, headers={"location": "https://evil.example/steal"})

    provider, rec = make(cls, handler, **FIELDS)
    with pytest.raises(ProviderError) as info:
        await provider.get_summary("r1")
    assert info.value.kind == "redirect"
    assert KEY not in str(info.value)
    assert all(r.url.host != "evil.example" or not key_headers(r) for r in rec.requests)
    assert len(rec.requests) == 1  # the other host was not even asked
    assert key_headers(rec.requests[0])  # the key went to its own host only


@pytest.mark.parametrize(("cls", "body"), CASES, ids=IDS)
async def test_same_host_redirect_keeps_the_key(make: Any, cls: type[Provider], body: Any) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/moved"):
            return ok(body)
        return httpx.Response(307, headers={"location": "/moved"})

    provider, rec = make(cls, handler, **FIELDS)
    run = await provider.get_summary("r1")
    assert run.id == "r1"
    assert len(rec.requests) == 2 and all(key_headers(r) for r in rec.requests)


@pytest.mark.parametrize(("cls", "body"), CASES, ids=IDS)
async def test_timeout_on_action_reads_back_and_sends_once(make: Any, cls: type[Provider],
                                                          body: Any) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            raise httpx.ReadTimeout("slow", request=request)
        return ok(body)

    provider, rec = make(cls, handler, **FIELDS)
    run = Run(profile="t", provider=cls.name, id="r1", raw_status="running")
    result = await provider.perform(run, Action.CANCEL)
    posts = [r for r in rec.requests if r.method == "POST"]
    assert len(posts) == 1
    assert result.uncertain
    assert result.run is not None and result.run.status is Status.CANCELLED
    assert result.ok  # the read-back shows the cancel took effect
    assert [r.method for r in rec.requests] == ["POST", "GET"]


@pytest.mark.parametrize(("cls", "body"), CASES, ids=IDS)
async def test_connect_error_on_action_is_uncertain_and_not_retried(make: Any, cls: type[Provider],
                                                                    body: Any) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            raise httpx.RemoteProtocolError("reset", request=request)
        return ok({"message": "down"}, status=500)

    provider, rec = make(cls, handler, **FIELDS)
    result = await provider.perform(Run(profile="t", provider=cls.name, id="r1"), Action.CANCEL)
    assert result.uncertain and not result.ok and result.run is None
    assert len([r for r in rec.requests if r.method == "POST"]) == 1


# No connection was made: not a byte of the request left. Everything else happens on a
# connection the request may have gone out on (a write can fail after the server read it).
NEVER_CONNECTED = [httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout]
MAYBE_SENT = [httpx.ReadError, httpx.WriteError, httpx.ReadTimeout, httpx.WriteTimeout,
              httpx.RemoteProtocolError, httpx.CloseError]


@pytest.mark.parametrize("error", NEVER_CONNECTED, ids=lambda e: e.__name__)
@pytest.mark.parametrize(("cls", "body"), CASES, ids=IDS)
async def test_an_action_never_connected_is_not_sent_not_uncertain(
        make: Any, cls: type[Provider], body: Any, error: type[httpx.TransportError]) -> None:
    """During an outage every action was "the answer was lost ... outcome unknown", and a
    follow-up was kept for it, though nothing reached the server."""
    def handler(request: httpx.Request) -> httpx.Response:
        raise error("[Errno 111] Connection refused", request=request)

    provider, rec = make(cls, handler, **FIELDS)
    run = Run(profile="t", provider=cls.name, id="r1", raw_status="running")
    result = await provider.perform(run, Action.CANCEL)
    assert not result.ok and not result.uncertain and result.run is None
    assert (result.message or "").startswith("not sent: t unreachable (")
    assert "lost" not in (result.message or "")
    assert [r.method for r in rec.requests] == ["POST"]  # no read-back of a run nothing touched


@pytest.mark.parametrize("error", MAYBE_SENT, ids=lambda e: e.__name__)
async def test_an_action_that_failed_on_its_connection_stays_uncertain(
        make: Any, error: type[httpx.TransportError]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            raise error("failed", request=request)
        return ok({"uid": "r1", "status": "RUNNING"})

    provider, _ = make(EdgesProvider, handler)
    result = await provider.perform(Run(profile="t", provider="edges", id="r1"), Action.CANCEL)
    assert result.uncertain and not result.ok
    assert "not sent" not in (result.message or "")


async def test_a_start_never_connected_says_nothing_was_sent(make: Any) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    provider, _ = make(EdgesProvider, handler)
    result = await provider.execute(StartRequest(workflow_id="flow-1"))
    assert not result.ok and not result.uncertain
    assert result.message == "not sent: t unreachable (connection refused)"


@pytest.mark.parametrize(("cls", "body"), CASES, ids=IDS)
async def test_error_echoing_the_key_is_redacted(make: Any, cls: type[Provider], body: Any) -> None:
    echo = {"message": f"invalid key {KEY}", "detail": f"invalid key {KEY}", "label": KEY}
    provider, _ = make(cls, lambda r: ok(echo, status=401), **FIELDS)
    with pytest.raises(ProviderError) as info:
        await provider.get_summary("r1")
    assert info.value.status == 401
    assert KEY not in str(info.value) and KEY not in info.value.message


@pytest.mark.parametrize(("cls", "body"), CASES, ids=IDS)
async def test_huge_error_message_is_bounded(make: Any, cls: type[Provider], body: Any) -> None:
    big = {"message": "x" * 100_000, "detail": "x" * 100_000}
    provider, _ = make(cls, lambda r: ok(big, status=500), **FIELDS)
    provider.http._sleep = _no_sleep
    with pytest.raises(ProviderError) as info:
        await provider.get_summary("r1")
    assert info.value.status == 500 and len(info.value.message) <= 500


async def _no_sleep(_: float) -> None:
    return None


@pytest.mark.parametrize("cls", [WexaProvider, EdgesProvider, B3osProvider])
def test_class_contract(cls: type[Provider]) -> None:
    assert cls.actions.provider == cls.name
    assert cls.default_base_url and cls.default_base_url.startswith("https://")
    assert cls.label and Kind.RUN in cls.kinds


@pytest.mark.parametrize("bad", ["", ".", "..", "a\nb"])
def test_seg_refuses_path_tricks(bad: str) -> None:
    with pytest.raises(ProviderError):
        seg(bad)


@pytest.mark.parametrize(("header", "expected"), [
    ("3", 3.0), ("-5", 0.0), ("nan", None), ("soon", None),
    ("inf", LONGEST_RETRY_AFTER), ("1e30", LONGEST_RETRY_AFTER),
    ("Wed, 21 Oct 9999 07:28:00 GMT", LONGEST_RETRY_AFTER),
    ("Wed, 21 Oct 2015 07:28:00 -0000", 0.0),  # a zone-less date: UTC, long past
])
def test_retry_after_is_a_bounded_wait_whatever_the_server_says(header: str, expected: float | None) -> None:
    """A wait no timer or clock can hold ("1e30") once ended a profile's watcher; a
    zone-less HTTP date raised TypeError."""
    assert retry_after(httpx.Response(429, headers={"retry-after": header})) == expected


@pytest.mark.parametrize(("given", "kept"), [
    (40.0, 40.0), (-1.0, 0.0), (float("nan"), None),
    (float("inf"), LONGEST_RETRY_AFTER), (1e30, LONGEST_RETRY_AFTER),
])
def test_a_provider_error_keeps_a_bounded_wait(given: float, kept: float | None) -> None:
    """Whoever builds the error, its readers (watcher, detail, logs) get a wait a clock can hold."""
    assert ProviderError("slow down", provider="p", status=429, retry_after=given).retry_after == kept


def test_seg_escapes() -> None:
    assert seg("a b?c#d") == "a%20b%3Fc%23d" and seg("%2e%2e") == "%252e%252e"
    for bad in ("../etc/passwd", "x/status", "a\\b", "..", "."):
        with pytest.raises(ProviderError):
            seg(bad)


# ---- parse helpers ----------------------------------------------------------------------

WHEN = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(("value", "expected"), [
    (1714550400, WHEN), (1714550400.0, WHEN), (1714550400000, WHEN), ("1714550400", WHEN),
    ("2024-05-01T08:00:00Z", WHEN), ("2024-05-01T08:00:00.000Z", WHEN),
    ("2024-05-01T10:00:00+02:00", WHEN), ("2024-05-01T08:00:00", WHEN), ("2024-05-01 08:00:00z", WHEN),
    ("2024-05-01T08:00:00+00:00", WHEN), (" 2024-05-01T08:00:00Z\n", WHEN), ("2024-05-01T08:00:00 UTC", WHEN),
    ("2024-05-01T08:00:00Z ", WHEN), ("20240501T080000Z", WHEN), ("1.7145504e9", WHEN),
    (" 1714550400000 ", WHEN), ("2024-05-01T08:00:00.000000" + "0" * 39, None),  # 65 characters
    (None, None), (True, None), ("", None), ("soon", None), ("2024-13-45T99:00:00Z", None),
    (-5, None), (float("nan"), None), (float("inf"), None), (10**30, None), ([], None), ({}, None),
    ("9" * 400, None),
    # Go's zero time means "not yet", and neither end year shows in every zone.
    ("0001-01-01T00:00:00Z", None), ("0001-01-01T00:00:00", None), ("9999-12-31T23:59:59Z", None),
    ("0002-01-01T00:00:00Z", datetime(2, 1, 1, tzinfo=UTC)),
])
def test_parse_time(value: Any, expected: datetime | None) -> None:
    assert p.parse_time(value) == expected


def test_parse_time_keeps_offsets_as_utc() -> None:
    got = p.parse_time("2024-05-01T08:00:00-05:00")
    assert got == datetime(2024, 5, 1, 8, tzinfo=timezone(timedelta(hours=-5)))
    assert got is not None and got.tzinfo == UTC


def test_truncate_and_messages() -> None:
    assert p.truncate("x" * 600) is not None and len(p.truncate("x" * 600) or "") == 500
    assert p.truncate("   ") is None
    assert p.message_of([{"msg": "a"}, "b", 3, None]) == "a; b"
    nested: Any = "deep"
    for _ in range(50):
        nested = {"error": nested}
    assert p.message_of(nested) is None  # bounded depth, no RecursionError


def test_cost_and_numbers() -> None:
    assert p.cost("12", "CU") is not None
    assert p.cost(-1, "CU") is None and p.cost(True, "CU") is None and p.cost(float("nan"), "CU") is None
    assert p.number(10**400) is None


UNADDRESSABLE = ["../../admin", "a/b?c=d#e", "..", "X" * 10240, "line\nbreak"]


def _pages(ids: list[str]) -> list[tuple[str, list[Run]]]:
    """Each provider's own list parser over one page holding `ids`."""
    from runtui.providers import b3os, edges, prefect, wexa

    return [
        ("wexa", wexa.parse_page({"data": [{"execution_id": i, "status": "running"} for i in ids]}, "w")),
        ("wexa tasks", wexa.parse_page({"data": [{"_id": i, "status": "running"} for i in ids]}, "w",
                                       Kind.TASK)),
        ("edges", edges.parse_page([{"uid": i, "status": "RUNNING"} for i in ids], "e")),
        ("b3os", b3os.parse_page({"data": {"items": [{"id": i, "status": "running"} for i in ids]}}, "b")[0]),
        ("prefect", prefect.parse_page([{"id": i, "state_type": "RUNNING"} for i in ids], "p")[0]),
    ]


def test_every_provider_leaves_out_listed_runs_no_request_can_name() -> None:
    """Such a row could never be read, acted on or followed, and its refused read was the
    whole profile's health."""
    for name, runs in _pages(["fine-1", *UNADDRESSABLE, "fine?2"]):
        assert [r.id for r in runs] == ["fine-1", "fine?2"], name
