from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from runtui import config
from runtui.errors import ConfigError
from runtui.secret import Secret

KNOWN = frozenset({"wexa", "edges", "b3os"})


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text)
    path.chmod(mode)
    return path


def test_missing_file_is_an_empty_config(tmp_path: Path) -> None:
    cfg = config.load(tmp_path / "nope.toml")
    assert cfg.profiles == {} and cfg.errors == []


def test_malformed_toml_names_file_and_line(tmp_path: Path) -> None:
    p = write(tmp_path / "c.toml", '[profiles.a]\nprovider = "wexa"\nbase_url = \n')
    with pytest.raises(ConfigError) as info:
        config.load(p)
    assert info.value.line == 3
    assert str(p) in str(info.value) and ":3" in str(info.value)


def test_one_broken_profile_does_not_stop_the_others(tmp_path: Path) -> None:
    p = write(tmp_path / "c.toml", """
[profiles.good]
provider = "edges"
api_key_env = "K"

[profiles.bad]
provider = "edges"
read_only = "maybe"

[profiles.alien]
provider = "jenkins"
""")
    cfg = config.load(p, known_providers=KNOWN)
    assert list(cfg.profiles) == ["good"]
    errs = {e.profile: e for e in cfg.errors}
    assert errs["bad"].field == "read_only" and errs["bad"].line == 8
    assert errs["alien"].field == "provider" and errs["alien"].line == 11
    assert "jenkins" in str(errs["alien"])


def test_missing_env_var_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RUNTUI_TEST_NOPE", raising=False)
    prof = config.Profile(name="x", provider="edges", api_key_env="RUNTUI_TEST_NOPE")
    with pytest.raises(ConfigError, match="RUNTUI_TEST_NOPE"):
        config.resolve_key(prof)
    monkeypatch.setenv("RUNTUI_TEST_NOPE", "  ")
    with pytest.raises(ConfigError, match="RUNTUI_TEST_NOPE"):
        config.resolve_key(prof)


def test_inline_key_in_a_group_readable_file_is_refused(tmp_path: Path) -> None:
    body = '[profiles.p]\nprovider = "b3os"\napi_key = "b3sk_sentinel_inline"\n'
    p = write(tmp_path / "c.toml", body, 0o644)
    cfg = config.load(p, known_providers=KNOWN)
    assert cfg.profiles == {}
    err = cfg.errors[0]
    assert "chmod 600" in str(err) and err.line == 3
    assert "b3sk_sentinel_inline" not in str(err)
    p.chmod(0o600)
    cfg = config.load(p, known_providers=KNOWN)
    key = config.resolve_key(cfg.profiles["p"])
    assert key is not None and key.get_secret_value() == "b3sk_sentinel_inline"
    assert "b3sk_sentinel_inline" not in repr(cfg.profiles["p"])


def test_two_key_sources_are_refused(tmp_path: Path) -> None:
    p = write(tmp_path / "c.toml", '[profiles.p]\nprovider = "b3os"\napi_key_env = "A"\n'
              'api_key_cmd = "echo x"\n')
    cfg = config.load(p, known_providers=KNOWN)
    assert cfg.errors and cfg.errors[0].field == "api_key_cmd"


def test_saving_an_unchanged_profile_changes_no_byte_and_a_change_keeps_the_order(tmp_path: Path) -> None:
    text = ('[profiles.b3]\nprovider = "b3os"\norg_id = "org_1"  # the sandbox org\n'
            'api_key_env = "B3_KEY"\nbase_url = "https://api.b3os.example"\nread_only = true\n')
    p = write(tmp_path / "c.toml", text, 0o600)
    values = {"provider": "b3os", "api_key_env": "B3_KEY", "base_url": "https://api.b3os.example",
              "read_only": True, "org_id": "org_1"}  # the form's order, not the file's
    config.save_profile(p, "b3", values, replace=True)
    assert p.read_text() == text
    config.save_profile(p, "b3", {**values, "read_only": False, "org_id": None}, replace=True)
    assert p.read_text() == ('[profiles.b3]\nprovider = "b3os"\napi_key_env = "B3_KEY"\n'
                             'base_url = "https://api.b3os.example"\nread_only = false\n')


