"""The entry-point listing kept between starts: read again whenever what it came from changed."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from runtui.providers import installed

GROUP = "runtui.providers"


def _dist(site: Path, name: str, entries: str) -> Path:
    info = site / f"{name}-1.0.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[{GROUP}]\n{entries}\n")
    return info


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory on sys.path holding one plugin's metadata."""
    site = tmp_path / "site"
    _dist(site, "plugin_a", "alpha = plugin_a:Alpha")
    monkeypatch.setattr(sys, "path", [str(site), *sys.path])
    return site


def _read_counter(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Counts the metadata reads (importlib.metadata's listing of the group)."""
    import importlib.metadata

    reads: list[str] = []
    real = importlib.metadata.entry_points

    def counted(**params: str) -> object:
        reads.append(params["group"])
        return real(**params)

    monkeypatch.setattr(importlib.metadata, "entry_points", counted)
    return reads


def test_a_second_start_reads_no_metadata(site: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    reads = _read_counter(monkeypatch)
    first = installed.entry_points(GROUP, tmp_path / "state")
    second = installed.entry_points(GROUP, tmp_path / "state")
    assert ("alpha", "plugin_a:Alpha") in first
    assert second == first
    assert reads == [GROUP]  # the second came from the state directory


def test_a_package_installed_or_removed_is_seen(site: Path, tmp_path: Path) -> None:
    state = tmp_path / "state"
    installed.entry_points(GROUP, state)
    info = _dist(site, "plugin_b", "beta = plugin_b:Beta")
    assert ("beta", "plugin_b:Beta") in installed.entry_points(GROUP, state)
    for file in info.iterdir():
        file.unlink()
    info.rmdir()
    assert ("beta", "plugin_b:Beta") not in installed.entry_points(GROUP, state)


def test_entry_points_edited_in_place_are_seen(site: Path, tmp_path: Path) -> None:
    """An egg-info rewritten where it is (setuptools' egg_info) changes no directory."""
    state = tmp_path / "state"
    installed.entry_points(GROUP, state)
    points = site / "plugin_a-1.0.dist-info" / "entry_points.txt"
    stat = points.stat()
    points.write_text(f"[{GROUP}]\nalpha = plugin_a.v2:Alpha\n")
    os.utime(points, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert ("alpha", "plugin_a.v2:Alpha") in installed.entry_points(GROUP, state)


def test_another_search_path_is_read_again(site: Path, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    state = tmp_path / "state"
    installed.entry_points(GROUP, state)
    other = tmp_path / "other"
    _dist(other, "plugin_c", "gamma = plugin_c:Gamma")
    monkeypatch.setattr(sys, "path", [str(other), *sys.path])
    assert ("gamma", "plugin_c:Gamma") in installed.entry_points(GROUP, state)


@pytest.mark.parametrize("content", [b"", b"{not json", b'{"fingerprint": 3}', b"\xff\xfe"])
def test_an_unreadable_cache_is_read_again_and_replaced(site: Path, tmp_path: Path,
                                                        content: bytes) -> None:
    state = tmp_path / "state"
    state.mkdir()
    (state / installed.CACHE_NAME).write_bytes(content)
    assert ("alpha", "plugin_a:Alpha") in installed.entry_points(GROUP, state)
    assert (state / installed.CACHE_NAME).read_bytes() != content


def test_fresh_reads_whatever_the_cache_says(site: Path, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    state = tmp_path / "state"
    installed.entry_points(GROUP, state)
    reads = _read_counter(monkeypatch)
    installed.entry_points(GROUP, state, fresh=True)
    assert reads == [GROUP]


def test_a_state_directory_that_cannot_be_written_still_lists(site: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    assert ("alpha", "plugin_a:Alpha") in installed.entry_points(GROUP, blocked / "state")


def test_a_cache_others_can_write_is_not_trusted(site: Path, tmp_path: Path) -> None:
    """Its entries name modules to import: one planted by another user must not count."""
    state = tmp_path / "state"
    installed.entry_points(GROUP, state)
    cache = state / installed.CACHE_NAME
    cache.write_bytes(cache.read_bytes().replace(b"plugin_a:Alpha", b"planted:Evil"))
    assert ("alpha", "planted:Evil") in installed.entry_points(GROUP, state)  # ours: trusted
    cache.write_bytes(cache.read_bytes())
    cache.chmod(0o666)
    assert ("alpha", "plugin_a:Alpha") in installed.entry_points(GROUP, state)


def test_a_failed_write_leaves_no_file_behind(site: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    def full_disk(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    state = tmp_path / "state"
    assert ("alpha", "plugin_a:Alpha") in installed.entry_points(GROUP, state)
    assert list(state.iterdir()) == []
