"""A hostile Edges-shaped server on loopback: one attack per mode, a bounded lifetime.

It speaks just enough of the Edges API (`/v1/flows/runs…`, `X-API-Key`) for the
real CLI and TUI to list, show and act, and records every POST so a test can say
what was (not) sent. Modes:

- `inject`: terminal escapes, C1 controls and bidi overrides in every text field.
- `swap`: the list is true, but a read of one run answers with another id ("victim-run").
- `echo`: the caller's own key echoed into the workflow name and last_error.
- `echo_utf16`, `echo_utf32`: as `echo`, every JSON answer in that charset (with its byte
  order mark, and said in the Content-Type); `echo_utf16be`: UTF-16 big-endian, no mark,
  the charset said nowhere (as `json.loads` detects it from the zero bytes).
- `echo_upper`: as `echo`, the key upper-cased (as gateways log a rejected key) in the
  workflow name, title-cased in last_error.
- `leak`: every run's workflow name and last_error end with `leak` (set by the test: another
  profile's key, say, as a run that dumps its environment shows it); `leak_utf16`: the same,
  every JSON answer in UTF-16 (as `echo_utf16`).
- `echo_encoded`: the caller's key echoed encoded (`encoded_echoes`: base64 alone and inside
  `Bearer <key>` and `user:<key>`, hex and percent-encoding in mixed case) into the workflow
  name and last_error, and into an action's 409 message.
- `conflict`: an action answers 409 with escapes in its message and request id.
- `deep`: a list answer nested 10,000 levels deep.
- `drip`: the list answer trickles out one byte every 0.3 s.
- `huge`: a list answer of 20 MB.
- `gzip_bomb`: a list answer gzipped, that inflates to `BOMB_SIZE` zeros (~1 MB on the wire,
  made as it is sent); `bomb_sent` counts the gzip bytes written.
- `wait_forever`: the first list request answers 429 with `Retry-After: 1e30`, the rest as usual.
- `slow_down`: every list request answers 429 with `Retry-After: 5` (`RETRY_AFTER`).
- `slow_once`: the first list request, and every POST, answer 429 with `Retry-After: 1`.
- `echo_url`: every list request answers 500 echoing the caller's key as a URL spells it
  (percent-encoded: upper and lower hex, `+` for a space), in the message and request id.
- `redirect`: every list request answers 302 to `redirect_to` (set by the test), the
  caller's key in the Location's query.
- `forge`: a step's action run named with a newline and a whole forged log line after it.
- `badids`: the list also holds running runs whose ids no request can name (`../../admin`,
  `a/b?c=d#e`, a 10 KB id); a test may change `ids` to stop listing them.
- `bad_utf8`: the first run's workflow name in the list holds a byte that is not UTF-8.
- `wide`: workflow names with emoji sequences (ZWJ, skin tone, VS16, a flag) and CJK, the
  second run's with a zero-width space (`WIDE_NAMES`): text terminals measure otherwise.
- `plain`: nothing hostile (a healthy neighbour for multi-profile tests).

Whatever the mode, a test that sets `location` has every GET from then on answered
302 with that `Location` as is (`http://[::1`: a URL httpx cannot parse).

A request with `Authorization: Bearer` is answered as B3OS (`/v1/runs…`), one run
`B3_RUN` whose status the test sets (`b3_status`):

- `sse_flood`: the run's stream sends `data: ` and then 1 MB blocks with no newline
  (up to `FLOOD_CAP`), as fast as the socket takes them; `streamed` counts the bytes.
- `sse_gzip_bomb`: the run's stream is gzipped and inflates to `BOMB_SIZE` zeros (one endless line).
- `sse_stall`: the run's stream sends the run's state once, then only keep-alives.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote, quote_plus

CLIPBOARD = "\x1b]52;c;cm0gLXJmIH4K\x07"  # OSC 52: "rm -rf ~" into the clipboard
TITLE = "\x1b]0;pwned\x07"  # OSC 0: the window / pane title
CLEAR = "\x1b[2J"
LINK = "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\"
DCS = "\x1bP+q544e\x1b\\"
C1 = "\x9b31m\x9d0;t\x9c"
BIDI = "\u202eexe.txt\u202c\u2066x\u2069"
OVERWRITE = "safe\rEVIL\x08\x08\x00\x07"
ATTACKS = (CLIPBOARD, TITLE, CLEAR, LINK, DCS, C1, BIDI, OVERWRITE)
VICTIM = "victim-run"
FORGED = "\n2026-12-06 15:59:59 INFO    - run succeeded (FORGED)\n"
WIDE_NAMES = ("주간 KPI 요약 보고서 🧑🏽\u200d🚀", "Support\u200bTriage 每日资金再平衡✔️🏳️\u200d🌈🇯🇵")
RETRY_AFTER = 5  # seconds the `slow_down` server asks for
UNADDRESSABLE = ("../../admin", "a/b?c=d#e", "X" * 10240)
LIFETIME = 120.0  # seconds: a forgotten server stops by itself
B3_RUN = "run_hostile1"
FLOOD_CAP = 64 * 1024 * 1024  # bytes a flooding stream sends at most (a test must not eat the machine)
KEEPALIVE = 0.2  # seconds between a stalled stream's keep-alives
BOMB_SIZE = 1 << 30  # bytes the `gzip_bomb` answer inflates to


def b3_run_json(status: str) -> dict[str, Any]:
    return {"id": B3_RUN, "status": status, "workflowId": "wf_1", "workflowName": "Treasury",
            "createdAt": "2026-12-01T10:00:00Z", "startedAt": "2026-12-01T10:00:01Z",
            "executionState": {}}


def run_json(uid: str, mode: str, key: str, *, single: bool = False) -> dict[str, Any]:
    """A run as the server answers it; in `swap` mode a single-run read names the victim."""
    name, error, status = "Invoice sync", None, "RUNNING"
    if mode == "inject":
        name = f"Invoice{CLIPBOARD}{LINK} sync{BIDI}"
        error = f"boom{CLEAR}{TITLE}{DCS}{C1}{OVERWRITE}"
    if mode in ("echo", *WIDE):
        name = f"Invoice sync for {key}"
        error = f"auth failed for key {key}"
    if mode == "echo_upper":
        name = f"Invoice sync for {key.upper()}"
        error = f"auth failed for key {key.title()}"
    if mode == "wide":
        name = WIDE_NAMES[uid != "my-own-run"]
    if mode == "echo_encoded":
        echoes = encoded_echoes(key)
        name = f"Invoice sync for {echoes[0]}"
        error = "auth failed for " + " ".join(echoes[1:])
    return {"id": 1, "uid": VICTIM if mode == "swap" and single else uid, "status": status,
            "last_error": error, "workflow": {"uid": "wf-1", "slug": "invoice-sync", "name": name},
            "created_at": "2026-12-01T10:00:00Z", "started_at": "2026-12-01T10:00:01Z",
            "updated_at": "2026-12-01T10:00:02Z"}


def schedules_json(mode: str) -> list[dict[str, Any]]:
    """One schedule of the run's flow; in `inject` mode its words carry the attacks."""
    cron, zone, status = "0 * * * *", "UTC", "ACTIVE"
    if mode == "inject":
        cron, zone = f"0 * * * *{CLIPBOARD}{CLEAR}", f"UTC{BIDI}{TITLE}"
    return [{"uid": "sched-1", "flow_preset_slug": "invoice-sync", "status": status, "cron": cron,
             "timezone": zone, "next_execution_at": "2026-12-01T11:00:00Z"}]


