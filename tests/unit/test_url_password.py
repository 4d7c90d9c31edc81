"""A password written into a profile's base_url is never printed."""

from __future__ import annotations

from pathlib import Path

import pytest

from runtui.display import shown_url, unmasked_url
from runtui.errors import ConfigError
from runtui.urls import check_base_url
from tests.cli_result import invoke

PASSWORD = "s3cret-pw-9731"


@pytest.mark.parametrize(("url", "shown"), [
    (f"https://alice:{PASSWORD}@api.test/v1", "https://alice:***@api.test/v1"),
    (f"http://alice:{PASSWORD}@127.0.0.1:8080/x?q=1", "http://alice:***@127.0.0.1:8080/x?q=1"),
    (f"https://alice:p@ss{PASSWORD}@api.test/", "https://alice:***@api.test/"),  # an unescaped @
    (f"https://:{PASSWORD}@api.test", "https://:***@api.test"),
    ("https://alice@api.test/v1", "https://alice@api.test/v1"),
    ("https://api.test/a@b:c", "https://api.test/a@b:c"),  # an @ in the path is no userinfo
    ("not a url", "not a url"),
    (f"alice:{PASSWORD}@api.test/v1", "alice:***@api.test/v1"),
])
def test_shown_url_masks_the_password_only(url: str, shown: str) -> None:
    assert shown_url(url) == shown


def test_a_password_in_the_base_url_is_refused_at_load_without_printing_it(tmp_path: Path) -> None:
    """It was silently not sent (no Authorization header): the server's 401 was all the user
    got. Refused instead, saying where a key goes; the other profiles still load."""
    path = tmp_path / "c.toml"
    path.write_text(f'[profiles.p]\nprovider = "edges"\nbase_url = "https://alice:{PASSWORD}@api.test/v1"\n'
                    'api_key_env = "K"\n[profiles.q]\nprovider = "edges"\napi_key_env = "K"\n',
                    encoding="utf-8")
    path.chmod(0o600)
    table = invoke(path, "profiles", "list")
    assert table.code == 2
    assert "profile 'p'; field 'base_url': base_url holds a user name or password" in table.err
    assert "api_key_env, api_key_cmd or keyring" in table.err
    assert "q " in table.out
    as_json = invoke(path, "profiles", "list", "--json")
    assert [p["name"] for p in as_json.json()] == ["q"]
    assert PASSWORD not in table.out + table.err + as_json.out + as_json.err


def test_profiles_add_refuses_a_base_url_with_userinfo(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    for url in (f"https://alice:{PASSWORD}@api.test/v1", "https://alice@api.test/v1"):
        added = invoke(path, "profiles", "add", "p", "--provider", "edges", "--api-key-env", "K",
                       "--base-url", url)
        assert added.code == 2 and "user name or password" in added.err
        assert PASSWORD not in added.out + added.err
    assert not path.exists()


@pytest.mark.parametrize("url", [f"ftp://alice:{PASSWORD}@api.test/", f"alice:{PASSWORD}@api.test"])
def test_a_refused_base_url_is_named_without_its_password(url: str) -> None:
    with pytest.raises(ConfigError) as info:
        check_base_url(url, allow_insecure_http=False, profile="p")
    assert PASSWORD not in str(info.value)


@pytest.mark.parametrize(("typed", "saved"), [
    ("https://alice:***@api.test/v1", f"https://alice:{PASSWORD}@api.test/v1"),  # as shown
    ("https://alice:***@other.test:8443/v2", f"https://alice:{PASSWORD}@other.test:8443/v2"),
    ("https://alice:new-pw@api.test/v1", "https://alice:new-pw@api.test/v1"),  # a new password
    ("https://api.test/v1", "https://api.test/v1"),  # the password taken out
    ("https://bob:***@api.test/v1", None),  # *** for another user stands for nothing
    ("", ""),
])
def test_a_masked_password_typed_back_is_the_stored_one(typed: str, saved: str | None) -> None:
    assert unmasked_url(typed, f"https://alice:{PASSWORD}@api.test/v1") == saved


def test_a_mask_with_no_stored_password_is_refused() -> None:
    assert unmasked_url("https://alice:***@api.test", "https://alice@api.test") is None
    assert unmasked_url("https://alice:***@api.test", "") is None
