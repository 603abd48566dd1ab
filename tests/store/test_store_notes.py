"""The note metadata cache: save, replace, delete, backlinks."""

from __future__ import annotations

from kb.models import Note
from kb.store import Store


def note(path: str, *papers: str, **fields: object) -> Note:
    values: dict[str, object] = {"title": path.removesuffix(".md"), "body": "text that is not cached"}
    values.update(fields)
    return Note(path, papers=papers, **values)  # type: ignore[arg-type]


def test_saved_notes_come_back_without_their_body(store: Store) -> None:
    saved = note(
        "reading/attention.md",
        "arxiv:1706.03762",
        "arxiv:2005.14165",
        tags=("transformers", "nlp"),
        note_links=("linear-algebra-strang", "Ünïcode ноте"),
        created="2026-11-22",
        front_matter_error="line 3: mapping values are not allowed here",
        mtime_ns=1_763_800_000_123_456_789,
        size=2048,
    )
    store.save_notes([saved, note("b.md")])
    records = store.note_records()
    assert list(records) == ["b.md", "reading/attention.md"]
    assert records["reading/attention.md"] == Note(**{**saved.__dict__, "body": ""})


def test_saving_a_note_again_replaces_its_record_and_links(store: Store) -> None:
    store.save_notes([note("a.md", "arxiv:1706.03762", "arxiv:2005.14165")])
    store.save_notes([note("a.md", "arxiv:2005.14165", title="Renamed")])
    assert store.note_records()["a.md"].papers == ("arxiv:2005.14165",)
    assert store.note_records()["a.md"].title == "Renamed"
    assert store.notes_linking("arxiv:1706.03762") == []


def test_notes_linking_finds_backlinks_whatever_the_version_written(store: Store) -> None:
    store.save_notes(
        [
            note("z.md", "arxiv:1706.03762"),
            note("a.md", "arxiv:2005.14165", "arxiv:1706.03762", "arxiv:1706.03762"),
            note("other.md", "arxiv:2005.14165"),
        ]
    )
    assert [n.path for n in store.notes_linking("arxiv:1706.03762")] == ["a.md", "z.md"]
    assert [n.path for n in store.notes_linking("1706.03762v5")] == ["a.md", "z.md"]
    assert [n.path for n in store.notes_linking("https://arxiv.org/abs/1706.03762")] == ["a.md", "z.md"]
    assert store.notes_linking("arxiv:2301.00001") == []
    linking = store.notes_linking("arxiv:2005.14165")
    assert linking[0].papers == ("arxiv:2005.14165", "arxiv:1706.03762", "arxiv:1706.03762")
    assert store.papers_with_notes() == {"arxiv:1706.03762", "arxiv:2005.14165"}


def test_deleting_notes_drops_their_backlinks(store: Store) -> None:
    store.save_notes([note("a.md", "arxiv:1706.03762"), note("b.md", "arxiv:2005.14165")])
    store.delete_notes(["a.md", "never-saved.md"])
    assert list(store.note_records()) == ["b.md"]
    assert store.papers_with_notes() == {"arxiv:2005.14165"}
    store.delete_notes([])
    store.save_notes([])
    assert list(store.note_records()) == ["b.md"]


def test_note_cache_does_not_touch_items(store: Store) -> None:
    store.save_notes([note("a.md", "arxiv:1706.03762")])
    assert store.get_item("arxiv:1706.03762") is None  # placeholders are the caller's call (ensure_papers)
