"""kb.store: the SQLite record of fetched items, triage state, the fetch log and the note cache."""

from kb.store.store import Store

__all__ = ["Store"]
