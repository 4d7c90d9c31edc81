"""Paths only their user could have written: the config, and the programs it names.

The config runs commands (`api_key_cmd`, `[notify] command`) and names where keys come
from, so a file, a symlink or a directory on its way that another user could change is
refused before anything in it is used, as ssh refuses its files.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import msgspec

from runtui.errors import ConfigError, ConfigRefused


def real_path(path: Path) -> Path:
    """The file `path` names, symlinks followed. A loop is a config error, not a traceback:
    Python 3.11 raises RuntimeError for one, 3.13 leaves the last link unresolved."""
    try:
        target = path.resolve()
    except OSError:
        return path  # reading it says why
    except RuntimeError:
        target = path
    if target.is_symlink():
        raise ConfigError("the path is a symlink loop and never reaches a file; point it at "
                          "the config file", path=str(path))
    return target


_MAX_HOPS = 40  # as the kernel's own limit on links followed


class Guarded(msgspec.Struct, frozen=True):
    """What a checked path is, in the words of a refusal: "the config file", "the config
    directory", "the config symlink", "the directory D (above the config)"."""

    noun: str = "config"
    file: str = "the config file"


CONFIG_FILE = Guarded()


def check_private(path: Path, guarded: Guarded = CONFIG_FILE) -> None:
    """Refuse a config that another user could have written, as ssh does with its files.

    The file runs commands (`api_key_cmd`, `[notify] command`) and names where keys
    come from, so a file or directory writable by group or others, or owned by
    someone else, is refused before anything in it is used. The path is walked as the
    kernel walks it: every symlink on the way (of the file or of a directory) must be
    the user's or root's, and so must every directory a name is looked up in, up to
    `/`: whoever can write a directory can rename what it holds, a root-owned directory
    below included, and put their own in its place. A sticky directory (/tmp) is fine:
    there, others cannot rename what is not theirs. A missing file is not refused:
    reading it says so.
    """
    me = os.getuid() if hasattr(os, "getuid") else None
    if me is None:
        return
    real_path(path)  # a loop is said as such
    for role, node, info in _walked(path.absolute(), guarded):
        if role == "file" and not stat.S_ISREG(info.st_mode):
            # Before the mode: `chmod go-w /dev/null` (or a shared directory) is advice
            # that breaks the machine, and no mode makes such a path a config file.
            raise not_a_regular_file(info.st_mode, path)
        problem = _unsafe(role, node, info, me, guarded)
        if problem is not None:
            raise ConfigRefused(problem, path=str(path))


def _walked(path: Path, guarded: Guarded) -> Iterator[tuple[str, Path, os.stat_result]]:
    """(role, node, lstat) of what `path` depends on: each directory a name is looked up
    in, each symlink, then the file. Stops quietly at a name that does not exist."""
    pending: list[tuple[Path, os.stat_result]] = []
    names = list(path.parts[1:])
    current = Path(path.anchor)
    links = 0
    while names:
        name = names.pop(0)
        if name in ("", "."):
            continue
        if name == "..":
            current = current.parent
            continue
        dir_info = _lstat(current, guarded)
        if dir_info is None:
            return
        if not pending or pending[-1][0] != current:
            pending.append((current, dir_info))
        node = current / name
        info = _lstat(node, guarded)
        if info is None:
            return
        if stat.S_ISLNK(info.st_mode):
            yield from _directories(pending, current)
            yield "symlink", node, info
            links += 1
            if links > _MAX_HOPS:
                raise ConfigError("the path is a symlink loop and never reaches a file",
                                  path=str(path))
            pointed = Path(os.readlink(node))
            if pointed.is_absolute():
                current, pending = Path(pointed.anchor), []
            names = list(pointed.parts[1:] if pointed.is_absolute() else pointed.parts) + names
        elif names:
            current = node
        else:
            yield from _directories(pending, current)
            yield "file", node, info


def _directories(pending: list[tuple[Path, os.stat_result]], holder: Path
                 ) -> Iterator[tuple[str, Path, os.stat_result]]:
    """The directories to check, nearest first: the one holding the name, then those above."""
    for directory, info in reversed(pending):
        yield ("directory" if directory == holder else "above"), directory, info


def _lstat(node: Path, guarded: Guarded) -> os.stat_result | None:
    try:
        return os.lstat(node)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise ConfigError(f"cannot check {guarded.file}: {exc.strerror}", path=str(node)) from None


def _unsafe(role: str, node: Path, info: os.stat_result, me: int, guarded: Guarded) -> str | None:
    """Why another user could change `node` (a refusal with the command that mends it), or None."""
    what = {"file": f"{guarded.file} {node}", "symlink": f"the {guarded.noun} symlink {node}",
            "directory": f"the {guarded.noun} directory {node}",
            "above": f"the directory {node} (above the {guarded.noun})"}[role]
    if info.st_uid not in (me, 0):
        chown = "chown -h" if role == "symlink" else "chown"
        return (f"refused: {what} is owned by another user (uid {info.st_uid}); "
                f"run `{chown} {me} {node}` or use your own file")
    mode = stat.S_IMODE(info.st_mode)
    sticky = role in ("directory", "above") and mode & stat.S_ISVTX
    if role != "symlink" and mode & 0o022 and not sticky:
        return f"refused: {what} is writable by group or others (mode {mode:o}); run `chmod go-w {node}`"
    return None


def check_program(program: str, setting: str) -> None:
    """Refuse a command's program (argv[0], found on PATH as it is run) that another user
    could have written, by the config's own rule: a config the user alone can write may
    still name a script anyone can rewrite, and it runs with the user's keys in its
    environment. A root-owned program in a root-owned directory (/usr/bin) is fine; one
    that cannot be found is left to fail to start, with its own message.

    Raises ConfigError (no path: the caller says whose command it is)."""
    found = shutil.which(program) if os.sep not in program else program
    if not found:
        return
    try:
        check_private(Path(found), Guarded(noun=f"{setting} program", file=f"the {setting} program"))
    except ConfigError as exc:
        raise ConfigError(exc.detail) from None


_NOT_A_FILE = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
               (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
               (stat.S_ISBLK, "a block device"))


def not_a_regular_file(st_mode: int, path: Path) -> ConfigError:
    kind = next((name for test, name in _NOT_A_FILE if test(st_mode)), "something else")
    return ConfigError(f"not a regular file: it is {kind}; give the path of a TOML file",
                       path=str(path))
