"""Environment variables set for a while, by fixtures wider than one test (a module's
simulator and its keys), where pytest's `monkeypatch` cannot reach."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator


@contextlib.contextmanager
def environment_with(values: dict[str, str]) -> Iterator[None]:
    """`values` in `os.environ` meanwhile; after, each variable as it was, or unset."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
