"""Benchmark the TUI on a workspace of 100,000 items, 2,000 of them new.

Figures, each beside a baseline measured in the same run:

(a) start to an interactive inbox, as a real process in a real terminal (tmux): `kb` until the first rows show,
    vs a bare Textual app that shows one line;
    and in process (headless): from building the app to the first page drawn;
(b) moving the cursor and triaging one item (headless): the time a key takes to be handled and the screen
    redrawn, vs a key no binding takes (what Textual's own key path and redraw cost);
(c) search: from the end of the typing debounce to the hits on screen, vs the bare library search.

    python benchmarks/tui.py [--items 100000] [--new 2000] [--workspace DIR]   (DIR is built once, then reused)

Items are inserted straight into the store (tests.support.inside) in batches; the 98,000 triaged ones are then marked
read with one SQL UPDATE (the store offers one-item setters only, and 98,000 of those would take minutes).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from kb.fetchers.arxiv_atom import parse_api_response  # noqa: E402
from kb.library import Library, init_workspace  # noqa: E402
from kb.models import Author, FetchedItem, ItemFilter, Kind, Status  # noqa: E402
from tests.support.inside import store_of  # noqa: E402

CORPUS = Path(os.environ.get("KB_CORPUS") or REPO.parent / "shared" / "corpus")
QUERIES = [
    "attention",
    "neural network",
    'title:"language model"',
    "author:smith",
    "cat:cs.LG testing",
    "quantum",
    "graph",
    "status:new learning",
    "robust*",
    "year:2026 data",
]


def corpus_texts() -> tuple[list[str], list[str], list[str]]:
    """Real titles, abstract sentences and author names from the recorded arXiv API responses."""
    titles: list[str] = []
    sentences: list[str] = []
    authors: list[str] = []
    for path in sorted((CORPUS / "arxiv-api").glob("*.xml")):
        for paper in parse_api_response(path.read_bytes()).papers:
            titles.append(paper.title)
            sentences += [s.strip() + "." for s in paper.summary.split(". ") if s.strip()]
            authors += [author.name for author in paper.authors]
    if not titles:
        raise SystemExit(f"no corpus at {CORPUS}: set KB_CORPUS")
    return titles, sentences, [a for a in authors if a]


def make_items(count: int) -> list[FetchedItem]:
    """``count`` distinct papers, newest first, recombined from the corpus."""
    titles, sentences, names = corpus_texts()
    rng = random.Random(7)
    start = datetime(2026, 11, 22, tzinfo=UTC)
    items = []
    for n in range(count):
        title = f"{rng.choice(titles)} ({rng.choice(['revisited', 'at scale', 'a study', 'in practice'])} {n})"
        items.append(
            FetchedItem(
                id=f"arxiv:{2000 + n // 90000:04d}.{n % 90000 + 10000:05d}",
                kind=Kind.PAPER,
                title=title,
                summary=" ".join(rng.sample(sentences, 5)),
                url=f"https://arxiv.org/abs/{n}",
                authors=tuple(Author(name) for name in rng.sample(names, 3)),
                published=start - timedelta(minutes=7 * n),
                categories=(rng.choice(["cs.LG", "cs.CL", "cs.CV", "stat.ML"]),),
                version=1,
            )
        )
    return items


def build(root: Path, count: int, new: int) -> None:
    """A workspace with ``count`` items, the newest ``new`` of them untriaged, indexed."""
    init_workspace(root)
    (root / "feeds.yaml").write_text("arxiv:\n  categories: [cs.LG]\n", encoding="utf-8")
    items = make_items(count)
    started = time.perf_counter()
    with Library.open(root) as library:
        for start in range(0, len(items), 2000):
            store_of(library).upsert_items(items[start : start + 2000], source="arxiv")
        print(f"  stored {count:,} items in {time.perf_counter() - started:.1f} s", flush=True)
        keep = [item.id for item in items[:new]]
    with sqlite3.connect(root / ".kb" / "kb.sqlite") as db:
        db.execute("CREATE TEMP TABLE keep (id TEXT PRIMARY KEY)")
        db.executemany("INSERT INTO keep VALUES (?)", [(i,) for i in keep])
        db.execute("UPDATE triage SET status = 'read' WHERE item_id NOT IN (SELECT id FROM keep)")
    started = time.perf_counter()
    with Library.open(root) as library:
        library.reindex()
    print(f"  indexed in {time.perf_counter() - started:.1f} s", flush=True)


# --- (a) start-up in a real terminal ----------------------------------------------------------------

BARE_APP = """
from textual.app import App
from textual.widgets import Static

