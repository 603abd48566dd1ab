"""Papers' full texts in the store (kb.store.fulltext): compressed round trip, the index's queue, eviction."""

from __future__ import annotations

import sqlite3

from kb.models import FullText, FullTextSource, Section, SectionKind
from kb.store import Store
from tests.store.store_helpers import T0, at, paper


def text_of(item_id: str, words: str = "attention", size: int = 1) -> FullText:
    sections = (
        Section(heading="Introduction", text=f"We study {words}. " * size, kind=SectionKind.INTRODUCTION, number="1"),
        Section(
            heading="Loss", text=r"The loss $\mathcal{L}$ is convex.", kind=SectionKind.METHOD, number="2.1", level=2
        ),
        Section(heading="References", text="[1] A. Author. A paper.", kind=SectionKind.REFERENCES),
    )
    return FullText(item_id=item_id, source=FullTextSource.HTML, version=2, sections=sections)


def queued(store: Store) -> list[str]:
    with sqlite3.connect(store.path) as conn:
        return [doc_id for (doc_id,) in conn.execute("SELECT doc_id FROM index_pending ORDER BY seq")]


def test_a_full_text_round_trips_compressed_and_is_queued_for_the_index(store: Store) -> None:
    store.upsert_items([paper("2611.00001")], "s", now=T0)
    store.clear_index_backlog(store.index_position())
    text = text_of("arxiv:2611.00001", size=200)
    info = store.save_fulltext(text, now=at(1))
    assert store.fulltexts(["arxiv:2611.00001", "arxiv:2611.00009"]) == {"arxiv:2611.00001": text}
    assert queued(store) == ["arxiv:2611.00001"]
    assert (info.source, info.version, info.sections, info.bytes) == (FullTextSource.HTML, 2, 3, text.size)
    assert info.stored_bytes < info.bytes / 5  # 200 repeated sentences compress well
    assert store.fulltext_infos(["arxiv:2611.00001"]) == {"arxiv:2611.00001": info}
    assert store.fulltext_usage() == (1, info.stored_bytes)


def test_a_new_version_replaces_the_old_text(store: Store) -> None:
    store.upsert_items([paper("2611.00001")], "s", now=T0)
    store.save_fulltext(text_of("arxiv:2611.00001", "attention"), now=at(1))
    newer = FullText("arxiv:2611.00001", FullTextSource.PDF, 3, (Section("", "only the pdf text"),))
    store.save_fulltext(newer, now=at(2))
    assert store.fulltexts(["arxiv:2611.00001"])["arxiv:2611.00001"] == newer
    assert store.fulltext_usage()[0] == 1


def test_eviction_drops_the_least_recently_used_first_and_spares_the_kept(store: Store) -> None:
    ids = [f"arxiv:2611.0000{n}" for n in range(1, 5)]
    store.upsert_items([paper(i.removeprefix("arxiv:")) for i in ids], "s", now=T0)
    for hour, item_id in enumerate(ids):
        store.save_fulltext(text_of(item_id, item_id), now=at(hour))
    store.touch_fulltexts([ids[0]], now=at(10))  # read just now: kept longest
    store.clear_index_backlog(store.index_position())
    sizes = store.fulltext_infos(ids)
    budget = sizes[ids[0]].stored_bytes + sizes[ids[3]].stored_bytes
    evicted = store.evict_fulltexts(budget, keep=[ids[1]])
    assert evicted == [ids[2], ids[3]]  # oldest use first; ids[1] is kept whatever its age
    assert sorted(store.fulltexts(ids)) == [ids[0], ids[1]]
    assert sorted(queued(store)) == sorted(evicted)


def test_deleting_the_paper_deletes_its_text_and_a_damaged_row_reads_as_absent(store: Store) -> None:
    store.upsert_items([paper("2611.00001"), paper("2611.00002")], "s", now=T0)
    store.save_fulltext(text_of("arxiv:2611.00001"), now=at(1))
    store.save_fulltext(text_of("arxiv:2611.00002"), now=at(1))
    with sqlite3.connect(store.path) as conn:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("DELETE FROM item WHERE id = 'arxiv:2611.00001'")
        conn.execute("UPDATE fulltext SET body = x'00ff' WHERE item_id = 'arxiv:2611.00002'")
    assert store.fulltexts(["arxiv:2611.00001", "arxiv:2611.00002"]) == {}
    assert list(store.fulltext_infos(["arxiv:2611.00001", "arxiv:2611.00002"])) == ["arxiv:2611.00002"]


def test_section_anchors_and_the_whole_text() -> None:
    text = text_of("arxiv:2611.00001")
    assert text.section("2.1") is text.sections[1]
    assert text.section("references") is text.sections[2]
    assert text.section("nowhere") is None
    assert "## 1 Introduction" in text.text and "### 2.1 Loss" in text.text and r"$\mathcal{L}$" in text.text
