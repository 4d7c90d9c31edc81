"""The provider protocol: what an adapter must do, and the one place actions are sent.

An adapter implements a few small async methods that each make requests and
parse raw JSON into the common model. `Provider.perform()` wraps every action
so that the POST is sent exactly once and, when its answer is lost or is an
error, the run is read again and reported as the server has it.
"""

from __future__ import annotations

import abc
import json
import os
import re
from collections.abc import AsyncIterator, Callable, Hashable
from typing import Any, ClassVar, TypeVar

import httpx
import msgspec
import orjson

from runtui.actions import ActionTable, looks_done, register_table
from runtui.config import Profile, checked_key, resolve_key
from runtui.errors import ConfigError, NotAllowed, ProviderError, Unreachable, same_run
from runtui.key_command import DEFAULT_TIMEOUT, KeyCommand
from runtui.model import Action, ActionResult, HumanRequest, Kind, Run, RunDetail, StartRequest, Status
from runtui.providers.capabilities import AnswersHumans, WorkflowInfo
from runtui.providers.http import DEFAULT_DEADLINE, DEFAULT_MAX_BYTES, HttpClient
from runtui.providers.options import ProviderOption
from runtui.providers.parse import PageMemo, ParseMemo
from runtui.providers.redact import SecretPool
from runtui.secret import Secret

T = TypeVar("T")

__all__ = ["ListQuery", "Provider", "WorkflowInfo", "cached_page", "json_of", "redact_credentials"]


class ListQuery(msgspec.Struct, frozen=True):
    """What to list. Providers apply what their server can filter and filter the rest."""

    statuses: frozenset[Status] | None = None  # None = every status
    limit: int | None = None  # None = to the end
    page_size: int = 100
    kind: Kind = Kind.RUN
    workflow_id: str | None = None
    read_ahead: bool = False
    """Ask for the next page while this one is parsed (`OffsetPager`): for listings that
    read every page, where one round trip per page adds up."""
    remember: bool = True
    """Keep each item's fingerprint and run (`ParseMemo`), so a later listing of the same
    item skips parsing it. A first load reads 100,000 items once each: fingerprinting
    them all cost 0.3 s of it, a cost that only a listing an hour later gains from."""




