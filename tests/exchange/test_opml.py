"""`kb opml import` and `kb opml export` on real subscription lists, through the real listparser."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import listparser
import pytest
import yaml

from kb.config import load_config
from kb.library import init_workspace
from tests.conftest import corpus_dir
from tests.exchange.conftest import kb

CORPUS_OPML = [
    "alan-turing-institute_ai_lab_feeds.opml",
    "karpathy-rss-digest_hn_popular_blogs_opml2.opml",
    "kilimchoi_engineering_blogs.opml",
    "listparser_project_feeds_opml2_multiline_attrs.opml",
    "lmmx_feedly_export_2014_research_journals.opml",
    "plenary_Japan_nonascii.opml",
    "plenary_Programming_MALFORMED_unescaped_ampersand.opml",
    "plenary_Science_MALFORMED_unescaped_ampersand.opml",
    "rushter_data-science-blogs.opml",
    "subhajit-paul_ml_feeds_with_arxiv.opml",
]
ENDPOINTS = "  api_url: http://127.0.0.1:9/api/query\n  rss_url: http://127.0.0.1:9/rss/\n"


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A fresh workspace with kb's commented feeds.yaml."""
    init_workspace(tmp_path / "ws")
    return tmp_path / "ws"


def comments(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.lstrip().startswith("#")]


def opml_import(root: Path, path: Path, *extra: str) -> dict[str, object]:
    result = kb(root, "opml", "import", str(path), "--json", *extra)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    return data


@pytest.mark.parametrize("name", CORPUS_OPML)
def test_every_real_list_imports_keeping_comments_order_and_skipping_duplicates(
    root: Path, corpus: Path, name: str
) -> None:
    path = corpus / "opml" / name
    before_text = (root / "feeds.yaml").read_text(encoding="utf-8")
    before = load_config(root / "feeds.yaml")
    report = opml_import(root, path)
    after_text = (root / "feeds.yaml").read_text(encoding="utf-8")
    after = load_config(root / "feeds.yaml")  # valid, or this raises
    assert comments(after_text) == comments(before_text)
    assert after_text.startswith(before_text.split("\nfeeds:")[0])  # what comes before feeds: is untouched
    assert after.feeds[: len(before.feeds)] == before.feeds  # old feeds first, in their order
    added = report["feeds"]
    assert [feed.name for feed in after.feeds[len(before.feeds) :]] == [f["name"] for f in added]  # type: ignore[attr-defined]
    listed = listparser.parse(path.read_bytes()).feeds
    accounted = len(added) + len(report["skipped"]) + len(report["categories"]) + len(report["queries"])  # type: ignore[arg-type]
    assert accounted >= len(listed) - 1  # one broken outline may be unreadable: then a warning says so
    if "MALFORMED" in name:
        assert any("not well-formed" in warning for warning in report["warnings"])  # type: ignore[attr-defined]
    again = opml_import(root, path)  # everything is a duplicate now
    assert again["feeds"] == [] and not again["written"]
    assert (root / "feeds.yaml").read_text(encoding="utf-8") == after_text


def test_a_broken_outline_is_reported_not_silently_lost(root: Path, corpus: Path) -> None:
    result = kb(root, "opml", "import", str(corpus / "opml" / "plenary_Programming_MALFORMED_unescaped_ampersand.opml"))
    assert result.exit_code == 0
    assert "1 of 50 feeds could not be read" in result.stderr


def test_the_arxiv_feed_in_a_list_becomes_a_category(root: Path, corpus: Path) -> None:
    report = opml_import(root, corpus / "opml" / "subhajit-paul_ml_feeds_with_arxiv.opml")
    skipped = [s for s in report["skipped"] if "arxiv" in s["url"]]  # type: ignore[attr-defined]
    assert skipped and skipped[0]["reason"] == "arXiv category cs.LG already followed"
    (root / "feeds.yaml").write_text("# mine\narxiv:\n  categories: [cs.CV]\n" + ENDPOINTS, encoding="utf-8")
    report = opml_import(root, corpus / "opml" / "subhajit-paul_ml_feeds_with_arxiv.opml")
    assert report["categories"] == ["cs.LG"]
    assert load_config(root / "feeds.yaml").arxiv.categories == ("cs.CV", "cs.LG")


@pytest.mark.parametrize("path", sorted((corpus_dir() or Path("/nonexistent")).glob("tricky/listparser-tests/*.xml")))
def test_listparser_edge_cases_import_or_fail_cleanly(root: Path, path: Path) -> None:
    before = (root / "feeds.yaml").read_bytes()
    result = kb(root, "opml", "import", str(path))
    if result.exit_code == 2:  # no feeds at all: one line, feeds.yaml untouched
        assert len(result.stderr.strip().splitlines()) == 1 and "no feeds" in result.stderr
        assert (root / "feeds.yaml").read_bytes() == before
    else:
        assert result.exit_code == 0, result.stderr
        load_config(root / "feeds.yaml")


