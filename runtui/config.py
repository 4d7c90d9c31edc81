"""The profiles file: load and validate it, resolve keys, write it back safely.

One broken profile never stops the others: `load()` returns the valid ones and
a list of errors that name the file, line and field.
"""

from __future__ import annotations

import codecs
import contextlib
import math
import os
import re
import stat
import tomllib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from runtui.env_names import env_source, env_variable
from runtui.errors import ConfigError
from runtui.own_files import locked, write_atomic
from runtui.private_paths import check_private, not_a_regular_file
from runtui.secret import MIN_SECRET, Secret

ENV_CONFIG = "RUNTUI_CONFIG"
ENV_STATE_DIR = "RUNTUI_STATE_DIR"
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
KEY_SOURCES = ("api_key_env", "api_key_cmd", "keyring", "api_key")


def default_config_path() -> Path:
    env = os.environ.get(ENV_CONFIG)
    if env:
        return Path(env).expanduser()
    import platformdirs  # only when no path is given

    return platformdirs.user_config_path("runtui") / "config.toml"


def state_dir() -> Path:
    env = os.environ.get(ENV_STATE_DIR)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return platformdirs.user_state_path("runtui")


class Defaults(msgspec.Struct, kw_only=True):
    """`[defaults]`. A key runtui does not know is a warning, not an error: it may be a
    newer runtui's (a shared file), or a misspelt one, which must not go unnoticed."""

    refresh_seconds: float = 2.0
    finished_refresh_seconds: float = 30.0
    bell: bool = False
    page_size: int = 100
    max_runs: int = 100_000
    request_deadline_seconds: float = 30.0  # a whole request, retries included
    max_answer_mb: float = 16.0  # one answer, decoded; a larger one is refused, not read
    key_command_seconds: float = 30.0  # an api_key_cmd that gives no key by then is stopped


class NotifySettings(msgspec.Struct, kw_only=True, frozen=True):
    """`[notify]`: how runtui tells you beyond its toast. All off by default."""

    bell: bool = False  # the terminal bell
    desktop: bool = False  # a desktop notification through the terminal (OSC 9 and OSC 777)
    command: str | None = None  # run with the event as JSON on stdin (a chat webhook, a pager)
    min_interval_seconds: float = 10.0  # at most one notification this often


class Profile(msgspec.Struct, kw_only=True, frozen=True):
    """One account on one platform. `settings` holds the provider's own keys (its
    declared options) as written in the file."""

    name: str
    provider: str
    base_url: str | None = None
    api_key_env: str | None = None
    api_key_cmd: str | None = None
    keyring: bool = False
    api_key: Secret | None = None
    read_only: bool = False
    allow_insecure_http: bool = False
    refresh_seconds: float | None = None
    settings: dict[str, Any] = msgspec.field(default_factory=dict)

    def __hash__(self) -> int:
        """Usable as a key, as a frozen profile always was: `settings` is a dict (not
        hashable), and equal profiles share these fields, so they hash alike."""
        return hash((self.name, self.provider, self.base_url))

    @property
    def key_source(self) -> str:
        """Where the key comes from, for display. Never the key itself."""
        if self.api_key_env:
            return env_source(self.api_key_env)
        if self.api_key_cmd:
            return f"cmd:{self.api_key_cmd.split()[0] if self.api_key_cmd.split() else ''}"
        if self.keyring:
            return "keyring"
        if self.api_key is not None:
            return "inline"
        return "none"

    @property
    def extras(self) -> dict[str, Any]:
        """The provider's own settings (its declared options), as written in the file."""
        return dict(self.settings)

    def setting(self, name: str) -> Any:
        """One provider setting (see the provider's `options`), or None."""
        return self.settings.get(name)


def is_env_name(value: Any) -> bool:
    """Whether `value` can be an environment variable's NAME (not a `*_env` setting's value
    pasted in its place, or `$NAME`)."""
    return isinstance(value, str) and ENV_NAME_RE.match(value) is not None


def env_name_rule(what: str) -> str:
    """Why a `*_env` setting that is not a NAME is refused: never with its value, which may be
    the secret itself pasted where its variable's name goes (then quoted by every message
    that names the variable)."""
    return (f"must be the NAME of the environment variable holding {what} (letters, digits "
            f"and _, not starting with a digit), not {what} itself or `$NAME`; the value is not shown")


