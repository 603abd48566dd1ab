"""A writer process for the concurrency tests: ``python worker.py COMMAND INDEX_DIR ARGS...``.

singles PREFIX N GO   wait until the file GO exists, then add N documents, one commit each
batches PREFIX SIZE   add batches of SIZE documents forever, printing "start K" / "done K" around each
rebuild N PROCS [PAUSE]  rebuild with N documents in batches of 500, printing "progress N" after each
                      (and pausing PAUSE seconds there, so that a kill lands mid-rebuild on any engine)

The engine is KB_TEST_ENGINE (default whoosh).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from kb.index import SearchIndex
from kb.models import IndexDoc, Kind, Status

ENGINE = os.environ.get("KB_TEST_ENGINE", "whoosh")
WORDS = ["graph", "neural", "network", "attention", "kernel", "sparse", "expert", "routing", "energy", "molecule"]


def doc(prefix: str, n: int) -> IndexDoc:
    """A small post with a few words; every document contains "common"."""
    words = " ".join(WORDS[(n + i) % len(WORDS)] for i in range(6))
    return IndexDoc(
        id=f"post:{prefix}{n}",
        kind=Kind.POST,
        title=f"{prefix} number {n}",
        text=f"common {words} {n}",
        status=Status.NEW,
    )


def main(command: str, path: str, *args: str) -> None:
    if command == "singles":
        prefix, count, go = args[0], int(args[1]), Path(args[2])
        with SearchIndex.open(Path(path), procs=1, engine=ENGINE) as ix:
            while not go.exists():
                time.sleep(0.005)
            for n in range(count):
                ix.update([doc(prefix, n)])
    elif command == "batches":
        prefix, size = args[0], int(args[1])
        with SearchIndex.open(Path(path), procs=1, engine=ENGINE) as ix:
            k = 0
            while True:
                print(f"start {k}", flush=True)
                ix.update([doc(prefix, k * size + i) for i in range(size)])
                print(f"done {k}", flush=True)
                k += 1
    elif command == "rebuild":
        count, procs = int(args[0]), int(args[1])
        pause = float(args[2]) if len(args) > 2 else 0.0

        def progress(n: int) -> None:
            print(f"progress {n}", flush=True)
            time.sleep(pause)

        with SearchIndex.open(Path(path), procs=procs, engine=ENGINE) as ix:
            docs = [doc("r", n) for n in range(count)]
            batches = (docs[i : i + 500] for i in range(0, count, 500))
            ix.rebuild(batches, progress=progress)
            print("rebuilt", flush=True)
    else:
        sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main(*sys.argv[1:])