def action_runs_json(mode: str) -> list[dict[str, Any]]:
    """The flow run's action runs (`GET /v1/runs?flow_run_id=`); in `forge` mode the
    action's name carries a log line of the server's making."""
    if mode != "forge":
        return []
    return [{"uid": "act-1", "action_name": f"Prospect Researcher{FORGED}", "status": "failed",
             "started_at": "2026-12-01T10:00:01Z", "finished_at": "2026-12-01T10:00:02Z",
             "error": "Tool call failed: upstream returned 502"}]


def url_spellings(key: str) -> list[str]:
    """The key as a URL's query or path may hold it, as an echoing server sends it back."""
    upper = [quote(key, safe=""), quote(key), quote_plus(key)]
    return [*upper, *(_lower_hex(text) for text in upper)]


def encoded_echoes(key: str) -> list[str]:
    """The key as a server might echo it encoded: base64 (URL-safe, unpadded) alone, the
    Authorization header it came in, Basic credentials, hex and percent-encoding with their
    hex digits in mixed case."""
    raw = key.encode()
    return [base64.urlsafe_b64encode(raw).decode().rstrip("="),
            "Authorization: Basic " + base64.b64encode(b"user:" + raw).decode(),
            "Bearer token " + base64.b64encode(b"Bearer " + raw).decode(),
            _mixed_case(raw.hex()), _mixed_hex_escapes(quote(key, safe=""))]


def _mixed_case(text: str) -> str:
    """Hex with every other letter in upper case (`6b33792B…`)."""
    letters = iter(range(len(text)))
    return "".join(char.upper() if char.isalpha() and next(letters) % 2 else char for char in text)


