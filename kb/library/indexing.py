"""The search index kept in step with the store: opened on first use, caught up from the store's queue.

Every change the index must learn of leaves a row in the store's queue in the transaction that made it
(kb.store.pending). :meth:`IndexKeeper.catch_up` is the one place that empties it: it reads the oldest rows,
indexes the current state of those documents (items from the store, notes from notes/), and deletes the rows
up to the position it read. A process killed at any moment leaves rows behind, and the next command that
opens the index indexes those few ids: no crash costs a full rebuild.

Catch-ups and rebuilds take turns on a lock file (``.kb/index-queue.lock``), across threads and processes.
Without it, a catch-up that read an item before a newer change could write its older document after the
catch-up (or rebuild) that wrote the newer one, and then clear the newer one's row.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

from filelock import FileLock, Timeout

from kb.errors import KbError
from kb.library.documents import item_document
from kb.library.notebook import Notebook
from kb.models import IndexDoc, Kind, Note
from kb.paths import Workspace

if TYPE_CHECKING:
    from kb.index import SearchIndex
    from kb.store import Store

#: Queue rows indexed per commit: bounds the memory and the time of one step of a large catch-up.
CATCH_UP_BATCH = 5000
#: How long a catch-up or rebuild waits for another one (a rebuild of a large store takes minutes).
LOCK_WAIT_SECONDS = 900.0
#: The reason logged when a library rebuilds the index by itself (the crash trials count these: none expected).
REBUILT_BY_ITSELF = "index missing, of an older schema or damaged"
#: The reason logged when an index vanished (or was damaged) while a library had it open.
REBUILT_WHILE_OPEN = "index vanished while open"


class IndexKeeper:
    """The index of one workspace and the work that keeps it current."""

    def __init__(
        self, workspace: Workspace, engine: str, store: Callable[[], Store], notes: Notebook, logger: logging.Logger
    ) -> None:
        self.workspace = workspace
        self.engine = engine  # feeds.yaml's `search.engine`: an index of another engine is rebuilt for this one
        self._store = store
        self.notes = notes
        self.logger = logger
        self._index: SearchIndex | None = None
        self._ready = False  # the opened index was checked: rebuilt if due, else caught up
        self._lock = FileLock(str(workspace.state / "index-queue.lock"))
        #: Told the documents indexed so far when opening the index has to rebuild it first, then None.
        self.rebuild_progress: Callable[[int | None], None] | None = None

    @property
    def index(self) -> SearchIndex:
        """The index: rebuilt first when it is missing, of an older schema or damaged, else caught up."""
        lost = self.lost()  # deleted or damaged while this library had it open (an open TUI): rebuild, never
        # write into the empty generation opening it again would create
        if not self._ready or lost:
            index = self._open()
            self._ready = True
            if index.needs_rebuild:
                progress = self.rebuild_progress
                self.logger.info("index missing or out of date: rebuilding (engine %s)", self.engine)
                self.rebuild(progress, reason=REBUILT_WHILE_OPEN if lost else REBUILT_BY_ITSELF)
                if progress is not None:
                    progress(None)
            else:
                try:
                    self.catch_up()
                except KbError as error:  # searching what the index holds beats not searching at all
                    self.logger.warning("index catch-up on opening failed: %s", error)
        return self._open()

    def lost(self) -> bool:
        """True when the index this keeper made ready has since vanished or become unusable (its folder deleted
        while a TUI was open): the next use rebuilds it."""
        return self._ready and self._index is not None and self._index.needs_rebuild

    def opened(self) -> SearchIndex:
        """The index as it is: opened (once per process), never rebuilt nor caught up (`kb status` reports)."""
        return self._open()

    def _open(self) -> SearchIndex:
        if self._index is None:
            from kb.index import SearchIndex

            self._index = SearchIndex.open(self.workspace.index, engine=self.engine)
        return self._index

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
            self._index = None
        self._ready = False

    # --- the queue ----------------------------------------------------------------------------------

    def catch_up(self) -> int:
        """Index what the store's queue holds (up to where it stood when this began); returns documents handled."""
        store = self._store()
        target = store.index_position()
        if not target:  # nothing queued: not even worth opening the index (a fetch that changed nothing)
            return 0
        handled = 0
        with self._turn():
            index = self.index
            while True:
                backlog = store.index_backlog(CATCH_UP_BATCH)
                if not backlog.upto:
                    break
                docs, gone = self._documents(backlog.updates)
                index.delete([*backlog.deletes, *gone])
                index.update(docs)
                store.clear_index_backlog(backlog.upto)
                handled += len(backlog.updates) + len(backlog.deletes)
                if backlog.upto >= target:  # rows written since are the next catch-up's
                    break
        return handled

    def backlog(self) -> int:
        """How many changes wait for the index."""
        return self._store().index_backlog_size()

    def _documents(self, ids: Sequence[str]) -> tuple[list[IndexDoc], list[str]]:
        """The documents of ``ids`` as the store and notes/ hold them now; and the ids that no longer exist."""
        store = self._store()
        item_ids = [doc_id for doc_id in ids if not doc_id.startswith("note:")]
        paths = [doc_id.removeprefix("note:") for doc_id in ids if doc_id.startswith("note:")]
        items = store.get_items(item_ids)
        noted = store.papers_with_notes() if items else set()
        texts = store.fulltexts([item.id for item in items if item.kind is Kind.PAPER])
        docs = [item_document(item, noted, texts.get(item.id)) for item in items]
        found = {item.id for item in items}
        note_docs, missing = self.notes.documents_at(paths)
        gone = [doc_id for doc_id in item_ids if doc_id not in found] + [f"note:{path}" for path in missing]
        return docs + note_docs, gone

    # --- rebuilding ---------------------------------------------------------------------------------

    def rebuild(self, progress: Callable[[int], None] | None = None, reason: str = "asked") -> int:
        """Index everything anew from the store and notes/; clears the queue rows it covers."""
        with self._turn():
            store = self._store()
            notes = self.notes.read_all()  # corrects the note cache (that has_note reads) and queues what differs
            upto = store.index_position()  # every change up to here is in what the rebuild reads
            notes = self.notes.recheck(notes)  # edits synced by others before `upto` are read again
            self.logger.info("rebuild start (%s)", reason)
            written = self._open().rebuild(self._all_documents(notes), progress)
            store.clear_index_backlog(upto)
            caught_up = self.catch_up()  # what changed while it ran
            self.logger.info("reindex: %d documents; %d changed while it ran", written, caught_up)
        return written

    def _all_documents(self, notes: Sequence[Note]) -> Iterable[Sequence[IndexDoc]]:
        store = self._store()
        yield from self.notes.documents_of(notes)
        noted = store.papers_with_notes()
        for batch in store.iter_items():
            texts = store.fulltexts([item.id for item in batch if item.kind is Kind.PAPER])
            yield [item_document(item, noted, texts.get(item.id)) for item in batch]

    @contextlib.contextmanager
    def _turn(self) -> Iterator[None]:
        """Wait for this process's or another's catch-up or rebuild to finish (re-entrant in one thread)."""
        try:
            self._lock.acquire(timeout=LOCK_WAIT_SECONDS)
        except Timeout:
            raise KbError(
                f"the search index stayed busy for {LOCK_WAIT_SECONDS:.0f} s (another kb rebuilding it?)",
                hint="try again when the other kb has finished",
            ) from None
        try:
            yield
        finally:
            self._lock.release()
