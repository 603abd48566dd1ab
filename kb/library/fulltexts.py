"""Papers' full texts as the library offers them (issue 14): read, stored, and kept within their size budget.

Held by the Library as ``library.fulltexts``. The store keeps the texts (kb.store.fulltext); every change queues
the paper for the index in the same transaction, and this class then catches the index up, like every other
write. Fetching texts from arXiv (HTML first, the PDF otherwise) is kb.library.fulltext_fetching, over this.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from kb.models import FullText, FullTextInfo

if TYPE_CHECKING:
    from kb.store import Store


class FullTexts:
    """The workspace's stored full texts."""

    def __init__(self, store: Callable[[], Store], follow: Callable[[str], None]) -> None:
        self._store = store  # opened on first use, like everything the Library holds
        self._follow = follow  # catches the index up, logging (not raising) a failure

    def get(self, item_id: str) -> FullText | None:
        """The paper's full text, or None when kb holds none (or cannot read what it holds)."""
        return self._store().fulltexts([item_id]).get(item_id)

    def info(self, item_id: str) -> FullTextInfo | None:
        """What is stored of the paper's full text, without reading it."""
        return self._store().fulltext_infos([item_id]).get(item_id)

    def infos(self, item_ids: Sequence[str]) -> dict[str, FullTextInfo]:
        return self._store().fulltext_infos(item_ids)

    def save(self, text: FullText) -> FullTextInfo:
        """Store a paper's full text; the index follows at once (a failure there is logged and retried later)."""
        info = self._store().save_fulltext(text)
        self._follow(f"full text of {text.item_id}")
        return info

    def mark_used(self, item_ids: Sequence[str]) -> None:
        """These texts were just read: eviction keeps them longest."""
        self._store().touch_fulltexts(item_ids)

    def usage(self) -> tuple[int, int]:
        """(how many full texts, their stored size in bytes), for `kb status`."""
        return self._store().fulltext_usage()

    def evict(self, max_bytes: int, keep: Sequence[str] = ()) -> list[str]:
        """Drop the least recently used texts beyond ``max_bytes`` (never those in ``keep``); the index follows."""
        evicted = self._store().evict_fulltexts(max_bytes, keep)
        if evicted:
            self._follow(f"evicting {len(evicted)} full texts")
        return evicted
