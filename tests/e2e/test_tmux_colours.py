"""The real process in tmux, told it runs on GNU screen (TERM=screen, no COLORTERM): a
terminal of 16 colours. A failed run was sent the same grey (SGR 37) as a running one;
each status is now sent a colour of its own, failed in red. Read back with
`capture-pane -e`, the colours as the terminal got them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.conftest import RUNTUI, needs_tmux, tmux, wait_for

pytestmark = [pytest.mark.e2e, needs_tmux, pytest.mark.usefixtures("tmux_server")]

SGR = re.compile(r"\x1b\[([0-9;]*)m")
STATUSES = ("▶ running", "✘ failed", "◔ waiting", "⏸ paused", "✔ succeeded", "⊘ cancelled", "○ queued")


def coloured_screen() -> str:
    return tmux("capture-pane", "-p", "-e", "-t", "e2e")


def plain(text: str) -> str:
    return SGR.sub("", text)


def foreground_at(line: str, needle: str) -> str:
    """The foreground SGR code in force where `needle` starts in `line` ("" for the default)."""
    colour = ""
    at = 0
    while (found := SGR.search(line, at)) is not None and plain(line[:found.start()]).find(needle) < 0:
        params = found.group(1).split(";") if found.group(1) else ["0"]
        i = 0
        while i < len(params):
            p = params[i]
            if p in ("0", "39"):
                colour = ""
            elif p in ("38",):  # 38;5;n or 38;2;r;g;b: not one of the 16
                step = 3 if params[i + 1 : i + 2] == ["5"] else 5
                colour = ";".join(params[i : i + step])
                i += step - 1
            elif p in ("48",):
                i += 2 if params[i + 1 : i + 2] == ["5"] else 4
            elif p.isdigit() and (30 <= int(p) <= 37 or 90 <= int(p) <= 97):
                colour = p
            i += 1
        at = found.end()
    return colour


def under_the_cursor(line: str) -> bool:
    """The cursor's row has a coloured background (the table's is black)."""
    return any(code in {str(n) for n in range(41, 48)}
               for params in SGR.findall(line) for code in params.split(";"))


def status_colours() -> dict[str, set[str]]:
    """Each status on screen -> the foreground codes of its cells (the cursor's row left out)."""
    lines = coloured_screen().splitlines()
    found: dict[str, set[str]] = {}
    for line in lines[2:-2]:  # the table's rows: no summary, header, health line or footer
        for status in STATUSES:
            if status in plain(line) and not under_the_cursor(line):
                found.setdefault(status, set()).add(foreground_at(line, status))
    return found


def start_on_screen(sim_process: tuple[str, Path, dict[str, str]], tmp_path: Path,
                    *, no_color: bool = False) -> dict[str, set[str]]:
    """runtui as GNU screen runs it, the cursor moved off the top row (the one running
    run); the status colours once failed and running rows show."""
    _url, config, env = sim_process
    tmux("new-session", "-d", "-s", "e2e", "-x", "140", "-y", "50", "-c", str(tmp_path), env=env)
    keys = " ".join(f"{name}={env[name]}" for name in env if name.startswith("RUNTUI_SIM_"))
    tmux("send-keys", "-t", "e2e", f"env TERM=screen COLORTERM= {'NO_COLOR=1 ' if no_color else ''}"
         f"RUNTUI_STATE_DIR={env['RUNTUI_STATE_DIR']} {keys} {' '.join([*RUNTUI, '--config', str(config)])}",
         "Enter")
    wait_for("the run table", lambda: "b3os-sim ok" in plain(coloured_screen()), show=coloured_screen)
    tmux("send-keys", "-t", "e2e", "j")
    wait_for("failed and running rows", lambda: {"✘ failed", "▶ running"} <= set(status_colours()),
             show=coloured_screen)
    return status_colours()


def test_on_16_colours_each_status_has_its_colour_and_failed_is_red(
        sim_process: tuple[str, Path, dict[str, str]], tmp_path: Path) -> None:
    colours = start_on_screen(sim_process, tmp_path)
    assert all(len(codes) == 1 for codes in colours.values()), colours
    sent = {status: codes.pop() for status, codes in colours.items()}
    assert sent["✘ failed"] in ("31", "91"), sent
    assert len(set(sent.values())) == len(sent), f"two statuses share a colour: {sent}"
    assert all(code.isdigit() for code in sent.values()), f"more than 16 colours were sent: {sent}"
    tmux("send-keys", "-t", "e2e", "q")


def test_no_color_on_16_colours_sends_only_greys(sim_process: tuple[str, Path, dict[str, str]],
                                                 tmp_path: Path) -> None:
    """NO_COLOR is kept as it was: greys only (the words and symbols say the status)."""
    colours = start_on_screen(sim_process, tmp_path, no_color=True)
    greys = {"", "30", "37", "90", "97"}
    assert set().union(*colours.values()) <= greys, colours
    assert "30" not in colours["✘ failed"], "black on the black table"
    tmux("send-keys", "-t", "e2e", "q")
