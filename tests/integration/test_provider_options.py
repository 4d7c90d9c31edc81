"""One declaration per provider drives the config check, `profiles add --set` and
`runtui providers --json`."""

from __future__ import annotations

from pathlib import Path

from runtui.engine.workspace import load_config
from tests.cli_result import invoke


def test_a_missing_or_invalid_setting_breaks_only_its_profile_with_file_and_line(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[profiles.ok]\nprovider = "edges"\napi_key_env = "K"\n\n'
                      '[profiles.w]\nprovider = "wexa"\napi_key_env = "K"\n\n'
                      '[profiles.p]\nprovider = "prefect"\nbase_url = "http://127.0.0.1:4200/api"\n'
                      'suspend_timeout_seconds = "soon"\n', encoding="utf-8")
    config.chmod(0o600)
    cfg = load_config(config)
    assert sorted(cfg.profiles) == ["ok"]
    errors = {e.profile: e for e in cfg.errors}
    assert errors["w"].field == "project_id" and errors["w"].line == 5
    assert "project_id is required" in str(errors["w"]) and f"{config}:5" in str(errors["w"])
    assert errors["p"].line == 12 and "must be a number" in str(errors["p"])


def test_profiles_add_checks_the_declaration(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    base = ("profiles", "add", "w", "--provider", "wexa", "--api-key-env", "K")
    missing = invoke(config, *base)
    assert missing.code == 2 and "project_id is required" in missing.err
    bad = invoke(config, *base, "--set", "project_id=nothex")
    assert bad.code == 2 and "project_id must match" in bad.err
    unknown = invoke(config, *base, "--set", "projectid=x")
    assert unknown.code == 2 and "wexa has no such setting (it takes: project_id, user_id)" in unknown.err
    secret = invoke(config, "profiles", "add", "b", "--provider", "b3os", "--api-key-env", "K",
                    "--set", "webhook_secret=s3cret")
    assert secret.code == 2 and "webhook_secret_env" in secret.err and "s3cret" not in secret.err
    typed = invoke(config, "profiles", "add", "p", "--provider", "prefect", "--base-url",
                   "http://127.0.0.1:4200/api", "--set", "suspend_timeout_seconds=90")
    assert typed.code == 0, typed.err
    assert "suspend_timeout_seconds = 90\n" in config.read_text()
    assert invoke(config, *base, "--set", "project_id=" + "a" * 24).code == 0
    assert not config.with_name(".c.toml.lock").exists()


def test_providers_json_lists_options_actions_and_capabilities(tmp_path: Path) -> None:
    found = {p["name"]: p for p in invoke(tmp_path / "c.toml", "providers", "--json").json()}
    assert {"wexa", "edges", "b3os", "prefect"} <= set(found)
    wexa = found["wexa"]
    assert [(o["name"], o["required"]) for o in wexa["options"]] == [("project_id", True), ("user_id", False)]
    assert "pause" in wexa["actions"]["run"]["running"] and "stop" in wexa["actions"]["task"]["running"]
    assert {"inbox", "answer", "goal", "execute"} <= set(wexa["capabilities"])
    assert "trouble" in found["prefect"]["capabilities"] and "stream" in found["b3os"]["capabilities"]
    assert "pause" not in found["edges"]["capabilities"]