def test_save_keeps_comments_and_mode_and_is_atomic(tmp_path: Path) -> None:
    p = write(tmp_path / "c.toml", "# my precious comment\n[defaults]\nrefresh_seconds = 3 # inline\n",
              0o600)
    config.save_profile(p, "new", {"provider": "edges", "api_key_env": "EDGES_KEY"})
    text = p.read_text()
    assert "# my precious comment" in text and "# inline" in text
    assert stat.S_IMODE(p.stat().st_mode) == 0o600
    cfg = config.load(p, known_providers=KNOWN)
    assert cfg.profiles["new"].api_key_env == "EDGES_KEY"
    assert cfg.defaults.refresh_seconds == 3
    with pytest.raises(ConfigError, match="already exists"):
        config.save_profile(p, "new", {"provider": "edges", "api_key_env": "X"})
    config.remove_profile(p, "new")
    assert "new" not in config.load(p).profiles
    assert "# my precious comment" in p.read_text()
    assert [f for f in os.listdir(tmp_path) if f.endswith(".tmp")] == []


def test_a_crash_during_write_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = write(tmp_path / "c.toml", '[profiles.a]\nprovider = "edges"\napi_key_env = "K"\n')
    before = p.read_text()

    def boom(*_a: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(ConfigError, match=f"^{p}: cannot write, nothing changed: disk full$"):
        config.save_profile(p, "b", {"provider": "edges", "api_key_env": "K2"})
    assert p.read_text() == before
    assert [f for f in os.listdir(tmp_path) if f.endswith(".tmp")] == []


def test_config_path_from_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNTUI_CONFIG", str(tmp_path / "x.toml"))
    assert config.default_config_path() == tmp_path / "x.toml"


def test_wrong_types_are_told_in_the_files_words_with_field_and_line(tmp_path: Path) -> None:
    p = write(tmp_path / "c.toml", """
[defaults]
page_size = 2.5

[notify]
command = ["notify-send"]

[profiles.a]
provider = "edges"
refresh_seconds = "fast"

[profiles.b]
api_key_env = "K"
""")
    cfg = config.load(p, known_providers=KNOWN)
    found = {(e.profile, e.field): (e.detail, e.line) for e in cfg.errors}
    assert found == {
        (None, "defaults.page_size"): ("must be a whole number, not a decimal number", 3),
        (None, "notify.command"): ("must be a string, not a list", 6),
        ("a", "refresh_seconds"): ("must be a number, not a string", 10),
        ("b", "provider"): ("required", 12),
    }
    assert cfg.defaults == config.Defaults() and cfg.notify == config.NotifySettings()


def test_a_rule_beyond_the_type_is_told_in_its_own_words() -> None:
    with pytest.raises(config.Invalid) as info:
        config.validated(config.Defaults, {"refresh_seconds": 0.1})
    assert (info.value.field, info.value.message) == ("refresh_seconds", "must be at least 0.2 seconds")
    with pytest.raises(config.Invalid) as info:
        config.validated(config.Profile, {"name": "two words", "provider": "edges"})
    assert info.value.field == "name" and "letters, digits" in info.value.message


@pytest.mark.parametrize("seconds", [-1.0, 0.0, 0.01, float("nan"), float("inf")])
def test_a_profiles_refresh_interval_is_one_a_loop_can_keep(seconds: float) -> None:
    """Unchecked, a profile's refresh_seconds = -1 polled its server back to back without
    end (and TOML spells nan and inf); the defaults' one always had the rule."""
    with pytest.raises(config.Invalid) as info:
        config.validated(config.Profile, {"name": "p", "provider": "edges", "refresh_seconds": seconds})
    assert (info.value.field, info.value.message) == ("refresh_seconds", "must be at least 0.2 seconds")
    with pytest.raises(config.Invalid):
        config.validated(config.Defaults, {"refresh_seconds": seconds})
    assert config.validated(config.Profile, {"name": "p", "provider": "edges",
                                             "refresh_seconds": 0.2}).refresh_seconds == 0.2


def test_a_profiles_own_keys_are_its_provider_settings_and_written_back(tmp_path: Path) -> None:
    prof = config.validated(config.Profile, {"name": "w", "provider": "wexa", "api_key": "sekrit-inline",
                                             "project_id": "p1", "read_only": True})
    assert prof.settings == {"project_id": "p1"} and prof.setting("project_id") == "p1"
    assert isinstance(prof.api_key, Secret) and "sekrit-inline" not in repr(prof) + f"{prof.api_key}"
    values = config.profile_values(prof)
    assert values.keys() == {"provider", "api_key", "read_only", "project_id"}
    p = tmp_path / "c.toml"
    config.save_profile(p, "w", values)
    again = config.load(p, known_providers=frozenset({"wexa"})).profiles["w"]
    assert again == prof and again.api_key is not None
    assert again.api_key.get_secret_value() == "sekrit-inline"


def test_a_misspelt_notify_key_is_an_error_not_silence(tmp_path: Path) -> None:
    p = write(tmp_path / "c.toml", '[notify]\ndekstop = true\n')
    cfg = config.load(p, known_providers=KNOWN)
    assert [(e.field, e.line) for e in cfg.errors] == [("notify.dekstop", 2)]
    assert "desktop" in cfg.errors[0].detail  # the known keys are listed


def test_a_profile_is_frozen_and_can_be_a_key_whatever_its_settings() -> None:
    prof = config.validated(config.Profile, {"name": "w", "provider": "wexa", "tags": ["a", "b"]})
    twin = config.validated(config.Profile, {"name": "w", "provider": "wexa", "tags": ["a", "b"]})
    assert {prof: 1}[twin] == 1 and prof == twin
    assert prof != config.validated(config.Profile, {"name": "w", "provider": "wexa", "tags": ["c"]})
    with pytest.raises(AttributeError):
        prof.name = "x"  # type: ignore[misc]


@pytest.mark.parametrize(("table", "key", "value", "message"), [
    ("defaults", "max_answer_mb", "1e308", "must be at most 1024 (1 GiB, held in memory for one answer)"),
    ("defaults", "refresh_seconds", "1e308", "must be at most 86400 seconds (a day)"),
    ("defaults", "finished_refresh_seconds", "86401", "must be at most 86400 seconds (a day)"),
    ("defaults", "request_deadline_seconds", "1e308", "must be at most 3600 seconds (an hour)"),
    ("defaults", "key_command_seconds", "3601", "must be at most 3600 seconds (an hour)"),
    ("defaults", "key_command_seconds", "0", "must be above 0"),
    ("defaults", "page_size", "9223372036854775807", "must be 1 to 1000"),
    ("defaults", "page_size", "0", "must be 1 to 1000"),
    ("defaults", "max_runs", "-1", "must be 1 to 10000000"),
    ("notify", "min_interval_seconds", "1e308", "must be at most 86400 seconds (a day)"),
    ("profiles.p", "refresh_seconds", "1e308", "must be at most 86400 seconds (a day)"),
])
def test_a_number_past_its_bound_is_refused_at_load_naming_the_bound(
        tmp_path: Path, table: str, key: str, value: str, message: str) -> None:
    """Unbounded, max_answer_mb = 1e308 overflowed int() at the first request (a traceback)
    and a refresh interval overflowed the retry time of a rate-limited profile."""
    profile = '[profiles.p]\nprovider = "edges"\napi_key_env = "K"\n'
    body = f"[{table}]\n{key} = {value}\n" + ("" if table.startswith("profiles") else profile)
    if table.startswith("profiles"):
        body = profile + f"{key} = {value}\n"
    cfg = config.load(write(tmp_path / "c.toml", body), known_providers=KNOWN)
    line = body.splitlines().index(f"{key} = {value}") + 1
    assert [(e.detail, e.line) for e in cfg.errors] == [(message, line)]
    assert cfg.defaults == config.Defaults() and cfg.notify == config.NotifySettings()


def test_every_bad_value_of_a_table_is_told_at_once(tmp_path: Path) -> None:
    """`bell = "yes"` hid `refresh_seconds = 0.1`: fixed, the next start told the second."""
    body = ('[defaults]\nbell = "yes"\nrefresh_seconds = 0.1\npage_size = 5\n'
            '[notify]\nmin_interval_seconds = -1\ndesktop = 3\n'
            '[profiles.p]\nprovider = "edges"\napi_key_env = "K"\n')
    cfg = config.load(write(tmp_path / "c.toml", body), known_providers=KNOWN)
    assert sorted(e.field or "" for e in cfg.errors) == [
        "defaults.bell", "defaults.refresh_seconds", "notify.desktop", "notify.min_interval_seconds"]
    assert sorted(e.line or 0 for e in cfg.errors) == [2, 3, 6, 7]


def test_the_largest_allowed_numbers_build_a_workspace(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from runtui.engine.workspace import Workspace

    body = ("[defaults]\nmax_answer_mb = 1024\nrefresh_seconds = 86400\nfinished_refresh_seconds = 86400\n"
            "request_deadline_seconds = 3600\npage_size = 1000\nmax_runs = 10000000\n"
            '[profiles.p]\nprovider = "edges"\napi_key_env = "RUNTUI_TEST_BOUND_KEY"\n')
    monkeypatch.setenv("RUNTUI_TEST_BOUND_KEY", "k" * 12)
    ws = Workspace.load(write(tmp_path / "c.toml", body))
    assert ws.config.errors == []
    assert ws.provider("p").http.max_bytes == 1024 * 1_048_576
