"""Every secret of a profile (its key, a webhook secret) is masked however an answer spells it."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, quote_plus

import pytest

from runtui.providers import redact
from runtui.providers.redact import MAX_ANCHOR_TRIES, Redactor, spellings_of

KEY = "k3y+with/slash=and:more ok"
HOOK = "hook/secret+1=2"
# Its base64 holds `+` and `/` (standard) or `-` and `_` (URL-safe), and its hex letters.
TOKEN = "tok3n>>>~~~?"
SECRETS = [KEY, HOOK, TOKEN, f"Bearer {TOKEN}"]
LETTERS = "ZzJjKkLlMmOo"  # its hex has a letter every other digit: no long part in one case


def url_spellings(secret: str) -> set[str]:
    """As a URL's path or query holds it (urllib, httpx's query), in upper, lower and mixed hex."""
    upper = {quote(secret, safe=""), quote(secret), quote_plus(secret), quote_plus(secret, safe="/")}
    lower = {re.sub("%[0-9A-F]{2}", lambda found: found.group(0).lower(), text) for text in upper}
    mixed = {text.replace("%2F", "%2f").replace("%3A", "%3a") for text in upper}
    return (upper | lower | mixed) - {secret}


def masked_everywhere(redactor: Redactor, said: str, expected: str) -> None:
    assert redactor.body(said.encode()) == expected.encode(), said
    assert redactor.text(said) == expected, said
    header = redactor.headers([(b"x-request-id", said.encode())])
    assert header == [(b"x-request-id", expected.encode())], said


@pytest.mark.parametrize("secret", [KEY, HOOK])
def test_a_secret_percent_encoded_is_masked_in_bodies_texts_and_headers(secret: str) -> None:
    redactor = Redactor(SECRETS)
    spellings = url_spellings(secret)
    assert any(re.search("%[0-9][a-f]", s) and re.search("%[0-9][A-F]", s) for s in spellings), "mixed"
    for spelling in spellings:
        assert spelling != secret
        masked_everywhere(redactor, f"GET /v1/x?api_key={spelling}&n=1", "GET /v1/x?api_key=***&n=1")


def mixed_hex(text: str) -> str:
    letters = iter(range(len(text)))
    return "".join(c.upper() if c.isalpha() and next(letters) % 2 else c for c in text)


HEX: dict[str, Callable[[bytes], str]] = {
    "lower": bytes.hex, "upper": lambda raw: raw.hex().upper(), "mixed": lambda raw: mixed_hex(raw.hex())}


@pytest.mark.parametrize("spell", HEX.values(), ids=HEX.keys())
@pytest.mark.parametrize("secret", [KEY, TOKEN, LETTERS])
def test_a_secret_in_hex_is_masked_in_any_case(secret: str, spell: Callable[[bytes], str]) -> None:
    spelt = spell(secret.encode())
    redactor = Redactor([*SECRETS, LETTERS])
    masked_everywhere(redactor, f'{{"debug": "key={spelt};"}}', '{"debug": "key=***;"}')


ALPHABETS = {"standard": base64.b64encode, "url-safe": base64.urlsafe_b64encode}


@pytest.mark.parametrize("padded", [True, False])
@pytest.mark.parametrize("alphabet", ALPHABETS)
@pytest.mark.parametrize("secret", [KEY, TOKEN])
def test_a_secret_in_base64_alone_is_masked_whole(secret: str, alphabet: str, padded: bool) -> None:
    spelt = ALPHABETS[alphabet](secret.encode()).decode()
    spelt = spelt if padded else spelt.rstrip("=")
    assert any(c in spelt for c in "+/-_") or secret == KEY
    masked_everywhere(Redactor(SECRETS), f'{{"who": "{spelt}"}}', '{"who": "***"}')


@pytest.mark.parametrize("alphabet", ALPHABETS)
@pytest.mark.parametrize("before", ["Bearer ", ":", "user:", "Bearer x"])  # each offset in a 3-byte group
@pytest.mark.parametrize("secret", [KEY, TOKEN])
def test_a_secret_inside_a_longer_base64_is_masked_but_at_its_edges(secret: str, before: str,
                                                                     alphabet: str) -> None:
    """`Authorization: Basic base64(user:key)` or `base64(Bearer key)` echoed: the characters
    made of the key's bits alone are masked; one at each edge also holds a neighbour's bits."""
    encode = ALPHABETS[alphabet]
    spelt = encode(f"{before}{secret}!".encode()).decode()
    out = Redactor(SECRETS).text(f"auth {spelt} refused")
    context = encode(before.encode()).decode().rstrip("=")
    assert out.startswith(f"auth {context[:len(context) - 1]}") and out.endswith(" refused")
    left = out.removeprefix("auth ").removesuffix(" refused")
    assert left.count("***") == 1
    assert len(left.replace("***", "")) <= len(context) + 1 + 4, left  # `!` and padding after


@pytest.mark.parametrize("alphabet", ALPHABETS)
@pytest.mark.parametrize("before", ["Bearer ", ":", "user:"])
def test_a_secret_ending_a_base64_text_is_masked_to_its_end(before: str, alphabet: str) -> None:
    """Basic credentials and Bearer headers end with the key: its last character (the key's
    last bits and zeros) and the padding go too. Left: the characters of `before`'s bits
    alone, and the one that mixes its last bits with the key's first."""
    encode = ALPHABETS[alphabet]
    context = encode(before.encode()).decode().rstrip("=")
    shared = "." if len(before) % 3 else ""
    for secret in (KEY, TOKEN):
        spelt = encode(f"{before}{secret}".encode()).decode()
        out = Redactor(SECRETS).text(f"auth {spelt};")
        assert re.fullmatch(re.escape(f"auth {context[:-1]}") + shared + re.escape("***;"), out), out


def test_a_base64_secret_with_json_escaped_slashes_is_masked() -> None:
    spelt = base64.b64encode(TOKEN.encode()).decode()
    assert "/" in spelt
    escaped = spelt.replace("/", "\\/")
    masked_everywhere(Redactor(SECRETS), f'{{"who": "{escaped}"}}', '{"who": "***"}')


def test_a_body_without_a_secret_is_the_same_object() -> None:
    body = b'{"url": "https://x.example/a%2Fb?q=1%3D2", "n": 6b33792, "b": "azN5K3dp"}'
    assert Redactor(SECRETS).body(body) is body


def test_spellings_side_by_side_are_one_mask() -> None:
    said = f"{TOKEN.encode().hex()}{KEY.encode().hex()} {TOKEN.encode().hex().upper()}".encode()
    assert Redactor(SECRETS).body(said) == b"*** ***"


class CountedFinds(bytes):
    finds = 0

    def find(self, *args: Any) -> int:
        CountedFinds.finds += 1
        return super().find(*args)


def test_an_answer_made_of_an_anchor_over_and_over_is_scanned_once_and_masked() -> None:
    """Each of an anchor's copies was tried one by one (0.4 s for 16 MB of them, from a
    server that knows the key); past `MAX_ANCHOR_TRIES` the pattern scans the rest."""
    key = "hostile-key-0123456789~~~~"
    spelt = base64.b64encode(key.encode()).decode()
    anchor = spellings_of(key)[1].anchor.decode()
    assert anchor == "aG9zdGlsZS1rZXktMDEyMzQ1Njc4OX5" and spelt.startswith(anchor + "+")
    body = CountedFinds(((anchor + ",") * 5000 + spelt + ";").encode())
    out = Redactor([key]).body(body)
    assert out.endswith(b",***;") and out.count(b"***") == 1
    assert CountedFinds.finds <= MAX_ANCHOR_TRIES + 10


