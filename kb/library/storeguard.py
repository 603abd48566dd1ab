"""A missing store is noticed, never silently replaced by an empty one.

`rm .kb/kb.sqlite` (or a sync client, or a restore that forgot it) used to go unnoticed: the next command
created an empty store, the next fetch refilled the items, and every triage change was gone without a word.
A workspace now remembers that it had a store: ``.kb/store-id`` is written beside the store when kb first
opens it (a workspace from before this file gets it on its first command). With that file present and the
store gone, every command stops with one line (StoreMissing, exit 2) until the person says what to do:
put the file back, or `kb doctor --new-store` to start an empty store on purpose.
"""

from __future__ import annotations

import contextlib
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from kb.errors import StoreMissing
from kb.paths import Workspace

if TYPE_CHECKING:
    from kb.store import Store
    from kb.store.peek import Peek

MARKER = "store-id"


def marker(workspace: Workspace) -> Path:
    return workspace.state / MARKER


def open_store(workspace: Workspace) -> Store:
    """The workspace's store; StoreMissing when it had one and the file is gone."""
    database = workspace.database
    if not database.exists():
        evidence = _evidence(workspace)
        if evidence:
            raise StoreMissing(
                f"the store {database} is missing, but this workspace had one ({evidence}); "
                "kb will not start an empty one silently",
                hint="put the file back (from a backup), or run `kb doctor --new-store` to start an empty store "
                "(then `kb import` an export to restore triage)",
            )
    from kb.store import Store  # here, not above: the read-only paths (kb.store.peek) never load SQLAlchemy

    store = Store.open(database)
    if not marker(workspace).exists():
        with contextlib.suppress(OSError):  # a read-only workspace: nothing to remember, nothing lost
            marker(workspace).write_text(f"{uuid.uuid4()}\n", encoding="utf-8")
    return store


def peek_store(workspace: Workspace) -> Peek | None:
    """The store read-only (kb.store.peek), when opening it as the Store would change nothing: its file and its
    marker are there and it needs no migration. None otherwise: the caller opens it with ``open_store``."""
    from kb.store.peek import Peek

    if not marker(workspace).exists():  # open_store writes it
        return None
    return Peek.open(workspace.database)


def forget_store(workspace: Workspace) -> None:
    """Say on purpose that the store is gone (`kb doctor --new-store`): the next open starts an empty one."""
    marker(workspace).unlink(missing_ok=True)


def _evidence(workspace: Workspace) -> str | None:
    """What says a store existed here, or None."""
    # Only the marker: an index folder is no evidence, since opening the index creates it before any store.
    if marker(workspace).exists():
        return f"{marker(workspace)} was written when it was created"
    return None
