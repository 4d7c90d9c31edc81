"""docs/keymap.md lists every binding id `[keymap]` takes, with its default key: 60 of
the 150 ids were named nowhere a user could read them (only in the code).

The file is made from the bindings themselves; when a binding changes, write it again:
`RUNTUI_WRITE_KEYMAP_DOC=1 python -m pytest tests/unit/test_keymap_reference.py`.
"""

from __future__ import annotations

import os
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "keymap.md"

HEAD = """# Every binding id

Each key runtui binds, by the id a `[keymap]` entry names (README, Keys), with its default
keys and what it does. Made from the bindings themselves: a test fails when this file and
the code disagree.

```toml
[keymap]
"runs.cancel" = "C"
```
"""


def reference() -> str:
    from runtui.tui.app import RuntuiApp
    from runtui.tui.key_chains import binding_ids, default_keys

    rows: dict[str, list[str]] = {}
    keys_of = default_keys(RuntuiApp)
    for binding_id, binding in sorted(binding_ids(RuntuiApp).items()):
        where = binding_id.split(".", 1)[0]
        keys = ", ".join(f"`{key}`" for key in keys_of[binding_id])
        what = binding.description or binding.action
        rows.setdefault(where, []).append(f"| `{binding_id}` | {keys} | {what} |")
    parts = [HEAD]
    for where, lines in rows.items():
        table = "| id | default keys | what |\n|---|---|---|\n" + "\n".join(lines)
        parts.append(f"\n## {where}\n\n{table}\n")
    return "".join(parts)


def test_the_keymap_reference_names_every_binding_id() -> None:
    wanted = reference()
    if os.environ.get("RUNTUI_WRITE_KEYMAP_DOC"):
        DOC.write_text(wanted, encoding="utf-8")
    assert DOC.exists() and DOC.read_text(encoding="utf-8") == wanted, (
        "docs/keymap.md is out of date: RUNTUI_WRITE_KEYMAP_DOC=1 python -m pytest "
        "tests/unit/test_keymap_reference.py")
