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
        #: One entry per action: the changes it made (several for a bulk action, undone together).
        self.undo_stack: list[list[Change]] = []
        #: How many writes were queued so far (a look at the store older than the last one may miss them).
        self.writes = 0

    def apply(
        self, item: Item, status: Status | None = None, starred: bool | None = None, tags: Sequence[str] | None = None
    ) -> Item:
        """Change ``item``'s triage state: the new copy now, the store write queued in order."""
        return self.apply_many([item], status, starred, tags)[0]

    def apply_many(
        self,
        items: Sequence[Item],
        status: Status | None = None,
        starred: bool | None = None,
        tags: Sequence[str] | None = None,
    ) -> list[Item]:
        """Change every item of ``items`` as one action (one `u` takes it all back); the new copies, in order."""
        changes: list[Change] = []
        updated: list[Item] = []
        for item in items:
            before = TriageState.of(item)
            after = TriageState(
                status if status is not None else before.status,
                starred if starred is not None else before.starred,
                normalise_tags(tags) if tags is not None else before.tags,
            )
            if after != before:
                changes.append(Change(item.id, before, after))
                self._write(item.id, before, after)
            updated.append(after.on(item))
        if changes:
            self.undo_stack.append(changes)
            del self.undo_stack[:-UNDO_DEPTH]
        return updated

    def undo(self) -> list[Change] | None:
        """Take back the last action, all its changes (their store writes queued); None when nothing is left."""
        if not self.undo_stack:
            return None
        changes = self.undo_stack.pop()
        for change in reversed(changes):
            self._write(change.item_id, change.after, change.before)
        return changes

    def _write(self, item_id: str, before: TriageState, after: TriageState) -> None:
        self.writes += 1
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
