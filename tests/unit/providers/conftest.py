"""Fixtures of the provider tests (helpers live in prov_helpers)."""

from prov_helpers import make

__all__ = ["make"]