class Provider(abc.ABC):
    """Base of every adapter. Subclasses set the class attributes and the abstract methods."""

    name: ClassVar[str]
    label: ClassVar[str]
    default_base_url: ClassVar[str | None] = None
    needs_key: ClassVar[bool] = True
    actions: ClassVar[ActionTable]
    kinds: ClassVar[tuple[Kind, ...]] = (Kind.RUN,)
    # How a user names the thing they execute, for forms and help.
    workflow_label: ClassVar[str] = "workflow id"
    # Raw statuses (lower-case) that wait on a person although their common status is
    # not `waiting` (a Prefect run paused for input): the attention queue lists them.
    waits_on_human: ClassVar[frozenset[str]] = frozenset()
    options: ClassVar[tuple[ProviderOption, ...]] = ()
    """The settings a profile of this provider takes beyond the common ones (validated,
    offered by `profiles add --set`, the profile form and `runtui providers --json`)."""
    takes_goal: ClassVar[bool] = False
    """The execute form asks for a goal (a free-text instruction) besides the inputs."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """An adapter's table is known from the moment its class exists (faces ask
        `actions.decide`, which never imports a provider)."""
        super().__init_subclass__(**kwargs)
        if "actions" in cls.__dict__:
            register_table(cls.actions)

    def __init__(self, profile: Profile, http: HttpClient) -> None:
        self.profile = profile
        self.http = http
        self.memo = ParseMemo()  # list items parsed last time, by id
        self.pages = PageMemo()  # list answers decoded last time, by request

    def memo_for(self, query: ListQuery) -> ParseMemo | None:
        """The parse memo a listing of `query` uses (None: it remembers nothing)."""
        return self.memo if query.remember else None

    def pages_for(self, query: ListQuery) -> PageMemo | None:
        """The page memo a listing of `query` uses (None: it remembers nothing)."""
        return self.pages if query.remember else None

    @classmethod
    @abc.abstractmethod
    def auth_headers(cls, key: Secret | None, profile: Profile) -> dict[str, str]:
        """The headers that carry the key (and org/project context) on every request."""

    @staticmethod
    @abc.abstractmethod
    def read_error(body: Any) -> str | None:
        """The provider's message from an error body."""

    @classmethod
    def from_profile(cls, profile: Profile, *, transport: httpx.AsyncBaseTransport | None = None,
                     deadline: float = DEFAULT_DEADLINE, max_bytes: int = DEFAULT_MAX_BYTES,
                     key_timeout: float = DEFAULT_TIMEOUT,
                     shared_secrets: SecretPool | None = None) -> Provider:
        """Build the adapter with its HTTP client and the profile's key; a key from a
        command comes when the first request needs it (it may take long). `shared_secrets`:
        the other profiles' secrets, masked in this one's answers too (it gets this one's)."""
        key_command: KeyCommand | None = None
        auth_for: Callable[[Secret], dict[str, str]] | None = None
        if profile.api_key_cmd:
            key_command = KeyCommand(profile.api_key_cmd, profile=profile.name, timeout=key_timeout)
            auth_headers: dict[str, str] = {}

            def auth_for(key: Secret) -> dict[str, str]:
                return cls.auth_headers(checked_key(profile, key), profile)
        else:
            auth_headers = cls.auth_headers(resolve_key(profile, required=cls.needs_key), profile)
        base_url = profile.base_url or cls.default_base_url
        if not base_url:
            raise ConfigError("base_url is required for this provider", field="base_url",
                              profile=profile.name)
        http = HttpClient(provider=cls.name, base_url=base_url,
                          auth_headers=auth_headers, error_reader=cls.read_error,
                          allow_insecure_http=profile.allow_insecure_http, profile=profile.name,
                          extra_headers=cls.extra_headers(profile), transport=transport,
                          deadline=deadline, max_bytes=max_bytes, secrets=setting_secrets(cls, profile),
                          key_command=key_command, auth_for=auth_for, shared_secrets=shared_secrets)
        return cls(profile, http)

    @classmethod
    def extra_headers(cls, profile: Profile) -> dict[str, str]:
        return {}

    # ---- reads ----------------------------------------------------------------------

    @abc.abstractmethod
    def iter_runs(self, query: ListQuery) -> AsyncIterator[list[Run]]:
        """Yield pages of runs, newest first, until the end or `query.limit`."""

    async def list_runs(self, query: ListQuery | None = None) -> list[Run]:
        runs: list[Run] = []
        async for page in self.iter_runs(query or ListQuery()):
            runs.extend(page)
        return runs

    @abc.abstractmethod
    async def get_run(self, run_id: str, kind: Kind = Kind.RUN) -> RunDetail:
        """Read one run with everything the detail view shows."""

    async def get_summary(self, run_id: str, kind: Kind = Kind.RUN) -> Run:
        """A cheap read of one run's state; providers override when they have one."""
        return (await self.get_run(run_id, kind)).run

    async def read_run(self, run_id: str, kind: Kind = Kind.RUN) -> RunDetail:
        """`get_run`, refused when the server answers with another run: its inputs must
        not fill a form as this run's, nor its steps be said as where this one waits."""
        detail = await self.get_run(run_id, kind)
        same_run(self.name, run_id, detail.run.id)
        return detail

    async def get_steps(self, run_id: str, kind: Kind = Kind.RUN) -> RunDetail:
        """The run and its steps, without what only the detail view shows: where a waiting
        run waits (the attention queue). Providers override when that comes cheaper."""
        return await self.get_run(run_id, kind)

    async def read_steps(self, run_id: str, kind: Kind = Kind.RUN) -> RunDetail:
        """`get_steps`, refused when the server answers with another run (its steps must
        not be said as where this one waits)."""
        detail = await self.get_steps(run_id, kind)
        same_run(self.name, run_id, detail.run.id)
        return detail

    async def read_summary(self, run_id: str, kind: Kind = Kind.RUN) -> Run:
        """`get_summary`, refused when the server answers with another run."""
        run = await self.get_summary(run_id, kind)
        same_run(self.name, run_id, run.id)
        return run

    @abc.abstractmethod
    async def check(self) -> str:
        """One cheap authenticated read; returns a short description of what it saw."""

    # Optional capabilities (streams, workflow inputs, answers, an inbox, trouble) are the
    # protocols in capabilities.py: an adapter implements their methods, nothing else.

    # ---- what waits on a human (the attention queue) ---------------------------------

    async def answer(self, run: Run, request: HumanRequest, *, approve: bool,
                     values: dict[str, Any]) -> ActionResult:
        """Answer once (never retried, like every action), then read the run again."""
        if not isinstance(self, AnswersHumans):
            raise NotAllowed(f"{self.label} runs take no answer from runtui")
        verb = "answered" if approve else "rejected"
        try:
            await self.send_answer(run, request, approve=approve, values=values)
        except Unreachable as exc:
            return ActionResult(action=Action.RESUME, ok=False, message=exc.not_sent(run.profile))
        except ProviderError as exc:
            uncertain = exc.outcome_unknown
            lost = "the answer was lost; check the run before answering again: " if uncertain else ""
            return ActionResult(action=Action.RESUME, ok=False, message=lost + str(exc),
                                uncertain=uncertain)
        try:
            fresh: Run | None = await self.get_summary(run.id, run.kind)
        except ProviderError:
            fresh = None
        if fresh is not None and fresh.id != run.id:
            fresh = None  # never show another run's state as this one's
        return ActionResult(action=Action.RESUME, ok=True, run=fresh, message=f"{verb}: {request.title}")

    # ---- actions --------------------------------------------------------------------

    @abc.abstractmethod
    async def _start(self, request: StartRequest) -> str:
        """Send the one request that starts a new run; return its id."""

    @abc.abstractmethod
    async def _send(self, run: Run, action: Action) -> str | None:
        """Send the one request for a per-run action. Returns a new run id (retry) or None."""

    async def execute(self, request: StartRequest) -> ActionResult:
        """Start a new run. Never retried: a lost answer is reported as uncertain."""
        try:
            new_id = await self._start(request)
        except Unreachable as exc:
            return ActionResult(action=Action.EXECUTE, ok=False, message=exc.not_sent(self.profile.name))
        except ProviderError as exc:
            uncertain = exc.outcome_unknown
            msg = str(exc)
            if uncertain:
                msg = (f"the start request's answer was lost ({exc.message}); a run may or may not "
                       "have been created: check the list before starting again")
            return ActionResult(action=Action.EXECUTE, ok=False, message=msg, uncertain=uncertain)
        run, note = await self._read_back(new_id, Kind.RUN)
        if run is not None and run.workflow_id is None:
            # the run answers without its workflow (an Edges run names no flow): it is the one
            # the person chose to start
            run = run.model_copy(update={"workflow_id": request.workflow_id})
        return ActionResult(action=Action.EXECUTE, ok=True, run=run, new_run_id=new_id,
                            message=f"started {new_id}{note}")

    async def perform(self, run: Run, action: Action) -> ActionResult:
        """Send `action` once to `run.id`; on any failure read the run again and say what it is now.

        A read-back that answers with another run's id is not shown as this run's state
        (`run` stays None): a server must not make one run look like another.
        """
        try:
            new_id = await self._send(run, action)
        except Unreachable as exc:  # nothing sent: the run is as it was, no read-back to wait for
            return ActionResult(action=action, ok=False, message=exc.not_sent(run.profile))
        except ProviderError as exc:
            uncertain = exc.outcome_unknown
            fresh, note = await self._read_back(run.id, run.kind)
            state = f"; the run is now {fresh.status.value} ({fresh.raw_status})" if fresh else note
            if uncertain:
                ok = fresh is not None and looks_done(action, fresh)
                verdict = ("confirmed by read-back" if ok
                           else "outcome unknown: not seen done when read back (the next reads will tell)")
                msg = f"the answer was lost ({exc.message}); {verdict}{state}"
                return ActionResult(action=action, ok=ok, run=fresh, message=msg, uncertain=True)
            return ActionResult(action=action, ok=False, run=fresh, message=str(exc) + state)
        target = new_id or run.id
        fresh, note = await self._read_back(target, run.kind)
        return ActionResult(action=action, ok=True, run=fresh, new_run_id=new_id,
                            message=f"{action.value} sent" + (f"; new run {new_id}" if new_id else "")
                            + note)

    async def _read_back(self, run_id: str, kind: Kind) -> tuple[Run | None, str]:
        """The run as the server has it now, or None, with a note when the read named another id."""
        try:
            fresh = await self.get_summary(run_id, kind)
        except ProviderError:
            return None, ""
        if fresh.id != run_id:
            return None, f"; the read-back answered with another run ({fresh.id!r}), not shown"
        return fresh, ""

    async def aclose(self) -> None:
        await self.http.aclose()


