"""Triage: read, skip, star and tag, stored as they are made, in order, with an undo stack.

The screen changes at once (the copy returned by :meth:`Triage.apply`); the store write follows within
milliseconds on the store thread, and the index is told after it. What the store confirms comes back as a
``Triage.Stored`` message, a failure as ``Triage.Failed`` (with the row put back as the store has it).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace

from textual.message import Message
from textual.message_pump import MessagePump

from kb.errors import KbError
from kb.library import Library
from kb.library.indexlag import IndexLag
from kb.models import Item, Status
from kb.tui.background import Background

#: How many actions `u` can take back.
UNDO_DEPTH = 200


@dataclass(frozen=True)
class TriageState:
    """The part of an item triage changes."""

    status: Status
    starred: bool
    tags: tuple[str, ...]

    @classmethod
    def of(cls, item: Item) -> TriageState:
        return cls(item.status, item.starred, item.tags)

    def on(self, item: Item) -> Item:
        """``item`` with this state."""
        return replace(item, status=self.status, starred=self.starred, tags=self.tags)


@dataclass(frozen=True)
class Change:
    """One triage action: which item, and its state before and after."""

    item_id: str
    before: TriageState
    after: TriageState


def normalise_tags(tags: Sequence[str]) -> tuple[str, ...]:
    """Tags as the store keeps them: stripped, lower case, no duplicates, sorted."""
    return tuple(sorted({tag.strip().lower() for tag in tags if tag.strip()}))


class Triage:
    """Applies triage actions through the library and remembers how to undo them."""

    class Stored(Message):
        """The store confirmed an item's triage state (posted to the app)."""

        def __init__(self, item: Item) -> None:
            super().__init__()
            self.item = item

    class Failed(Message):
        """A triage write failed; ``text`` says why in one line."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    def __init__(self, library: Library, background: Background, target: MessagePump) -> None:
        self.library = library
        self.background = background
        self.target = target
        self.undo_stack: list[Change] = []
        # Ids whose index documents are stale. They are indexed together once triage pauses (see flush_index):
        # a Whoosh commit costs far more than a document, and its Python work would compete with the screen
        # for the interpreter while the person is pressing keys.
        self._stale: set[str] = set()
        # Markers (kb.library.indexlag), one per store write, held until the index has that write: if the app
        # is killed in between, the next kb command finds one unheld and rebuilds the index.
        self._lags: list[IndexLag] = []
        self._stale_lock = threading.Lock()

    def apply(
        self, item: Item, status: Status | None = None, starred: bool | None = None, tags: Sequence[str] | None = None
    ) -> Item:
        """Change ``item``'s triage state: the new copy now, the store write queued in order."""
        before = TriageState.of(item)
        after = TriageState(
            status if status is not None else before.status,
            starred if starred is not None else before.starred,
            normalise_tags(tags) if tags is not None else before.tags,
        )
        if after == before:
            return item
        self.undo_stack.append(Change(item.id, before, after))
        del self.undo_stack[:-UNDO_DEPTH]
        self._write(item.id, before, after)
        return after.on(item)

    def undo(self) -> Change | None:
        """Take back the last action (its store write queued); None when there is nothing to undo."""
        if not self.undo_stack:
            return None
        change = self.undo_stack.pop()
        self._write(change.item_id, change.after, change.before)
        return change

    def _write(self, item_id: str, before: TriageState, after: TriageState) -> None:
        self.background.store(lambda: self._store(item_id, before, after))

    def _store(self, item_id: str, before: TriageState, after: TriageState) -> None:
        """On the store thread: write what changed; the index update follows (see flush_index)."""
        store = self.library._store  # H1: replaced by Library.set_triage (issue 10 part 2)
        lag = IndexLag(self.library.workspace.state).begin()
        try:
            item = None
            if after.status != before.status:
                item = store.set_status(item_id, after.status)
            if after.starred != before.starred:
                item = store.set_starred(item_id, after.starred)
            if after.tags != before.tags:
                item = store.set_tags(item_id, list(after.tags))
        except Exception as error:  # any failure must reach the person, and the row must show the truth
            self.target.post_message(self.Failed(_describe(error, item_id)))
            item = store.get_item(item_id)  # part of the change may be stored: index what is
        with self._stale_lock:  # the id and its marker become visible to the index job together
            self._stale.add(item_id)
            self._lags.append(lag)
        if item is not None:
            self.target.post_message(self.Stored(item))

    def flush_index(self) -> None:
        """Queue the index update of every item triaged since the last flush (one commit for all)."""
        with self._stale_lock:
            if not self._stale:
                return
        self.background.index(self._index)

    def _index(self) -> None:
        with self._stale_lock:
            ids, self._stale = sorted(self._stale), set()
            lags, self._lags = self._lags, []
        if not ids:
            return
        try:
            self.library.index_items(ids)
        except Exception as error:  # the index is a cache; the triage is stored
            for lag in lags:
                lag.give_up()  # the markers stay, unheld: the next kb command rebuilds the index
            self.target.post_message(self.Failed(f"search index not updated: {_describe(error)}"))
            return
        for lag in lags:
            lag.caught_up()


def _describe(error: BaseException, item_id: str | None = None) -> str:
    text = str(error) if isinstance(error, KbError) else f"{type(error).__name__}: {error}"
    return f"could not store triage of {item_id}: {text}" if item_id else text