class Bare(App):
    BINDINGS = [("j", "bump", "Bump")]
    count = 0

    def compose(self):
        yield Static("bare ready 0")

    def action_bump(self):
        self.count += 1
        self.query_one(Static).update(f"bare ready {self.count}")

Bare().run()
"""


class Tmux:
    """A private tmux server with one 120x40 pane running ``command``."""

    def __init__(self, command: str) -> None:
        self.name = f"kbbench{os.getpid()}{time.monotonic_ns()}"
        self.socket = ["-L", self.name]
        subprocess.run(
            ["tmux", *self.socket, "new-session", "-d", "-s", self.name, "-x", "120", "-y", "40", command], check=True
        )

    def screen(self, styles: bool = False) -> str:
        """The pane's text; with ``styles``, its colours too (a cursor move changes only those)."""
        flags = ["-p", "-e"] if styles else ["-p"]
        return subprocess.run(
            ["tmux", *self.socket, "capture-pane", *flags, "-t", self.name], capture_output=True, text=True
        ).stdout

    def key(self, key: str) -> None:
        subprocess.run(["tmux", *self.socket, "send-keys", "-t", self.name, key], check=True)

    def wait_for(self, condition: Callable[[str], bool], timeout: float = 30, styles: bool = False) -> float:
        started = time.perf_counter()
        while not condition(self.screen(styles)):
            if time.perf_counter() - started > timeout:
                raise SystemExit(f"timed out; screen:\n{self.screen()}")
            time.sleep(0.002)
        return time.perf_counter() - started

    def close(self) -> None:
        subprocess.run(["tmux", *self.socket, "kill-server"], capture_output=True)


def time_in_tmux(command: str, ready: str, rounds: int) -> list[float]:
    """Seconds from starting ``command`` in a 120x40 tmux pane until ``ready`` is on screen."""
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        term = Tmux(command)
        try:
            term.wait_for(lambda screen: ready in screen)
            times.append(time.perf_counter() - started)
        finally:
            term.close()
    return times


def key_latencies(term: Tmux, key: str, count: int) -> list[float]:
    """Seconds from sending ``key`` until the pane shows a change, ``count`` times."""
    times = []
    for _ in range(count):
        before = term.screen(styles=True)
        started = time.perf_counter()
        term.key(key)
        term.wait_for(lambda screen, before=before: screen != before, timeout=5, styles=True)  # type: ignore[misc]
        times.append(time.perf_counter() - started)
        time.sleep(0.02)  # a person's pace is slower still; lets the pane settle between keys
    return times


def real_terminal(root: Path, rounds: int, keys: int) -> None:
    """(a) start-up and (b) key-to-screen latencies of the real `kb` in tmux, beside a bare Textual app."""
    if shutil.which("tmux") is None:
        print("(a)(b) tmux not installed: real-terminal figures not measured")
        return
    env = f"env PYTHONPATH={REPO} TERM=xterm-256color"
    kb_command = f"{env} {sys.executable} -m kb.cli.main --root {root}"
    script = Path(tempfile.mkdtemp()) / "bare.py"
    script.write_text(BARE_APP, encoding="utf-8")
    bare_command = f"{env} {sys.executable} {script}"
    first_row = "•"  # a new item's mark: the first page is drawn
    kb = statistics.median(time_in_tmux(kb_command, first_row, rounds))
    bare = statistics.median(time_in_tmux(bare_command, "bare ready", rounds))
    print(
        f"(a) start to interactive inbox, real terminal: kb {kb * 1000:.0f} ms (median of {rounds}), "
        f"bare Textual app {bare * 1000:.0f} ms, ratio {kb / bare:.2f}  [target < 1500 ms]"
    )
    term = Tmux(bare_command)
    try:
        term.wait_for(lambda screen: "bare ready" in screen)
        baseline = key_latencies(term, "j", keys)
    finally:
        term.close()
    term = Tmux(kb_command)
    try:
        term.wait_for(lambda screen: first_row in screen)
        time.sleep(1.0)  # let the index open in the background, as it would while the person reads
        figures = {
            "cursor move (j)": key_latencies(term, "j", keys),
            "read and advance (r)": key_latencies(term, "r", keys),
        }
    finally:
        term.close()
    base = statistics.median(baseline)
    for label, values in figures.items():
        print(
            f"(b) {label}, key to screen: {statistics.median(values) * 1000:.1f} ms median, "
            f"{pct(values, 0.95) * 1000:.1f} ms p95; bare app's key {base * 1000:.1f} ms median, "
            f"{pct(baseline, 0.95) * 1000:.1f} ms p95; ratio of medians {statistics.median(values) / base:.2f}  "
            "[target < 50 ms]"
        )