def setting_secrets(cls: type[Provider], profile: Profile) -> list[str]:
    """The secrets a profile's settings hold, masked in answers like the key (which comes
    from the auth headers): each option its provider declares `secret` (B3OS's
    `webhook_secret`, sent in a query a server may quote back), written inline or named
    by its `<name>_env` variable, and the value of every other `*_env` variable."""
    secret_names = {option.name for option in cls.options if option.secret}
    found: list[str] = []
    for name, value in profile.extras.items():
        if not isinstance(value, str) or not value:
            continue
        if name in secret_names:
            found.append(value)
        elif name.endswith("_env"):
            found.append(os.environ.get(value, ""))
    return found


def cached_page(pages: PageMemo | None, response: httpx.Response, build: Callable[[], T],
                *extra: Hashable, volatile: re.Pattern[bytes] | None = None) -> T:
    """`build()` for this list answer, or what it built for the same request and bytes before.

    `pages` None: a listing that remembers nothing (a first load: hashing its 60 MB of
    pages, and B3OS's requestId taken out of each, cost ~25 ms at 50,000 runs).
    `extra`: whatever else `build` depends on (a status prefilter, a kind).
    `volatile`: what differs in every answer and means nothing (B3OS's requestId).
    """
    if pages is None:
        return build()
    request = response.request
    key = (request.method, str(request.url), request.content, *extra)
    content = response.content if volatile is None else volatile.sub(b"", response.content)
    return pages.page(key, content, build)