@pytest.mark.parametrize("spell", [str.upper, str.title, str.swapcase], ids=["upper", "title", "swapped"])
def test_a_secret_in_another_case_is_masked_plain_and_json_escaped(spell: Callable[[str], str]) -> None:
    """Gateways log a rejected key upper-cased: only its exact case was masked."""
    redactor = Redactor(SECRETS)
    spelt = spell(TOKEN)
    assert spelt != TOKEN
    masked_everywhere(redactor, f"invalid key {spelt} (request {spelt})", "invalid key *** (request ***)")
    escaped = "".join(f"\\u{ord(c):04X}" if c.isalpha() else c for c in spelt)
    assert redactor.body(f'{{"e": "{escaped}"}}'.encode()) == b'{"e": "***"}'


def test_a_secret_in_another_case_is_masked_whole_with_its_scheme() -> None:
    assert Redactor(SECRETS).text(f"BEARER {TOKEN.upper()}!") == "***!"


@pytest.mark.parametrize("secret", [KEY, HOOK])
def test_a_secret_in_another_case_percent_encoded_is_masked(secret: str) -> None:
    """A gateway that upper-cases the key, then writes it in a URL it echoes."""
    redactor = Redactor(SECRETS)
    for spelling in url_spellings(secret.upper()) | url_spellings(secret.title()):
        masked_everywhere(redactor, f"GET /v1/x?api_key={spelling}&n=1", "GET /v1/x?api_key=***&n=1")


def test_spellings_of_two_secrets_that_overlap_are_both_masked() -> None:
    """Every secret's spellings are looked for in one pass over the answer: a spelling that
    starts inside another's (two keys sharing characters, hex-encoded back to back) is
    found too, not skipped past with the one found first."""
    first = "SIM-abcdefgh-12345678"
    second = first[8:] + "-tail-tail-99"  # starts inside `first`, and goes on past it
    answer = f'{{"echo": "{(first + second[len(first) - 8:]).encode().hex()}"}}'.encode()
    masked = Redactor([first, second]).body(answer)
    tail = second[len(first) - 8:].encode().hex()
    assert tail not in masked.decode() and first.encode().hex() not in masked.decode(), masked
    assert masked.count(b"***") == 1, masked


def _page(fill: str) -> bytes:
    """A list answer big enough to be kept (`SAME_ANSWER_MIN`)."""
    items = b",".join(b'{"id": "run-%d", "name": "%s"}' % (i, fill.encode()) for i in range(400))
    body = b'{"items": [' + items + b"]}"
    assert len(body) >= redact.SAME_ANSWER_MIN
    return body


def test_an_answer_that_comes_back_byte_for_byte_is_masked_once(monkeypatch: pytest.MonkeyPatch) -> None:
    r = Redactor(SECRETS)
    masked: list[int] = []
    real = r._masked
    monkeypatch.setattr(r, "_masked", lambda content: masked.append(len(content)) or real(content))
    with_key = _page(f"echo {KEY}")
    first = r.body(with_key)
    again = r.body(bytes(bytearray(with_key)))  # equal bytes, another object
    assert again is first and KEY.encode() not in again and b"echo ***" in again
    assert len(masked) == 1
    # One byte more is another answer: masked afresh, never the kept one's mask.
    other = _page(f"echo {KEY}!")
    assert r.body(other) == other.replace(KEY.encode(), b"***") and len(masked) == 2
    plain = _page("nightly")
    copy = bytes(bytearray(plain))
    assert r.body(plain) is plain and r.body(copy) is copy and len(masked) == 3  # nothing to mask


def test_answers_kept_for_being_masked_once_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(redact, "SAME_ANSWERS_BYTES", 100_000)
    r = Redactor(SECRETS)
    pages = [_page(f"wf {i} {KEY}") for i in range(20)]
    for page in pages:
        assert KEY.encode() not in r.body(page)
    assert r._answers_bytes <= 100_000 and 0 < len(r._answers) < 20
    assert r._answers_bytes == sum(len(a) + len(b) for a, b in r._answers.values())
    small = b'{"name": "%s"}' % KEY.encode()  # too small to keep
    assert r.body(small) == b'{"name": "***"}' and all(a != small for a, _ in r._answers.values())
