"""A writer process for the concurrency tests: ``python worker.py COMMAND INDEX_DIR ARGS...``.

singles PREFIX N GO   wait until the file GO exists, then add N documents, one commit each
batches PREFIX SIZE   add batches of SIZE documents forever, printing "start K" / "done K" around each
rebuild N PROCS       rebuild with N documents in batches of 500, printing "progress N" after each
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from kb.index import SearchIndex
from kb.models import IndexDoc, Kind, Status

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
        with SearchIndex.open(Path(path), procs=1) as ix:
            while not go.exists():
                time.sleep(0.005)
            for n in range(count):
                ix.update([doc(prefix, n)])
    elif command == "batches":
        prefix, size = args[0], int(args[1])
        with SearchIndex.open(Path(path), procs=1) as ix:
            k = 0
            while True:
                print(f"start {k}", flush=True)
                ix.update([doc(prefix, k * size + i) for i in range(size)])
                print(f"done {k}", flush=True)
                k += 1
    elif command == "rebuild":
        count, procs = int(args[0]), int(args[1])
        with SearchIndex.open(Path(path), procs=procs) as ix:
            docs = [doc("r", n) for n in range(count)]
            batches = (docs[i : i + 500] for i in range(0, count, 500))
            ix.rebuild(batches, progress=lambda n: print(f"progress {n}", flush=True))
            print("rebuilt", flush=True)
    else:
        sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main(*sys.argv[1:])
