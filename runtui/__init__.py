"""runtui: watch and control workflow runs on hosted platforms from a terminal."""

import sys

__version__ = "0.1.0"

# httpx imports its command-line client (`httpx._main`: rich's progress bars and tables,
# pygments' lexers) whenever click and rich are installed, as they are with runtui:
# ~20 ms of every start, the CLI's included, for a client runtui never runs. A module
# marked absent makes httpx define its stand-in instead. Only before httpx is imported:
# a host program that imported it first keeps it whole.
if "httpx" not in sys.modules:
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
