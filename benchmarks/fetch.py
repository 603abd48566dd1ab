"""Benchmark: fetching 400+ feeds through Fetcher.fetch_all, beside newsboat on the same URLs.

The corpus blogs and tricky feeds are replicated under distinct URLs on several loopback servers (distinct
ports, so distinct hosts to kb's one-request-per-host rule), served from a separate process so the server
does not share kb's GIL. Each contender runs the same full fetch (download + parse) several times; the
best and median wall-clock times are printed, with kb's ratio to newsboat measured in the same run.

    python benchmarks/fetch.py [--copies 5] [--servers 16] [--rounds 3] [--workers 0,2]

newsboat is optional (`apt-get install -y newsboat`); without it only kb's figures are printed.
"""

from __future__ import annotations

import argparse
import functools
import io
import multiprocessing
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.corpus import corpus_dir  # noqa: E402
from kb.config import BlogFeed, Config, FetchSettings  # noqa: E402
from kb.fetchers import Fetcher  # noqa: E402
from kb.models import SourceResult  # noqa: E402

NEWSBOAT = "newsboat -x reload (8 threads)"
FOLDERS = ("blogs", "tricky/feedparser-tests", "tricky/feed-rs-fixtures")


def feed_files() -> list[Path]:
    corpus = corpus_dir()
    return [path for folder in FOLDERS for path in sorted((corpus / folder).glob("*.xml"))]


def serve(
    files: list[Path], copies: int, servers: int, out: multiprocessing.Queue[Any], asks: multiprocessing.Queue[str]
) -> None:
    """Child process: serve every file ``copies`` times over ``servers`` ports; report URLs, then request counts."""
    from tests.support.httpserver import HttpServer

    running = [HttpServer().start() for _ in range(servers)]
    urls = []
    for copy in range(copies):
        for index, path in enumerate(files):
            server = running[(copy * len(files) + index) % servers]
            urls.append(
                server.add(f"/c{copy}/{path.name}", path.read_bytes(), headers={"Content-Type": "application/xml"})
            )
    out.put(urls)
    while asks.get() == "count":  # until the parent terminates us
        out.put(sum(len(server.requests) for server in running))


def run_kb(urls: list[str], workers: int) -> tuple[float, int, int]:
    feeds = tuple(BlogFeed(f"f{n}", url) for n, url in enumerate(urls))
    config = Config(path=Path("feeds.yaml"), feeds=feeds, fetch=FetchSettings(concurrency=8, retries=0))
    results: list[SourceResult] = []
    with Fetcher(config) as fetcher:
        fetcher.parse_workers = workers
        started = time.perf_counter()
        fetcher.fetch_all(None, {}, results.append)
        elapsed = time.perf_counter() - started
    return elapsed, sum(len(r.items) for r in results), sum(not r.ok for r in results)


def run_newsboat(urls: list[str]) -> tuple[float, int, int] | None:
    if shutil.which("newsboat") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        (home / "urls").write_text("\n".join(urls) + "\n")
        (home / "config").write_text("reload-threads 8\n")
        command = [
            "newsboat",
            "-x",
            "reload",
            "-u",
            str(home / "urls"),
            "-c",
            str(home / "cache.db"),
            "-C",
            str(home / "config"),
        ]
        env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home), "XDG_DATA_HOME": str(home)}
        started = time.perf_counter()
        subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        elapsed = time.perf_counter() - started
        with sqlite3.connect(home / "cache.db") as db:
            items = db.execute("select count(*) from rss_item").fetchone()[0]
            empty = db.execute(
                "select count(*) from rss_feed where rssurl not in (select distinct feedurl from rss_item)"
            ).fetchone()[0]
    return elapsed, items, empty


def parse_only(files: list[Path], copies: int) -> float:
    """Baseline: feedparser alone over the same bytes, in this process, one after another."""
    import feedparser

    bodies = [path.read_bytes() for path in files] * copies
    started = time.perf_counter()
    for body in bodies:
        feedparser.parse(io.BytesIO(body))
    return time.perf_counter() - started


class Server:
    """The serving child process, and how many requests it has answered."""

    def __init__(self, files: list[Path], copies: int, servers: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.out: multiprocessing.Queue[Any] = context.Queue()
        self.asks: multiprocessing.Queue[str] = context.Queue()
        self.process = context.Process(target=serve, args=(files, copies, servers, self.out, self.asks), daemon=True)
        self.process.start()
        self.urls: list[str] = self.out.get(timeout=60)

    def requests(self) -> int:
        self.asks.put("count")
        return int(self.out.get(timeout=10))

    def stop(self) -> None:
        self.process.terminate()
        self.process.join()


def race(rounds: int, server: Server, contenders: dict[str, Callable[[], tuple[float, int, int] | None]]) -> None:
    """Run the contenders in turn, round after round (so load drifts hit all alike), and print figures."""
    times: dict[str, list[float]] = {label: [] for label in contenders}
    details: dict[str, str] = {}
    for _ in range(rounds):
        for label, run in contenders.items():
            if label in details and not times[label]:
                continue  # not installed
            before = server.requests()
            outcome = run()
            if outcome is None:
                details[label] = "not installed"
                continue
            elapsed, items, empty = outcome
            times[label].append(elapsed)
            details[label] = f"{server.requests() - before} requests, {items} items stored, {empty} feeds without items"
    baseline = statistics.median(times[NEWSBOAT]) if times.get(NEWSBOAT) else None
    for label, measured in times.items():
        if not measured:
            print(f"{label:<34} {details[label]}")
            continue
        median = statistics.median(measured)
        ratio = f"  {median / baseline:.2f}x newsboat" if baseline else ""
        print(f"{label:<34} best {min(measured):5.2f} s  median {median:5.2f} s{ratio}  ({details[label]})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=5, help="times each corpus feed is served (distinct URLs)")
    parser.add_argument("--servers", type=int, default=16, help="loopback servers (distinct hosts)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--workers", type=lambda text: [int(n) for n in text.split(",")], default=[0, 2], help="parser processes to try"
    )
    args = parser.parse_args()

    files = feed_files()
    server = Server(files, args.copies, args.servers)
    try:
        urls = server.urls
        size = sum(path.stat().st_size for path in files) * args.copies
        print(f"{len(urls)} feeds ({size / 1e6:.1f} MB) from {args.servers} loopback servers; {os.cpu_count()} cores")
        baseline = parse_only(files, args.copies)
        print(f"{'feedparser alone, serial':<34} {baseline:6.2f} s")
        contenders: dict[str, Callable[[], tuple[float, int, int] | None]] = {NEWSBOAT: lambda: run_newsboat(urls)}
        for workers in args.workers:
            label = "kb fetch_all, parse in threads" if workers == 0 else f"kb fetch_all, {workers} parser processes"
            contenders[label] = functools.partial(run_kb, urls, workers)
        race(args.rounds, server, contenders)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
