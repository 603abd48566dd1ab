"""How long scanning notes/ takes when nothing changed, against a bare os.walk + stat of the same files.

Builds 5,000 notes (about 20 MB, 50 folders) in a temp dir, then prints:
  - the baseline (os.walk + os.stat of every file) and scan_notes with nothing changed, and their ratio;
  - a scan with one note changed, and a first scan that reads and parses everything;
  - parse_note on one typical note and on a 5 MB note.

Run: python benchmarks/notes.py  (from the repository root, with the venv active)

At scale (issue 13: 50,000 notes took 309 s to reindex, 5,000 took 6 s): ``--scale 5000,20000,50000`` times
the first `kb reindex` (Library.reindex) of that many new 2 KB notes, each count in a fresh process, and with
``--baseline-repo DIR`` also the code in DIR (e.g. a checkout before the change) in the same run.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kb.library import Library, init_workspace
from kb.notes import parse_note, scan_notes

NOTES = 5_000
TOTAL_BYTES = 20_000_000
FOLDERS = 50
WORDS = [
    "attention",
    "transformer",
    "gradient",
    "descent",
    "softmax",
    "kernel",
    "manifold",
    "prior",
    "sample",
]


def note_text(rng: random.Random, number: int, size: int) -> str:
    """A plausible note of about ``size`` bytes: front matter, a heading, links, prose."""
    head = (
        f"---\ntitle: Note {number}: {rng.choice(WORDS)}\ntags: [{rng.choice(WORDS)}, {rng.choice(WORDS)}]\n"
        f"papers: [arxiv:{rng.randint(1000, 2599)}.{rng.randint(10000, 99999)}]\ncreated: 2026-11-22\n---\n"
        f"# Note {number}\n\nSee [[note-{rng.randrange(NOTES)}]] and https://arxiv.org/abs/1706.03762v7.\n\n"
    )
    words: list[str] = []
    length = len(head)
    while length < size:
        word = rng.choice(WORDS)
        words.append(word)
        length += len(word) + 1
    return head + " ".join(words) + "\n"


def build(root: Path) -> list[Path]:
    rng = random.Random(7)
    paths = []
    for number in range(NOTES):
        folder = root / f"topic-{number % FOLDERS:02d}"
        folder.mkdir(exist_ok=True)
        path = folder / f"note-{number}.md"
        path.write_text(note_text(rng, number, TOTAL_BYTES // NOTES), encoding="utf-8")
        paths.append(path)
    return paths


def timed(function: Callable[[], object], runs: int = 7) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times), statistics.median(times)


def walk_and_stat(root: Path) -> int:
    count = 0
    for folder, _, files in os.walk(root):
        for name in files:
            os.stat(os.path.join(folder, name))
            count += 1
    return count


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "notes"
        root.mkdir()
        paths = build(root)
        total = sum(path.stat().st_size for path in paths)
        print(f"{len(paths)} notes, {total / 1e6:.1f} MB in {FOLDERS} folders")

        started = time.perf_counter()
        first = scan_notes(root, {})
        first_scan = time.perf_counter() - started
        known = {note.path: note for note in first.added}
        assert len(known) == NOTES

        base = timed(lambda: walk_and_stat(root))
        scan = timed(lambda: scan_notes(root, known))
        assert scan_notes(root, known).unchanged == NOTES
        row("baseline os.walk + stat", base)
        row("scan_notes, nothing changed", scan, f"({scan[1] / base[1]:.2f}x baseline; budget 300 ms)")

        changed = paths[123]
        changed.write_text(changed.read_text() + "\nOne more line.\n")
        row("scan_notes, one note changed", timed(lambda: scan_notes(root, known)))
        per_note = f"({first_scan / NOTES * 1e6:.0f} us/note)"
        print(f"{'first scan (read + parse all)':32} {first_scan * 1000:8.2f} ms {per_note}")

        raw = paths[7].read_bytes()
        row(f"parse_note, one {len(raw) / 1000:.0f} KB note", timed(lambda: parse_note("n.md", raw), runs=51))
        big = note_text(random.Random(1), 0, 5_000_000).encode()
        row("parse_note, one 5 MB note", timed(lambda: parse_note("big.md", big), runs=5))
        library_round_trip(Path(tmp), root)


def library_round_trip(tmp: Path, notes: Path) -> None:
    """Through the whole library: one note edited outside kb, then found by a search for its new word."""
    workspace, _ = init_workspace(tmp / "ws")
    shutil.rmtree(workspace.notes)
    notes.rename(workspace.notes)
    with Library.open(workspace.root) as library:
        started = time.perf_counter()
        library.reindex()
        print(f"{'kb reindex of the notes':32} {(time.perf_counter() - started) * 1000:8.0f} ms")
        noop = timed(library.sync_notes, runs=5)
        row("sync_notes, nothing changed", noop, "(scan + store cache; budget 300 ms)")
        changed = sorted(workspace.notes.rglob("*.md"))[321]
        changed.write_text(changed.read_text() + "\nzyzzogeton appears here.\n")
        started = time.perf_counter()
        library.sync_notes()
        hits = library.search("zyzzogeton").hits
        elapsed = time.perf_counter() - started
        assert [hit.id for hit in hits] == [f"note:{changed.relative_to(workspace.notes).as_posix()}"]
        print(f"{'one edited note: sync + search':32} {elapsed * 1000:8.0f} ms  (budget 1,000 ms)")


def row(label: str, times: tuple[float, float], extra: str = "") -> None:
    best, median = times
    print(f"{label:32} best {best * 1000:8.2f} ms  median {median * 1000:8.2f} ms  {extra}".rstrip())


def reindex_once(count: int) -> None:
    """Build ``count`` new 2 KB notes in a fresh workspace and print the seconds of its first reindex."""
    global NOTES
    NOTES = count  # the notes link each other by number
    with tempfile.TemporaryDirectory() as tmp:
        workspace, _ = init_workspace(Path(tmp) / "ws")
        rng = random.Random(7)
        for number in range(count):
            folder = workspace.notes / f"topic-{number % FOLDERS:02d}"
            folder.mkdir(exist_ok=True)
            (folder / f"note-{number}.md").write_text(note_text(rng, number, 2_000), encoding="utf-8")
        with Library.open(workspace.root) as library:
            started, cpu = time.perf_counter(), _cpu()
            written = library.reindex()
            print(f"{time.perf_counter() - started:.1f} {_cpu() - cpu:.1f} {written}")


def _cpu() -> float:
    """CPU seconds of this process and of the children it waited for (the forked indexing helper)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def scale(counts: list[int], baseline: Path | None) -> None:
    """Each count's first reindex, in a fresh process per count and per code base (this one, the baseline)."""
    here = Path(__file__).resolve().parent.parent
    bases = [("this", here)] + ([("baseline", baseline)] if baseline else [])
    # CPU seconds (of the process and the indexing helper it forks) beside wall seconds: on a shared machine
    # the wall clock measures the neighbours too.
    print(f"{'notes':>8} " + " ".join(f"{name + ' wall':>14} {'cpu':>8} {'cpu us/note':>11}" for name, _ in bases))
    for count in counts:
        cells = []
        for _, repo in bases:
            env = {**os.environ, "PYTHONPATH": str(repo)}
            # kb is imported from ``repo`` first; this file's own path insert then no longer matters for it.
            script = f"import sys, kb.library; sys.path.insert(0, {str(here / 'benchmarks')!r}); import notes; "
            script += f"print(kb.__file__, file=sys.stderr); notes.reindex_once({count})"
            run = [sys.executable, "-c", script]  # run in ``repo``: -c puts the current folder first on the path
            out = subprocess.run(run, env=env, cwd=repo, capture_output=True, text=True, check=True)
            assert out.stderr.startswith(str(repo)), out.stderr  # the code base meant, not another
            seconds, cpu = (float(figure) for figure in out.stdout.split()[:2])
            cells.append(f"{seconds:>12.1f} s {cpu:>6.1f} s {cpu / count * 1e6:>11.0f}")
        print(f"{count:>8} " + " ".join(cells), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", help="comma-separated note counts: time the first reindex of each")
    parser.add_argument("--baseline-repo", type=Path, help="also time the kb code in this folder")
    args = parser.parse_args()
    if args.scale:
        scale([int(count) for count in args.scale.split(",")], args.baseline_repo)
    else:
        main()
