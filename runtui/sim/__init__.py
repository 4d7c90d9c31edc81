"""runtui's embedded simulator of the Wexa AI, Edges and B3OS run APIs (one port).

Only the CLI imports this package, lazily; the package itself imports nothing
else from runtui.
"""

from __future__ import annotations

from .app import create_app
from .config import ALL_FAULT_KINDS, SimConfig
from .server import SimServer, write_config

__all__ = ["ALL_FAULT_KINDS", "SimConfig", "SimServer", "create_app", "write_config"]
