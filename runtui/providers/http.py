"""One HTTP client for every adapter: timeouts, read retries, the HTTPS and redirect rules.

Reads (GET and read-only POSTs such as filters) may be retried on connect errors,
429 (honouring Retry-After) and 502/503/504. Actions are never retried here:
`post_action` sends once and raises; the caller reads the run again.
Credentials are attached per request and only to the profile's own origin, so a
redirect can never carry them to another origin (it is not followed at all).
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import math
import random
import ssl
import time
from collections.abc import AsyncIterator, Callable, Hashable, Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx

from runtui import startup
from runtui.errors import ConfigError, KeyUnavailable, ProviderError, Unreachable, bounded_wait
from runtui.model import id_is_invalid
from runtui.providers.encoding import ACCEPT_ENCODING, as_utf8, decoded_pieces
from runtui.providers.redact import Redactor, SecretPool
from runtui.providers.transport import H11Transport, never_connected, proxy_configured
from runtui.urls import check_base_url

if TYPE_CHECKING:
    from runtui.key_command import KeyCommand
    from runtui.secret import Secret

startup.release_unused_extras()  # httpx and httpcore are loaded: the extras may be imported again

ErrorReader = Callable[[Any], str | None]

READ_TIMEOUT = httpx.Timeout(15.0, connect=5.0)
ACTION_TIMEOUT = httpx.Timeout(30.0, connect=5.0)
MAX_READ_TRIES = 3
MAX_REDIRECTS = 3
MAX_RETRY_AFTER = 60.0
ANSWER_ROOM = 1.0  # seconds a retry after a server's asked wait needs, at least, for its answer
MAX_MESSAGE = 500
DEFAULT_DEADLINE = 30.0  # seconds for a whole request, retries included ([defaults] request_deadline_seconds)
DEFAULT_MAX_BYTES = 16 * 1024 * 1024  # per answer, decoded ([defaults] max_answer_mb)
STREAM_READ_GAP = 60.0  # seconds a stream may send nothing (servers send keep-alives every 15-30 s)
_HOP_HEADERS = (b"content-encoding", b"content-length", b"transfer-encoding")
# httpx drops an idle connection after 5 s; an idle profile polls every 8 s, so each
# poll paid a new connection (a TLS handshake on a real server). Kept 30 s: longer
# than any poll interval, shorter than the usual 60 s server and load-balancer idle
# timeouts (a connection the server closed first is noticed and replaced).
KEEPALIVE_EXPIRY = 30.0
LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20,
                      keepalive_expiry=KEEPALIVE_EXPIRY)
URL_CACHE = 512


def seg(value: str) -> str:
    """One URL path segment from user input: escaped, and never '.' or '..'."""
    text = str(value)
    if id_is_invalid(text):  # "/" refused, not only escaped: see id_is_invalid
        raise ProviderError(f"invalid id {text!r}", provider="runtui", kind="input")
    return quote(text, safe="")


_SSL_CONTEXT: ssl.SSLContext | None = None


def shared_ssl_context() -> ssl.SSLContext:
    """httpx's default verifying context, built once, when the first https connection
    needs it: loading the CA bundle costs ~20 ms per build, paid before the first rows
    otherwise (one client per profile, and plain-http profiles need none)."""
    global _SSL_CONTEXT
    if _SSL_CONTEXT is None:
        _SSL_CONTEXT = httpx.create_ssl_context()
    return _SSL_CONTEXT


def default_transport() -> httpx.AsyncBaseTransport | None:
    """The lean transport, or None (httpx's own) when a proxy variable is set."""
    if proxy_configured():
        return None
    return H11Transport(ssl_context=shared_ssl_context, keepalive_expiry=KEEPALIVE_EXPIRY)


class HttpClient:
    """Thin wrapper over httpx.AsyncClient that knows a provider's auth and error shape."""

    def __init__(self, *, provider: str, base_url: str, auth_headers: Mapping[str, str],
                 error_reader: ErrorReader, allow_insecure_http: bool = False,
                 profile: str = "", extra_headers: Mapping[str, str] | None = None,
                 transport: httpx.AsyncBaseTransport | None = None,
                 sleep: Callable[[float], Any] = asyncio.sleep,
                 deadline: float = DEFAULT_DEADLINE, max_bytes: int = DEFAULT_MAX_BYTES,
                 secrets: Iterable[str] = (), key_command: KeyCommand | None = None,
                 auth_for: Callable[[Secret], Mapping[str, str]] | None = None,
                 shared_secrets: SecretPool | None = None) -> None:
        self.provider = provider
        self.profile = profile
        # A key from a command comes when the first request needs it (`authorise`), with
        # its auth headers made by `auth_for`: until then, `auth_headers` are not used.
        self.key_command = key_command
        self._auth_for = auth_for
        self._secrets = list(secrets)
        self.deadline = deadline
        self.max_bytes = max_bytes
        # The profile's own secrets, and every other profile's (`shared_secrets`), masked
        # in every answer before anything parses it: a server that echoes a key into a
        # workflow name must not get it shown.
        self._pool = shared_secrets if shared_secrets is not None else SecretPool()
        self._own: list[str] = []
        self._mask = Redactor(())
        self._mask_version = -1
        self._own_secrets([*self._secrets, *_header_secrets(auth_headers)])
        self.base = check_base_url(base_url.rstrip("/"), allow_insecure_http=allow_insecure_http,
                                   profile=profile)
        self._auth = dict(auth_headers)
        self._errors = error_reader
        self._sleep = sleep
        # gzip alone, whatever decoders httpx finds installed: see encoding.py
        headers = {"accept": "application/json", "user-agent": "runtui",
                   "accept-encoding": ACCEPT_ENCODING}
        headers.update(extra_headers or {})
        # The connection layer: the caller's (tests), httpx's own behind a proxy (it
        # reads the proxy variables), else the lean h11 one (see transport.py).
        if transport is None:
            transport = default_transport()
        # httpx builds a context from `verify` only for a transport of its own (behind
        # a proxy): the shared one then, else the default, which builds nothing.
        self.client = httpx.AsyncClient(headers=headers, follow_redirects=False,
                                        timeout=READ_TIMEOUT, transport=transport,
                                        verify=shared_ssl_context() if transport is None else True,
                                        limits=LIMITS)
        # Requests go straight to that transport: no cookies, auth flows or redirect
        # following are wanted here, and skipping them halves a poll's HTTP cost.
        self._direct = transport
        self._headers = httpx.Headers(self.client.headers)
        self._urls: dict[Hashable, httpx.URL] = {}
        self.requests = 0  # counted for the benchmark and `profiles test`
        # Seconds the server's clock is ahead of this machine's (behind: negative), from
        # its last answer's `Date`; None until an answer said one.
        self.clock_offset: float | None = None
        self._date_said = ""

    def url(self, path: str, params: Any = None) -> httpx.URL:
        """The URL of a path (and query), parsed once per distinct request: polls repeat them."""
        try:
            key: Hashable = (path, _frozen(params))
            hash(key)
        except TypeError:
            key = None
        cached = self._urls.get(key) if key is not None else None
        if cached is not None:
            return cached
        if params and "?" not in path:
            # One parse: copy_merge_params parses the URL, then builds and parses it again
            # (0.107 -> 0.060 ms; a listing's pages each have their own offset).
            url = httpx.URL(str(self.base) + path, params=params)
        else:
            url = httpx.URL(str(self.base) + path)
            if params:
                url = url.copy_merge_params(params)
        if key is not None:
            if len(self._urls) >= URL_CACHE:
                self._urls.clear()
            self._urls[key] = url
        return url

    async def aclose(self) -> None:
        if self.key_command is not None:
            await self.key_command.aclose()
        await self.client.aclose()

    @property
    def waits_for_key(self) -> bool:
        """The next request waits for the profile's key command (it has not given the key)."""
        return self._auth_for is not None and self.key_command is not None \
            and self.key_command.known is None

    def retry_key(self) -> None:
        """A refresh asked for: a key command that failed runs again at the next request."""
        if self.key_command is not None:
            self.key_command.retry()

    async def authorise(self) -> None:
        """Have the auth headers before a request: at once, or when the key command gives the
        key (raises KeyUnavailable). Outside the request's deadline: the command has its own."""
        if self._auth_for is None or self.key_command is None:
            return
        try:
            headers = self._auth_for(await self.key_command.key())
        except ConfigError as exc:
            raise KeyUnavailable(exc, provider=self.provider) from None
        self._auth = dict(headers)
        self._own_secrets([*self._secrets, *_header_secrets(headers)])
        self._auth_for = None

    def _own_secrets(self, secrets: list[str]) -> None:
        """The profile's secrets as now known: masked in every spelling here, and shared."""
        self._own = secrets
        self._pool.add(secrets)
        self._mask_version = -1

    @property
    def _redactor(self) -> Redactor:
        """The mask of the profile's own secrets and the others', alike (see `Redactor`), built
        again when a secret joined the pool (a key command's key, a profile built later)."""
        if self._mask_version != self._pool.version:
            self._mask_version = self._pool.version
            self._mask = Redactor([*self._own, *self._pool])
        return self._mask

    # ---- public verbs ---------------------------------------------------------------

    async def get(self, path: str, params: Any = None) -> httpx.Response:
        return await self._read("GET", path, params=params)

    async def post_read(self, path: str, json: Any = None, params: Any = None) -> httpx.Response:
        """A POST that only reads (e.g. a filter endpoint): safe to retry."""
        return await self._read("POST", path, params=params, json=json)

    async def post_action(self, path: str, json: Any = None, params: Any = None,
                          send_json: bool = True) -> httpx.Response:
        """Send a mutating request exactly once."""
        await self.authorise()
        kwargs: dict[str, Any] = {"params": params}
        if send_json:
            kwargs["json"] = json
        async with self._within_deadline():
            response = await self._send("POST", path, timeout=ACTION_TIMEOUT, **kwargs)
            self._raise_for_status(response)
        return response

    @contextlib.asynccontextmanager
    async def stream(self, path: str, params: Any = None,
                     read_gap: float | None = None) -> AsyncIterator[httpx.Response]:
        """An httpx streaming context for SSE; auth added only for our own origin. No deadline
        (a stream lasts as long as its run), but no more than `read_gap` seconds between bytes
        (STREAM_READ_GAP by default)."""
        await self.authorise()
        url = self.url(path)
        read = STREAM_READ_GAP if read_gap is None else read_gap
        async with self.client.stream("GET", url, params=params, headers=self._headers_for(url),
                                      timeout=httpx.Timeout(None, connect=5.0, read=read)) as response:
            yield response

    # ---- machinery ------------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def _within_deadline(self) -> AsyncIterator[asyncio.Timeout]:
        """The whole request (retries and a server dripping a byte at a time included) ends
        within `deadline`: httpx's read timeout restarts on every byte."""
        try:
            async with asyncio.timeout(self.deadline) as scope:
                yield scope
        except TimeoutError:
            raise ProviderError(f"no complete answer within {self.deadline:g} s "
                                "([defaults] request_deadline_seconds)", provider=self.provider,
                                kind="timeout", profile=self.profile or None) from None
        except ProviderError as exc:  # every error of a request says whose it is
            exc.profile = exc.profile or self.profile or None
            raise

    async def _read(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        if self._auth_for is not None:  # a key still to come from its command
            await self.authorise()
        async with self._within_deadline() as scope:
            return await self._read_with_retries(scope, method, path, **kwargs)

    async def _read_with_retries(self, scope: asyncio.Timeout, method: str, path: str,
                                 **kwargs: Any) -> httpx.Response:
        delay = 0.5
        for attempt in range(1, MAX_READ_TRIES + 1):
            try:
                response = await self._send(method, path, **kwargs)
            except ProviderError as exc:
                if attempt == MAX_READ_TRIES or exc.kind not in ("timeout", "network"):
                    raise
                await self._sleep(delay * (1 + random.random() / 2))
                delay *= 2
                continue
            if response.status_code in (429, 502, 503, 504) and attempt < MAX_READ_TRIES:
                wait = retry_after(response) if response.status_code == 429 else None
                if wait is not None and not _wait_fits(wait, scope):
                    self._raise_for_status(response)  # the 429, with the wait it asks for
                await self._sleep(wait if wait is not None else delay * (1 + random.random() / 2))
                delay *= 2
                continue
            self._raise_for_status(response)
            return response
        raise AssertionError("unreachable")

    def _headers_for(self, url: httpx.URL) -> dict[str, str]:
        same = (url.scheme, url.host, url.port) == (self.base.scheme, self.base.host, self.base.port)
        return dict(self._auth) if same else {}

    async def _send(self, method: str, path: str, timeout: httpx.Timeout | None = None,
                    params: Any = None, **kwargs: Any) -> httpx.Response:
        url = self.url(path, params)
        extensions = {"timeout": (timeout or READ_TIMEOUT).as_dict()}
        for _ in range(MAX_REDIRECTS + 1):
            self.requests += 1
            headers = self._headers.copy()
            headers.update(self._headers_for(url))
            request = httpx.Request(method, url, headers=headers, extensions=extensions, **kwargs)
            try:
                response = await self._exchange(request)
                self._read_clock(response)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                # no connection was made: nothing was sent (an action is surely not done)
                raise Unreachable(never_connected(exc) or "could not connect", provider=self.provider,
                                  cause=type(exc).__name__) from None
            except httpx.TimeoutException as exc:
                raise ProviderError(f"no answer in time ({type(exc).__name__})", provider=self.provider,
                                    kind="timeout") from None
            except (httpx.TransportError, httpx.DecodingError) as exc:
                raise ProviderError(f"connection failed ({type(exc).__name__})",
                                    provider=self.provider, kind="network") from None
            except (OSError, OverflowError, UnicodeError) as exc:
                # What the socket raises unwrapped (a port past 65535 after a redirect is
                # OverflowError, a host label past 63 characters UnicodeError): this
                # profile's network error, not the end of a listing.
                raise ProviderError(f"connection failed ({type(exc).__name__}: {exc})"[:200],
                                    provider=self.provider, kind="network") from None
            if response.is_redirect and method == "GET":
                url = self._redirect_target(url, response)
                if self._headers_for(url) == {} and self._auth:
                    raise ProviderError(f"not followed: a redirect to another origin ({origin(url)}); "
                                        "the key is sent to the profile's own origin only",
                                        provider=self.provider, status=response.status_code,
                                        kind="redirect")
                continue
            return response
        raise ProviderError("too many redirects", provider=self.provider, kind="redirect")

    def _redirect_target(self, url: httpx.URL, response: httpx.Response) -> httpx.URL:
        """Where a redirect points, or the server's error: a `Location` httpx cannot parse
        (`http://[::1`) raised InvalidURL past every handler here and ended the app, the
        request's headers (the key among them) printed in its crash report. Only http(s)
        to a named host is followed; the Location itself is not quoted (it may hold the key)."""
        try:
            target = url.join(response.headers.get("location", ""))
            followed = target.scheme in ("http", "https") and bool(target.host)
            target.netloc.decode("ascii")  # the host as it goes on the wire (IDNA-encoded)
        except (httpx.InvalidURL, ValueError):  # ValueError: IDNA and other host errors
            followed = False
        if not followed:
            raise ProviderError("not followed: a redirect to a Location that is not an http(s) URL",
                                provider=self.provider, status=response.status_code, kind="redirect")
        return target

    def _read_clock(self, response: httpx.Response) -> None:
        """How far ahead of ours the server's clock is, from its `Date` header (to the
        second: it is cut to whole seconds, +0.5 s on average). A server clock ahead showed
        its new runs created "in 14m" and running ones stuck at 0s."""
        said = response.headers.get("date")
        if not said or said == self._date_said:
            return  # the same second as the last answer's: nothing new (polls come in bursts)
        self._date_said = said
        try:
            server = email.utils.parsedate_to_datetime(said)
        except (TypeError, ValueError, IndexError):
            return  # not a date: nothing learnt
        if server.tzinfo is None:
            return  # "-0000": no zone said, as RFC 5322 has it
        self.clock_offset = server.timestamp() + 0.5 - time.time()

    async def _exchange(self, request: httpx.Request) -> httpx.Response:
        """One request, its answer read (see `read_answer`); through our transport when we
        chose it."""
        if self._direct is None:
            response = await self.client.send(request, stream=True)
        else:
            response = await self._direct.handle_async_request(request)
            response.request = request
        return await self.read_answer(response)

    async def read_answer(self, response: httpx.Response) -> httpx.Response:
        """`response` read whole up to `max_bytes` (decoded, and never more than that plus one
        piece inflated: a zip bomb counts as what it inflates to and stops there), with the
        profile's secrets masked (in UTF-8: a UTF-16 or UTF-32 body is re-spelt first)."""
        try:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > self.max_bytes:
                raise self._too_large()
            chunks: list[bytes] = []
            size = 0
            async for chunk in decoded_pieces(response, self.provider):
                size += len(chunk)
                if size > self.max_bytes:
                    raise self._too_large()
                chunks.append(chunk)
        finally:
            await response.aclose()
        body = b"".join(chunks)
        raw_headers = response.headers.raw
        respelt = as_utf8(body, response.headers.get("content-type", ""))
        if respelt is not None:  # masked as UTF-8, then read as UTF-8: see `as_utf8`
            body, content_type = respelt
            said = content_type.encode("latin-1", "replace")
            raw_headers = [(k, said if k.lower() == b"content-type" else v) for k, v in raw_headers]
        body = self._redactor.body(body)
        headers = self._redactor.headers(raw_headers) or raw_headers
        return httpx.Response(response.status_code, request=response.request, content=body,
                              headers=[(k, v) for k, v in headers if k.lower() not in _HOP_HEADERS],
                              extensions=response.extensions)

    def _too_large(self) -> ProviderError:
        return ProviderError(f"answer larger than {self.max_bytes / 1_048_576:g} MB, not read "
                             "([defaults] max_answer_mb)", provider=self.provider, kind="too-large")

    def _raise_for_status(self, response: httpx.Response) -> None:
        if response.is_success:
            return
        message: str | None = None
        body: Any = None
        try:
            body = response.json()
            found = self._errors(body)
            message = found if isinstance(found, str) else None
        except ValueError:
            pass
        except Exception:  # an error body of an unexpected shape is still an error
            message = None
        if not message:
            text = response.text.strip()
            looks_html = text[:1] == "<"
            message = response.reason_phrase or "error"
            if text and not looks_html:
                message = text[:200]
        request_id = (first_str(body, "requestId", "request_id")
                      or response.headers.get("x-request-id") or response.headers.get("x-requestid"))
        if request_id is not None:  # an echoing server can put the key here too
            request_id = self._redact(request_id[:200])
        raise ProviderError(
            self._redact(message[:MAX_MESSAGE]), provider=self.provider, status=response.status_code,
            request_id=request_id, retry_after=asked_wait(response))

    def redact(self, text: str) -> str:
        """`text` from this server with the profile's secrets masked (an SSE event's data)."""
        return self._redactor.text(text)

    def _redact(self, text: str) -> str:
        """Servers sometimes echo the credential back ("invalid key b3sk_..."): never show it."""
        return self._redactor.text(text)


def _header_secrets(headers: Mapping[str, str]) -> list[str]:
    """The credential values in auth headers, with and without their scheme ("Bearer …")."""
    found: list[str] = []
    for value in headers.values():
        found.append(value)
        if value.split():
            found.append(value.split()[-1])
    return found


def origin(url: httpx.URL) -> str:
    """Where a URL goes (`https://host:port`), without its path and query: a redirect to
    another port of the same host is another origin, and a Location's query may hold the
    key the server echoed."""
    return f"{url.scheme}://{url.netloc.decode('ascii', 'replace')}"


def _frozen(params: Any) -> Hashable:
    """Query parameters as a hashable key (lists become tuples); raises TypeError if it can't."""
    if params is None:
        return None
    items = params.items() if isinstance(params, Mapping) else params
    return tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in items)


def _wait_fits(wait: float, scope: asyncio.Timeout) -> bool:
    """A server's asked wait is honoured when it is not too long and the request's deadline
    leaves time for the answer after it: slept past the deadline, the 429 (and the wait it
    asked for) was lost, and the user was told the server did not answer."""
    if wait > MAX_RETRY_AFTER:
        return False
    ends = scope.when()
    return ends is None or wait + ANSWER_ROOM <= ends - asyncio.get_running_loop().time()


def retry_after(response: httpx.Response) -> float | None:
    """Seconds the server asks us to wait (delta-seconds or an HTTP date), bounded
    (`errors.bounded_wait`): "inf", "1e30" and year 9999 are a server's words too."""
    return bounded_wait(asked_wait(response))


def asked_wait(response: httpx.Response) -> float | None:
    """Seconds the server asks us to wait, as it asked (an error says so); None when it
    asks nothing readable."""
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        seconds = float(value)
        return None if math.isnan(seconds) else seconds
    except ValueError:
        from datetime import UTC, datetime
        from email.utils import parsedate_to_datetime

        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:  # "-0000": a time in UTC whose zone the sender did not know
            when = when.replace(tzinfo=UTC)
        return (when - datetime.now(UTC)).total_seconds()


def first_str(body: Any, *paths: str) -> str | None:
    """First non-empty string at any dotted path of a JSON body (error readers use it)."""
    for path in paths:
        node = body
        for part in path.split("."):
            node = node.get(part) if isinstance(node, Mapping) else None
        if isinstance(node, str) and node.strip():
            return node.strip()
        if isinstance(node, list) and node:  # FastAPI 422 detail lists
            first = node[0]
            if isinstance(first, Mapping) and isinstance(first.get("msg"), str):
                return str(first["msg"])
    return None