def _interval(seconds: float) -> bool:
    """A refresh interval a loop can keep: at least 0.2 s, and a number (TOML has inf and nan)."""
    return math.isfinite(seconds) and seconds >= 0.2


# Upper bounds. A number TOML takes (1e308) is multiplied or added to a clock further on:
# max_answer_mb * 1_048_576 overflowed to a traceback, a refresh interval became a
# retry time no datetime holds. Each bound is far beyond any use.
DAY = 86_400.0
HOUR = 3_600.0
MAX_ANSWER_MB = 1_024.0
MAX_PAGE_SIZE = 1_000
MAX_RUNS = 10_000_000
_AT_MOST_A_DAY = "must be at most 86400 seconds (a day)"


def _whole_in(low: int, high: int) -> Callable[[int], bool]:
    return lambda value: low <= value <= high


# Checks beyond the types, each with the message the user reads: (field, passes, message).
# A field's rules are checked in order; the first it fails is told.
_Rule = tuple[str, Callable[[Any], bool], str]
_RULES: dict[type[msgspec.Struct], tuple[_Rule, ...]] = {
    Defaults: (
        ("refresh_seconds", _interval, "must be at least 0.2 seconds"),
        ("refresh_seconds", lambda v: v <= DAY, _AT_MOST_A_DAY),
        ("finished_refresh_seconds", _interval, "must be at least 0.2 seconds"),
        ("finished_refresh_seconds", lambda v: v <= DAY, _AT_MOST_A_DAY),
        ("request_deadline_seconds", lambda v: math.isfinite(v) and v > 0, "must be above 0"),
        ("request_deadline_seconds", lambda v: v <= HOUR, "must be at most 3600 seconds (an hour)"),
        ("key_command_seconds", lambda v: math.isfinite(v) and v > 0, "must be above 0"),
        ("key_command_seconds", lambda v: v <= HOUR, "must be at most 3600 seconds (an hour)"),
        ("max_answer_mb", lambda v: math.isfinite(v) and v > 0, "must be above 0"),
        ("max_answer_mb", lambda v: v <= MAX_ANSWER_MB,
         "must be at most 1024 (1 GiB, held in memory for one answer)"),
        ("page_size", _whole_in(1, MAX_PAGE_SIZE), f"must be 1 to {MAX_PAGE_SIZE}"),
        ("max_runs", _whole_in(1, MAX_RUNS), f"must be 1 to {MAX_RUNS}"),
    ),
    NotifySettings: (("min_interval_seconds", lambda v: math.isfinite(v) and v >= 0,
                      "must be 0 or more seconds"),
                     ("min_interval_seconds", lambda v: v <= DAY, _AT_MOST_A_DAY)),
    Profile: (("name", lambda v: NAME_RE.match(v) is not None,
               "use letters, digits, '.', '_' or '-' (max 64)"),
              # Unchecked, -1 polled the server back to back without end, 0.01 a hundred
              # times a second.
              ("refresh_seconds", lambda v: v is None or _interval(v), "must be at least 0.2 seconds"),
              ("refresh_seconds", lambda v: v is None or v <= DAY, _AT_MOST_A_DAY),
              # `$EDGES_KEY`, or the key itself pasted where its variable's name goes (then
              # stored in the file in clear and shown by `profiles list`): never a name.
              ("api_key_env", lambda v: v is None or is_env_name(v), env_name_rule("the key"))),
}

# The field that keeps the keys the type does not name.
_KEPT_APART: dict[type[msgspec.Struct], str] = {Profile: "settings"}
# Tables where a key the type does not name is a mistake (a misspelt `desktop` would
# otherwise leave notifications off without a word); elsewhere such keys are left alone.
_NO_OTHER_KEYS: frozenset[type[msgspec.Struct]] = frozenset({NotifySettings})
_S = TypeVar("_S", bound=msgspec.Struct)


