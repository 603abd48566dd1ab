"""kb.store: the SQLite record of fetched items, triage state, the fetch log and the note cache.

``Store`` (SQLModel over SQLAlchemy) is imported on first use (PEP 562), so ``kb.store.peek``, the read-only
path of `kb status` and `kb search`, loads without SQLAlchemy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kb.store.store import Store

__all__ = ["Store"]


def __getattr__(name: str) -> Any:
    if name == "Store":
        from kb.store.store import Store

        return Store
    raise AttributeError(f"module 'kb.store' has no attribute {name!r}")
