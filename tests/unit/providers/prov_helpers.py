"""Shared helpers: build an adapter over an httpx.MockTransport and record its requests."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from runtui.config import Profile, validated
from runtui.providers.base import Provider

KEY = "sk-test-Secret-123456"
KEY_ENV = "RUNTUI_PROVIDER_TEST_KEY"

Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """A MockTransport handler that keeps every request it saw."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.handler(request)

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]

    def paths(self) -> list[str]:
        return [f"{r.method} {r.url.raw_path.decode()}" for r in self.requests]


def body_of(request: httpx.Request) -> Any:
    return json.loads(request.content) if request.content else None


def params_of(request: httpx.Request) -> list[tuple[str, str]]:
    return list(request.url.params.multi_items())


def ok(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, json=payload, headers=headers)


@pytest.fixture
def make(monkeypatch: pytest.MonkeyPatch) -> Callable[..., tuple[Any, Recorder]]:
    """make(cls, handler, **profile_fields) -> (provider, recorder)."""
    monkeypatch.setenv(KEY_ENV, KEY)

    def build(cls: type[Provider], handler: Handler, **fields: Any) -> tuple[Any, Recorder]:
        recorder = Recorder(handler)
        profile = validated(Profile, {"name": "t", "provider": cls.name, "api_key_env": KEY_ENV,
                                          **fields})
        provider = cls.from_profile(profile, transport=httpx.MockTransport(recorder))
        return provider, recorder

    return build