def json_of(response: httpx.Response, provider: str) -> Any:
    """Parse a 2xx body or raise a typed parse error (truncated bodies, HTML pages)."""
    try:
        return decode_json(response)
    except RecursionError:
        raise ProviderError("unreadable answer: JSON nested too deeply", provider=provider,
                            status=response.status_code, kind="parse") from None
    except ValueError:
        snippet = redact_credentials(response.text[:200], response)[:80].replace("\n", " ")
        request_id = response.headers.get("x-request-id")
        raise ProviderError(f"unreadable answer (not JSON): {snippet!r}", provider=provider,
                            status=response.status_code, kind="parse",
                            request_id=redact_credentials(request_id, response) if request_id else None
                            ) from None


def decode_json(response: httpx.Response) -> Any:
    """orjson for the common case (half the time of `json.loads` on a Wexa page); the stdlib
    for all orjson refuses (NaN, lone surrogates, nesting past 1,024, a BOM, bodies not in
    UTF-8), so what decodes and what is refused is what `response.json()` did. One
    difference is left: an integer past 64 bits comes back as a float. No id of these
    platforms is such a number (they are strings or UUIDs, and JavaScript servers cannot
    even write one exactly), and counts and costs are floats here anyway.

    A body that is not valid in its encoding is read with each bad byte as U+FFFD
    (shown as such): one bad byte in one run's name must not hide a profile's other runs."""
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError:
        try:
            return response.json()
        except UnicodeDecodeError:
            content = response.content
            return json.loads(content.decode(json.detect_encoding(content), errors="replace"))


_CREDENTIAL_HEADERS = ("authorization", "key", "token", "secret")


def redact_credentials(text: str, response: httpx.Response) -> str:
    """`text` with every credential the request carried replaced by ***.

    A server that echoes the key back (in a body we show, a request id) must not make us show it.
    """
    try:
        headers = response.request.headers
    except RuntimeError:  # a response built without a request
        return text
    for name, value in headers.items():
        if not any(word in name.lower() for word in _CREDENTIAL_HEADERS):
            continue
        for secret in {value, value.split()[-1] if value.split() else value}:
            if len(secret) >= 6:
                text = text.replace(secret, "***")
    return text
