"""A process that triages items through Library.set_triage in a loop, to be killed with SIGKILL at random moments.

    python -m tests.reliability.triage_driver ROOT ITEM_ID...

It prints "ready" once the library is open, then cycles the items through statuses, stars and tags (see
:func:`change_for`), each change one store transaction followed by the index's catch-up (as `kb` does after a
triage command), until it is killed.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

from kb.library import Library
from kb.models import Status, TriageChange

STATUSES = (Status.READ, Status.SKIPPED, Status.NEW)


def change_for(step: int) -> TriageChange:
    """The ``step``-th change the driver makes: every field moves, so each step is work for the index."""
    return TriageChange(status=STATUSES[step % 3], starred=step % 2 == 0, tags=(f"driven{step % 4}", "driven"))


def main(root: str, ids: list[str]) -> None:
    with Library.open(Path(root)) as library:
        library.catch_up_index()
        print("ready", flush=True)
        for step in itertools.count():
            library.set_triage(ids[step % len(ids)], change_for(step // len(ids)))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
