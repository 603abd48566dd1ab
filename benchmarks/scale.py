"""kb at a million papers: every figure of issue 11's targets table, each beside its baseline from the same run.

    python benchmarks/scale.py --items N --new M --workspace DIR [--engine whoosh|tantivy]
                               [--skip-bare-reindex] [--skip-reindex] [--skip-tui] [--skip-full-list]
                               [--build-only]

Build (skipped when DIR already holds N papers): ``kb init DIR``, then N papers streamed through kb's own store
path (``Store.upsert_items`` in batches of 5,000, first-seen times spread over the years so the newest are the
inbox) made from the recorded corpus's titles and abstract sentences recombined with distinct ids (the generator
of benchmarks/search.py). All but the newest M are then triaged (read, some skipped, a few starred, with
status times spread over the years: the judgement history the for-you ranking learns from). The builder's own
memory stays small: one batch at a time. Then ``kb reindex`` (timed) indexes it with the engine of
``search: {engine: ...}`` in feeds.yaml (written by ``--engine``).

Measured (each line ``name: value``; baselines are measured in the same run, on the same index):
- ``kb search`` as a process, 8 queries x 3: median / max seconds and peak RSS, beside a bare Whoosh process
  opening the same index and printing 20 titles;
- the 200-query mix of benchmarks/search.py, top 20 + snippets, in-process: kb's SearchIndex vs the bare
  Whoosh searcher (MultifieldParser + highlights) over the same index;
- ``kb reindex`` vs a bare default Whoosh writer over the same documents (``--skip-bare-reindex`` at 1M);
- adding one day (2,000 papers): store + index through the library (what `kb fetch` does after fetching);
- peak memory of ``kb list``, ``status``, ``search``, ``show``, ``why`` and of the TUI after 60 s;
- ``kb list --status new --sort foryou`` and ``kb status`` time; ``kb --help`` and ``kb --version`` time.

Timings on a shared 2-core machine are noisy: compare a figure with its baseline, not across runs.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import re
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from search import Pool, bare_fields, bare_schema, load_pool, make_queries, p95  # noqa: E402

from benchmarks.corpus import corpus_dir  # noqa: E402
from kb.models import Author, FetchedItem, IndexDoc, Kind  # noqa: E402
from tests.support.inside import store_of  # noqa: E402

BATCH = 5_000
QUERIES = [
    "language model",
    "attention",
    '"neural network"',
    "title:diffusion",
    "reinforcement learning policy",
    "graph OR transformer",
    "author:smith",
    "optimization -convex",
]


# --- building the workspace ----------------------------------------------------------------------


def kb_env() -> dict[str, str]:
    """The environment for kb subprocesses: this checkout first on the path, no debug, no colour."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env.pop("KB_ROOT", None)
    env["NO_COLOR"] = "1"
    return env


def kb_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "kb.cli.main", *args]


