"""`kb search` as a whole process (start, open, search, print) on a large workspace.

Builds (or reuses) a workspace of N papers through the store and `kb reindex`, then times
`kb search QUERY --limit 20` as a subprocess for a mix of queries, beside two baselines measured in the same run:
a bare `python -c pass` (the interpreter's own start) and a bare process that opens the same Whoosh index
with a default QueryParser, searches and prints 20 titles.

    python benchmarks/search_process.py --items 100000 --workspace /tmp/kb-bench-search
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.tui import build  # noqa: E402  (the TUI benchmark's workspace builder: real store path)

QUERIES = [
    "attention",
    "neural network",
    '"language model"',
    "title:diffusion",
    "cat:cs.LG learning",
    "reinforc*",
    "published:>2026-01-01 robot",
    "author:smith",
]

BARE = """
import sys
from pathlib import Path
from whoosh.index import open_dir
from whoosh.qparser import QueryParser
folder = Path(sys.argv[1])
generations = sorted(p for p in folder.iterdir() if p.is_dir() and any(p.glob("*.toc")))
ix = open_dir(str(generations[-1] if generations else folder))
with ix.searcher() as searcher:
    query = QueryParser("text", ix.schema).parse(sys.argv[2])
    for hit in searcher.search(query, limit=20):
        print(hit.get("title", ""))
"""


def timed_runs(command: list[str], rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--workspace", type=Path, default=Path("/tmp/kb-bench-search/ws"))
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    root: Path = args.workspace
    kb = [sys.executable, "-m", "kb.cli.main", "--root", str(root)]
    if not (root / ".kb" / "kb.sqlite").exists():
        print(f"building a workspace of {args.items:,} items in {root} ...", flush=True)
        build(root, args.items, 2000)
    if not (root / ".kb" / "index").exists():
        started = time.perf_counter()
        subprocess.run([*kb, "reindex"], check=True)
        print(f"kb reindex: {time.perf_counter() - started:.1f} s", flush=True)

    python_start = statistics.median(timed_runs([sys.executable, "-c", "pass"], args.rounds * 2))
    kb_times: list[float] = []
    bare_times: list[float] = []
    for query in QUERIES:
        kb_times += timed_runs([*kb, "search", query, "--limit", "20"], args.rounds)
        bare_times += timed_runs([sys.executable, "-c", BARE, str(root / ".kb" / "index"), query], args.rounds)
    print(f"python -c pass             median {python_start * 1000:7.0f} ms")
    print(f"bare Whoosh process        median {statistics.median(bare_times) * 1000:7.0f} ms")
    print(
        f"kb search (whole process)  median {statistics.median(kb_times) * 1000:7.0f} ms"
        f"  max {max(kb_times) * 1000:.0f} ms  (target: median < 800 ms)"
    )


if __name__ == "__main__":
    main()
