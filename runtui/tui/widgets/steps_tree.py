"""The steps of one run as a tree that is updated in place, so refreshes keep the user's place."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, tzinfo

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from runtui import display
from runtui.model import Status, Step
from runtui.safe_text import multi_line, one_line
from runtui.tui.looks import themed

# Style specs (runtui.tui.looks): the theme's text colours, readable under NO_COLOR too.
STATUS_STYLE: dict[Status, str] = {
    Status.QUEUED: "dim",
    Status.RUNNING: "bold",
    Status.PAUSED: "$text-warning",
    Status.WAITING: "$text-warning",
    Status.SUCCEEDED: "$text-success",
    Status.FAILED: "$text-error bold",
    Status.CANCELLED: "$text-secondary",
    Status.UNKNOWN: "",
}


def step_word(step: Step) -> str:
    word = step.status.value
    if step.status is Status.UNKNOWN and step.raw_status:
        word += f" ({one_line(step.raw_status)})"
    return word


def step_timing(step: Step, now: datetime) -> str:
    start = step.started_at
    if start is None:
        return ""
    end = step.finished_at
    if end is None:
        if step.status.terminal:
            return ""
        end = now
    return display.duration(max(0.0, (end - start).total_seconds()))


def step_label(step: Step, now: datetime, theme: Mapping[str, str] | None = None) -> Text:
    """One line: symbol + status word, name [type], duration, error (`theme`: the app's
    theme variables, for the status's colour)."""
    label = Text(no_wrap=True, overflow="ellipsis")
    label.append(f"{display.SYMBOL[step.status]} {step_word(step)}",
                 style=themed(STATUS_STYLE[step.status], theme))
    label.append("  ")
    label.append(one_line(step.name or step.id), style="bold")
    if step.type:
        label.append(f" [{one_line(step.type)}]", style="dim")
    timing = step_timing(step, now)
    if timing:
        label.append(f"  {timing}")
    if step.error:
        first = step.error.splitlines()[0] if step.error.strip() else step.error
        label.append(f"  error: {one_line(first)}", style=themed("$text-error", theme))
    return label


class StepsTree(Tree[Step]):
    """A `Tree` of `Step`s keyed by step id.

    `set_steps()` diffs against what is shown: labels of changed steps are replaced,
    children lists only rebuilt when their ids changed, and expansion and cursor are kept.
    """

    DEFAULT_CSS = """
    StepsTree {
        height: 1fr;
    }
    """

    def __init__(self, *, clock: Callable[[], datetime] | None = None,
                 id: str | None = None) -> None:
        super().__init__("steps", id=id)
        self.show_root = False
        self.guide_depth = 2
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        self.tz: tzinfo | None = None
        self._steps: tuple[Step, ...] | None = None
        self._collapsed: set[str] = set()  # step paths the user collapsed

    @property
    def steps(self) -> tuple[Step, ...]:
        return self._steps or ()

    def set_steps(self, steps: Sequence[Step]) -> bool:
        """Show `steps`; returns whether anything was changed."""
        steps = tuple(steps)
        if steps == self._steps:
            return False
        now = self.clock()
        cursor = self.cursor_node.data.id if self.cursor_node and self.cursor_node.data else None
        self._sync(self.root, steps, now, "")
        self._steps = steps
        if cursor is not None and (self.cursor_node is None or self.cursor_node.data is None
                                   or self.cursor_node.data.id != cursor):
            node = self._find(self.root, cursor)
            if node is not None:
                self.move_cursor(node, animate=False)
        return True

    def tick(self) -> None:
        """Refresh timings of steps still going."""
        now = self.clock()
        self._tick(self.root, now)

    def _tick(self, node: TreeNode[Step], now: datetime) -> None:
        for child in node.children:
            step = child.data
            if step is not None and step.started_at and step.finished_at is None \
                    and not step.status.terminal:
                child.set_label(step_label(step, now, self.app.theme_variables))
            self._tick(child, now)

    def _sync(self, node: TreeNode[Step], steps: tuple[Step, ...], now: datetime, path: str) -> None:
        existing = list(node.children)
        if [c.data.id if c.data else None for c in existing] != [s.id for s in steps]:
            node.remove_children()
            for step in steps:
                self._add(node, step, now, path)
            return
        for child, step in zip(existing, steps, strict=True):
            if child.data != step:
                if child.data is None or _shallow(child.data) != _shallow(step):
                    child.set_label(step_label(step, now, self.app.theme_variables))
                child.data = step
                child_path = f"{path}/{step.id}"
                if step.children and not child.allow_expand:
                    child.allow_expand = True
                    if child_path not in self._collapsed:
                        child.expand()
                self._sync(child, step.children, now, child_path)

    def _add(self, parent: TreeNode[Step], step: Step, now: datetime, path: str) -> None:
        child_path = f"{path}/{step.id}"
        if step.children:
            node = parent.add(step_label(step, now, self.app.theme_variables), data=step,
                              expand=child_path not in self._collapsed)
            for sub in step.children:
                self._add(node, sub, now, child_path)
        else:
            parent.add_leaf(step_label(step, now, self.app.theme_variables), data=step)

    def _find(self, node: TreeNode[Step], step_id: str) -> TreeNode[Step] | None:
        for child in node.children:
            if child.data is not None and child.data.id == step_id:
                return child
            found = self._find(child, step_id)
            if found is not None:
                return found
        return None

    def _path(self, node: TreeNode[Step]) -> str:
        parts: list[str] = []
        current: TreeNode[Step] | None = node
        while current is not None and current.data is not None:
            parts.append(current.data.id)
            current = current.parent
        return "/" + "/".join(reversed(parts))

    def on_tree_node_collapsed(self, event: Tree.NodeCollapsed[Step]) -> None:
        self._collapsed.add(self._path(event.node))

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[Step]) -> None:
        self._collapsed.discard(self._path(event.node))


def _shallow(step: Step) -> tuple[object, ...]:
    """What the label shows, so a change only in children does not redraw the line."""
    return (step.status, step.raw_status, step.name, step.type, step.started_at, step.finished_at,
            step.error)


def step_details(step: Step, tz: tzinfo | None, now: datetime,
                 theme: Mapping[str, str] | None = None) -> Text:
    """The selected step in full, under the tree."""
    text = Text()
    text.append(f"{display.SYMBOL[step.status]} {step_word(step)}",
                style=themed(STATUS_STYLE[step.status], theme))
    text.append(f"  {one_line(step.name or step.id)}", style="bold")
    if step.type:
        text.append(f" [{one_line(step.type)}]")
    text.append(f"\nid {one_line(step.id)}")
    if step.raw_status:
        text.append(f"  raw status {one_line(step.raw_status)}")
    if step.started_at:
        text.append(f"\nstarted {step.started_at.astimezone(tz):%Y-%m-%d %H:%M:%S}")
    if step.finished_at:
        text.append(f"  finished {step.finished_at.astimezone(tz):%H:%M:%S}")
    timing = step_timing(step, now)
    if timing:
        text.append(f"  ({timing})")
    if step.error:
        text.append("\nerror: ", style=themed("$text-error bold", theme))
        text.append(multi_line(step.error[:500]), style=themed("$text-error", theme))
    if step.output is not None:
        # JSON, as the server sent it (a Python repr showed {'triggeredAt': ...}).
        out = step.output if isinstance(step.output, str) else _json_text(step.output)
        text.append(f"\noutput: {multi_line(out[:300])}" + ("…" if len(out) > 300 else ""))
    return text


def _json_text(value: object) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(value)
