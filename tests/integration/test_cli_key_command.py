"""What the CLI says when a profile's `api_key_cmd` fails: how long it waited, the exit
code, how many lines of error output; never what it printed, nor that output (either may
hold the key). The
profiles whose keys come do not wait on the one that hangs, and it is not left running."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.cli_result import invoke
from tests.integration.conftest import Sim
from tests.integration.sim_config import config_with

KEY = "sekrit-key-4711"


def script(path: Path, body: str) -> Path:
    path.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    path.chmod(0o700)
    return path


def key_command(program: Path | str) -> tuple[str, str]:
    """An Edges profile on the simulator whose key comes from `program`."""
    return "edges", f'api_key_cmd = "{program}"'


def config_with_key_commands(sim: Sim, tmp_path: Path) -> Path:
    commands = {
        "stuck": script(tmp_path / "stuck.sh", f"echo $$ > {tmp_path / 'stuck.pid'}\nsleep 30\necho {KEY}\n"),
        "fails": script(tmp_path / "fails.sh", f"echo {KEY}\n"
                        "printf 'vault sealed \\033]52;c;eA==\\007 try unseal\\nmore\\n' >&2\nexit 3\n"),
        "echoes": script(tmp_path / "echoes.sh", f"echo {KEY}\necho 'bad key: {KEY}' >&2\nexit 1\n"),
        "silent": script(tmp_path / "silent.sh", "exit 0\n"),
        "logs": script(tmp_path / "logs.sh", f"echo 'using token {KEY} for edges' >&2\nexit 4\n"),
        "stderr": script(tmp_path / "stderr.sh", f"echo {KEY} >&2\n"),
    }
    return config_with(sim, tmp_path, {name: key_command(path) for name, path in commands.items()},
                       defaults="key_command_seconds = 1.5")


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_key_command_failures_say_why_and_never_the_key(sim: Sim, tmp_path: Path) -> None:
    config = config_with_key_commands(sim, tmp_path)
    started = time.monotonic()
    result = invoke(config, "runs", "list")
    took = time.monotonic() - started
    assert result.code != 0
    lines = {name: [ln for ln in result.err.splitlines() if f"profile '{name}'" in ln]
             for name in ("stuck", "fails", "echoes", "silent", "logs", "stderr")}
    assert any("gave no key within 1.5 s ([defaults] key_command_seconds)" in ln for ln in lines["stuck"])
    hidden = "is not shown as it may hold the key; run the command yourself to see it)"
    assert any(f"failed with exit code 3 (its error output, 2 lines, {hidden}" in ln
               for ln in lines["fails"]), result.err
    assert "vault sealed" not in result.err and "unseal" not in result.err
    assert any(f"failed with exit code 1 (its error output, 1 line, {hidden}" in ln for ln in lines["echoes"])
    assert any(ln.endswith("printed no key") for ln in lines["silent"]), "no error output: nothing said"
    # the key in the error output, not on stdout (a wrapper's log line, the wrong stream)
    assert any(f"failed with exit code 4 (its error output, 1 line, {hidden}" in ln for ln in lines["logs"])
    assert any(f"printed no key (its error output, 1 line, {hidden}" in ln for ln in lines["stderr"])
    assert KEY not in result.out and KEY not in result.err
    assert "\x1b" not in result.err
    # the profiles whose keys come from the environment are listed, and did not wait
    # for the stuck command beyond its own time (30 s each, one after the other, before)
    assert "edges-sim" in result.out and "wexa-sim" in result.out
    assert took < 10
    pid = int((tmp_path / "stuck.pid").read_text())
    deadline = time.monotonic() + 5
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)  # killed already: the kernel ends it in a moment
    assert not alive(pid), "the stuck command was not left running"
    with_json = invoke(config, "runs", "list", "--json")
    assert KEY not in with_json.out and KEY not in with_json.err
    assert os.environ.get("RUNTUI_SIM_EDGES_KEY"), "the sim's keys stay in the environment"


def test_workflows_list_goes_on_without_the_profile_whose_key_command_hangs(sim: Sim, tmp_path: Path) -> None:
    config = config_with_key_commands(sim, tmp_path)
    result = invoke(config, "workflows", "list", "-p", "stuck", "-p", "edges-sim", "-p", "wexa-sim")
    assert result.code == 1, "a profile left out is a failure, as `runs list` says it"
    assert "edges-sim" in result.out and "wexa-sim" in result.out
    assert "runtui: stuck:" in result.err and "gave no key within 1.5 s" in result.err
    assert KEY not in result.out + result.err


def test_a_slow_key_command_is_said_while_the_command_waits_on_it(sim: Sim, tmp_path: Path) -> None:
    """`runs list` behind a key command that takes its time printed nothing until it came
    back (30 s with the default timeout): it is said on stderr while it waits."""
    slow = script(tmp_path / "slow.sh", "sleep 3\necho sim-edges-key\n")
    config = config_with(sim, tmp_path, {"slow": key_command(slow)})
    result = invoke(config, "runs", "list", "-p", "slow")
    assert result.code == 0, result
    assert "runtui: waiting for the api_key_cmd of profile 'slow' (up to 30 s)" in result.err
    assert "sim-edges-key" not in result.out + result.err
    quick = invoke(config, "runs", "list", "-p", "edges-sim")  # no key command: nothing said
    assert quick.code == 0 and "api_key_cmd" not in quick.err


def config_with_a_hung_and_a_slow_key_command(sim: Sim, tmp_path: Path) -> Path:
    """The simulator's three profiles, one whose key command hangs and one whose key
    comes after a second; the key command timeout is the default 30 s."""
    hung = script(tmp_path / "hung.sh", f"echo $$ > {tmp_path / 'hung.pid'}\nexec sleep 600\n")
    slow = script(tmp_path / "slow.sh", "sleep 1\necho sim-edges-key\n")
    assert "key_command_seconds" not in sim.config_path.read_text(encoding="utf-8")
    return config_with(sim, tmp_path, {"hung": key_command(hung), "slow": key_command(slow)})


def test_runs_list_does_not_hold_the_other_profiles_rows_for_a_hung_key_command(
        sim: Sim, tmp_path: Path) -> None:
    """An on-call look at `runs list` sat out a hung key command's whole timeout (30 s)
    before any row showed: the others are listed once read and a few seconds have
    passed, and the hung profile is said on stderr, exit 1 as for any profile left out."""
    config = config_with_a_hung_and_a_slow_key_command(sim, tmp_path)
    started = time.monotonic()
    result = invoke(config, "runs", "list")
    took = time.monotonic() - started
    assert took < 15, f"waited {took:.1f} s for the hung key command"
    assert result.code == 1, result
    profiles_listed = {line.split()[0] for line in result.out.splitlines()[1:] if line.strip()}
    assert profiles_listed == {"b3os-sim", "edges-sim", "wexa-sim", "slow"}, "a key that came is listed"
    said = [ln for ln in result.err.splitlines() if ln.startswith("runtui: hung:")]
    assert len(said) == 1 and "left out" in said[0] and "--profile hung alone" in said[0], result.err
    assert "up to 5 s; then the other profiles are listed without it" in result.err
    assert not alive(int((tmp_path / "hung.pid").read_text())), "the hung command was not left running"


def test_other_listings_do_not_wait_out_a_hung_key_command(sim: Sim, tmp_path: Path) -> None:
    config = config_with_a_hung_and_a_slow_key_command(sim, tmp_path)
    for command in (("workflows", "list"), ("attention", "--json")):
        started = time.monotonic()
        result = invoke(config, *command)
        assert time.monotonic() - started < 15, command
        assert result.code == 1, (command, result)
        assert "hung" in result.err + result.out and "left out" in result.err + result.out, command
        assert "edges-sim" in result.out, command


def _key_profile(sim: Sim, tmp_path: Path, command: str) -> Path:
    return config_with(sim, tmp_path, {"k": key_command(command)})


def _key_script(directory: Path, marker: Path) -> Path:
    directory.mkdir(exist_ok=True)
    key = os.environ["RUNTUI_SIM_EDGES_KEY"]
    return script(directory / "key.sh", f"touch {marker}\necho {key}\n")


@pytest.mark.parametrize("hole", ["program", "directory", "on PATH", "owner"])
def test_a_key_program_others_could_rewrite_is_refused_not_run(
        sim: Sim, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hole: str) -> None:
    """The config is refused when others can write it, but the program it runs was run
    whatever its mode or owner: anyone who could rewrite it got the key (and the
    environment, with every other profile's key variable)."""
    marker = tmp_path / "ran"
    program = _key_script(tmp_path / "bin", marker)
    command, problem, mend = str(program), "", ""
    if hole == "program":
        program.chmod(0o777)
        problem = f"the api_key_cmd program {program} is writable by group or others (mode 777)"
        mend = f"chmod go-w {program}"
    elif hole in ("directory", "on PATH"):
        program.parent.chmod(0o777)
        problem = (f"the api_key_cmd program directory {program.parent} is writable by group or "
                   "others (mode 777)")
        mend = f"chmod go-w {program.parent}"
        if hole == "on PATH":  # found where the command runs it from
            monkeypatch.setenv("PATH", f"{program.parent}{os.pathsep}{os.environ['PATH']}")
            command = program.name
    else:
        if os.geteuid() != 0:
            pytest.skip("giving a file to another user needs root")
        program.parent.chmod(0o1777)  # sticky, like /tmp: only the file's owner counts
        os.chown(program, 65534, -1)
        problem = f"the api_key_cmd program {program} is owned by another user (uid 65534)"
        mend = f"chown {os.getuid()} {program}"
    config = _key_profile(sim, tmp_path, command)

    result = invoke(config, "profiles", "test", "k")

    said = result.out + result.err
    assert result.code != 0
    assert f"refused: {problem}" in said and mend in said, said
    assert not marker.exists(), "the program ran"


def test_a_key_program_only_its_user_can_write_runs(sim: Sim, tmp_path: Path) -> None:
    """Root's programs in root's directories (sh, in /bin or /usr/bin) are the common case."""
    marker = tmp_path / "ran"
    program = _key_script(tmp_path / "bin", marker)
    config = _key_profile(sim, tmp_path, f"sh {program}")
    result = invoke(config, "profiles", "test", "k")
    assert result.code == 0, result.out + result.err
    assert marker.exists()
