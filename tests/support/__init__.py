"""Helpers for the test suite (not shipped with the package)."""
