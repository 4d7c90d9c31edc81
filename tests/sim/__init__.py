"""Tests of the embedded simulator (runtui.sim)."""
