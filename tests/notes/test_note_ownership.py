"""Which note is an item's own: the one whose front matter names it. Links in a body make backlinks only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kb.library import Library
from kb.models import ItemFilter, Kind
from kb.notes import parse_note
from kb.notes.ownership import owns
from tests.support.httpserver import HttpServer, http_server
from tests.support.workspace import FIXTURES, make_workspace

__all__ = ["http_server"]

POST_URL = "https://blog.example.org/posts/agents/"
# A long article (27 KB, as a real one), citing papers by their arXiv URLs.
ARTICLE = "<p>Agents plan with tools, as https://arxiv.org/abs/2401.00001 showed first.</p>" + "".join(
    f"<p>Paragraph {n}: memory, planning and tool use; see https://arxiv.org/abs/2402.0{n:04d} for details.</p>"
    for n in range(300)
)


def blog_feed() -> bytes:
    return (
        "<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel><title>Blog</title>"
        "<link>https://blog.example.org/</link><description>x</description>"
        f"<item><title>LLM Powered Agents</title><link>{POST_URL}</link><guid>{POST_URL}</guid>"
        "<pubDate>Tue, 24 Nov 2026 10:00:00 +0000</pubDate>"
        f"<description>{ARTICLE.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')}</description>"
        "</item></channel></rss>"
    ).encode()


@pytest.fixture
def library(tmp_path: Path, http_server: HttpServer) -> Iterator[Library]:
    http_server.add_file("/rss/cs.CL", FIXTURES / "rss_attention_v7.xml")
    http_server.add("/blog", blog_feed(), headers={"Content-Type": "application/rss+xml"})
    root = make_workspace(tmp_path / "ws", http_server, categories=("cs.CL",), feeds={"Blog": "/blog"})
    with Library.open(root) as opened:
        assert not opened.fetch().failed
        yield opened


def post_id(library: Library) -> str:
    [post] = library.list_items(ItemFilter(kind=Kind.POST))
    return post.id


# --- the rule, on parsed notes ------------------------------------------------------------------------


def test_front_matter_owns_body_links_do_not() -> None:
    note = parse_note(
        "other.md", b"---\npapers: [2606.01234]\n---\nBuilds on [[arxiv:1706.03762]] and arxiv.org/abs/2005.14165\n"
    )
    assert owns(note, "arxiv:2606.01234", "https://arxiv.org/abs/2606.01234v1")
    assert not owns(note, "arxiv:1706.03762", "https://arxiv.org/abs/1706.03762v7")
    assert set(note.papers) == {"arxiv:2606.01234", "arxiv:1706.03762", "arxiv:2005.14165"}  # backlinks stay


def test_a_post_is_owned_by_its_id_or_its_url() -> None:
    by_id = parse_note("a.md", b"---\npost: post:abc123\n---\nText.\n")
    by_url = parse_note("b.md", f"---\nurl: {POST_URL}\n---\nText.\n".encode())
    listed = parse_note("c.md", b"---\npapers: [post:abc123, 1706.03762]\n---\n")
    for note in (by_id, listed):
        assert owns(note, "post:abc123", POST_URL)
        assert "post:abc123" in note.papers
    assert owns(by_url, "post:abc123", POST_URL)
    assert not owns(by_url, "post:other", "https://blog.example.org/posts/other/")
    assert not owns(parse_note("d.md", f"Body only: {POST_URL}\n".encode()), "post:abc123", POST_URL)


def test_quoted_text_makes_no_links() -> None:
    note = parse_note(
        "q.md",
        b"# Q\n\n> The abstract cites https://arxiv.org/abs/2401.00001 and [[arxiv:2402.00002]].\n"
        b"> > nested https://arxiv.org/abs/2403.00003\n\nMine: [[arxiv:1706.03762]]\n",
    )
    assert note.papers == ("arxiv:1706.03762",)


# --- bug 1: `kb note ID` / `n` open the paper's own note -----------------------------------------------


def test_a_note_that_only_links_a_paper_is_not_its_note(library: Library) -> None:
    notes = library.workspace.notes
    (notes / "other.md").write_text(
        "---\ntitle: Self-attention for kernels\npapers: [arxiv:2606.01234]\n---\nBuilds on [[arxiv:1706.03762]].\n",
        encoding="utf-8",
    )
    library.sync_notes()
    assert library.note_for_paper("2606.01234") == "other.md"
    own = library.note_for_paper("1706.03762")
    assert own != "other.md"
    assert "papers: [arxiv:1706.03762]" in (notes / own).read_text(encoding="utf-8")
    assert library.note_for_paper("1706.03762") == own  # the second time, the same note
    assert [note.path for note in library.owned_notes(library.get_item("1706.03762"))] == [own]
    # the linking note is still a backlink
    assert {note.path for note in library.notes_for_paper("arxiv:1706.03762")} == {own, "other.md"}


# --- bug 2: a post's note is tied to the post -----------------------------------------------------------


def test_a_post_note_is_owned_found_and_searchable(library: Library) -> None:
    post = post_id(library)
    path = library.note_for_paper(post)
    assert library.note_for_paper(post) == path  # n twice: one note
    assert [note.path for note in library.notes_for_paper(post)] == [path]  # b, kb show --json notes
    hits = library.search("has:note kind:post")
    assert [hit.id for hit in hits.hits] == [post]


def test_a_hand_written_note_naming_the_post_url_owns_it(library: Library) -> None:
    post = post_id(library)
    (library.workspace.notes / "agents.md").write_text(f"---\nurl: {POST_URL}\n---\n# Agents\n", encoding="utf-8")
    library.sync_notes()
    assert library.note_for_paper(post) == "agents.md"
    assert [note.path for note in library.notes_for_paper(post)] == ["agents.md"]
    assert post in {hit.id for hit in library.search("has:note").hits}


# --- bug 3: the template quotes an excerpt, and quoted text creates no papers ------------------------


def test_a_post_note_quotes_an_excerpt_and_links_no_papers(library: Library) -> None:
    post = post_id(library)
    assert len(library.get_item(post).summary) > 20_000
    path = library.note_for_paper(post)
    text = (library.workspace.notes / path).read_text(encoding="utf-8")
    assert len(text) < 2_000
    assert "> Agents plan with tools" in text
    stored = {item.id for item in library.list_items(ItemFilter())}
    assert not any(item_id.startswith(("arxiv:2401", "arxiv:2402")) for item_id in stored)
    [note] = [note for note in library.list_notes() if note.path == path]
    assert note.papers == (post,)