class Invalid(ValueError):
    """A value the type or a rule refuses: which field, and why (never the value)."""

    def __init__(self, where: str | None, message: str) -> None:
        super().__init__(f"{where}: {message}" if where else message)
        self.field = where
        self.message = message


def validated(kind: type[_S], data: Mapping[str, Any]) -> _S:
    """`data` (a table from the file, or a form) as a `kind`, its types and rules checked.

    Keys `kind` does not name go to its kept-apart field (a profile's provider
    settings); for a type without one they are left out. Raises `Invalid`.
    """
    names = kind.__struct_fields__
    apart = _KEPT_APART.get(kind)
    if kind in _NO_OTHER_KEYS:
        for key in data:
            if key not in names:
                raise Invalid(str(key), f"not a setting of this table (known: {', '.join(names)})")
    known = {key: value for key, value in data.items() if key in names and key != apart}
    try:
        value = msgspec.convert(known, kind, dec_hook=_secret_from_text)
    except msgspec.ValidationError as exc:
        raise _invalid(exc) from None
    for name, passes, message in _RULES.get(kind, ()):
        if not passes(getattr(value, name)):
            raise Invalid(name, message)
    if apart is not None:
        rest = {key: item for key, item in data.items() if key not in names or key == apart}
        value = msgspec.structs.replace(value, **{apart: rest})
    return value


def each_invalid(kind: type[_S], data: Mapping[str, Any]) -> list[Invalid]:
    """Every key of `data` that `kind` refuses, each checked alone (a table whose fields
    all have defaults): two bad values were told one at a time, a fix and a new start each."""
    found: list[Invalid] = []
    for key, value in data.items():
        try:
            validated(kind, {key: value})
        except Invalid as exc:
            found.append(exc)
    return found


_AT = re.compile(r" - at `\$\.?([^`]*)`$")
_MISSING = re.compile(r"Object missing required field `([^`]*)`")


def _invalid(exc: msgspec.ValidationError) -> Invalid:
    """msgspec says "Expected `bool`, got `str` - at `$.keyring`": the field apart."""
    text = str(exc)
    missing = _MISSING.match(text)
    if missing is not None:
        return Invalid(missing.group(1), "required")
    found = _AT.search(text)
    if found is None:
        return Invalid(None, text)
    return Invalid(found.group(1).split("[", 1)[0] or None, _in_words(text[: found.start()]))


_EXPECTED = re.compile(r"Expected `([^`]*)`, got `([^`]*)`")
_WORDS = {"bool": "true or false", "int": "a whole number", "float": "a number", "str": "a string",
          "array": "a list", "object": "a table"}


def _in_words(text: str) -> str:
    """"Expected `float | null`, got `str`" as the file's author reads it: "must be a
    number, not a string" (TOML names its types so; an optional value may be left out)."""
    found = _EXPECTED.fullmatch(text)
    if found is None:
        return text
    wanted = [_WORDS.get(name, name) for name in found.group(1).split(" | ") if name != "null"]
    got = "a decimal number" if found.group(2) == "float" else _WORDS.get(found.group(2), found.group(2))
    return f"must be {' or '.join(wanted)}, not {got}"


def _secret_from_text(kind: type, value: Any) -> Any:
    if kind is Secret and isinstance(value, Secret | str):  # from a form: one already
        return value if isinstance(value, Secret) else Secret(value)
    raise TypeError("must be a string")