def _mixed_hex_escapes(text: str) -> str:
    """Every other percent escape's hex in lower case (`%2B…%2f`)."""
    escapes = iter(range(len(text)))

    def spelt(found: re.Match[str]) -> str:
        return found.group(0).lower() if next(escapes) % 2 else found.group(0)
    return re.sub("%[0-9A-F]{2}", spelt, text)


def _lower_hex(text: str) -> str:
    return re.sub("%[0-9A-F]{2}", lambda found: found.group(0).lower(), text)


def gzip_bomb(size: int) -> Iterator[bytes]:
    """`size` zeros gzipped at the best ratio (~1:1000), made as they are sent, in writes of
    64 KB (a read's worth: ~64 MB inflated each)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1 << 20)
    batch = b""
    for _ in range(size >> 20):
        batch += packer.compress(zeros)
        if len(batch) >= 65536:
            yield batch
            batch = b""
    yield batch + packer.flush()


WIDE = {"echo_utf16": ("utf-16", True), "echo_utf32": ("utf-32", True), "echo_utf16be": ("utf-16-be", False),
        "leak_utf16": ("utf-16", True)}


def wide_json(body: bytes, mode: str) -> tuple[bytes, str]:
    """A JSON body in the mode's charset (`WIDE`: its name, and whether it is said), and
    its Content-Type."""
    if mode not in WIDE:
        return body, "application/json"
    charset, said = WIDE[mode]
    wide = body.decode("utf-8", "surrogateescape").encode(charset, "replace")
    return wide, f"application/json; charset={charset}" if said else "application/json"


def deep(levels: int) -> bytes:
    return ("[" * levels + "]" * levels).encode()


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up on a drip or a huge answer is the point, not an error."""


