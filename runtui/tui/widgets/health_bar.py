"""One line of per-profile health: ok, error with the server's message, rate-limited, stale."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widgets import Static

from runtui.engine.health import Health, HealthState
from runtui.safe_text import one_line
from runtui.tui.looks import themed

# Symbol and style spec (runtui.tui.looks: the theme's text colours, readable under NO_COLOR).
MARK = {
    HealthState.LOADING: ("…", "dim"),
    HealthState.OK: ("●", "$text-success"),
    HealthState.ERROR: ("✘", "$text-error bold"),
    HealthState.RATE_LIMITED: ("⏳", "$text-warning"),
    HealthState.STALE: ("◌", "$text-warning"),
    HealthState.CONFIG: ("✘", "$text-error bold"),
    HealthState.PAUSED: ("⏸", "dim"),
}


class HealthBar(Static):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.health: dict[str, Health] = {}
        self.read_only: frozenset[str] = frozenset()  # marked RO: nothing else on the runs screen says so
        self._last = ""

    def set_read_only(self, names: frozenset[str]) -> None:
        """The profiles whose keys that change a run are refused here (`read_only`)."""
        self.read_only = names
        self._render_bar()

    def update_all(self, health: dict[str, Health]) -> None:
        self.health = dict(health)
        self._render_bar()

    def update_one(self, health: Health) -> None:
        self.health[health.profile] = health
        self._render_bar()

    def tick(self) -> None:
        """Only a rate-limit countdown and a wait's seconds change with time; otherwise
        nothing is written."""
        if any(h.state is HealthState.RATE_LIMITED or (h.state is HealthState.LOADING and h.message)
               for h in self.health.values()):
            self._render_bar()

    def on_resize(self) -> None:
        self._render_bar()

    def notify_style_update(self) -> None:
        """Another theme: its colours are in the text, so the text is made again."""
        super().notify_style_update()
        if self.is_mounted and self.health:
            self._last = ""
            self._render_bar()

    def _render_bar(self) -> None:
        text = self._every_profile()
        width = self.size.width
        if width and text.cell_len > width:
            text = self._folded()  # at 80 columns four profiles do not fit: fold the ok ones
            if text.cell_len > width:
                text = self._folded(group_down=True)  # and several down ones into one
            text.truncate(width, overflow="ellipsis")  # what shows is what `render` says
        plain = text.plain
        if plain != self._last:  # nothing repaints when nothing changed
            self._last = plain
            self.update(text, layout=False)  # one line, fixed height: no relayout

    def _every_profile(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        for i, name in enumerate(sorted(self.health)):
            if i:
                text.append(" │ ", style="dim")
            self._append(text, name, self.health[name])
        return text

    def _folded(self, *, group_down: bool = False) -> Text:
        """Profiles in trouble one by one (they are the news), the ok ones as one count.

        `group_down`: the profiles in error as one piece, their names first. In an outage
        each said its whole error, and at 80 columns the first one's text hid the others:
        the line never said that everything was down."""
        text = Text(no_wrap=True, overflow="ellipsis")
        ok = [h for h in self.health.values() if h.state is HealthState.OK]
        troubled = sorted((n for n, h in self.health.items() if h.state is not HealthState.OK))
        down = [n for n in troubled if self.health[n].state is HealthState.ERROR]
        if not group_down or len(down) < 2:
            down = []
        if ok:
            symbol, spec = MARK[HealthState.OK]
            text.append(f"{symbol} {len(ok)} ok ({sum(h.runs for h in ok)} runs{self._ok_read_only(ok)})",
                        style=themed(spec, self.app.theme_variables))
        if down:
            if text:
                text.append(" │ ", style="dim")
            self._append_down(text, down)
        for name in troubled:
            if name in down:
                continue
            if text:
                text.append(" │ ", style="dim")
            self._append(text, name, self.health[name])
        if down:  # their errors last: what the width cuts first
            errors = dict.fromkeys(one_line(self.health[n].message or "unknown error") for n in down)
            text.append(" │ ", style="dim")
            text.append("; ".join(errors))
        return text

    def _append_down(self, text: Text, names: list[str]) -> None:
        """`✘ 3 profiles down since 15:39:11: a, b, c` (`all 3` when no profile is left up)."""
        symbol, spec = MARK[HealthState.ERROR]
        downs = [self.health[n] for n in names]
        began = [h.since for h in downs if h.since is not None]
        since = f" since {min(began).astimezone().strftime('%H:%M:%S')}" if began else ""
        count = f"all {len(names)}" if len(names) == len(self.health) else str(len(names))
        text.append(f"{symbol} {count} profiles down{since}: ", style=themed(spec, self.app.theme_variables))
        text.append(", ".join(one_line(n) for n in names))

    def _ok_read_only(self, ok: list[Health]) -> str:
        """The read-only ones among the folded ok profiles, by name."""
        names = sorted(one_line(h.profile) for h in ok if h.profile in self.read_only)
        return f", {', '.join(names)} RO" if names else ""

    def _append(self, text: Text, name: str, h: Health) -> None:
        symbol, spec = MARK[h.state]
        style = themed(spec, self.app.theme_variables)
        text.append(f"{symbol} {one_line(name)} ", style=style)
        if name in self.read_only:
            text.append("RO ", style="bold")
        detail = one_line(h.describe())  # the server's message
        if h.state is HealthState.OK:
            detail = f"ok {h.runs} runs"
        text.append(detail, style=style if h.state is not HealthState.OK else Style())