def paper(pool: Pool, rng: random.Random, n: int, total: int) -> FetchedItem:
    """Paper number ``n`` of ``total``: recombined title and abstract, a distinct id, published in order."""
    a, b = rng.sample(pool.titles, 2)
    wa, wb = a.split(), b.split()
    title = " ".join(wa[: max(1, len(wa) // 2)] + wb[len(wb) // 2 :])
    # Ten years of months, papers spread evenly: YYMM.NNNNN ids (five digits hold 99,999 a month, 12M in all).
    month = n * 120 // total
    first = -(-month * total // 120)
    per_month = max(1, -(-total // 120))
    published = datetime(2016 + month // 12, month % 12 + 1, 1, tzinfo=UTC) + timedelta(
        seconds=(n - first) * 27 * 86_400 // per_month
    )
    bare = f"{published.year % 100:02d}{published.month:02d}.{n - first:05d}"
    return FetchedItem(
        id=f"arxiv:{bare}",
        kind=Kind.PAPER,
        title=title,
        summary=" ".join(rng.sample(pool.sentences, rng.randint(4, 9))),
        url=f"https://arxiv.org/abs/{bare}",
        authors=tuple(Author(name) for name in rng.sample(pool.authors, rng.randint(1, 6))),
        published=published,
        updated=published,
        version=1,
        categories=tuple(rng.sample(pool.categories, rng.randint(1, 3))),
        comment=rng.choice(pool.comments) if rng.random() < 0.5 else None,
    )


def paper_batches(pool: Pool, start: int, count: int, total: int, seed: int = 7) -> Iterator[list[FetchedItem]]:
    """Papers ``start`` .. ``start+count`` in batches: only one batch is ever held."""
    rng = random.Random(seed + start)
    for first in range(start, start + count, BATCH):
        yield [paper(pool, rng, n, total) for n in range(first, min(first + BATCH, start + count))]


def stored_papers(workspace: Path) -> int:
    database = workspace / ".kb" / "kb.sqlite"
    if not database.exists():
        return 0
    with sqlite3.connect(database) as conn:
        try:
            return int(conn.execute("SELECT count(*) FROM item").fetchone()[0])
        except sqlite3.Error:
            return 0


def set_engine(workspace: Path, engine: str) -> None:
    """``search: {engine: ...}`` in feeds.yaml (the switch; the next command rebuilds for that engine)."""
    config = workspace / "feeds.yaml"
    text = re.sub(r"(?m)^search:\n(?:[ \t]+.*\n?)*", "", config.read_text()).rstrip("\n") + "\n"
    if engine != "whoosh":  # whoosh is the default: no key, so a kb without engines still reads the file
        text += f"search:\n  engine: {engine}\n"
    config.write_text(text)


def build(pool: Pool, workspace: Path, items: int, new: int) -> None:
    """A workspace of ``items`` papers, the newest ``new`` still new, the rest triaged."""
    from kb.store import Store

    subprocess.run(kb_cmd("init", str(workspace)), env=kb_env(), check=True, capture_output=True)
    store = Store.open(workspace / ".kb" / "kb.sqlite")
    sources = ["cs.LG", "cs.CV", "cs.CL", "stat.ML"]
    start = time.perf_counter()
    done = 0
    for batch in paper_batches(pool, 0, items, items):
        seen = batch[0].published or datetime.now(UTC)  # first seen when published: the newest are the inbox
        store.upsert_items(batch, sources[done // BATCH % len(sources)], now=seen)
        done += len(batch)
        if done % 100_000 == 0 or done == items:
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"  stored {done:,} ({time.perf_counter() - start:.0f} s, builder peak {rss:.0f} MB)", flush=True)
    store.close()
    triage(workspace / ".kb" / "kb.sqlite", items, new)


def triage(database: Path, items: int, new: int) -> None:
    """All but the newest ``new`` judged, with status times spread like years of mornings.

    Plain SQL on the triage table (one statement per kind): the store's own per-item setters would take hours
    at a million, and what is measured here is reading this history, not writing it.
    """
    conn = sqlite3.connect(database)
    conn.execute("PRAGMA journal_mode = WAL")
    keep = [row[0] for row in conn.execute("SELECT id FROM item ORDER BY first_seen DESC, id DESC LIMIT ?", (new,))]
    conn.execute("CREATE TEMP TABLE keep (id TEXT PRIMARY KEY)")
    conn.executemany("INSERT INTO keep VALUES (?)", [(i,) for i in keep])
    # A day after first seen; read mostly, a quarter skipped (by a hash of the id), 3% starred.
    conn.execute(
        "UPDATE triage SET status = CASE WHEN abs(random()) % 4 = 0 THEN 'skipped' ELSE 'read' END,"
        " status_changed = datetime((SELECT first_seen FROM item WHERE item.id = triage.item_id), '+1 day')"
        " WHERE item_id NOT IN (SELECT id FROM keep)"
    )
    conn.execute(
        "UPDATE triage SET starred = 1, starred_changed = status_changed"
        " WHERE status = 'read' AND abs(random()) % 25 = 0"
    )
    conn.commit()
    conn.close()


# --- measuring processes -------------------------------------------------------------------------


def run(cmd: Sequence[str], cwd: Path | None = None, check: bool = True) -> tuple[float, float, str]:
    """(wall seconds, peak RSS in MB, stdout) of one process, under /usr/bin/time -v when it is there."""
    timer = ["/usr/bin/time", "-v"] if Path("/usr/bin/time").exists() else []
    started = time.perf_counter()
    # From the repository: `python -m` puts the working folder first on sys.path, before PYTHONPATH.
    done = subprocess.run([*timer, *cmd], cwd=cwd or REPO, env=kb_env(), capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if check and done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    rss = int(found.group(1)) / 1024 if found else float("nan")
    return seconds, rss, done.stdout


def kb_run(workspace: Path, *args: str) -> tuple[float, float, str]:
    return run(kb_cmd("--root", str(workspace), *args))


def show(name: str, value: str) -> None:
    print(f"{name}: {value}", flush=True)


def seconds_mb(values: Sequence[tuple[float, float, str]]) -> str:
    times = [t for t, _, _ in values]
    return (
        f"median {statistics.median(times):.3f} s, max {max(times):.3f} s, peak {max(m for _, m, _ in values):.0f} MB"
    )


BARE_SEARCH = """
import sys
from whoosh import index
from whoosh.qparser import MultifieldParser
ix = index.open_dir(sys.argv[1])
with ix.searcher() as searcher:
    parser = MultifieldParser(["title", "text", "authors", "extra"], ix.schema)
    for hit in searcher.search(parser.parse(sys.argv[2]), limit=20):
        print(hit["title"])
"""


BARE_TANTIVY = """
import sys
import tantivy
ix = tantivy.Index.open(sys.argv[1])
ix.register_tokenizer("kb", tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build())
searcher = ix.searcher()
query = ix.parse_query_lenient(sys.argv[2], ["title", "text", "authors", "extra"])[0]
for _, address in searcher.search(query, 20).hits:
    print(bytes(searcher.doc(address).get_first("shown_title")).decode())
"""


def tantivy_dir(workspace: Path) -> Path | None:
    """The live tantivy generation of the workspace's index (None when the engine is not tantivy)."""
    import json

    pointer = workspace / ".kb" / "index" / "kb-index.json"
    if pointer.exists():
        data = json.loads(pointer.read_text())
        if data.get("engine") == "tantivy":
            return pointer.parent / data["generation"]
    return None


def whoosh_dir(workspace: Path) -> Path | None:
    """The live Whoosh generation of the workspace's index (None when the engine is not Whoosh)."""
    root = workspace / ".kb" / "index"
    for pointer in (root / "kb-index.json", root / "whoosh" / "kb-index.json"):
        if pointer.exists():
            import json

            generation = pointer.parent / json.loads(pointer.read_text())["generation"]
            if list(generation.glob("*.toc")):
                return generation
    return None


def measure_search_process(workspace: Path) -> None:
    """`kb search` as a process, 8 queries x 3, beside a bare Whoosh process printing 20 titles."""
    kb = [kb_run(workspace, "search", "--limit", "20", q) for _ in range(3) for q in QUERIES]
    show("kb search process (8 queries x 3)", seconds_mb(kb))
    index = whoosh_dir(workspace)
    script = Path(tempfile.mkdtemp()) / "bare_search.py"
    if index is None:
        index = tantivy_dir(workspace)
        if index is None:
            show("bare search process", "n/a (no index found)")
            return
        # tantivy's own query parser over kb's analysed fields, splitting the query at spaces: unstemmed
        # terms, so fewer hits than kb's; a floor for the process (start, open, search, print), not an equal answer.
        script.write_text(BARE_TANTIVY)
        bare = [run([sys.executable, str(script), str(index), q]) for _ in range(3) for q in QUERIES]
        show("bare tantivy search process (baseline: tantivy's parser, 20 titles)", seconds_mb(bare))
        return
    script.write_text(BARE_SEARCH)
    bare = [run([sys.executable, str(script), str(index), q]) for _ in range(3) for q in QUERIES]
    show("bare Whoosh search process (baseline)", seconds_mb(bare))


def measure_mix(pool: Pool, workspace: Path, count: int = 200) -> None:
    """The query mix of benchmarks/search.py, top 20 + snippets, in one process: kb vs bare Whoosh."""
    from search import BareSearch, latencies

    from kb.library import Library

    mix = make_queries(pool, count)
    with Library.open(workspace) as library:  # through the library: the engine is feeds.yaml's
        kb_ms = latencies(lambda q: library.search(q, limit=20), [k for k, _ in mix])
    show(
        f"{count}-query mix, kb",
        f"median {statistics.median(kb_ms):.1f} ms, p95 {p95(kb_ms):.1f} ms, max {max(kb_ms):.1f} ms",
    )
    index = whoosh_dir(workspace)
    if index is None:
        return
    from whoosh import index as wix

    bare = BareSearch(wix.open_dir(str(index)))
    bare_ms = latencies(bare, [b for _, b in mix])
    show(
        f"{count}-query mix, bare Whoosh searcher (baseline)",
        f"median {statistics.median(bare_ms):.1f} ms, p95 {p95(bare_ms):.1f} ms, max {max(bare_ms):.1f} ms",
    )


def measure_reindex(workspace: Path, skip_bare: bool) -> None:
    """`kb reindex` as a process, beside a bare default Whoosh writer over the same documents."""
    seconds, rss, _ = kb_run(workspace, "reindex")
    show("kb reindex", f"{seconds:.0f} s, peak {rss:.0f} MB")
    if skip_bare:
        show("bare Whoosh writer (baseline)", "skipped (--skip-bare-reindex)")
        return
    from whoosh import index as wix

    from kb.library import Library
    from kb.library.documents import item_document

    target = Path(tempfile.mkdtemp(prefix="kb-bare-"))
    writing = 0.0
    try:
        ix = wix.create_in(str(target), bare_schema())
        writer = ix.writer()
        with Library.open(workspace) as library:
            for batch in store_of(library).iter_items(5000):
                docs: list[IndexDoc] = [item_document(item, set()) for item in batch]
                started = time.perf_counter()
                for doc in docs:
                    writer.add_document(**bare_fields(doc))
                writing += time.perf_counter() - started
        started = time.perf_counter()
        writer.commit()
        writing += time.perf_counter() - started
    finally:
        shutil.rmtree(target, ignore_errors=True)
    show("bare Whoosh writer (baseline, documents made outside the timing)", f"{writing:.0f} s")


def measure_day(pool: Pool, workspace: Path, items: int) -> None:
    """One weekday's 2,000 papers stored and indexed, as `kb fetch` does after fetching."""
    from kb.library import Library

    day = stored_papers(workspace) - items  # papers added by earlier runs' days: each run adds a new day
    batch = [
        dataclasses.replace(paper, id=f"arxiv:27{day // 2000 % 100:02d}.{n:05d}")
        for n, paper in enumerate(next(paper_batches(pool, items + day, 2000, items + day + 2000, seed=99)))
    ]
    with Library.open(workspace) as library:
        store_of(library).schema_version()  # the parts open on first use: open the store outside the timing
        store_started = time.perf_counter()
        store_of(library).upsert_items(batch, "cs.LG")  # queues the new ids for the index in the same transaction
        stored = time.perf_counter() - store_started
        library.catch_up_index()  # what `kb fetch` does after a source that changed something
        total = time.perf_counter() - store_started
    show("adding one day (2,000 papers), store + index", f"{total:.2f} s (store {stored:.2f} s)")


def measure_commands(workspace: Path) -> None:
    """Time and peak memory of the everyday commands."""
    with sqlite3.connect(workspace / ".kb" / "kb.sqlite") as conn:
        some_id = conn.execute("SELECT item_id FROM triage WHERE status = 'new' LIMIT 1").fetchone()[0]
    for name, args in [
        ("kb list --status new --sort foryou (first: may train)", ["list", "--status", "new", "--sort", "foryou"]),
        ("kb list --status new --sort foryou (model cached)", ["list", "--status", "new", "--sort", "foryou"]),
        ("kb status", ["status"]),
        ("kb list --status new", ["list", "--status", "new"]),
        ("kb show ID", ["show", some_id]),
        ("kb why ID", ["why", some_id]),
        ("kb search 'language model'", ["search", "language model"]),
    ]:
        seconds, rss, _ = kb_run(workspace, *args)
        show(name, f"{seconds:.2f} s, peak {rss:.0f} MB")
    python = min(run([sys.executable, "-c", "pass"])[0] for _ in range(5))
    for flag in ("--help", "--version"):
        best = min(run(kb_cmd(flag))[0] for _ in range(5))
        show(f"kb {flag}", f"{best * 1000:.0f} ms (best of 5; bare `python -c pass` {python * 1000:.0f} ms)")


def measure_tui(workspace: Path, wait: float = 60.0) -> None:
    """The TUI in a tmux pane: time to the first rows, and resident / peak memory after ``wait`` seconds."""
    if shutil.which("tmux") is None:
        show("TUI", "not measured (no tmux)")
        return
    socket = f"kbscale{os.getpid()}"
    pid_file = Path(tempfile.mkdtemp()) / "pid"
    env = " ".join(f"{k}={v}" for k, v in kb_env().items() if k in ("PYTHONPATH", "PATH", "HOME"))
    command = (
        f"sh -c 'cd {REPO}; echo $$ > {pid_file}; exec env {env} TERM=xterm-256color {sys.executable} -m kb.cli.main"
        f" --root {workspace}'"
    )
    started = time.perf_counter()
    subprocess.run(["tmux", "-L", socket, "new-session", "-d", "-x", "120", "-y", "40", command], check=True)
    rows = float("nan")
    try:
        while time.perf_counter() - started < wait:
            screen = subprocess.run(["tmux", "-L", socket, "capture-pane", "-p"], capture_output=True, text=True).stdout
            if rows != rows and "•" in screen:  # a new item's mark: the first page is drawn
                rows = time.perf_counter() - started
            time.sleep(0.05 if rows != rows else 1.0)
        status = Path(f"/proc/{pid_file.read_text().strip()}/status").read_text()
        rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024  # type: ignore[union-attr]
        peak = int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024  # type: ignore[union-attr]
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True)
    show("TUI rows drawn", f"{rows:.2f} s")
    show(f"TUI after {wait:.0f} s", f"{rss:.0f} MB resident, peak {peak:.0f} MB")


def measure(pool: Pool, workspace: Path, args: argparse.Namespace) -> int:
    """Every figure, in the order of issue 11's table."""
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cpus (shared: timings are noisy)", flush=True)
    from kb.store import Store

    Store.open(workspace / ".kb" / "kb.sqlite").close()  # pending migrations run here, outside any timing
    measure_commands(workspace)
    measure_search_process(workspace)
    measure_mix(pool, workspace)
    if not args.skip_tui:
        measure_tui(workspace)
    if not args.skip_reindex:
        measure_reindex(workspace, args.skip_bare_reindex)
    measure_day(pool, workspace, args.items)
    if not args.skip_full_list:
        seconds, rss, _ = kb_run(workspace, "list")  # last: it prints every stored item
        show("kb list (every item)", f"{seconds:.2f} s, peak {rss:.0f} MB")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--new", type=int, default=2_000)
    parser.add_argument("--workspace", type=Path, required=True)
    parser.add_argument("--engine", choices=["whoosh", "tantivy"], default="whoosh")
    parser.add_argument("--skip-bare-reindex", action="store_true", help="the bare writer takes long at 1M")
    parser.add_argument("--skip-reindex", action="store_true", help="kb reindex was timed already (the build's)")
    parser.add_argument("--skip-tui", action="store_true")
    parser.add_argument("--skip-full-list", action="store_true", help="`kb list` of every item takes minutes at 1M")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--corpus", type=Path, default=None, help="default: $KB_CORPUS or ../shared/corpus")
    args = parser.parse_args(argv)
    corpus = corpus_dir(args.corpus)
    pool = load_pool(corpus)
    workspace = args.workspace.resolve()
    have = stored_papers(workspace)
    print(f"workspace: {workspace} ({have:,} papers stored; wanted {args.items:,}, {args.new:,} new)", flush=True)
    if have < args.items:
        if have:
            print(f"{workspace} holds {have:,} papers, not {args.items:,}: use another folder", file=sys.stderr)
            return 2
        started = time.perf_counter()
        build(pool, workspace, args.items, args.new)
        print(f"build: {time.perf_counter() - started:.0f} s", flush=True)
    set_engine(workspace, args.engine)
    if args.build_only:
        return 0
    return measure(pool, workspace, args)


if __name__ == "__main__":
    sys.exit(main())
