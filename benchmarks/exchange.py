"""How fast `kb import` merges triage, `kb export` writes it, and `kb opml import` adds a big list.

- merge: Store.merge_triage of N records (every field newer: all written), then the same records again (the
  idempotent re-import: nothing written), against the baseline of the same status changes made one at a
  time through Store.set_status (what triaging N items by hand costs), measured on a slice and per item.
- export: the export items of N triaged items, against reading the same items with Store.iter_items alone.
- opml: `kb opml import` of the largest recorded OPML list into a fresh workspace, against listparser.parse
  of the same bytes alone (the parser's own cost) and against reading the resulting feeds.yaml once.

    python benchmarks/exchange.py [N]            (corpus from KB_CORPUS or ../shared/corpus)
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script from anywhere

import listparser

from benchmarks.corpus import corpus_dir
from kb.config import load_config
from kb.library import init_workspace
from kb.library.formats.exchange import export_item
from kb.library.formats.opml import import_opml
from kb.models import Status
from kb.store import Store
from kb.store.exchange import TriageRecord

REPO = Path(__file__).resolve().parent.parent
T0 = datetime(2026, 11, 20, tzinfo=UTC)


def timed(work: object) -> float:
    start = time.perf_counter()
    work()  # type: ignore[operator]
    return time.perf_counter() - start


def merge(folder: Path, n: int) -> None:
    ids = [f"arxiv:2601.{i:05d}" for i in range(n)]
    later = T0 + timedelta(hours=1)
    records = [
        TriageRecord(i, Status.READ, later, k % 3 == 0, later, ("bench", f"t{k % 7}"), later) for k, i in enumerate(ids)
    ]
    with Store.open(folder / "merge.sqlite") as store:
        store.ensure_papers(ids, now=T0)
        first = timed(lambda: store.merge_triage(records))
        again = timed(lambda: store.merge_triage(records))
        assert store.merge_triage(records).changed == ()
        sample = ids[: min(n, 1000)]
        by_hand = timed(lambda: [store.set_status(i, Status.SKIPPED, now=later + timedelta(hours=1)) for i in sample])
    per_hand = by_hand / len(sample)
    print(f"merge {n} records, all fields newer: {first:.2f} s ({n / first:,.0f} records/s)")
    print(f"merge the same {n} again (nothing to do): {again:.2f} s ({n / again:,.0f} records/s)")
    print(f"baseline Store.set_status one by one: {per_hand * 1000:.2f} ms/item ({1 / per_hand:,.0f} items/s)")
    print(f"  ratio merge / one-by-one: {(n / first) * per_hand:.1f}x faster")
    with Store.open(folder / "merge.sqlite") as store:
        read = timed(lambda: [item for batch in store.iter_items() for item in batch])
        export = timed(lambda: [export_item(item) for batch in store.iter_items() for item in batch])
    print(f"export {n} items: {export:.2f} s; baseline reading them (iter_items): {read:.2f} s")
    print(f"  ratio export / read: {export / read:.2f}x")


def opml(folder: Path) -> None:
    path = corpus_dir() / "opml" / "kilimchoi_engineering_blogs.opml"
    raw = path.read_bytes()
    root = folder / "ws"
    init_workspace(root)
    parse = min(timed(lambda: listparser.parse(raw)) for _ in range(3))
    result = None

    def run() -> None:
        nonlocal result
        result = import_opml(root / "feeds.yaml", raw, path.name)

    imported = timed(run)
    assert result is not None
    print(f"opml import of {path.name}: {imported:.2f} s ({result.added} added, {len(result.skipped)} skipped)")
    load = min(timed(lambda: load_config(root / "feeds.yaml")) for _ in range(3))
    print(f"baseline listparser.parse alone: {parse * 1000:.1f} ms; ratio import / parse: {imported / parse:.0f}x")
    print(f"baseline reading the resulting feeds.yaml (every kb command does): {load * 1000:.0f} ms;", end=" ")
    print(f"ratio import / read: {imported / load:.1f}x")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
    with tempfile.TemporaryDirectory() as folder:
        merge(Path(folder), n)
        opml(Path(folder))


if __name__ == "__main__":
    main()
