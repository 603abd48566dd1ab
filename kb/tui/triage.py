"""Triage: read, skip, star and tag, stored as they are made, in order, with an undo stack.

The screen changes at once (the copy returned by :meth:`Triage.apply`); the store write follows within
milliseconds on the store thread, through the library's one triage write (``Library.set_triage``: one
transaction, which also queues the item for the index). What the store confirms comes back as a
``Triage.Stored`` message, a failure as ``Triage.Failed`` (with the row put back as the store has it).
The index is caught up from the store's queue once the keys pause (:meth:`Triage.flush_index`): one commit
for a burst of triage. Quitting before that costs nothing: the next command catches up.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass, replace

from textual.message import Message
from textual.message_pump import MessagePump

from kb.errors import KbError
from kb.library import Library
from kb.models import Item, Status, TriageChange, normalise_tags
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
        """On the store thread: write what changed in one transaction; the index follows (see flush_index)."""
        change = TriageChange(
            status=after.status if after.status != before.status else None,
            starred=after.starred if after.starred != before.starred else None,
            tags=after.tags if after.tags != before.tags else None,
        )
        try:
            item: Item | None = self.library.set_triage(item_id, change, catch_up=False)
        except Exception as error:  # any failure must reach the person, and the row must show the truth
            self.target.post_message(self.Failed(_describe(error, item_id)))
            item = self._as_stored(item_id)
        if item is not None:
            self.target.post_message(self.Stored(item))

    def _as_stored(self, item_id: str) -> Item | None:
        try:
            return self.library.get_item(item_id)
        except Exception:  # the store itself is failing: the Failed message said so
            return None

    def flush_index(self) -> None:
        """Queue a catch-up of the index (one commit for everything triaged since the last one).

        A Whoosh commit costs far more than a document, and its Python work would compete with the screen for
        the interpreter while the person is pressing keys: so this runs once the keys pause, on the index thread.
        """
        self.background.index(self._catch_up)

    def _catch_up(self) -> None:
        try:
            self.library.catch_up_index()
        except Exception as error:  # the index is a cache; the triage is stored and stays queued
            self.target.post_message(self.Failed(f"search index not updated: {_describe(error)}"))
        # The burst is over: copy it out of the WAL into the store file, so a lost -wal cannot take it along.
        with contextlib.suppress(KbError):  # e.g. a full disk: the changes stay safe in the WAL
            self.library.checkpoint()


def _describe(error: BaseException, item_id: str | None = None) -> str:
    text = str(error) if isinstance(error, KbError) else f"{type(error).__name__}: {error}"
    return f"could not store triage of {item_id}: {text}" if item_id else text
