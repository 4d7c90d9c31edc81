"""What the CLI prints from a server's words (a request's title and labels, a run's id and
status in `runs wait`) reaches the terminal made harmless: no escape sequence, no control."""

from __future__ import annotations

from runtui.cli_attention import _describe_request
from runtui.cli_run_watch import _wait_summary
from runtui.engine.waiter import WaitOutcome
from runtui.model import HumanRequest, Run, Status

TITLE = "\x1b]0;pwned\x07"  # OSC 0: the window title
CLIPBOARD = "\x1b]52;c;cm0gLXJmIH4K\x07"  # OSC 52: the clipboard
BIDI = "\u202eexe.txt"


def harmless(text: str) -> bool:
    return not any(ch in text for ch in ("\x1b", "\x07", "\u202e")) and "\n" not in text.strip("\n")


def test_a_request_shown_with_show_is_harmless() -> None:
    """`attention answer --show` printed the title, keys, labels and note as sent."""
    request = HumanRequest(run_id="r1", profile="p", provider="b3os", title=f"Approve {TITLE}",
                           fields=({"key": f"amount{CLIPBOARD}", "type": f"number{BIDI}",
                                    "required": True, "label": f"How much\n{TITLE}"},),
                           note=f"see {CLIPBOARD}")
    lines = _describe_request(request).splitlines()
    assert len(lines) == 3 and all(harmless(line) for line in lines)
    assert lines[0].startswith("r1: Approve") and "amount" in lines[1] and "How much" in lines[1]


def test_a_wait_summary_is_harmless() -> None:
    """`runs wait` printed run ids (and statuses) the server named, raw."""
    failed = Run(profile="p", provider="edges", id=f"run{TITLE}", status=Status.FAILED)
    running = Run(profile="p", provider="edges", id=f"slow{BIDI}", status=Status.RUNNING)
    outcome = WaitOutcome(runs={failed.key: failed, running.key: running}, timed_out=True)
    said = _wait_summary(outcome, 2)
    lines = said.splitlines()
    assert len(lines) == 3 and all(harmless(line) for line in lines)
    assert lines[0] == "0 of 2 runs succeeded; timed out, 1 still active; 1 failed"
    assert lines[1].startswith("still active: slow") and lines[2].startswith("failed: run")
