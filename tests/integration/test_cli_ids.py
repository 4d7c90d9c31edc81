"""Short ids and an optional --profile, against the simulator over loopback HTTP.

The table shows the start of each id; a script pastes it. These check that the
prefix finds the one run it names, that an ambiguous one is refused with the
candidates (and nothing is sent), and what it costs in requests.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from runtui.display import short_id
from tests.cli_result import invoke
from tests.integration.conftest import Sim, run_cli


def routes(sim: Sim) -> dict[str, int]:
    counts: dict[str, int] = sim.control("GET", "/stats")["routes"]
    return counts


def reset_stats(sim: Sim) -> None:
    sim.control("POST", "/reset-stats")


def listed(counts: dict[str, int]) -> int:
    """Requests that read a runs list (the routes whose path ends at the collection)."""
    lists = ("GET /edges/v1/flows/runs", "GET /b3os/v1/runs", "GET /wexa/{project_id}/execution_flows")
    return sum(counts.get(route, 0) for route in lists)


def test_show_takes_the_short_id_the_table_shows_without_profile(sim: Sim) -> None:
    run_id = sim.find("b3os", "success")[0]["id"]
    res = run_cli(sim, "runs", "show", short_id(run_id), "--json")
    assert res.code == 0, res.err
    data = res.json()
    assert data["id"] == run_id and data["profile"] == "b3os-sim"


def test_a_full_id_with_profile_costs_one_read_and_no_listing(sim: Sim) -> None:
    run_id = sim.find("edges", "RUNNING")[0]["id"]
    reset_stats(sim)
    res = run_cli(sim, "runs", "pause", run_id, "-p", "edges-sim")  # refused: Edges has no pause
    assert res.code == 3
    counts = routes(sim)
    assert listed(counts) == 0, counts
    assert sum(counts.values()) == 1, counts  # the one GET that read the run's state


def test_a_full_id_without_profile_reads_each_profile_once_and_lists_nothing(sim: Sim) -> None:
    run_id = sim.find("edges", "SUCCEEDED")[0]["id"]
    reset_stats(sim)
    res = run_cli(sim, "runs", "cancel", run_id)
    assert res.code == 3 and "not allowed" in res.err  # found in edges-sim, refused by its state
    counts = routes(sim)
    assert listed(counts) == 0, counts
    assert sum(counts.values()) == 3, counts  # one GET per profile, no POST


def test_an_action_on_a_prefix_goes_to_the_run_it_names(sim: Sim) -> None:
    run_id = sim.find("wexa", "running")[0]["id"]
    res = run_cli(sim, "runs", "pause", short_id(run_id), "--json")
    assert res.code == 0, res.err
    assert res.json()["run"]["id"] == run_id
    shown = run_cli(sim, "runs", "show", run_id, "-p", "wexa-sim", "--json").json()
    assert shown["raw_status"] == "paused"
    assert run_cli(sim, "runs", "resume", short_id(run_id), "-p", "wexa-sim").code == 0


def test_an_ambiguous_prefix_in_one_profile_lists_the_matches_and_sends_nothing(sim: Sim) -> None:
    before = sim.posts()
    res = run_cli(sim, "runs", "cancel", "run_", "-p", "b3os-sim")
    assert res.code == 2
    b3os_ids = [r["id"] for r in sim.find("b3os", limit=5)]
    assert all(f"b3os-sim/{run_id}" in res.err for run_id in b3os_ids), res.err
    assert "start with 'run_'" in res.err
    assert sim.posts() == before


def test_an_unknown_id_is_not_found(sim: Sim) -> None:
    res = run_cli(sim, "runs", "show", "zz-no-such-run")
    assert res.code == 1
    assert "no run has the id 'zz-no-such-run'" in res.err


def test_task_commands_take_a_prefix_too(sim: Sim) -> None:
    tasks = run_cli(sim, "tasks", "list", "-p", "wexa-sim", "--json").json()
    task_id = tasks[0]["id"]
    res = run_cli(sim, "tasks", "show", short_id(task_id), "--json")
    assert res.code == 0, res.err
    assert res.json()["id"] == task_id and res.json()["kind"] == "task"


@pytest.fixture
def twice(sim: Sim, tmp_path: Path) -> Path:
    """The simulator's config plus a second profile on the same Edges account."""
    text = sim.config_path.read_text()
    edges = tomllib.loads(text)["profiles"]["edges-sim"]
    path = tmp_path / "twice.toml"
    path.write_text(text + f'\n[profiles.edges-again]\nprovider = "edges"\nbase_url = "{edges["base_url"]}"\n'
                    f'api_key_env = "{edges["api_key_env"]}"\n')
    path.chmod(0o600)
    return path


