"""The `runtui.providers` entry points, remembered between starts with what they were read from.

Listing one entry-point group makes importlib.metadata read every installed
distribution's metadata: ~9 ms with the 130 packages of a test environment, on every
start, before the first request. The listing is kept in the state directory with a
fingerprint of where it came from: each `sys.path` entry and, in each directory,
every `*.dist-info` / `*.egg-info` with the size and modification time of its
`entry_points.txt` (~1 ms to take). Installing, removing or upgrading a package, or
editing its entry points, changes the fingerprint, and the group is read again.
`runtui providers` always reads it afresh.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import msgspec

from runtui.errors import ConfigError
from runtui.own_files import make_own_dirs, open_own

CACHE_NAME = "entry-points.json"
_METADATA_DIRS = (".dist-info", ".egg-info")


class _Listing(msgspec.Struct):
    fingerprint: str
    group: str
    entries: list[tuple[str, str]]  # (name, "module:attr") in the metadata's order


def fingerprint(paths: Sequence[str]) -> str:
    """What an entry-point listing of `paths` depends on (see the module's docstring)."""
    digest = hashlib.blake2b(digest_size=16)
    for entry in paths:
        digest.update(os.fsencode(entry) + b"\0")
        try:
            names = sorted(name for name in os.listdir(entry or ".") if name.endswith(_METADATA_DIRS))
        except NotADirectoryError:
            names = []
            _stamp(digest, entry)  # a zip or egg file
        except OSError:
            continue
        for name in names:
            digest.update(os.fsencode(name) + b"\0")
            _stamp(digest, os.path.join(entry or ".", name, "entry_points.txt"))
    return digest.hexdigest()


def _stamp(digest: hashlib.blake2b, path: str) -> None:
    try:
        stat = os.stat(path)
    except OSError:
        digest.update(b"-\0")
        return
    digest.update(f"{stat.st_size}:{stat.st_mtime_ns}\0".encode())


def entry_points(group: str, state: Path, *, fresh: bool = False) -> list[tuple[str, str]]:
    """(name, value) of each entry point in `group`, from the cache in `state` while
    nothing it was read from has changed (or, `fresh`, read again in any case)."""
    path = state / CACHE_NAME
    stamp = fingerprint(sys.path)
    if not fresh:
        try:
            listing = msgspec.json.decode(_own_file(path), type=_Listing)
        except (OSError, msgspec.DecodeError, msgspec.ValidationError):
            pass  # none yet, unreadable, or not only ours: read the metadata
        else:
            if listing.fingerprint == stamp and listing.group == group:
                return listing.entries
    from importlib.metadata import entry_points as read_group

    entries = [(ep.name, ep.value) for ep in read_group(group=group)]
    _save(path, _Listing(stamp, group, entries))
    return entries


def _own_file(path: Path) -> bytes:
    """The file's bytes if only this user can have written it: its entries name modules
    runtui imports, so one that others could write is not trusted (as with the config)."""
    with path.open("rb") as file:
        info = os.fstat(file.fileno())
        if hasattr(os, "getuid") and (info.st_uid != os.getuid() or info.st_mode & 0o022):
            raise PermissionError(f"{path}: writable by others")
        return file.read()


def _save(path: Path, listing: _Listing) -> None:
    """Best effort: a state directory that cannot be written costs the next start a read."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        make_own_dirs(path.parent)
        fd = open_own(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        with os.fdopen(fd, "wb") as file:
            file.write(msgspec.json.encode(listing))
        os.replace(tmp, path)
    except (OSError, ConfigError):  # a planted link is not written through either
        with contextlib.suppress(OSError):  # a full disk leaves no half-written file behind
            tmp.unlink()