def explicit_values(value: msgspec.Struct, *, leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    """The fields of `value` that differ from their defaults, by name."""
    out: dict[str, Any] = {}
    for info in msgspec.structs.fields(value):
        item = getattr(value, info.name)
        if info.name in leave_out:
            continue
        default = info.default_factory() if info.default_factory is not msgspec.NODEFAULT else info.default
        if info.required or item != default:
            out[info.name] = item
    return out


class Config(msgspec.Struct):
    """A loaded config. A Struct, not a dataclass: the class is defined at every start-up, and a
    dataclass costs ~0.3 ms to define (its methods are generated from source)."""

    path: Path
    defaults: Defaults = msgspec.field(default_factory=Defaults)
    profiles: dict[str, Profile] = msgspec.field(default_factory=dict)
    errors: list[ConfigError] = msgspec.field(default_factory=list)
    # Keys runtui does not know (a misspelling, or a newer version's): ignored, and said.
    warnings: list[ConfigError] = msgspec.field(default_factory=list)
    keymap: dict[str, str] = msgspec.field(default_factory=dict)
    notify: NotifySettings = msgspec.field(default_factory=NotifySettings)
    file_mode: int | None = None
    # The file as read, for line numbers of errors found after loading. Never in the repr:
    # the file may hold an inline key.
    text: str = ""

    def __repr__(self) -> str:
        shown = (f"{name}={getattr(self, name)!r}" for name in self.__struct_fields__ if name != "text")
        return f"Config({', '.join(shown)})"

    def line_of(self, profile: str, key: str | None = None) -> int | None:
        return _line_of(self.text, profile, key)

    def names_taken(self) -> set[str]:
        """Every profile name the file holds, the broken ones too: a new profile may take none."""
        return set(self.profiles) | {e.profile for e in self.errors if e.profile}

    def profile(self, name: str) -> Profile:
        try:
            return self.profiles[name]
        except KeyError:
            for err in self.errors:
                if err.profile == name:
                    raise err from None
            known = ", ".join(sorted(self.profiles)) or "none"
            raise ConfigError(f"no profile named {name!r} (known: {known})", path=str(self.path)) from None


def _line_of(text: str, profile: str | None, key: str | None) -> int | None:
    """Best-effort line number of `[profiles.NAME]` or a key inside it."""
    lines = text.splitlines()
    start = 0
    if profile is not None:
        header = re.compile(r"^\s*\[\s*profiles\s*\.\s*(\"?)" + re.escape(profile) + r"\1\s*\]")
        for i, line in enumerate(lines):
            if header.match(line):
                start = i
                break
        else:
            return None
        if key is None:
            return start + 1
    if key is None:
        return None
    key_re = re.compile(r"^\s*\"?" + re.escape(key) + r"\"?\s*=")
    for i in range(start + (1 if profile else 0), len(lines)):
        if profile is not None and lines[i].lstrip().startswith("[") and i > start:
            break
        if key_re.match(lines[i]):
            return i + 1
    return start + 1 if profile else None


_TABLES = ("defaults", "notify", "keymap", "profiles")


def _table_line(text: str, name: str) -> int | None:
    """The line of a top-level `[name]` table (or of the key `name`)."""
    header = re.compile(r"^\s*\[\s*\"?" + re.escape(name) + r"\"?\s*[\].]")
    for i, line in enumerate(text.splitlines()):
        if header.match(line):
            return i + 1
    return _line_of(text, None, name)


_TOML_POS = re.compile(r"at line (\d+)")


def _read_regular(path: Path) -> tuple[bytes, int]:
    """The file's bytes and mode. Anything but a regular file is refused before a byte is
    read: a FIFO would hang every command with no word, a directory said only "Is a
    directory". Opened without blocking and checked on the open descriptor, so the
    check and the read are of the same file."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise not_a_regular_file(info.st_mode, path)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read(), stat.S_IMODE(info.st_mode)
    finally:
        os.close(fd)


def _decode(raw: bytes, path: Path) -> str:
    """The file's text, a leading UTF-8 byte-order mark left out.

    Notepad and some editors save one; TOML has no place for it (tomllib reads it as an
    invalid statement at line 1). A write (`save_profile`) drops it with the rest of the
    file kept: the file is then plain UTF-8, as every TOML reader takes it.
    """
    raw = raw.removeprefix(codecs.BOM_UTF8)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ConfigError(f"not UTF-8: byte 0x{raw[exc.start]:02x} cannot be read; save the file "
                          "as UTF-8", path=str(path), line=line) from None


def load(path: Path | None = None, *, known_providers: frozenset[str] | None = None) -> Config:
    """Read the profiles file. A missing file is an empty config, not an error."""
    path = path or default_config_path()
    cfg = Config(path=path)
    check_private(path)
    try:
        raw, cfg.file_mode = _read_regular(path)
    except FileNotFoundError:
        return cfg
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", path=str(path)) from None
    return parse(_decode(raw, path), path, cfg.file_mode, known_providers=known_providers)


def parse(text: str, path: Path, file_mode: int | None = None, *,
          known_providers: frozenset[str] | None = None) -> Config:
    """The config in `text` (the file at `path`, or what is about to be written there)."""
    cfg = Config(path=path, file_mode=file_mode, text=text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = _TOML_POS.search(str(exc))
        raise ConfigError(f"not valid TOML: {exc}", path=str(path),
                          line=int(m.group(1)) if m else None) from None

    for key in data:
        if key not in _TABLES:
            cfg.warnings.append(ConfigError(
                f"unknown table or key, ignored (runtui reads: {', '.join(_TABLES)})",
                path=str(path), field=str(key), line=_table_line(text, str(key))))
    for section, kind in (("defaults", Defaults), ("notify", NotifySettings)):
        raw = data.get(section, {})
        if not isinstance(raw, Mapping):
            continue
        for key in raw:
            if section == "defaults" and key not in kind.__struct_fields__:
                cfg.warnings.append(ConfigError(
                    f"unknown setting, ignored (known: {', '.join(kind.__struct_fields__)})",
                    path=str(path), field=f"{section}.{key}", line=_line_of(text, None, str(key))))
        try:
            setattr(cfg, section, validated(kind, raw))
        except Invalid as exc:
            for problem in each_invalid(kind, raw) or [exc]:
                cfg.errors.append(ConfigError(problem.message, path=str(path),
                                              field=f"{section}.{problem.field}",
                                              line=_line_of(text, None, problem.field)))
    keymap = data.get("keymap", {})
    if isinstance(keymap, Mapping):
        cfg.keymap = {str(k): str(v) for k, v in keymap.items()}

    profiles = data.get("profiles", {})
    if not isinstance(profiles, Mapping):
        cfg.errors.append(ConfigError("[profiles] must be a table", path=str(path)))
        return cfg
    for name, body in profiles.items():
        try:
            cfg.profiles[name] = _parse_profile(name, body, path, text, cfg.file_mode,
                                                known_providers)
        except ConfigError as err:
            cfg.errors.append(err)
    return cfg


def _parse_profile(name: str, body: Any, path: Path, text: str, mode: int | None,
                   known: frozenset[str] | None) -> Profile:
    where: dict[str, Any] = {"path": str(path), "profile": name}
    if not isinstance(body, Mapping):
        raise ConfigError("must be a table", line=_line_of(text, None, None), **where)
    try:
        prof = validated(Profile, {**body, "name": name})
    except Invalid as exc:
        raise ConfigError(exc.message, field=exc.field, line=_line_of(text, name, exc.field),
                          **where) from None
    if prof.base_url:
        _check_url(prof, text, where)
    if known is not None and prof.provider not in known:
        raise ConfigError(f"unknown provider {prof.provider!r} (installed: {', '.join(sorted(known))})",
                          field="provider", line=_line_of(text, name, "provider"), **where)
    sources = [s for s in KEY_SOURCES if body.get(s) not in (None, False, "")]
    if len(sources) > 1:
        raise ConfigError(f"give one key source, not {', '.join(sources)}",
                          field=sources[1], line=_line_of(text, name, sources[1]), **where)
    if prof.api_key is not None and mode is not None and mode & 0o077:
        raise ConfigError(
            f"inline api_key in a file readable by others (mode {mode:o}); run `chmod 600 {path}` "
            "or use api_key_env / api_key_cmd instead",
            field="api_key", line=_line_of(text, name, "api_key"), **where)
    return prof


def _check_url(prof: Profile, text: str, where: dict[str, Any]) -> None:
    """The base URL's rule (http(s), a TCP port, https off loopback) when the file is read,
    so a bad one is this profile's error with its line, not a crash at the first request."""
    from runtui.urls import check_base_url  # httpx: only for a profile that names a URL

    try:
        check_base_url(str(prof.base_url), allow_insecure_http=prof.allow_insecure_http,
                       profile=prof.name)
    except ConfigError as exc:
        raise ConfigError(exc.detail, field="base_url", line=_line_of(text, prof.name, "base_url"),
                          **where) from None


def resolve_key(profile: Profile, *, required: bool = True) -> Secret | None:
    """The profile's key from its source. Errors name the source, never the key.

    Not for an `api_key_cmd`: a command may take long, and runs where it cannot hold
    anything else up (`runtui.key_command`, when a request first needs the key)."""
    if profile.api_key_cmd:
        raise ValueError("an api_key_cmd key comes from runtui.key_command")
    key = _key_from_source(profile, required=required)
    return None if key is None else checked_key(profile, key)


def checked_key(profile: Profile, key: Secret) -> Secret:
    """`key` without spaces around it, whichever its source (a keyring entry or an inline
    key kept them, and h11 refused the header: "connection failed", retried as an
    outage), if an HTTP header can carry it and the masking can find it again (raises
    ConfigError naming the source, never the key)."""
    value = key.get_secret_value().strip()
    if not header_safe(value):
        # Sent, it fails inside the HTTP client as a "connection failed" nobody could act on.
        raise _refused_key(profile, "is not a valid HTTP header value (a line break, control or "
                           "non-ASCII character)")
    if any(char in " \t" for char in value):
        # Sent, only its last word was masked when a server echoed it ("Bearer sk live ***").
        raise _refused_key(profile, "has a space or tab inside; a key is one word: check that it "
                           "was copied whole")
    if len(value) < MIN_SECRET:
        raise _refused_key(profile, f"is shorter than {MIN_SECRET} characters, too short to be "
                           "masked if a server echoes it")
    return key if value == key.get_secret_value() else Secret(value)


def _refused_key(profile: Profile, why: str) -> ConfigError:
    return ConfigError(f"the key ({profile.key_source}) {why}; the key is not shown", profile=profile.name)


def header_safe(value: str) -> bool:
    """Printable ASCII (spaces and tabs inside): what an HTTP header value may hold."""
    return value.isascii() and all(char == "\t" or " " <= char <= "~" for char in value)


KEYRING_EXTRA = "keyring = true needs the optional extra: pip install 'runtui[keyring]'"


def keyring_installed() -> bool:
    """Whether the optional keyring extra can be imported (looked up, not imported: it is slow)."""
    import importlib.util

    return importlib.util.find_spec("keyring") is not None


def _key_from_source(profile: Profile, *, required: bool) -> Secret | None:
    where: dict[str, Any] = {"profile": profile.name}
    if profile.api_key_env:
        value = os.environ.get(profile.api_key_env, "")
        if not value.strip():
            raise ConfigError(f"{env_variable(profile.api_key_env, 'api_key_env')} is not set or empty",
                              field="api_key_env", **where)
        return Secret(value.strip())
    if profile.keyring:
        try:
            import keyring  # type: ignore[import-not-found]  # optional extra
        except ImportError:
            raise ConfigError(KEYRING_EXTRA, field="keyring", **where) from None
        value = keyring.get_password("runtui", profile.name)
        if not value:
            raise ConfigError(f"no keyring entry for service 'runtui', user {profile.name!r}",
                              field="keyring", **where)
        return Secret(str(value))  # trimmed by `checked_key`, as every source is
    if profile.api_key is not None:
        return profile.api_key
    if required:
        raise ConfigError("no key source: set api_key_env, api_key_cmd or keyring", **where)
    return None


# ---- writing -------------------------------------------------------------------------


def _load_doc(path: Path) -> tuple[Any, int | None]:
    """The file as a tomlkit document, and its mode (None: no file yet)."""
    import tomlkit

    check_private(path)
    mode: int | None = None
    try:
        raw, mode = _read_regular(path)
        text = _decode(raw, path)
    except FileNotFoundError:
        text = ""
    except OSError as exc:
        raise ConfigError(f"cannot read, not writing: {exc.strerror}", path=str(path)) from None
    try:
        return tomlkit.parse(text), mode
    except Exception as exc:  # tomlkit raises its own ParseError family
        raise ConfigError(f"not valid TOML, not writing: {exc}", path=str(path)) from None


@contextlib.contextmanager
def _writing(path: Path) -> Iterator[None]:
    """A write that fails (a full disk, a read-only directory) as the config error it is for
    the user, naming the file: a traceback ended the profiles screen and `profiles add`.
    The file is left as it was (`write_atomic`)."""
    try:
        yield
    except OSError as exc:
        raise ConfigError(f"cannot write, nothing changed: {exc.strerror or exc}", path=str(path)) from None


def save_profile(path: Path, name: str, values: Mapping[str, Any], *, replace: bool = False,
                 check: Callable[[Config], None] | None = None, edits: str | None = None) -> None:
    """Add or replace `[profiles.NAME]`, keeping every comment in the file.

    The file as it would be written is loaded first, with `check` (the provider checks a
    workspace adds, `registry.check_settings`) run on it: a profile that loading would
    refuse is refused here with the loader's own message, and nothing is written.
    `edits`: the profile a form edited (its old name when renamed, replaced in the same
    write): it must still be in the file. An edit saved after the file was deleted
    re-created it holding that one profile, and every other profile was gone.
    """
    import tomlkit

    values = {k: v for k, v in values.items() if v is not None}
    try:  # a value of a type the file cannot hold (or a bad name) never reaches tomlkit
        validated(Profile, {**values, "name": name})
    except Invalid as exc:
        raise ConfigError(exc.message, path=str(path), profile=name, field=exc.field) from None
    with _writing(path), locked(path):
        doc, mode = _load_doc(path)
        if edits is not None:
            _refuse_a_lost_edit(path, doc, mode, edits)
            if edits != name:
                del doc["profiles"][edits]
        if "profiles" not in doc:
            doc["profiles"] = tomlkit.table(is_super_table=True)
        profiles = doc["profiles"]
        if name in profiles and not replace:
            # The error's prefix names the profile already ("profile 'w1': ...").
            raise ConfigError("already exists (--replace overwrites it, `profiles remove` deletes it)",
                              path=str(path), profile=name)
        wanted = {key: value.get_secret_value() if isinstance(value, Secret) else value
                  for key, value in values.items() if value is not None and key != "name"}
        existing = profiles.get(name)
        if isinstance(existing, dict):
            # Replaced in place: keys keep their order and comments, a value that did not
            # change is not rewritten, so saving an unchanged profile changes no byte.
            for key in [k for k in existing if k not in wanted]:
                del existing[key]
            for key, value in wanted.items():
                if existing.get(key) != value:
                    existing[key] = value
        else:
            table = tomlkit.table()
            for key, value in wanted.items():
                table[key] = value
            profiles[name] = table
        text = tomlkit.dumps(doc)
        _refuse_unloadable(path, name, text, mode, check)
        write_atomic(path, text)


def _refuse_a_lost_edit(path: Path, doc: Any, mode: int | None, name: str) -> None:
    """An edit of profile `name` whose file or profile is gone (deleted or edited by hand
    since it was read) is refused: saving it would quietly become an add."""
    if mode is None:
        raise ConfigError("the config file no longer exists (deleted since runtui read it); "
                          "nothing written", path=str(path), profile=name)
    if name not in doc.get("profiles", {}):
        raise ConfigError("no longer in the file (removed since runtui read it); nothing written",
                          path=str(path), profile=name)


def _refuse_unloadable(path: Path, name: str, text: str, mode: int | None,
                       check: Callable[[Config], None] | None) -> None:
    """Raise the error loading `text` gives profile `name` (the line left out: the file
    was not written), so what is saved is what loads."""
    cfg = parse(text, path, 0o600 if mode is None else mode)
    if check is not None:
        check(cfg)
    for err in cfg.errors:
        if err.profile == name:
            raise ConfigError(err.detail, path=str(path), profile=name, field=err.field)


def remove_profile(path: Path, name: str) -> None:
    import tomlkit

    with _writing(path), locked(path):
        doc, _mode = _load_doc(path)
        profiles = doc.get("profiles")
        if profiles is None or name not in profiles:
            raise ConfigError(f"no profile named {name!r}", path=str(path), profile=name)
        del profiles[name]
        write_atomic(path, tomlkit.dumps(doc))


def profile_values(profile: Profile) -> dict[str, Any]:
    """What to write back for a profile (the inline key stays as it was)."""
    data = explicit_values(profile, leave_out=("name", "settings"))
    data.update(profile.settings)
    return data
