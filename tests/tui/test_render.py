"""Rendering feed text: always literal, never markup or escapes; filters and snippets."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.errors import UsageError
from kb.models import Author, Item, ItemFilter, Kind, Status
from kb.tui.filters import parse_filter
from kb.tui.htmlmd import html_to_markdown
from kb.tui.render import RowStyles, day_label, marked_text, reader_header, row_text, short_authors

CONTROL = [chr(c) for c in [*range(0, 9), *range(11, 32), 127, *range(0x80, 0xA0)]]


def item(title: str = "A title", **fields: object) -> Item:
    values: dict[str, object] = {
        "id": "arxiv:2611.00001",
        "kind": Kind.PAPER,
        "title": title,
        "summary": "An abstract.",
        "url": "https://arxiv.org/abs/2611.00001",
        "published": datetime(2026, 11, 20, tzinfo=UTC),
        **fields,
    }
    return Item(**values)  # type: ignore[arg-type]


@settings(max_examples=50, deadline=None)
@given(st.text(min_size=0, max_size=200), st.integers(min_value=40, max_value=220))
def test_a_row_is_exactly_the_width_and_carries_the_title_as_plain_text(title: str, width: int) -> None:
    text = row_text(item(title), width, "20 Nov", False, RowStyles())
    assert text.cell_len == width
    assert not any(char in text.plain for char in CONTROL)
    assert all(span.style for span in text.spans)  # only kb's own styles, none from the title


def test_markup_in_a_title_stays_text() -> None:
    title = "[bold red]x[/] [link=file:///etc/passwd]y[/link] [@click=app.quit]z[/]"
    header = reader_header(item(title, authors=(Author("[i]Eve[/i]", ("[u]Lab[/u]",)),)))
    assert title in header.plain
    assert "[i]Eve[/i] ([u]Lab[/u])" in header.plain
    assert not any(getattr(span.style, "link", None) for span in header.spans)


def test_escapes_are_made_visible_and_inert() -> None:
    header = reader_header(item("a \x1b[31mred\x1b]52;c;aGk=\x07 \u202eevil"))
    assert "\x1b" not in header.plain and "\x07" not in header.plain and "\u202e" not in header.plain
    assert "a \ufffd[31mred\ufffd]52;c;aGk= evil" in header.plain


def test_authors_are_shortened_to_surnames_and_a_count() -> None:
    authors = tuple(Author(name) for name in ["Ashish Vaswani", "Noam Shazeer", "Niki Parmar", "Jakob Uszkoreit"])
    assert short_authors(item(authors=authors), 20) == "Vaswani, Shazeer +2"
    assert short_authors(item(authors=authors[:1]), 20) == "Vaswani"
    post = item(kind=Kind.POST, feed="Lil'Log")
    assert short_authors(post, 20) == "Lil'Log"


def test_snippet_marks_become_highlights_and_vanish() -> None:
    text = marked_text("the \ue000attention\ue001 is \ue000all\ue001 [b]", ("\ue000", "\ue001"))
    assert text.plain == "the attention is all [b]"
    assert [text.plain[span.start : span.end] for span in text.spans] == ["attention", "all"]
    assert marked_text("open \ue000 never closed", ("\ue000", "\ue001")).plain == "open  never closed"


def test_post_html_becomes_markdown_without_scripts_or_unsafe_links() -> None:
    html = (
        "<h2>Intro</h2><p>Some <b>bold</b> and <i>italic</i> text with [brackets] and *stars*.</p>"
        "<ul><li>one</li><li>two <a href='https://example.org/x'>link</a></li></ul>"
        "<ol><li>first</li></ol><pre><code>x = 1\n```</code></pre><blockquote>quoted</blockquote>"
        "<script>alert(1)</script><a href='javascript:alert(1)'>js</a><img src='x.png' alt='diagram'>"
    )
    markdown = html_to_markdown(html)
    assert "## Intro" in markdown
    assert "**bold**" in markdown and "*italic*" in markdown
    assert r"\[brackets\]" in markdown and r"\*stars\*" in markdown
    assert "- one" in markdown and "1. first" in markdown
    assert "[link](<https://example.org/x>)" in markdown
    assert "alert" not in markdown and "javascript" not in markdown
    assert "[image: diagram]" in markdown and "> quoted" in markdown


def test_a_huge_post_is_cut_with_a_pointer_to_the_page() -> None:
    markdown = html_to_markdown("<p>" + "word " * 50_000 + "</p>", limit=1000)
    assert len(markdown) < 1200 and markdown.endswith("*(cut here: the whole post is one `o` away)*")


@settings(max_examples=50, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("<>/ab pli=\"'&;#x1b\x1b\x07[]*_`-")), max_size=300))
def test_any_html_converts_without_error_and_without_control_characters(html: str) -> None:
    markdown = html_to_markdown(html)
    assert "\x1b" not in markdown and "\x07" not in markdown


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("status:new", ItemFilter(status=Status.NEW)),
        ("status:all kind:post", ItemFilter(kind=Kind.POST)),
        ("tag:ml starred", ItemFilter(tag="ml", starred=True)),
        ('source:"The Gradient" is:starred', ItemFilter(source="The Gradient", starred=True)),
        ("", ItemFilter()),
    ],
)
def test_store_filters(text: str, expected: ItemFilter) -> None:
    assert parse_filter(text).store == expected


@pytest.mark.parametrize(
    "text", ["cat:cs.LG", "attention", 'title:"deep learning" status:new', "status:all transformers"]
)
def test_anything_else_is_a_search(text: str) -> None:
    query = parse_filter(text)
    assert query.store is None and query.search and "status:all" not in query.search


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("status:maybe", "expected new|read|skipped|all"),
        ("kind:note", "expected paper|post"),
        ("is:read", "only is:starred"),
        ('source:"open', "unclosed quote"),
        ("tag:", "needs a value"),
    ],
)
def test_bad_filters_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_filter(text)


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=80))
def test_any_filter_text_parses_or_raises_a_usage_error(text: str) -> None:
    try:
        query = parse_filter(text)
    except UsageError:
        return
    assert (query.store is None) != (query.search is None)


def test_admits_follows_triage_fields() -> None:
    flt = ItemFilter(status=Status.NEW, starred=True, tag="ml")
    assert flt.admits(item(status=Status.NEW, starred=True, tags=("ml",)))
    assert not flt.admits(item(status=Status.READ, starred=True, tags=("ml",)))
    assert not flt.admits(item(status=Status.NEW, starred=False, tags=("ml",)))
    assert not flt.admits(item(status=Status.NEW, starred=True, tags=()))


def test_a_changed_watched_paper_is_marked_in_the_row_and_says_why_in_the_reader() -> None:
    changed = item("Attention", starred=True, version=3, previous_version=2, alert="v2 -> v3")
    assert "!" in row_text(changed, 80, "20 Nov", False, RowStyles()).plain[:5]  # the marks before the date
    assert "changed: v2 -> v3" in reader_header(changed).plain
    plain = item("Other", version=3, previous_version=2)
    assert "!" not in row_text(plain, 80, "20 Nov", False, RowStyles()).plain[:5]
    assert "changed:" not in reader_header(plain).plain


def test_an_undated_replacement_is_filed_and_shown_under_its_announcement() -> None:
    from kb.models import newest_first
    from kb.tui.render import item_date

    announced = datetime(2026, 11, 19, tzinfo=UTC)
    replacement = item("Replaced", published=None, updated=announced, first_seen=datetime(2026, 11, 19, 6, tzinfo=UTC))
    old_post = item("Old", id="post:old", kind=Kind.POST, published=datetime(2013, 5, 1, tzinfo=UTC))
    assert item_date(replacement) == announced
    assert sorted([old_post, replacement], key=newest_first) == [replacement, old_post]  # as the store orders them
    header = reader_header(replacement).plain
    assert "published: ?" not in header and "announced: 2026-11-19" in header
    seen_only = item("Placeholder", published=None, first_seen=datetime(2026, 11, 18, tzinfo=UTC))
    assert "published: ?" not in reader_header(seen_only).plain


def test_the_day_label_depends_on_the_clock_given_not_on_the_wall_clock() -> None:
    moment = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    assert day_label(moment, date(2026, 12, 4)) == "20 Nov"  # this year: day and month
    assert day_label(moment, date(2027, 1, 4)) == "Nov 2026"  # a later year: month and year
    assert day_label(None, date(2026, 12, 4)) == ""


@pytest.mark.parametrize("day", ["20 Nov", "Nov 2025", ""])
def test_the_day_column_is_followed_by_a_space_before_the_kind(day: str) -> None:
    plain = row_text(item("A title"), 100, day, False, RowStyles()).plain
    before, kind, after = plain.partition(" P ")  # the kind letter stands alone between spaces
    assert kind and before.rstrip().endswith(day) and after.startswith("A title")
