"""The real CLI against hostile servers: nothing reaches the terminal raw, actions go only
where the user points, limits hold, and the profile's key never comes back out."""

from __future__ import annotations

import json
import re
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from runtui.engine.journal import Journal
from runtui.engine.workspace import Workspace
from runtui.providers import http as http_mod
from runtui.providers.base import Provider
from runtui.safe_text import DANGEROUS
from tests.cli_result import invoke
from tests.hostile.conftest import KEY, KEY_ENV, write_config
from tests.hostile.server import (
    BOMB_SIZE,
    FORGED,
    RETRY_AFTER,
    VICTIM,
    WIDE_NAMES,
    HostileServer,
    encoded_echoes,
    url_spellings,
)

LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (DEBUG|INFO|WARNING|ERROR) ")


def forged_lines(log: str) -> list[str]:
    """Lines that start at column 0 looking like log lines but are the server's making."""
    return [line for line in log.splitlines() if line.startswith(FORGED.strip())]


def assert_harmless(text: str) -> None:
    bad = sorted({f"U+{ord(c):04X}" for c in text if c in DANGEROUS and c != "\n"})
    assert not bad, f"raw control or bidi characters reached the terminal: {bad}"


def test_runs_list_and_show_make_every_escape_visible(
        hostile: Callable[[str], HostileServer], tmp_path: Path) -> None:
    server = hostile("inject")
    config = write_config(tmp_path / "c.toml", {"evil": server})
    listed = invoke(config, "runs", "list")
    assert listed.code == 0, listed.err
    assert_harmless(listed.out + listed.err)
    assert "␛]52;c;cm0gLXJmIH4K␇" in listed.out  # shown, not executed
    assert "my-own-run" in listed.out
    shown = invoke(config, "runs", "show", "my-own-run", "-p", "evil")
    assert_harmless(shown.out + shown.err)
    assert "␛[2J" in shown.out and "\\u202e" in shown.out and "\\x9b" in shown.out
    as_json = invoke(config, "runs", "list", "--json")
    assert_harmless(as_json.out)
    assert "\x1b]52;" in as_json.json()[0]["workflow_name"], "--json keeps the exact text"


def test_emoji_sequences_are_shown_as_plain_emoji_and_kept_whole_in_json(
        hostile: Callable[[str], HostileServer], tmp_path: Path) -> None:
    """A terminal (tmux) draws `🧑🏽‍🚀` 4 cells wide where Rich counts 2: shown text breaks
    such sequences into plain emoji; `--json` is for scripts and keeps every character."""
    server = hostile("wide")
    config = write_config(tmp_path / "c.toml", {"evil": server})
    listed = invoke(config, "runs", "list")
    assert listed.code == 0, listed.err
    assert "주간 KPI 요약 보고서 🧑🚀" in listed.out
    assert "Support◌Triage 每日资金再平衡✔🏳🌈🇯🇵" in listed.out
    assert not {"\u200d", "\ufe0f", "\U0001F3FD", "\u200b"} & set(listed.out)
    as_json = invoke(config, "runs", "list", "--json")
    assert sorted(run["workflow_name"] for run in as_json.json()) == sorted(WIDE_NAMES)


def test_an_action_error_and_its_request_id_are_harmless_and_journaled_raw(
        hostile: Callable[[str], HostileServer], tmp_path: Path) -> None:
    server = hostile("conflict")
    config = write_config(tmp_path / "c.toml", {"evil": server})
    result = invoke(config, "runs", "cancel", "my-own-run", "-p", "evil")
    assert result.code == 1
    assert_harmless(result.out + result.err)
    assert "run is busy␛[2J" in result.err
    entry = list(Journal().entries())[-1]
    assert entry.message is not None and "\x1b[2J" in entry.message, "the journal keeps raw text"
    history = invoke(config, "history")
    assert_harmless(history.out)
    assert "run is busy␛[2J" in history.out