# --- (b), (c) and in-process start-up, headless ----------------------------------------------------


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(q * len(ordered)), len(ordered) - 1)]


async def headless(root: Path, moves: int) -> None:
    from kb.tui.app import KbApp
    from kb.tui.screens.search import DEBOUNCE, SearchScreen

    with Library.open(root) as library:
        started = time.perf_counter()
        app = KbApp(library, poll_seconds=60)
        async with app.run_test(size=(120, 40)) as pilot:
            inbox = app.screen
            while not inbox.query("ItemList") or inbox.items.pages is None:  # type: ignore[attr-defined]
                await asyncio.sleep(0.001)
            painted = asyncio.Event()
            app.call_after_refresh(painted.set)  # runs once the screen with the first page has been drawn
            await painted.wait()
            ready = time.perf_counter() - started
            pages = inbox.items.pages  # type: ignore[attr-defined]
            print(
                f"(a) in process: app built to first page drawn {ready * 1000:.0f} ms; "
                f"{len(pages.items)} of {len(pages):,} new rows loaded "
                f"({library.count_items(ItemFilter()):,} items stored)"
            )
            await app.settle()

            async def timed(key: str, count: int) -> list[float]:
                times = []
                for _ in range(count):
                    started = time.perf_counter()
                    await pilot.press(key)
                    times.append(time.perf_counter() - started)
                return times

            idle = await timed("z", moves)  # no binding: the pilot's own wait
            move = await timed("j", moves)
            await timed("k", moves)
            new_before = library.count_items(ItemFilter(status=Status.NEW))
            read = await timed("r", moves)  # triage: shown at once, stored on the store thread, then indexed
            started = time.perf_counter()
            await app.settle()
            drained = time.perf_counter() - started
            stored = new_before - library.count_items(ItemFilter(status=Status.NEW))
            base = statistics.median(idle)
            for label, values in (("cursor move (j)", move), ("read and advance (r)", read)):
                print(
                    f"    headless, key sent until the whole process is idle again (background store and index "
                    f"work included), {label}: {statistics.median(values) * 1000:.1f} ms median, "
                    f"{pct(values, 0.95) * 1000:.1f} ms p95; unbound key {base * 1000:.1f} ms"
                )
            print(
                f"    {stored} of {moves} reads in the store; store and index idle "
                f"{drained * 1000:.0f} ms after the last key"
            )

            app.switch_mode("search")
            await app.settle()
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, SearchScreen)
            handled, painted, bare = [], [], []
            for query in QUERIES * 2:
                screen.box.value = query
                await asyncio.sleep(DEBOUNCE)
                debounced = time.perf_counter()
                while screen.shown_query != query:
                    await asyncio.sleep(0.0005)
                handled.append(time.perf_counter() - debounced)
                await pilot.pause()
                painted.append(time.perf_counter() - debounced)
                started = time.perf_counter()
                library.search(query, limit=50)
                bare.append(time.perf_counter() - started)
            median = statistics.median
            print(
                f"(c) search, debounce end to hits in the list: {median(handled) * 1000:.0f} ms median, "
                f"{pct(handled, 0.95) * 1000:.0f} ms p95; to the screen settled (pilot idle): "
                f"{median(painted) * 1000:.0f} ms median, {pct(painted, 0.95) * 1000:.0f} ms p95; "
                f"bare library.search {median(bare) * 1000:.0f} ms median, {pct(bare, 0.95) * 1000:.0f} ms p95; "
                "ratio of medians (list/bare) "
                f"{median(handled) / median(bare):.2f}  [target < 200 ms]"
            )
        app.finish_writes()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--new", type=int, default=2_000)
    parser.add_argument("--workspace", type=Path, help="build here once and reuse (default: a temp dir)")
    parser.add_argument("--rounds", type=int, default=5, help="start-ups timed in tmux")
    parser.add_argument("--moves", type=int, default=100, help="keys timed per kind")
    args = parser.parse_args()
    root = args.workspace or Path(tempfile.mkdtemp()) / "ws"
    if not (root / "feeds.yaml").exists():
        print(f"building {root}: {args.items:,} items, {args.new:,} new", flush=True)
        build(root, args.items, args.new)
    real_terminal(root, args.rounds, args.moves)
    asyncio.run(headless(root, args.moves))


if __name__ == "__main__":
    main()