def test_names_taken_are_made_unique_and_said_so(root: Path, tmp_path: Path) -> None:
    opml = tmp_path / "list.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head/><body>'
        '<outline text="colah" xmlUrl="https://example.org/colah.xml"/>'
        '<outline text="Same Site" xmlUrl="HTTP://Colah.GitHub.io/rss.xml/"/>'
        '<outline text="Bad" xmlUrl="javascript:alert(1)"/>'
        '<outline text="Tom &amp; Jerry: #1 &quot;blog&quot;" xmlUrl="https://t.example/f?a=1&amp;b=2"'
        ' category="/Fun Stuff/Cartoons,news"/>'
        "</body></opml>",
        encoding="utf-8",
    )
    report = opml_import(root, opml)
    assert report["renamed"] == [{"title": "colah", "name": "colah (example.org)"}]
    reasons = {s["title"]: s["reason"] for s in report["skipped"]}  # type: ignore[attr-defined]
    assert reasons == {"Same Site": "already followed as 'colah'", "Bad": "not an http(s) URL"}
    feeds = {feed.name: feed for feed in load_config(root / "feeds.yaml").feeds}
    tom = feeds['Tom & Jerry: #1 "blog"']
    assert tom.url == "https://t.example/f?a=1&b=2" and tom.tags == ("fun-stuff", "cartoons", "news")


def test_a_bare_ampersand_is_repaired_with_a_warning(root: Path, tmp_path: Path) -> None:
    opml = tmp_path / "amp.opml"
    opml.write_bytes(
        b'<opml version="1.0"><body><outline text="R & D" xmlUrl="https://rd.example/feed"/></body></opml>'
    )
    result = kb(root, "opml", "import", str(opml))
    assert result.exit_code == 0 and "taken as '&amp;'" in result.stderr
    assert "R & D" in {feed.name for feed in load_config(root / "feeds.yaml").feeds}


@pytest.mark.parametrize(
    "text",
    [
        "feeds: []  # none yet\n",
        "feeds:\n",
        "# only a comment\n",
        "feeds:\n- name: a\n  url: https://a.example/\n# trailing comment\nmute: []\n",
        "feeds: [{name: a, url: 'https://a.example/'}]\r\n",
    ],
)
def test_feeds_yaml_shapes_are_extended_in_place(root: Path, tmp_path: Path, text: str) -> None:
    (root / "feeds.yaml").write_bytes(text.encode())
    opml = tmp_path / "one.opml"
    opml.write_text('<opml version="2.0"><body><outline text="New" xmlUrl="https://new.example/rss"/></body></opml>')
    opml_import(root, opml)
    written = (root / "feeds.yaml").read_bytes().decode()
    assert comments(written) == comments(text)
    assert load_config(root / "feeds.yaml").feeds[-1].name == "New"


def test_nothing_is_written_for_a_dry_run_a_bad_file_or_a_broken_feeds_yaml(root: Path, tmp_path: Path) -> None:
    opml = tmp_path / "one.opml"
    opml.write_text('<opml version="2.0"><body><outline text="New" xmlUrl="https://new.example/rss"/></body></opml>')
    before = (root / "feeds.yaml").read_bytes()
    assert opml_import(root, opml, "--dry-run")["feeds"] != []
    not_opml = tmp_path / "feed.xml"
    not_opml.write_text("<rss version='2.0'><channel><title>x</title></channel></rss>")
    result = kb(root, "opml", "import", str(not_opml))
    assert result.exit_code == 2 and "not an OPML subscription list" in result.stderr
    assert (root / "feeds.yaml").read_bytes() == before
    (root / "feeds.yaml").write_text("feeds:\n  - name: x\n    url: ftp://nope\n")
    broken = kb(root, "opml", "import", str(opml))
    assert broken.exit_code == 2 and "feeds.yaml:3: feeds[0].url" in broken.stderr
    assert (root / "feeds.yaml").read_text() == "feeds:\n  - name: x\n    url: ftp://nope\n"
    assert not list(root.glob(".feeds.yaml.*"))  # no temp file left behind


def test_export_is_valid_opml_2_that_round_trips(root: Path, tmp_path: Path) -> None:
    config = yaml.safe_load((root / "feeds.yaml").read_text())
    config["feeds"].append({"name": 'Odd <name> & "quotes"', "url": "https://odd.example/f?a=1&b=2", "tags": ["x"]})
    (root / "feeds.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    out = tmp_path / "kb.opml"
    assert kb(root, "opml", "export", "--output", str(out)).exit_code == 0
    tree = ET.parse(out).getroot()
    assert tree.tag == "opml" and tree.get("version") == "2.0" and tree.find("head/dateCreated") is not None
    parsed = listparser.parse(out.read_bytes())
    assert not parsed.bozo and parsed.version == "opml2"
    source = load_config(root / "feeds.yaml")
    assert len(parsed.feeds) == len(source.feeds) + len(source.arxiv.categories) + len(source.arxiv.queries)
    assert {f.url for f in parsed.feeds} >= {feed.url for feed in source.feeds}
    fresh = tmp_path / "fresh"
    init_workspace(fresh)
    (fresh / "feeds.yaml").write_text("# a new machine\n", encoding="utf-8")
    opml_import(fresh, out)
    copy = load_config(fresh / "feeds.yaml")
    assert copy.feeds == source.feeds
    assert copy.arxiv.categories == source.arxiv.categories
    assert [(q.name, q.query) for q in copy.arxiv.queries] == [(q.name, q.query) for q in source.arxiv.queries]
    printed = kb(root, "opml", "export").stdout  # without --output: stdout
    assert ET.fromstring(printed.encode()).find("body") is not None
