"""`kb doctor`: the way out when the store is damaged or gone.

1. The store is checked with SQLite's integrity_check.
2. A damaged store is salvaged table by table (kb.store.salvage) into a new file; the damaged file is kept
   beside it as ``kb.sqlite.damaged-<time>`` (with its -wal and -shm) and the salvaged one takes its place.
3. A missing store stays an error (storeguard.py) unless ``--new-store`` says to start an empty one.
4. The derived data (the search index and the note cache) is rebuilt from the store and notes/.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kb.library.storeguard import forget_store, open_store
from kb.store.salvage import SalvageReport, integrity_problems, salvage

if TYPE_CHECKING:
    from kb.library.core import Library


@dataclass
class DoctorReport:
    """What `kb doctor` found and did."""

    problems: list[str] = field(default_factory=list)  # integrity_check's findings (empty: sound)
    salvage: SalvageReport | None = None
    damaged_kept: Path | None = None
    new_store: bool = False
    documents: int = 0  # indexed after the rebuild

    @property
    def damaged(self) -> bool:
        return bool(self.problems)

    def lines(self) -> list[str]:
        """What to tell the person, one line each."""
        out: list[str] = []
        if self.new_store:
            out.append("started an empty store on purpose (--new-store); `kb import` an export to restore triage")
        elif not self.problems:
            out.append("store: integrity_check ok")
        else:
            out.append(f"store: damaged ({'; '.join(self.problems[:3])})")
            if self.salvage is not None and self.salvage.unreadable:
                out.append(f"salvage: nothing readable ({self.salvage.unreadable}); the store is now empty")
            elif self.salvage is not None:
                out.append(f"salvage: {self.salvage.copied} rows copied into a new store")
                for table in self.salvage.tables:
                    if table.errors:
                        out.append(f"salvage: {table.table}: {table.copied} rows, some lost ({table.errors[0]})")
            out.append(f"the damaged file is kept as {self.damaged_kept}")
        out.append(f"index: rebuilt, {self.documents} documents")
        return out


def run_doctor(library: Library, new_store: bool = False, now: datetime | None = None) -> DoctorReport:
    """Check, salvage if damaged, and rebuild the derived data. Raises StoreMissing for a vanished store."""
    workspace = library.workspace
    database = workspace.database
    report = DoctorReport()
    library.close()  # nothing of ours holds the files while they are checked and moved
    if not database.exists():
        if not new_store:
            open_store(workspace).close()  # raises StoreMissing when the workspace had a store
        else:
            forget_store(workspace)
            shutil.rmtree(workspace.index, ignore_errors=True)  # built from the store that is gone
            open_store(workspace).close()  # created now, before the rebuild opens (and so creates) an index
            report.new_store = True
    else:
        report.problems = integrity_problems(database)
        if report.problems:
            stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S")
            salvaged = database.with_name(f"{database.name}.salvaged-{stamp}")
            report.salvage = salvage(database, salvaged)
            kept = database.with_name(f"{database.name}.damaged-{stamp}")
            for suffix in ("", "-wal", "-shm"):
                part = Path(f"{database}{suffix}")
                if part.exists():
                    part.rename(f"{kept}{suffix}")
            salvaged.rename(database)
            report.damaged_kept = kept
    shown = library.rebuild_progress  # the CLI's status line on a terminal, as for any rebuild
    report.documents = library.reindex(shown)
    if shown is not None:
        shown(None)
    library.logger.info("doctor: %s", " | ".join(report.lines()))
    return report
