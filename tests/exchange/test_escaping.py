"""Open-ended text from strangers: YAML scalars written into feeds.yaml and titles in the digest."""

from __future__ import annotations

from datetime import UTC, datetime
from html.parser import HTMLParser

import yaml
from hypothesis import given
from hypothesis import strategies as st

from kb.config.edit import append_entries, scalar
from kb.library.formats.digest import Digest, DigestGroup, render_html, render_markdown
from kb.models import Item, Kind
from kb.text import one_line

text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=40)


@given(value=text)
def test_a_scalar_reads_back_the_same_in_block_and_flow_context(value: str) -> None:
    assert yaml.safe_load(f"key: {scalar(value)}") == {"key": value}
    assert yaml.safe_load(f"key: [{scalar(value)}, x]") == {"key": [value, "x"]}


@given(name=text, tags=st.lists(text, max_size=3))
def test_appended_entries_read_back_the_same(name: str, tags: list[str]) -> None:
    start = "# mine\nfeeds:\n  - name: a  # first\n    url: https://a.example/\nmute: []\n"
    edited = append_entries(start, ("feeds",), [{"name": name, "url": "https://b.example/", "tags": tags}])
    assert yaml.safe_load(edited)["feeds"][-1] == {"name": name, "url": "https://b.example/", "tags": tags}
    assert "# first" in edited and "# mine" in edited


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attributes: list[str] = []
        self.li: list[str] = []
        self.inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += [name for name, _ in attrs]
        if tag == "li":
            self.li.append("")
        self.inside = tag in ("li", "a") or self.inside

    def handle_endtag(self, tag: str) -> None:
        if tag in ("li", "small"):
            self.inside = False

    def handle_data(self, data: str) -> None:
        if self.inside and self.tags[-1] in ("li", "a"):
            self.li[-1] += data


@given(title=text, url=text, source=text)
def test_any_title_and_url_stay_text_in_html(title: str, url: str, source: str) -> None:
    item = Item(id="post:abcabcabcabc", kind=Kind.POST, title=title, summary="", url=url)
    now = datetime(2026, 11, 20, tzinfo=UTC)
    digest = Digest(since=now, until=now, groups=(DigestGroup(source, (item,)),))
    page = Elements()
    page.feed(render_html(digest))
    assert set(page.tags) <= {"html", "head", "meta", "title", "body", "h1", "h2", "ul", "li", "a", "small"}
    assert set(page.attributes) <= {"lang", "charset", "href"}
    assert page.li == [one_line(title)]
    markdown = render_markdown(digest)
    assert len(markdown.splitlines()) == 5  # heading, group, one item: nothing in them breaks a line