def test_an_id_in_two_profiles_needs_the_profile(sim: Sim, twice: Path) -> None:
    run_id = sim.find("edges", "RUNNING")[0]["id"]
    before = sim.posts()
    for ref in (run_id, run_id[:8]):  # the full id (found by GET) and a prefix (found by listing)
        res = invoke(twice, "runs", "cancel", ref, "--json")
        assert res.code == 2, res.out
        error = res.json()["error"]
        assert error["kind"] == "ambiguous"
        assert sorted(error["matches"]) == [f"edges-again/{run_id}", f"edges-sim/{run_id}"]
    assert sim.posts() == before
    res = invoke(twice, "runs", "show", run_id[:8], "-p", "edges-again", "--json")
    assert res.code == 0 and res.json()["profile"] == "edges-again"


def test_a_profile_that_cannot_be_searched_is_not_skipped_silently(sim: Sim, tmp_path: Path) -> None:
    """Without --profile, a profile we could not read might hold the same id: a read goes
    on and names it on stderr; an action refuses, names it, and sends nothing."""
    path = tmp_path / "broken.toml"
    path.write_text(sim.config_path.read_text() + '\n[profiles.nokey]\nprovider = "edges"\n'
                    'base_url = "http://127.0.0.1:9/v1"\napi_key_env = "RUNTUI_TEST_UNSET_KEY"\n')
    path.chmod(0o600)
    run_id = sim.find("edges", "RUNNING")[0]["id"]
    res = invoke(path, "runs", "show", short_id(run_id), "--json")
    assert res.code == 0, res.out
    assert res.json()["id"] == run_id
    assert "warning: profile nokey could not be read" in res.err
    before = sim.posts()
    res = invoke(path, "runs", "cancel", short_id(run_id))
    assert res.code == 2
    assert "nokey" in res.err and "--profile edges-sim" in res.err
    assert sim.posts() == before
    assert invoke(path, "runs", "show", short_id(run_id), "-p", "edges-sim").code == 0


def test_json_errors_are_json_on_stdout_with_the_same_exit_code(sim: Sim) -> None:
    res = run_cli(sim, "runs", "show", "zz-no-such-run", "--json")
    assert res.code == 1 and res.err == ""
    assert res.json()["error"]["kind"] == "not_found"
    res = run_cli(sim, "runs", "list", "--limit", "0", "--json")  # click's own usage error
    assert res.code == 2
    assert "limit" in res.json()["error"]["message"]


def test_limit_is_global_across_profiles(sim: Sim) -> None:
    res = run_cli(sim, "runs", "list", "--limit", "4", "--json")
    assert res.code == 0 and len(res.json()) == 4


def test_show_prints_times_without_microseconds(sim: Sim) -> None:
    run_id = sim.find("b3os", "success")[0]["id"]
    res = run_cli(sim, "runs", "show", run_id)
    started = next(line.strip() for line in res.out.splitlines() if line.strip().startswith("started:"))
    assert started.endswith("UTC") and "." not in started and "+00:00" not in started


def test_runs_wait_and_logs_take_a_short_id_without_profile(sim: Sim) -> None:
    run_id = sim.find("b3os", "success")[0]["id"]
    res = run_cli(sim, "runs", "wait", short_id(run_id), "--json")
    assert res.code == 0, res.err
    assert res.json_lines()[-1]["summary"]["succeeded"] == [run_id]
    logs = run_cli(sim, "runs", "logs", short_id(run_id), "--json")
    assert logs.code == 0 and logs.out.strip()


def test_every_command_and_option_has_help() -> None:
    import click

    from runtui.commands import cli

    def walk(command: click.Command, path: str) -> list[str]:
        missing = [] if (command.help or command.short_help) else [path]
        for param in command.params:
            if isinstance(param, click.Option) and not param.help and param.name != "help":
                missing.append(f"{path} {param.opts[0]}")
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                missing += walk(sub, f"{path} {name}")
        return missing

    assert walk(cli, "runtui") == []
