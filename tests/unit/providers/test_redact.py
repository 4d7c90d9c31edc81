"""Every secret of a profile (its key, a webhook secret) is masked however an answer spells it."""

from __future__ import annotations

from urllib.parse import quote, quote_plus

import pytest

from runtui.providers.redact import Redactor

KEY = "k3y+with/slash=and:more ok"
HOOK = "hook/secret+1=2"


def url_spellings(secret: str) -> set[str]:
    """As a URL's path or query holds it (urllib, httpx's query), in upper and lower hex."""
    upper = {quote(secret, safe=""), quote(secret), quote_plus(secret), quote_plus(secret, safe="/")}
    return upper | {text.replace("%2B", "%2b").replace("%2F", "%2f").replace("%3D", "%3d")
                    .replace("%3A", "%3a") for text in upper}


@pytest.mark.parametrize("secret", [KEY, HOOK])
def test_a_secret_percent_encoded_is_masked_in_bodies_texts_and_headers(secret: str) -> None:
    redactor = Redactor([KEY, HOOK])
    for spelling in url_spellings(secret):
        assert spelling != secret
        said = f"GET /v1/x?api_key={spelling}&n=1"
        assert redactor.body(said.encode()) == b"GET /v1/x?api_key=***&n=1", spelling
        assert redactor.text(said) == "GET /v1/x?api_key=***&n=1", spelling
        masked = redactor.headers([(b"x-request-id", spelling.encode())])
        assert masked == [(b"x-request-id", b"***")], spelling


def test_a_body_without_a_secret_is_the_same_object() -> None:
    body = b'{"url": "https://x.example/a%2Fb?q=1%3D2"}'
    assert Redactor([KEY, HOOK]).body(body) is body