def test_an_action_goes_only_to_the_run_the_user_named(
        hostile: Callable[[str], HostileServer], tmp_path: Path) -> None:
    server = hostile("swap")
    config = write_config(tmp_path / "c.toml", {"evil": server})
    result = invoke(config, "runs", "cancel", "my-own-run", "-p", "evil")
    assert result.code == 1
    assert f"another run, '{VICTIM}'" in result.err and "nothing sent" in result.err
    assert server.posts == []
    entry = list(Journal().entries())[-1]
    assert (entry.run_id, entry.outcome) == ("my-own-run", "refused")


def everything_said(config: Path, profile: str) -> str:
    """What the reading commands print for the config's runs (list, list --json, and show
    --json of `my-own-run` on `profile`), each asserted to succeed."""
    said = ""
    for args in (("runs", "list"), ("runs", "list", "--json"),
                 ("runs", "show", "my-own-run", "-p", profile, "--json")):
        result = invoke(config, *args)
        assert result.code == 0, result.err
        said += result.out + result.err
    return said


def test_the_profiles_key_echoed_in_run_fields_is_never_shown(
        hostile: Callable[[str], HostileServer], tmp_path: Path) -> None:
    server = hostile("echo")
    config = write_config(tmp_path / "c.toml", {"evil": server})
    assert KEY not in everything_said(config, "evil")
    assert "Invoice sync for ***" in invoke(config, "runs", "list").out


