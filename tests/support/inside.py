"""Test-only access to what a Library keeps private.

kb.cli and kb.tui reach the store only through Library's methods (tests/test_facade.py holds them to it).
Tests and benchmarks may look underneath: to seed a workspace with items, runs and triage at chosen times, or to
check what was stored, without going through a fetch. This is the one documented door for that.
"""

from __future__ import annotations

from kb.library import Library
from kb.store import Store


def store_of(library: Library) -> Store:
    """The library's store (opened on first use), for seeding and inspecting a workspace in tests."""
    return library._store