class HostileServer:
    def __init__(self, mode: str) -> None:
        self.mode = mode
        self.posts: list[str] = []
        self.lists = 0  # list requests answered
        self.redirect_to = ""  # where the `redirect` mode sends a list request
        self.location = ""  # when set: every GET answers 302 to it (any mode)
        self.redirected = 0  # GETs answered so
        self.ids = ["my-own-run", f"{TITLE}ab" if mode == "inject" else "second-run"]
        if mode == "badids":
            self.ids = ["my-own-run", *UNADDRESSABLE]
        self.b3_status = "running"  # the B3OS run's status, as the test sets it
        self.b3_reads = 0  # reads of the B3OS run (`GET /v1/runs/{id}`)
        self.streamed = 0  # bytes a B3OS run stream sent
        self.bomb_sent = 0  # gzip bytes of the `gzip_bomb` answer written
        self.leak = ""  # what the `leak` mode puts in every run
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
                body, content_type = wide_json(body, server.mode)
                self.send_response(status)
                self.send_header("content-type", content_type)
                self.send_header("content-length", str(len(body)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                if server.location:
                    server.redirected += 1
                    self._send(302, b"", {"location": server.location})
                    return
                if self.headers.get("authorization", "").startswith("Bearer "):
                    self._b3os(self.path.split("?")[0])
                    return
                key = self.headers.get("x-api-key", "")
                path = self.path.split("?")[0]
                if path == "/v1/flows/runs":
                    self._list(key)
                elif path == "/v1/runs":
                    self._send(200, json.dumps(action_runs_json(server.mode)).encode())
                elif path == "/v1/flows/schedules":
                    self._send(200, json.dumps(schedules_json(server.mode)).encode())
                elif path.startswith("/v1/flows/runs/"):
                    uid = path.split("/")[4]
                    if path.endswith("/outputs"):
                        self._send(200, b"[]")
                    else:
                        body = server.leaked(run_json(uid, server.mode, key, single=True))
                        self._send(200, json.dumps(body).encode())
                else:
                    self._send(404, b'{"message": "not found"}')

            def _b3os(self, path: str) -> None:
                run = b3_run_json(server.b3_status)
                if path == "/v1/runs":
                    self._send(200, json.dumps({"success": True, "data": {"items": [run],
                                                                          "hasMore": False}}).encode())
                elif path == f"/v1/runs/{B3_RUN}":
                    server.b3_reads += 1
                    self._send(200, json.dumps({"success": True, "data": run}).encode())
                elif path == f"/v1/runs/{B3_RUN}/stream":
                    self.send_response(200)
                    self.send_header("content-type", "text/event-stream")
                    if server.mode == "sse_gzip_bomb":
                        self.send_header("content-encoding", "gzip")
                    self.end_headers()
                    try:
                        if server.mode == "sse_gzip_bomb":
                            self._write_bomb()
                        else:
                            self._flood() if server.mode == "sse_flood" else self._stall(run)
                    except OSError:
                        return  # runtui hung up: what the test wants to see
                else:
                    self._send(404, b'{"success": false, "message": "not found"}')

            def _flood(self) -> None:
                self.wfile.write(b"event: run\ndata: ")
                block = b"A" * 1_048_576
                while server.streamed < FLOOD_CAP:
                    self.wfile.write(block)
                    server.streamed += len(block)

            def _stall(self, run: dict[str, Any]) -> None:
                self.wfile.write(f"event: run\ndata: {json.dumps(run)}\n\n".encode())
                self.wfile.flush()
                while True:
                    time.sleep(KEEPALIVE)
                    self.wfile.write(b": keepalive\n\n")
                    self.wfile.flush()

            def _list(self, key: str) -> None:
                server.lists += 1
                if server.mode == "wait_forever" and server.lists == 1:
                    # Too many requests, and a wait no clock can hold; then it answers.
                    self._send(429, b'{"message": "slow down"}', {"retry-after": "1e30"})
                elif server.mode == "slow_once" and server.lists == 1:
                    self._send(429, b'{"message": "slow down"}', {"retry-after": "1"})
                elif server.mode == "echo_url":
                    echoed = " ".join(url_spellings(key))
                    self._send(500, json.dumps({"message": f"bad /v1/flows/runs?api_key= {echoed}"}).encode(),
                               {"x-request-id": quote(key, safe="").lower()})
                elif server.mode == "redirect":
                    self._send(302, b"", {"location": f"{server.redirect_to}?key={quote(key, safe='')}"})
                elif server.mode == "slow_down":
                    self._send(429, b'{"message": "slow down"}', {"retry-after": str(RETRY_AFTER)})
                elif server.mode == "deep":
                    self._send(200, deep(10_000))
                elif server.mode == "huge":
                    self._send(200, json.dumps([{"uid": "x", "pad": "y" * 20_000_000}]).encode())
                elif server.mode == "gzip_bomb":
                    self._bomb()
                elif server.mode == "drip":
                    body = json.dumps([run_json(i, "plain", key) for i in server.ids]).encode()
                    self.send_response(200)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(body)))
                    self.end_headers()
                    for byte in body:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(0.3)
                elif server.mode == "bad_utf8":
                    runs = [run_json(i, "plain", key) for i in server.ids]
                    body = json.dumps(runs).encode()
                    self._send(200, body.replace(b"Invoice sync", b"Invoice\xff sync", 1))
                else:
                    runs = [server.leaked(run_json(i, server.mode, key)) for i in server.ids]
                    self._send(200, json.dumps(runs).encode())

            def _bomb(self) -> None:
                """No length said: the answer ends when the connection closes (HTTP/1.0)."""
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-encoding", "gzip")
                self.end_headers()
                try:
                    self._write_bomb()
                except OSError:
                    return  # runtui hung up: what the test wants to see

            def _write_bomb(self) -> None:
                for packed in gzip_bomb(BOMB_SIZE):
                    self.wfile.write(packed)
                    server.bomb_sent += len(packed)

            def do_POST(self) -> None:
                server.posts.append(self.path)
                length = int(self.headers.get("content-length") or 0)
                self.rfile.read(length)
                if server.mode == "slow_once":
                    self._send(429, b'{"message": "slow down"}', {"retry-after": "1"})
                elif server.mode == "echo_encoded":
                    key = self.headers.get("x-api-key", "")
                    message = "run is busy: " + " ".join(encoded_echoes(key))
                    self._send(409, json.dumps({"message": message}).encode())
                elif server.mode in ("conflict", "inject"):
                    message = f"run is busy{CLEAR}{TITLE}{BIDI}"
                    self._send(409, json.dumps({"message": message}).encode(),
                               {"x-request-id": f"req{TITLE}{CLIPBOARD}"[:200]})
                else:
                    self._send(200, b'{"status": "STOPPED"}')

        self.httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def leaked(self, run: dict[str, Any]) -> dict[str, Any]:
        """`run` with `leak` in its words, in the `leak` modes."""
        if self.mode.startswith("leak"):
            run["workflow"]["name"] += f" env {self.leak}"
            run["last_error"] = f"failed, env {self.leak}"
        return run

    def _serve(self) -> None:
        timer = threading.Timer(LIFETIME, self.httpd.shutdown)
        timer.daemon = True
        timer.start()
        try:
            self.httpd.serve_forever(poll_interval=0.1)
        finally:
            timer.cancel()

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)
