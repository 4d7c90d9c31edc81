"""The directories and files runtui makes for itself (config and state): its user's only.

A directory made with the umask's mode was 0775 under umask 002 (the default of many
Linux user accounts), and the config check then refused the directory runtui had just
made. And a file opened to append or create follows a symlink: whoever could write the
state directory could plant `journal.jsonl` as a link to a shell rc, and runtui would
append server-chosen text to it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from collections.abc import Iterator
from pathlib import Path

from runtui.errors import ConfigError
from runtui.private_paths import real_path

DIRECTORY_MODE = 0o700
FILE_MODE = 0o600


def make_own_dirs(directory: Path) -> None:
    """`mkdir -p`, each level it creates 0700 whatever the umask. Directories that exist
    already are left as they are: they are not runtui's to change."""
    missing: list[Path] = []
    level = directory
    while not os.path.lexists(level) and level != level.parent:
        missing.append(level)
        level = level.parent
    for path in reversed(missing):
        try:
            os.mkdir(path, DIRECTORY_MODE)
        except FileExistsError:
            continue  # made meanwhile (another runtui): not ours to change
        os.chmod(path, DIRECTORY_MODE)  # a umask that takes owner bits away too


LINK_REFUSAL = ("is a symbolic link, and runtui never writes its own files through one "
                "(anyone who could write that directory may have planted it); remove the "
                "link and look at who made it")


def refuse_link(path: Path) -> None:
    """Raise ConfigError when `path` is a symlink: for a file runtui replaces whole (a new
    file renamed over it), whose writer would otherwise follow the link to its target."""
    if os.path.islink(path):
        raise ConfigError(LINK_REFUSAL, path=str(path))


def open_own(path: Path, flags: int) -> int:
    """`os.open` for a file runtui writes (created 0600), never through a symlink: a link
    there was planted by someone, and following it writes where they chose. Raises
    ConfigError saying so; any other failure is the OSError as it was."""
    try:
        return os.open(path, flags | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0), FILE_MODE)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.EMLINK) and os.path.islink(path):
            raise ConfigError(LINK_REFUSAL, path=str(path)) from None
        raise


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold the config's lock for a read-modify-write: two `profiles add` at once (or the
    CLI and the profiles screen) must not each write the file they read, losing the
    other's profile. A symlink is followed: the lock is the real file's directory."""
    import fcntl

    target = real_path(path)
    make_own_dirs(target.parent)
    # The directory, not the file: the file is replaced by each write (a new inode), and
    # a lock file would be litter beside the user's config.
    fd = os.open(target.parent, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def write_atomic(path: Path, text: str, mode: int | None = None) -> None:
    """Temp file + fsync + rename: a crash mid-write never leaves a broken file.

    A symlink is written through (its target is replaced, the link stays), and an
    existing file keeps its mode; a new file is 0600.
    """
    import tempfile

    path = real_path(path)
    if mode is None:
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            mode = 0o600
    make_own_dirs(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    try:
        dfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass
