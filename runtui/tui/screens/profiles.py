"""The profiles screen: list, add, edit, test and remove profiles without leaving the app.

Keys are never shown: only where each key comes from. Broken profiles get a row of their
own with the file, line and field of the problem. Every change is written with
`config.save_profile` / `remove_profile` (atomic, locked, comments and mode kept) and then the
workspace is reloaded so the run table follows without a restart.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static

from runtui import config as config_mod
from runtui.display import shown_url
from runtui.engine.workspace import Workspace
from runtui.errors import ConfigError, ProviderError, RuntuiError
from runtui.providers import registry
from runtui.safe_text import clipped, one_line
from runtui.tui.guard import guard, guarded
from runtui.tui.keymap import BACK_KEYS, key_named
from runtui.tui.screens.confirm import ConfirmScreen
from runtui.tui.screens.profile_form import FormResult, ProfileFormScreen, provider_default_url
from runtui.tui.widgets.keys_footer import keys_footer

T = TypeVar("T")

CELL_MIN = 20  # the health column never gets narrower than this (the table scrolls instead)
# The widest a column other than HEALTH gets (longer cells end in "…"; the line under the
# table says the highlighted profile whole): one 64-character name pushed HEALTH off screen.
COLUMN_MAX = {0: 20, 3: 20}
READ_ONLY_MARK = " RO"  # after a read-only profile's name where MODE has no room
URL_MAX = 40  # the line under the table has the whole text of every clipped cell
COLUMNS = ("NAME", "PROVIDER", "BASE URL", "KEY", "MODE", "HEALTH")


def workspace_of(app: App[Any]) -> Workspace:
    ws = getattr(app, "workspace", None)
    if not isinstance(ws, Workspace):
        raise RuntimeError("the profiles screens need an app with a .workspace")
    return ws


def show_path(path: Path | str) -> str:
    """A path for the screen: under the home directory as ~/…"""
    p = Path(path)
    try:
        return "~/" + str(p.relative_to(Path.home()))
    except ValueError:
        return str(p)


def error_text(err: ConfigError) -> str:
    """file:line, field and message; the file by name only (its directory is in the title)."""
    where = Path(err.path).name if err.path else ""
    if where and err.line:
        where += f":{err.line}"
    bits = [b for b in (where, f"field {err.field!r}" if err.field else "") if b]
    return ("; ".join(bits) + ": " if bits else "") + err.detail


def runs_open(app: App[Any]) -> bool:
    """Is the runs screen on the stack (by class name: it is imported lazily)?"""
    return any(cls.__name__ == "RunsScreen" for screen in app.screen_stack
               for cls in type(screen).__mro__)


def _name_cell(cells: tuple[str, ...], width: int) -> str:
    """A profile's name, with `RO` when the MODE column has no room (80 columns): a
    read-only profile was then shown nowhere but in the line under the cursor's row."""
    if cells[4] != "read-only":
        return _clip(cells[0], width)
    return _clip(cells[0], width - len(READ_ONLY_MARK)) + READ_ONLY_MARK


def _clip(text: str, width: int) -> str:
    return clipped(" ".join(text.split()), width)


async def apply_change(app: App[Any]) -> None:
    """After the file changed: reload the workspace and watch what is new."""
    ws = workspace_of(app)
    await ws.reload()
    if getattr(app, "watch_enabled", True) and runs_open(app):
        ws.start_watching()


class ProfilesScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "add", "Add", id="profiles.add"),
        Binding("e,enter", "edit", "Edit", id="profiles.edit"),
        Binding("t", "test", "Test", id="profiles.test"),
        Binding("d,delete", "remove", "Remove", id="profiles.remove"),
        Binding(BACK_KEYS, "back", "Back", id="profiles.back"),
        Binding("j", "cursor('down')", "Down", id="profiles.down", show=False),
        Binding("k", "cursor('up')", "Up", id="profiles.up", show=False),
    ]

    # Its own rules, parsed when it is first shown (not at start-up with the app's).
    DEFAULT_CSS = """
    ProfilesScreen #profiles-title {
        height: 1;
        padding: 0 1;
        background: $boost;
    }
    ProfilesScreen #profiles-table {
        height: 1fr;
    }
    ProfilesScreen #profiles-detail {
        height: auto;
        max-height: 6;
        padding: 0 1;
        border-top: solid $primary;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.results: dict[str, tuple[bool, str]] = {}  # name -> (ok, text) of the last test
        self.row_errors: dict[str, ConfigError] = {}

    @property
    def ws(self) -> Workspace:
        return workspace_of(self.app)

    def compose(self) -> ComposeResult:
        yield Static("", id="profiles-title", markup=False)
        yield DataTable(id="profiles-table", cursor_type="row", zebra_stripes=False)
        yield Static("", id="profiles-detail", markup=False)
        yield keys_footer()

    def on_mount(self) -> None:
        self.refresh_rows()
        self.query_one(DataTable).focus()
        self.ws.health_listeners.append(self._on_health)

    def on_unmount(self) -> None:
        try:
            listeners = self.ws.health_listeners
        except RuntimeError:
            return
        if self._on_health in listeners:
            listeners.remove(self._on_health)

    def _on_health(self, _health: object) -> None:
        if self.is_attached:
            self.refresh_rows()

    # ---- the list ---------------------------------------------------------------------

    def health_text(self, name: str) -> tuple[bool | None, str]:
        if name in self.results:
            ok, text = self.results[name]
            return ok, text
        health = self.ws.health.get(name)
        if health is None:
            return None, "not checked (t tests)"
        text = one_line(health.describe())  # the server's message
        if health.state.value in ("loading", "paused"):
            return None, text
        return health.state.value == "ok", text

    def rows(self) -> list[tuple[str, tuple[str, ...]]]:
        """(row key, one cell per COLUMNS) for every profile, then one per config error."""
        cfg = self.ws.config
        out: list[tuple[str, tuple[str, ...]]] = []
        for name in sorted(cfg.profiles):
            p = cfg.profiles[name]
            default = provider_default_url(p.provider)
            if p.base_url:
                base = shown_url(p.base_url).removeprefix("https://")
            else:
                base = f"(default: {default.removeprefix('https://')})" if default else "(none)"
            ok, text = self.health_text(name)
            mark = "" if ok is None else "✔ " if ok else "✘ "
            out.append((f"p:{name}", (name, p.provider, _clip(base, URL_MAX), p.key_source,
                                      "read-only" if p.read_only else "", mark + text)))
        self.row_errors = {}
        # Errors, then warnings (a key runtui ignores: a misspelling must not go unseen).
        for prefix, found, mark, label in (("e", cfg.errors, "✘", "ERROR"),
                                           ("w", cfg.warnings, "!", "WARNING")):
            for i, err in enumerate(found):
                key = f"{prefix}:{i}"
                self.row_errors[key] = err
                where = Path(err.path).name if err.path else "config"
                if err.line:
                    where += f":{err.line}"
                if err.field:
                    where += f" {err.field}"
                out.append((key, (err.profile or "(file)", f"{mark} {label}", where, "", "",
                                  f"{mark} {err.detail}")))
        return out

    def fit_columns(self, rows: list[tuple[str, tuple[str, ...]]]) -> tuple[list[int], list[int]]:
        """Which columns fit the screen, and their widths (the last one gets the room left).

        MODE goes first, then BASE URL: the line under the table shows both for the
        highlighted row. The health text is clipped to the room, not cut by the edge.
        """
        widths = [len(c) for c in COLUMNS]
        for _key, cells in rows:
            widths = [max(w, len(c)) for w, c in zip(widths, cells, strict=True)]
        widths = [min(w, COLUMN_MAX.get(i, w)) for i, w in enumerate(widths)]
        total = self.size.width or 100
        shown = list(range(len(COLUMNS)))
        for drop in (None, 4, 2):
            if drop is not None:
                shown.remove(drop)
            if drop == 4 and any(cells[4] for _key, cells in rows):  # the name says it (`_name_cell`)
                widths[0] += len(READ_ONLY_MARK)
            used = sum(widths[i] + 2 for i in shown[:-1]) + 2 + 2  # cell padding, pad, scrollbar
            room = total - used
            if room >= min(CELL_MIN, widths[-1]):
                break
        return shown, [*(widths[i] for i in shown[:-1]), min(widths[-1], max(CELL_MIN, room))]

    def on_resize(self) -> None:
        if self.is_mounted:
            self.refresh_rows()

    def refresh_rows(self) -> None:
        table = self.query_one(DataTable)
        keep = self.selected_key()
        rows = self.rows()
        shown, widths = self.fit_columns(rows)
        table.clear(columns=True)
        for i, width in zip(shown, widths, strict=True):
            table.add_column(COLUMNS[i], width=width)
        for key, cells in rows:
            visible = [cells[i] for i in shown]
            if key in self.row_errors and 2 not in shown:  # no BASE URL column: keep file:line
                mark, _, said = cells[-1].partition(" ")
                visible[-1] = f"{mark} {cells[2]}: {said}"
            visible = [_clip(cell, width) for cell, width in zip(visible, widths, strict=True)]
            if 4 not in shown:
                visible[0] = _name_cell(cells, widths[0])
            # Text, not str: a DataTable reads a str cell as markup, and a server's "[/x]"
            # in a health message would be a markup error.
            table.add_row(*(Text(cell) for cell in visible), key=key)
        if keep is not None:
            for i, (row_key, _cells) in enumerate(rows):
                if row_key == keep:
                    table.move_cursor(row=i)
                    break
        cfg = self.ws.config
        self.query_one("#profiles-title", Static).update(
            f"Profiles in {show_path(cfg.path)}: {self._counts()}")
        self._update_detail()

    def _counts(self) -> str:
        """What the rows say, counted: ok only where a test or the watcher says so."""
        cfg = self.ws.config
        verdicts = [self.health_text(name)[0] for name in cfg.profiles]
        parts = [(verdicts.count(True), "ok"), (verdicts.count(False), "failing"),
                 (verdicts.count(None), "not checked"), (len(cfg.errors), "in error"),
                 (len(cfg.warnings), "unknown setting(s) ignored")]
        said = ", ".join(f"{n} {word}" for n, word in parts if n)
        return said or f"none yet (press {key_named(self, 'profiles.add')} to add one)"

    def action_cursor(self, direction: str) -> None:
        """j / k, as in the run table."""
        table = self.query_one(DataTable)
        if direction == "down":
            table.action_cursor_down()
        else:
            table.action_cursor_up()

    def selected_key(self) -> str | None:
        table = self.query_one(DataTable)
        if table.row_count == 0:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        except Exception:  # cursor out of range while the table is being rebuilt
            return None
        return key

    def selected_profile(self) -> str | None:
        key = self.selected_key()
        if key is None:
            return None
        if key.startswith("p:"):
            return key[2:]
        err = self.row_errors.get(key)
        return err.profile if err is not None else None

    def _update_detail(self) -> None:
        detail = self.query_one("#profiles-detail", Static)
        key = self.selected_key()
        if key is None:
            detail.update(f"No profiles yet: press {key_named(self, 'profiles.add')} to add one.")
            return
        if key in self.row_errors:
            err = self.row_errors[key]
            name = f"profile {err.profile}: " if err.profile else ""
            if key.startswith("w:"):
                detail.update(f"! {name}{error_text(err)}\n"
                              "runtui ignores it: fix its spelling in the file, or delete the line.")
                return
            detail.update(f"✘ {name}{error_text(err)}\n"
                          "Fix it in the file, edit it with e, or remove it with d.")
            return
        name = key[2:]
        p = self.ws.config.profiles.get(name)
        if p is None:
            detail.update("")
            return
        _ok, text = self.health_text(name)
        mode = "read-only" if p.read_only else "read-write"
        default = provider_default_url(p.provider)
        url = shown_url(p.base_url) if p.base_url else (f"{default} (default)" if default else "no base URL")
        detail.update(f"{name}: {p.provider}, {url}, key from {p.key_source}, {mode}\n{text}")

    @on(DataTable.RowHighlighted)
    def _highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._update_detail()

    @on(DataTable.RowSelected)
    def _selected(self, _event: DataTable.RowSelected) -> None:
        self.action_edit()

    # ---- actions ----------------------------------------------------------------------

    def _raw_values(self, name: str) -> dict[str, Any]:
        """A broken profile's table as written, so the form can start from it."""
        import tomllib

        try:
            # -sig: a leading byte-order mark is left out, as the loader does
            data = tomllib.loads(self.ws.config.path.read_text(encoding="utf-8-sig"))
        except (OSError, tomllib.TOMLDecodeError):
            return {}
        body = data.get("profiles", {}).get(name)
        return dict(body) if isinstance(body, dict) else {}

    def _ask(self, dialog: ModalScreen[T], then: Callable[[T | None], Awaitable[None]], group: str) -> None:
        """Show `dialog` now, while its key is handled, and run `then` with the answer.

        Pushed from a worker (`push_screen_wait`), the dialog came up a step later: keys
        typed right after the one that opened it (d then n, a then a name) went to this
        screen (t tested, d asked again) and the dialog stayed open. `then` runs as a
        worker of `group`: it saves the file and reloads the workspace."""

        def answered(answer: T | None) -> None:
            self.run_worker(guard(self, then(answer), "saving the profiles"), group=group, exclusive=True)

        self.app.push_screen(dialog, answered)

    def action_add(self) -> None:
        self._ask(ProfileFormScreen(existing=self.ws.config.names_taken(), save=self._save_new),
                  self._add, "profiles-form")

    def _save_new(self, result: FormResult) -> None:
        name, values = result
        config_mod.save_profile(self.ws.config.path, name, values, check=registry.check_settings)

    async def _add(self, result: FormResult | None) -> None:
        if result is None:
            return
        await self._changed(f"added profile {result[0]}", select=result[0])

    def action_edit(self) -> None:
        name = self.selected_profile()
        if name is None:
            self.notify("This error is not about one profile: fix it in the file.", severity="warning")
            return
        cfg = self.ws.config
        profile = cfg.profiles.get(name)
        values = config_mod.profile_values(profile) if profile is not None else self._raw_values(name)
        form = ProfileFormScreen(profile_name=name, values=values, existing=cfg.names_taken(),
                                 save=lambda result: self._save_edit(name, result))
        self._ask(form, lambda result: self._edit(name, result), "profiles-form")

    def _save_edit(self, name: str, result: FormResult) -> None:
        """The profile as edited, renamed in the same write: refused when the file or the
        profile is gone since it was read (the edit must not quietly become an add)."""
        new_name, new_values = result
        config_mod.save_profile(self.ws.config.path, new_name, new_values, replace=new_name == name,
                                check=registry.check_settings, edits=name)

    async def _edit(self, name: str, result: FormResult | None) -> None:
        if result is None:
            return
        new_name = result[0]
        self.results.pop(name, None)
        self.results.pop(new_name, None)
        await self._changed(f"saved profile {new_name}", select=new_name)

    def action_remove(self) -> None:
        name = self.selected_profile()
        if name is None:
            self.notify("Select a profile to remove.", severity="warning")
            return
        question = (f"Remove profile {name!r} from {show_path(self.ws.config.path)}?\n"
                    "Its runs disappear from the table; nothing is changed on the server.")
        self._ask(ConfirmScreen(question), lambda yes: self._remove(name, yes), "profiles-remove")

    async def _remove(self, name: str, yes: bool | None) -> None:
        if not yes:
            return
        path = self.ws.config.path
        try:
            config_mod.remove_profile(path, name)
        except ConfigError as exc:
            self.notify(str(exc), title="not removed", severity="error")
            return
        self.results.pop(name, None)
        await self._changed(f"removed profile {name}")

    async def _changed(self, message: str, *, select: str | None = None) -> None:
        try:
            await apply_change(self.app)
        except RuntuiError as exc:
            self.notify(str(exc), title="reload failed", severity="error")
        self.refresh_rows()
        if select is not None:
            for i, (key, _cells) in enumerate(self.rows()):
                if key == f"p:{select}":
                    self.query_one(DataTable).move_cursor(row=i)
                    break
        self.notify(message, title="profiles")

    def action_test(self) -> None:
        name = self.selected_profile()
        if name is None:
            self.notify("Select a profile to test.", severity="warning")
            return
        self.results[name] = (True, "… testing")
        self.refresh_rows()
        self.run_test(name)

    @work(group="profiles-test", exit_on_error=False)
    @guarded("the profile test")
    async def run_test(self, name: str) -> None:
        ok = False
        try:
            self.ws.retry_key(name)  # a test asked for runs a key command that failed again
            text = "OK: " + await self.ws.provider(name).check()
            ok = True
        except ConfigError as err:
            text = error_text(err)
        except ProviderError as err:
            text = str(err)
        except Exception as exc:  # an adapter bug must not take the app down
            text = f"{type(exc).__name__}: {exc}"
        self.results[name] = (ok, text)
        if self.is_attached:
            self.refresh_rows()
        self.notify(text, title=f"test {name}", severity="information" if ok else "error",
                    timeout=8 if ok else 15)

    def action_back(self) -> None:
        app = self.app
        if runs_open(app) or not self.ws.config.profiles:
            app.pop_screen()
            return
        n = len(self.ws.config.profiles)
        self._ask(ConfirmScreen(f"{n} profile{'s' if n != 1 else ''} configured. Open the runs now?"),
                  self._back, "profiles-back")

    async def _back(self, yes: bool | None) -> None:
        app = self.app
        app.pop_screen()
        if yes:
            open_runs = getattr(app, "open_runs", None)
            if callable(open_runs):
                open_runs()
