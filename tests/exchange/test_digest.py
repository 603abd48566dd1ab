"""`kb digest` (Markdown and HTML, hostile titles escaped, remembers where it ended) and `kb muted`."""

from __future__ import annotations

import json
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from kb.library import Library
from kb.models import Status
from tests.exchange.conftest import kb, kb_json
from tests.support.httpserver import HttpServer
from tests.support.inside import store_of
from tests.support.workspace import make_workspace

HOSTILE = "<script>alert(1)</script> [x](javascript:evil) *b* & </li>"
ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Evil</title><id>urn:evil</id><updated>2026-11-20T00:00:00Z</updated>
<entry><id>urn:1</id>
<title type="text">&lt;script&gt;alert(1)&lt;/script&gt; [x](javascript:evil) *b* &amp; &lt;/li&gt;</title>
<link href="javascript:alert(1)"/><updated>2026-11-20T00:00:00Z</updated><summary>s</summary></entry>
<entry><id>urn:2</id><title type="text">Quote " breaks &lt;a href=x&gt;</title>
<link href="https://ok.example/a&quot;onmouseover=&quot;x"/><updated>2026-11-19T00:00:00Z</updated><summary>s</summary>
</entry></feed>"""


class Page(HTMLParser):
    """What a browser would see: the elements, their attributes, and the text of each list item."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.hrefs: list[str] = []
        self.attributes: set[str] = set()
        self.items: list[str] = []
        self.open_li = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.update(name for name, _ in attrs)
        self.hrefs += [value or "" for name, value in attrs if name == "href"]
        if tag == "li":
            self.items.append("")
            self.open_li = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "li":
            self.open_li = False

    def handle_data(self, data: str) -> None:
        if self.open_li:
            self.items[-1] += data


@pytest.fixture
def hostile(tmp_path: Path, http_server: HttpServer) -> Path:
    http_server.add("/evil", ATOM, headers={"Content-Type": "application/atom+xml"})
    root = make_workspace(tmp_path / "evil", http_server, feeds={"Evil <b>": "/evil"})
    assert kb(root, "fetch", "-q").exit_code == 0
    return root


def test_markdown_digest_groups_by_source_newest_first_with_links(fetched: Path) -> None:
    result = kb(fetched, "digest", "--since", "1d")
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    assert text.startswith("# kb digest: 55 new since ")
    assert text.index("## arxiv (2)") < text.index("## Lil'Log (53)")  # feeds.yaml order
    assert "- [Attention Is All You Need](<https://arxiv.org/abs/1706.03762" in text
    posts = kb_json(fetched, "list", "--kind", "post", "--json")  # newest first, as the digest
    positions = [text.index(f"(<{post['url']}>)") for post in posts[:5]]
    assert positions == sorted(positions)


def test_without_since_it_covers_a_day_then_continues_where_the_last_one_ended(fetched: Path) -> None:
    first = kb(fetched, "digest")
    assert "55 new" in first.stdout
    assert (fetched / ".kb" / "digest.json").is_file()
    second = kb(fetched, "digest")
    assert "0 new" in second.stdout and "Nothing new." in second.stdout
    assert "55 new" in kb(fetched, "digest", "--since", "2000-01-01").stdout  # --since does not move the mark
    assert "0 new" in kb(fetched, "digest").stdout


def test_skipped_items_are_left_out_and_per_source_limits(fetched: Path, tmp_path: Path) -> None:
    assert kb(fetched, "skip", "1706.03762").exit_code == 0
    out = tmp_path / "digest.md"
    result = kb(fetched, "digest", "--since", "1d", "--per-source", "5", "--output", str(out))
    assert result.exit_code == 0 and result.stdout == ""
    text = out.read_text(encoding="utf-8")
    assert "Attention Is All You Need" not in text and "## arxiv (1)" in text
    assert "- and 48 more" in text


def test_html_digest_escapes_hostile_titles_and_links_only_http(hostile: Path) -> None:
    result = kb(hostile, "digest", "--since", "1d", "--format", "html")
    assert result.exit_code == 0, result.stderr
    page = Page()
    page.feed(result.stdout)
    assert "script" not in page.tags and "onmouseover" not in page.attributes
    assert set(page.tags) <= {"html", "head", "meta", "title", "body", "h1", "h2", "ul", "li", "a", "small"}
    assert page.hrefs == ['https://ok.example/a"onmouseover="x']  # javascript: is never a link
    assert any(item.startswith(HOSTILE) for item in page.items)  # the title reads as the feed wrote it
    assert "Evil <b> (2)" in result.stdout.replace("&lt;", "<").replace("&gt;", ">")


def test_markdown_digest_escapes_hostile_titles(hostile: Path) -> None:
    text = kb(hostile, "digest", "--since", "1d").stdout
    assert "](javascript" not in text and "<script>" not in text
    assert r"- \<script\>alert\(1\)\</script\> \[x\]\(javascript:evil\) \*b\* \& \</li\>" in text
    assert '(<https://ok.example/a"onmouseover="x>)' in text
    assert r"## Evil \<b\> (2)" in text


def test_kb_muted_lists_what_each_rule_muted_on_arrival(tmp_path: Path, served: HttpServer) -> None:
    mute = {"mute": [{"title": "Schölkopf"}, {"feed": "Lil'Log"}, {"author": "Nobody Atall"}]}
    root = make_workspace(tmp_path / "m", served, categories=("cs.CL",), feeds={"Lil'Log": "/blogs/lillog"}, extra=mute)
    assert kb(root, "fetch", "-q").exit_code == 0
    groups = kb_json(root, "muted", "--json")
    assert [(g["rule"], g["count"]) for g in groups] == [("title: Schölkopf", 1), ("feed: Lil'Log", 53)]
    assert groups[0]["items"][0]["title"].startswith("Self-Attention Networks")
    digest = kb(root, "digest", "--since", "1d").stdout
    assert "54 muted by rules" in digest and "Lil'Log" not in digest
    # skipped by hand is triage, not a rule; brought back with one command, it is no longer muted
    assert kb(root, "skip", "1706.03762").exit_code == 0
    paper = groups[0]["items"][0]["id"]
    assert kb(root, "unread", paper).exit_code == 0
    with Library.open(root) as library:
        post = library.get_item(groups[1]["items"][0]["id"])
        store_of(library).set_status(post.id, Status.NEW)
        assert post.first_seen is not None
        store_of(library).set_status(post.id, Status.SKIPPED, now=post.first_seen + timedelta(days=1))
    groups = kb_json(root, "muted", "--json")
    assert [(g["rule"], g["count"]) for g in groups] == [("feed: Lil'Log", 52)]
    text = kb(root, "muted").stdout
    assert text.startswith("feed: Lil'Log: 52 muted\n")
    assert json.loads(kb(root, "muted", "--json", "--since", "2999-01-01").stdout) == []