def test_the_profiles_key_echoed_encoded_is_never_shown_nor_journaled(
        hostile: Callable[[str], HostileServer], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the plain key and its percent-encodings in one case were masked: a server echoing
    it in base64 (alone, or inside the Basic or Bearer credentials it came in), in hex, or
    percent-encoded with mixed-case hex had it shown and journaled."""
    key = "k3y+with/slash=and:more~ok"
    monkeypatch.setenv(KEY_ENV, key)
    config = write_config(tmp_path / "c.toml", {"evil": hostile("echo_encoded")})
    shown = invoke(config, "runs", "show", "my-own-run", "-p", "evil", "--json")
    assert shown.code == 0, shown.err
    assert shown.json()["last_error"] == ("auth failed for Authorization: Basic dXNlcjp*** "
                                          "Bearer token QmVhcmVyIG*** *** ***")
    said = shown.out
    for args in (("runs", "list"), ("runs", "list", "--json")):
        result = invoke(config, *args)
        assert result.code == 0, result.err
        said += result.out + result.err
    acted = invoke(config, "runs", "cancel", "my-own-run", "-p", "evil")
    assert acted.code == 1
    assert "run is busy: *** Authorization: Basic dXNlcjp*** Bearer token QmVhcmVyIG*** *** ***" in acted.err
    journaled = list(Journal().entries())[-1].message or ""
    assert "run is busy: ***" in journaled
    for echo in encoded_echoes(key):
        encoded = echo.split()[-1]
        assert encoded not in said + acted.out + acted.err + journaled, echo


def test_a_step_name_cannot_forge_log_lines(
        hostile: Callable[[str], HostileServer], tmp_path: Path) -> None:
    """A name with a newline started a line of the server's choosing at column 0: a grep
    of the log for "succeeded" was fooled. The name is one line, its newline shown."""
    config = write_config(tmp_path / "c.toml", {"evil": hostile("forge")})
    result = invoke(config, "runs", "logs", "my-own-run", "-p", "evil")
    assert result.code == 0, result.err
    assert "Prospect Researcher␊2026-12-06 15:59:59 INFO    - run succeeded (FORGED)␊" in result.out
    assert forged_lines(result.out) == []
    assert all(LOG_LINE.match(line) or line.startswith("    ") for line in result.out.splitlines())


def test_the_profiles_key_echoed_as_a_url_spells_it_is_never_shown(
        hostile: Callable[[str], HostileServer], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A key with `+ / = :` (base64-like) changes when a URL holds it: an error echoing
    the request's URL showed it percent-encoded. (A key with a space inside is refused
    before it is sent: `test_cli_key_shapes.py`.)"""
    key = "k3y+with/slash=and:more-ok"
    monkeypatch.setenv(KEY_ENV, key)
    config = write_config(tmp_path / "c.toml", {"evil": hostile("echo_url")})
    result = invoke(config, "runs", "list")
    assert result.code == 1
    masked = " ".join(["***"] * len(url_spellings(key)))
    assert f"HTTP 500: bad /v1/flows/runs?api_key= {masked} (request id ***)" in result.err
    for spelling in url_spellings(key):
        assert spelling not in result.out + result.err


def test_a_redirect_to_another_port_of_the_same_host_names_its_origin_and_is_not_followed(
        hostile: Callable[[str], HostileServer], tmp_path: Path) -> None:
    """It said "redirected to another host (127.0.0.1)", the profile's own host, and
    "credentials not sent" read as if the request went there without them."""
    evil, elsewhere = hostile("redirect"), hostile("plain")
    evil.redirect_to = f"{elsewhere.url}/flows/runs"
    config = write_config(tmp_path / "c.toml", {"evil": evil})
    result = invoke(config, "runs", "list")
    assert result.code == 1
    origin = f"http://127.0.0.1:{httpx.URL(elsewhere.url).port}"
    assert f"evil: edges HTTP 302: not followed: a redirect to another origin ({origin})" in result.err
    assert KEY not in result.err and "?key" not in result.err
    assert elsewhere.lists == 0, "nothing was sent to the other origin"


def test_a_gzip_bomb_stops_at_the_answer_limit_without_being_inflated(
        hostile: Callable[[str], HostileServer], tmp_path: Path) -> None:
    """Each chunk read from the socket was inflated whole before the answer limit saw it:
    64 KB of a gzip bomb became ~66 MB in memory at once. It stops at the limit now, having
    held no more than the limit and one piece."""
    server = hostile("gzip_bomb")
    config = write_config(tmp_path / "c.toml", {"bomb": server}, defaults="max_answer_mb = 1")
    tracemalloc.start()
    try:
        result = invoke(config, "runs", "list")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.code == 1
    assert "bomb: edges too-large: answer larger than 1 MB, not read ([defaults] max_answer_mb)" \
        in result.err
    assert peak < 8 * 1_048_576, f"{peak / 1_048_576:.1f} MB held for a 1 MB limit"
    assert server.bomb_sent < BOMB_SIZE // 1000, "it hung up long before the end"


@pytest.mark.parametrize("location", ["http://[::1", "https://[zz]/runs", "http://xn--/", "ftp://127.0.0.1/x",
                                      "http://a\x01b/"])
def test_a_redirect_to_a_location_httpx_cannot_parse_is_the_servers_error(
        hostile: Callable[[str], HostileServer], tmp_path: Path, location: str) -> None:
    """`Location: http://[::1` raised httpx's InvalidURL past the client's handlers: the CLI
    said "internal: InvalidURL", and the TUI died printing the request's headers, key and
    all. It is the profile's redirect error, in one line, and nothing more is sent."""
    evil = hostile("plain")
    evil.location = location
    config = write_config(tmp_path / "c.toml", {"evil": evil, "fine": hostile("plain")})
    result = invoke(config, "runs", "list")
    assert result.code == 1
    assert ("evil: edges HTTP 302: not followed: a redirect to a Location that is not an http(s) URL"
            in result.err), result.err
    assert "internal" not in result.err and "InvalidURL" not in result.err
    assert len(result.err.strip().splitlines()) == 1, result.err
    assert KEY not in result.err + result.out
    assert "my-own-run" in result.out, "the healthy profile's runs are still printed"
    assert evil.redirected == 1, "the redirect was not followed, nor the read tried again"


def test_a_deeply_nested_answer_is_one_profiles_error(
        hostile: Callable[[str], HostileServer], tmp_path: Path) -> None:
    config = write_config(tmp_path / "c.toml", {"deep": hostile("deep"), "fine": hostile("plain")})
    result = invoke(config, "runs", "list")
    assert result.code == 1
    assert "deep: " in result.err and "nested too deeply" in result.err
    assert "Traceback" not in result.err and len(result.err.splitlines()) == 1
    assert "my-own-run" in result.out, "the healthy profile's runs are still printed"


def test_a_dripping_server_meets_the_deadline(
        hostile: Callable[[str], HostileServer], tmp_path: Path) -> None:
    config = write_config(tmp_path / "c.toml", {"slow": hostile("drip")},
                          defaults="request_deadline_seconds = 1.5")
    began = time.monotonic()
    result = invoke(config, "runs", "list")
    assert result.code == 1
    assert "no complete answer within 1.5 s" in result.err
    assert time.monotonic() - began < 30, "bounded by the deadline, not by the drip"


def test_a_429_whose_wait_outlasts_the_deadline_is_said_at_once(
        hostile: Callable[[str], HostileServer], tmp_path: Path) -> None:
    """A Retry-After longer than what was left of the deadline (but not absurd) was slept,
    then the deadline said the server did not answer: the 429 and its wait were lost."""
    server = hostile("slow_down")
    config = write_config(tmp_path / "c.toml", {"busy": server},
                          defaults=f"request_deadline_seconds = {RETRY_AFTER - 2}")
    began = time.monotonic()
    result = invoke(config, "runs", "list")
    assert result.code == 1
    assert f"busy: edges rate limited (HTTP 429): the server asks to wait {RETRY_AFTER} s (slow down)" \
        in result.err
    assert "no complete answer" not in result.err
    assert time.monotonic() - began < RETRY_AFTER - 2, "said at once, not after the deadline"
    assert server.lists == 1


def test_a_429_whose_wait_fits_is_waited_for_a_read_never_for_an_action(
        hostile: Callable[[str], HostileServer], tmp_path: Path) -> None:
    server = hostile("slow_once")
    config = write_config(tmp_path / "c.toml", {"busy": server})
    listed = invoke(config, "runs", "list")
    assert listed.code == 0, listed.err
    assert "my-own-run" in listed.out and server.lists == 2
    cancelled = invoke(config, "runs", "cancel", "my-own-run", "-p", "busy")
    assert cancelled.code == 1
    assert "rate limited (HTTP 429): the server asks to wait 1 s (slow down)" in cancelled.err
    assert server.posts == ["/v1/flows/runs/my-own-run/cancel"], "an action is sent once"


def test_a_429_with_a_wait_too_long_to_honour_says_the_wait(
        hostile: Callable[[str], HostileServer], tmp_path: Path) -> None:
    config = write_config(tmp_path / "c.toml", {"busy": hostile("wait_forever")})
    result = invoke(config, "runs", "list")
    assert result.code == 1
    assert "busy: edges rate limited (HTTP 429): the server asks to wait more than 100 years " \
           "(slow down)" in result.err


def test_an_answer_over_the_size_cap_is_refused_unread(
        hostile: Callable[[str], HostileServer], tmp_path: Path) -> None:
    config = write_config(tmp_path / "c.toml", {"big": hostile("huge")}, defaults="max_answer_mb = 1")
    result = invoke(config, "runs", "list")
    assert result.code == 1
    assert "answer larger than 1 MB" in result.err


def test_one_byte_that_is_not_utf8_costs_one_character_not_the_list(
        hostile: Callable[[str], HostileServer], tmp_path: Path) -> None:
    """The whole profile went dark ("unreadable answer (not JSON)") for one bad byte."""
    config = write_config(tmp_path / "c.toml", {"bad": hostile("bad_utf8")})
    listed = invoke(config, "runs", "list", "--json")
    assert listed.code == 0, listed.err
    runs = {run["id"]: run for run in json.loads(listed.out)}
    assert set(runs) == {"my-own-run", "second-run"}
    assert runs["my-own-run"]["workflow_name"] == "Invoice\ufffd sync"  # the bad byte, visibly


def test_json_errors_stay_exact_json(hostile: Callable[[str], HostileServer], tmp_path: Path) -> None:
    config = write_config(tmp_path / "c.toml", {"evil": hostile("inject")})
    runs = json.loads(invoke(config, "runs", "list", "--json").out)
    assert runs[0]["last_error"].startswith("boom\x1b[2J")


def test_workflow_views_and_actions_are_harmless_and_go_to_the_chosen_schedule(
        hostile: Callable[[str], HostileServer], tmp_path: Path) -> None:
    server = hostile("inject")
    config = write_config(tmp_path / "c.toml", {"evil": server})
    listed = invoke(config, "workflows", "list")
    assert listed.code == 0, listed.err
    assert_harmless(listed.out + listed.err)
    as_json = invoke(config, "workflows", "list", "--json")
    assert_harmless(as_json.out)
    (row,) = [r for r in as_json.json() if r["workflow_id"] == "invoice-sync"]
    assert "\x1b]52;" in row["schedule"], "--json keeps the exact text"
    paused = invoke(config, "workflows", "pause", "invoice-sync", "-p", "evil")
    assert paused.code == 1  # the server answered 409, with escapes in its message
    assert_harmless(paused.out + paused.err)
    assert server.posts == ["/v1/flows/schedules/sched-1/pause"]


def test_a_socket_error_httpx_does_not_wrap_fails_only_its_profile(
        hostile: Callable[[str], HostileServer], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fine, broken = hostile("plain"), hostile("plain")
    config = write_config(tmp_path / "c.toml", {"fine": fine, "nosock": broken})
    real = http_mod.default_transport()
    assert real is not None
    broken_port = httpx.URL(broken.url).port

    class NoSocket(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.port == broken_port:
                raise OverflowError("connect(): port must be 0-65535")
            return await real.handle_async_request(request)

    monkeypatch.setattr(http_mod, "default_transport", NoSocket)
    result = invoke(config, "runs", "list")
    assert result.code == 1
    assert "nosock: edges network: connection failed (OverflowError: connect(): port must be " \
           "0-65535)" in result.err
    assert "my-own-run" in result.out, "the healthy profile's runs are still printed"


def test_an_unexpected_exception_in_one_profile_leaves_the_others_answered(
        hostile: Callable[[str], HostileServer], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = write_config(tmp_path / "c.toml", {"fine": hostile("plain"), "buggy": hostile("plain")})
    real = Workspace.provider

    def provider(self: Workspace, name: str) -> Provider:
        if name == "buggy":
            raise LookupError("an adapter bug")
        return real(self, name)

    monkeypatch.setattr(Workspace, "provider", provider)
    listed = invoke(config, "runs", "list")
    assert listed.code == 1 and "my-own-run" in listed.out
    assert "runtui: buggy: internal: LookupError: an adapter bug" in listed.err  # "buggy" said once
    tested = invoke(config, "profiles", "test", "--all")
    assert tested.code == 1 and "OK fine" in tested.out
    assert "FAILED buggy: internal: LookupError: an adapter bug" in tested.out
    attention = invoke(config, "attention", "--json")
    assert attention.code == 1
    assert any(item["profile"] == "buggy" and "LookupError" in json.dumps(item)
               for item in attention.json())


@pytest.mark.parametrize("mode", ["echo_utf16", "echo_utf32", "echo_utf16be"])
def test_the_profiles_key_echoed_in_a_utf16_or_utf32_answer_is_never_shown_nor_journaled(
        hostile: Callable[[str], HostileServer], tmp_path: Path, mode: str) -> None:
    """The key was masked in the answer's bytes as UTF-8 spells it, and the JSON reader then
    decoded UTF-16/32 by itself: a server picking that charset had the key shown everywhere."""
    config = write_config(tmp_path / "c.toml", {"evil": hostile(mode)})
    said = everything_said(config, "evil")
    assert "Invoice sync for ***" in said, "the answer was read, its key masked"
    journaled = " ".join(entry.message or "" for entry in Journal().entries())
    assert KEY.lower() not in (said + journaled).lower()


def test_the_profiles_key_echoed_upper_cased_is_never_shown(
        hostile: Callable[[str], HostileServer], tmp_path: Path) -> None:
    """Gateways log a rejected key upper-cased ("invalid key SIM-…"): only its exact case
    was masked."""
    config = write_config(tmp_path / "c.toml", {"evil": hostile("echo_upper")})
    said = everything_said(config, "evil")
    assert "Invoice sync for ***" in said and "auth failed for key ***" in said
    journaled = " ".join(entry.message or "" for entry in Journal().entries())
    assert KEY.lower() not in (said + journaled).lower()


def test_another_profiles_key_in_this_ones_answers_is_never_shown_nor_journaled(
        hostile: Callable[[str], HostileServer], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each profile masked only its own secrets: a run on one platform that dumps its
    environment (or was given another platform's key as an input) printed that key."""
    other = "other-profiles-key-0123456789"
    monkeypatch.setenv("RUNTUI_OTHER_KEY", other)
    leaking, neighbour = hostile("leak"), hostile("plain")
    leaking.leak = f"A={KEY} B={other} B_LOGGED={other.upper()}"
    config = tmp_path / "c.toml"
    config.write_text(f'[profiles.a]\nprovider = "edges"\nbase_url = "{leaking.url}"\n'
                      f'api_key_env = "{KEY_ENV}"\n'
                      f'[profiles.b]\nprovider = "edges"\nbase_url = "{neighbour.url}"\n'
                      'api_key_env = "RUNTUI_OTHER_KEY"\n', encoding="utf-8")
    config.chmod(0o600)
    said = everything_said(config, "a")
    assert "env A=*** B=*** B_LOGGED=***" in said
    acted = invoke(config, "runs", "cancel", "my-own-run", "-p", "a", "--yes")
    said += acted.out + acted.err
    journaled = " ".join(entry.message or "" for entry in Journal().entries())
    assert other.lower() not in (said + journaled).lower()
    assert KEY.lower() not in (said + journaled).lower()


OTHER_KEY = "other+profile/key=0123:ab"


def spellings_of_other_key() -> list[str]:
    """Another profile's key as a server given it may echo it: plain, upper-cased, and each
    encoded spelling an echo of the caller's own key is tested with."""
    return [OTHER_KEY, OTHER_KEY.upper(), *encoded_echoes(OTHER_KEY), *url_spellings(OTHER_KEY)]


def key_bearing(spelling: str) -> str:
    """The part of a spelling made of the key alone (past `Basic dXNlcjp`, `Bearer token QmVhcmVyIG`)."""
    encoded = spelling.split()[-1]
    return encoded[len(encoded) // 3:][:12]


def write_leaking_pair(path: Path, leaking: HostileServer, neighbour: HostileServer) -> Path:
    """Profile `a` on the leaking server, `b` (whose key is `OTHER_KEY`) on its neighbour."""
    leaking.leak = " ".join(spellings_of_other_key())
    path.write_text(f'[profiles.a]\nprovider = "edges"\nbase_url = "{leaking.url}"\n'
                    f'api_key_env = "{KEY_ENV}"\n'
                    f'[profiles.b]\nprovider = "edges"\nbase_url = "{neighbour.url}"\n'
                    'api_key_env = "RUNTUI_OTHER_KEY"\n', encoding="utf-8")
    path.chmod(0o600)
    return path


@pytest.mark.parametrize("mode", ["leak", "leak_utf16"])
def test_another_profiles_key_echoed_in_any_spelling_is_never_shown_nor_journaled(
        hostile: Callable[[str], HostileServer], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        mode: str) -> None:
    """Another profile's key was masked only plain: a server that echoed it in base64, hex or
    percent-encoded had it shown in every face and journaled."""
    monkeypatch.setenv("RUNTUI_OTHER_KEY", OTHER_KEY)
    config = write_leaking_pair(tmp_path / "c.toml", hostile(mode), hostile("plain"))
    said = everything_said(config, "a")
    assert "env ***" in said
    acted = invoke(config, "runs", "cancel", "my-own-run", "-p", "a", "--yes")
    said += acted.out + acted.err
    said += " ".join(entry.message or "" for entry in Journal().entries())
    for spelling in spellings_of_other_key():
        assert key_bearing(spelling).lower() not in said.lower(), spelling
