"""A local attacker and concurrent writers against the config file."""

from __future__ import annotations

import codecs
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from runtui import config as config_mod
from runtui.errors import ConfigRefused
from tests.cli_result import invoke

RUNTUI = [sys.executable, "-m", "runtui"]


def _with_key_cmd(path: Path, marker: Path) -> Path:
    path.write_text(f'[profiles.x]\nprovider = "edges"\napi_key_cmd = "touch {marker}"\n',
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("mode", [0o666, 0o620, 0o602])
def test_a_config_others_can_write_is_refused_before_its_command_runs(tmp_path: Path, mode: int) -> None:
    marker = tmp_path / "ran"
    config = _with_key_cmd(tmp_path / "c.toml", marker)
    config.chmod(mode)
    result = invoke(config, "runs", "list")
    assert result.code == 2
    assert "writable by group or others" in result.err and f"chmod go-w {config}" in result.err
    assert not marker.exists(), "api_key_cmd ran from a file others could have written"


def test_a_directory_others_can_write_is_refused(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    config = _with_key_cmd(shared / "c.toml", tmp_path / "ran")
    config.chmod(0o600)
    shared.chmod(0o777)
    result = invoke(config, "runs", "list")
    assert result.code == 2 and f"chmod go-w {shared}" in result.err
    assert not (tmp_path / "ran").exists()


def test_a_symlink_is_followed_and_its_target_checked(tmp_path: Path) -> None:
    target = _with_key_cmd(tmp_path / "real.toml", tmp_path / "ran")
    target.chmod(0o666)
    link = tmp_path / "link.toml"
    link.symlink_to(target)
    result = invoke(link, "runs", "list")
    assert result.code == 2 and str(target) in result.err


@pytest.mark.parametrize("hops", [1, 2])
def test_a_symlink_in_a_directory_others_can_write_is_refused(tmp_path: Path, hops: int) -> None:
    """Only the target's directory was checked: a link in a 777 directory was followed,
    though anyone could swap the link for one to their own file."""
    home = tmp_path / "home"
    home.mkdir()
    target = _with_key_cmd(home / "real.toml", tmp_path / "ran")
    target.chmod(0o600)
    shared = tmp_path / "shared"
    shared.mkdir()
    link = shared / "link.toml"
    if hops == 2:  # the 777 directory holds the middle link of two
        link.symlink_to(target)
        link = home / "outer.toml"
        link.symlink_to(shared / "link.toml")
    else:
        link.symlink_to(target)
    shared.chmod(0o777)
    result = invoke(link, "runs", "list")
    assert result.code == 2
    assert "writable by group or others (mode 777)" in result.err and f"chmod go-w {shared}" in result.err
    assert not (tmp_path / "ran").exists()
    shared.chmod(0o755)
    assert "writable by group or others" not in invoke(link, "runs", "list").err


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_a_config_owned_by_another_user_is_refused(tmp_path: Path) -> None:
    config = _with_key_cmd(tmp_path / "c.toml", tmp_path / "ran")
    config.chmod(0o600)
    os.chown(config, 4242, -1)
    with pytest.raises(ConfigRefused, match="owned by another user"):
        config_mod.load(config)


def test_the_tui_does_not_open_a_refused_config(tmp_path: Path) -> None:
    config = _with_key_cmd(tmp_path / "c.toml", tmp_path / "ran")
    config.chmod(0o666)
    proc = subprocess.run([*RUNTUI, "--config", str(config)], capture_output=True, text=True,
                          timeout=60, env=os.environ | {"RUNTUI_STATE_DIR": str(tmp_path / "s")})
    assert proc.returncode == 2 and "refused" in proc.stderr


def test_a_config_that_is_not_utf8_names_its_file_and_line(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_bytes(b'[profiles.x]\nprovider = "edges"\nname = "caf\xe9"\n')
    config.chmod(0o600)
    result = invoke(config, "runs", "list")
    assert result.code == 2
    assert f"{config}:3" in result.err and "not UTF-8" in result.err
    assert "Traceback" not in result.err


def test_parallel_adds_keep_every_profile(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    env = os.environ | {"RUNTUI_STATE_DIR": str(tmp_path / "s")}
    procs = [subprocess.Popen([*RUNTUI, "--config", str(config), "profiles", "add", f"p{i}",
                               "--provider", "edges", "--api-key-env", "K"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
             for i in range(12)]
    codes = [p.wait(timeout=120) for p in procs]
    assert codes == [0] * 12
    assert sorted(config_mod.load(config).profiles) == sorted(f"p{i}" for i in range(12))


def test_a_write_goes_through_a_symlink_and_keeps_the_mode(tmp_path: Path) -> None:
    target = tmp_path / "real.toml"
    target.write_text("# mine\n", encoding="utf-8")
    target.chmod(0o640)
    link = tmp_path / "link.toml"
    link.symlink_to(target)
    result = invoke(link, "profiles", "add", "a", "--provider", "edges", "--api-key-env", "K")
    assert result.code == 0, result.err
    assert link.is_symlink() and link.resolve() == target
    assert oct(target.stat().st_mode & 0o777) == oct(0o640)
    assert "# mine" in target.read_text() and "[profiles.a]" in target.read_text()


def test_only_refused_profiles_is_a_config_error(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[profiles.bad]\nprovider = "nope"\n', encoding="utf-8")
    config.chmod(0o600)
    result = invoke(config, "runs", "list")
    assert result.code == 2 and "unknown provider 'nope'" in result.err


def test_a_duplicate_name_says_how_to_replace_it(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    args = ("profiles", "add", "a", "--provider", "edges", "--api-key-env", "K")
    assert invoke(config, *args).code == 0
    again = invoke(config, *args)
    assert again.code == 2 and "--replace" in again.err and "edit" not in again.err


@pytest.mark.parametrize("command", [("runs", "list"), ("profiles", "list"),
                                     ("profiles", "add", "a", "--provider", "edges", "--api-key-env", "K")])
def test_a_symlink_loop_is_a_config_error(tmp_path: Path, command: tuple[str, ...]) -> None:
    (tmp_path / "l1").symlink_to(tmp_path / "l2")
    (tmp_path / "l2").symlink_to(tmp_path / "l1")
    result = invoke(tmp_path / "l1", *command)
    assert result.code == 2
    assert f"{tmp_path / 'l1'}: the path is a symlink loop" in result.err
    assert (tmp_path / "l1").is_symlink() and (tmp_path / "l2").is_symlink()  # nothing written


@pytest.mark.parametrize("command", [("profiles", "list"), ("runs", "list"),
                                     ("profiles", "add", "a", "--provider", "edges", "--api-key-env", "K")])
def test_a_fifo_as_the_config_is_refused_not_waited_on(tmp_path: Path, command: tuple[str, ...]) -> None:
    fifo = tmp_path / "f"
    os.mkfifo(fifo, 0o600)
    proc = subprocess.run([*RUNTUI, "--config", str(fifo), *command], capture_output=True, text=True,
                          timeout=60, env=os.environ | {"RUNTUI_STATE_DIR": str(tmp_path / "s")})
    assert proc.returncode == 2
    assert f"{fifo}: not a regular file: it is a FIFO (named pipe)" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("command", [("profiles", "list"), ("runs", "list"),
                                     ("profiles", "add", "a", "--provider", "edges", "--api-key-env", "K")])
def test_a_directory_as_the_config_is_refused_by_name(tmp_path: Path, command: tuple[str, ...]) -> None:
    folder = tmp_path / "d"
    folder.mkdir(mode=0o700)
    result = invoke(folder, *command)
    assert result.code == 2
    assert f"{folder}: not a regular file: it is a directory" in result.err
    assert list(folder.iterdir()) == []


AS_ROOT = pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
NOBODY = 65534


def _sticky_shared(tmp_path: Path) -> tuple[Path, Path]:
    """A /tmp-like directory (1777, root's) and a private config elsewhere."""
    shared = tmp_path / "ww"
    shared.mkdir()
    shared.chmod(0o1777)
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    config = _with_key_cmd(home / "a.toml", tmp_path / "ran")
    config.chmod(0o600)
    return shared, config


@AS_ROOT
@pytest.mark.parametrize("linked", ["file", "directory"])
def test_a_symlink_another_user_owns_is_refused_even_in_a_sticky_directory(tmp_path: Path,
                                                                          linked: str) -> None:
    """The sticky bit keeps others from renaming my link, not theirs: the link's owner can
    point it at a file of their choosing at any time, as with a file they own."""
    shared, config = _sticky_shared(tmp_path)
    link = shared / "nlink"
    link.symlink_to(config if linked == "file" else config.parent)
    path = link if linked == "file" else link / config.name
    assert invoke(path, "profiles", "list").code == 0  # my own link there is fine
    os.lchown(link, NOBODY, -1)
    result = invoke(path, "profiles", "list")
    assert result.code == 2
    assert f"the config symlink {link} is owned by another user (uid {NOBODY})" in result.err
    assert f"chown -h {os.getuid()} {link}" in result.err


@AS_ROOT
def test_a_directory_above_the_config_owned_by_another_user_is_refused(tmp_path: Path) -> None:
    """Only the file's own directory was checked: the owner of `p` in p/q/c.toml can rename
    `q` away and put any directory of the user's in its place."""
    shared, _config = _sticky_shared(tmp_path)
    above = shared / "p"
    (above / "q").mkdir(parents=True)
    config = _with_key_cmd(above / "q" / "c.toml", tmp_path / "ran")
    config.chmod(0o600)
    assert invoke(config, "profiles", "list").code == 0
    os.chown(above, NOBODY, -1)
    result = invoke(config, "profiles", "list")
    assert result.code == 2
    assert f"the directory {above} (above the config) is owned by another user" in result.err
    assert not (tmp_path / "ran").exists()


def test_a_config_in_a_sticky_directory_of_roots_is_read(tmp_path: Path) -> None:
    """The common cases still work: /tmp itself (sticky, root's) above the user's own file."""
    shared, _config = _sticky_shared(tmp_path)
    config = _with_key_cmd(shared / "mine.toml", tmp_path / "ran")
    config.chmod(0o600)
    result = invoke(config, "profiles", "list")
    assert result.code == 0, result.err


def test_dev_null_as_the_config_is_not_a_file_not_a_chmod(tmp_path: Path) -> None:
    """/dev/null is mode 666: the mode was checked first and advised `chmod go-w /dev/null`,
    which breaks the machine for every user."""
    result = invoke(Path("/dev/null"), "runs", "list")
    assert result.code == 2
    assert "/dev/null: not a regular file: it is a character device" in result.err
    assert "chmod" not in result.err


@pytest.mark.parametrize("command", [("profiles", "list"), ("runs", "list"),
                                     ("profiles", "add", "a", "--provider", "edges", "--api-key-env", "K")])
@pytest.mark.parametrize("kind", ["a FIFO (named pipe)", "a directory"])
def test_a_shared_path_that_is_no_file_is_named_before_its_mode(
        tmp_path: Path, command: tuple[str, ...], kind: str) -> None:
    """A FIFO or directory others can write: what it is comes first, not a chmod to make."""
    node = tmp_path / "n"
    if kind == "a directory":
        node.mkdir()
    else:
        os.mkfifo(node)
    node.chmod(0o777)
    result = invoke(node, *command)
    assert result.code == 2
    assert f"{node}: not a regular file: it is {kind}" in result.err
    assert "chmod" not in result.err
    assert stat.S_IMODE(node.stat().st_mode) == 0o777 and not node.is_file()  # nothing written


BOM_CONFIG = '''# saved by Notepad
[profiles.x]
provider = "edges"
api_key_env = "K"

[profiles.y]
provider = "edges"
api_key_env = "K"
read_only = "maybe"
'''


def _bom_file(tmp_path: Path) -> Path:
    config = tmp_path / "bom.toml"
    config.write_bytes(codecs.BOM_UTF8 + BOM_CONFIG.encode("utf-8"))
    config.chmod(0o600)
    return config


def test_a_config_saved_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    """Notepad's UTF-8 starts with a BOM: the file was "not valid TOML: Invalid statement
    (at line 1, column 1)". It is read as without it, with the same line numbers."""
    cfg = config_mod.load(_bom_file(tmp_path))
    assert list(cfg.profiles) == ["x"]
    assert [(err.profile, err.line) for err in cfg.errors] == [("y", 9)]
    listed = invoke(_bom_file(tmp_path), "profiles", "list")
    assert "not valid TOML" not in listed.err and "bom.toml:9; profile 'y'" in listed.err
    assert listed.out.splitlines()[2].split()[:2] == ["x", "edges"]


def test_a_profile_saved_into_a_bom_file_drops_the_mark_and_keeps_the_rest(tmp_path: Path) -> None:
    """A write leaves the file plain UTF-8 (which every TOML reader takes), its comments
    and profiles as they were."""
    config = _bom_file(tmp_path)
    assert invoke(config, "profiles", "add", "z", "--provider", "edges", "--api-key-env", "K").code == 0
    raw = config.read_bytes()
    assert not raw.startswith(codecs.BOM_UTF8)
    assert raw.decode("utf-8").startswith(BOM_CONFIG)
    assert list(config_mod.load(config).profiles) == ["x", "z"]
