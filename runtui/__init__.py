"""runtui: watch and control workflow runs on hosted platforms from a terminal."""

__version__ = "0.1.0"
