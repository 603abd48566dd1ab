"""feeds.yaml: every plausible mistake is one line naming file, line and key, with a hint."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kb.config import DEFAULT_API_URL, DEFAULT_RSS_URL, load_config, parse_config_text
from kb.errors import ConfigError

GOOD = """\
arxiv:
  categories: [cs.LG, stat.ML]
  queries:
    - name: hinton
      query: 'au:Hinton_G'
      first_run_days: 30
  delay_seconds: 0
feeds:
  - name: Lil'Log
    url: https://lilianweng.github.io/index.xml
    tags: [blog, Surveys]
mute:
  - title: survey
fetch:
  read_timeout: 5
"""


def test_a_good_file_loads_with_defaults_for_what_it_leaves_out(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_text(GOOD)
    config = load_config(path)
    assert config.arxiv.categories == ("cs.LG", "stat.ML")
    assert config.arxiv.api_url == DEFAULT_API_URL and config.arxiv.rss_url == DEFAULT_RSS_URL
    assert config.arxiv.rss_feed_url == "https://rss.arxiv.org/rss/cs.LG+stat.ML"
    assert config.arxiv.delay_seconds == 0
    assert config.arxiv.queries[0].first_run_days == 30
    assert config.feeds[0].tags == ("blog", "surveys")
    assert config.mute[0].title == "survey"
    assert config.fetch.read_timeout == 5 and config.fetch.connect_timeout == 10
    assert config.source_names() == ["arxiv", "hinton", "Lil'Log"]


def test_the_shipped_feeds_yaml_is_valid() -> None:
    repo = Path(__file__).resolve().parents[2]
    for path in (repo / "feeds.yaml", repo / "kb" / "data" / "feeds.yaml"):
        config = load_config(path)
        assert {"cs.LG", "cs.CV", "cs.CL", "stat.ML"} <= set(config.arxiv.categories)
        assert len(config.feeds) >= 5


def test_an_empty_file_follows_nothing() -> None:
    config = parse_config_text("# nothing yet\n", Path("feeds.yaml"))
    assert config.source_names() == []


def test_fulltext_settings_default_and_parse() -> None:
    default = parse_config_text("", Path("feeds.yaml"))
    assert default.fulltext.for_ == ("starred", "noted", "tagged")
    assert (default.fulltext.max_mb, default.fulltext.per_run) == (2000, 20)
    assert (default.arxiv.html_url, default.arxiv.pdf_url) == ("https://arxiv.org/html/", "https://arxiv.org/pdf/")
    text = "arxiv:\n  html_url: http://m/html\n  pdf_url: http://m/pdf/\n"
    text += "fulltext: {for: [Read, starred], max_mb: 5, per_run: 0}\n"
    config = parse_config_text(text, Path("feeds.yaml"))
    assert (config.arxiv.html_url, config.arxiv.pdf_url) == ("http://m/html/", "http://m/pdf/")
    assert config.fulltext.for_ == ("read", "starred")
    assert (config.fulltext.max_bytes, config.fulltext.per_run) == (5 * 1024 * 1024, 0)
    assert parse_config_text("fulltext: {for: []}\n", Path("feeds.yaml")).fulltext.for_ == ()


def test_search_engine_defaults_to_whoosh_and_can_be_tantivy() -> None:
    assert parse_config_text("", Path("feeds.yaml")).search.engine == "whoosh"
    config = parse_config_text("search:\n  engine: Tantivy\n", Path("feeds.yaml"))
    assert config.search.engine == "tantivy"
    assert parse_config_text("search: {engine: whoosh}\n", Path("feeds.yaml")).search.engine == "whoosh"


def test_rss_url_without_trailing_slash_is_joined_correctly() -> None:
    config = parse_config_text("arxiv:\n  rss_url: http://127.0.0.1:1/rss\n  categories: [cs.LG]\n", Path("f.yaml"))
    assert config.arxiv.rss_feed_url == "http://127.0.0.1:1/rss/cs.LG"


MISTAKES = [
    # (text, line, key fragment, hint fragment)
    ("arxiv: [cs.LG\n", 2, "invalid YAML", "indentation"),
    ("arxiv:\n  categories: [cs.LG]\n   queries: []\n", 3, "invalid YAML", "indentation"),
    ("arxiv:\n  categorie: [cs.LG]\n", 2, "arxiv.categorie", "did you mean 'categories'"),
    ("arxiv:\n  categories: [cs.lg]\n", 2, "arxiv.categories[0]", "did you mean 'cs.LG'"),
    ("arxiv:\n  categories: [xyz.QQ]\n", 2, "arxiv.categories[0]", "taxonomy"),
    ("arxiv:\n  categories: cs.LG\n", 2, "arxiv.categories", "list"),
    ("arxiv:\n  api_url: export.arxiv.org/api\n", 2, "arxiv.api_url", "https://"),
    ("arxiv:\n  delay_seconds: fast\n", 2, "arxiv.delay_seconds", None),
    ("arxiv:\n  delay_seconds: -1\n", 2, "arxiv.delay_seconds", "from 0"),
    ("arxiv:\n  queries:\n    - name: a\n", 3, "arxiv.queries[0]", "query"),
    ("feeds:\n  - name: x\n    url: ftp://example.org/feed\n", 3, "feeds[0].url", "https://"),
    ("feeds:\n  - url: https://example.org/feed\n", 2, "feeds[0]", "name"),
    (
        "feeds:\n  - name: x\n    url: https://a.org/f\n  - name: X\n    url: https://b.org/f\n",
        4,
        "feeds[1].name",
        "own name",
    ),
    (
        "arxiv:\n  categories: [cs.LG]\nfeeds:\n  - name: arxiv\n    url: https://a.org/f\n",
        4,
        "feeds[0].name",
        None,
    ),
    (
        "feeds:\n  - name: x\n    url: https://a.org/f\n    tag: [a]\n",
        4,
        "feeds[0].tag",
        "did you mean 'tags'",
    ),
    ("feeds:\n  name: x\n", 2, "feeds", "list"),
    ("feed:\n  - name: x\n", 1, "feed", "did you mean 'feeds'"),
    ("arxiv:\n  categories: [cs.LG]\narxiv:\n  categories: [cs.CV]\n", 3, "arxiv", "only one"),
    ("fetch:\n  concurrency: 0\n", 2, "fetch.concurrency", None),
    ("fetch:\n  retries: yes\n", 2, "fetch.retries", None),
    ("mute:\n  - {}\n", 2, "mute[0]", None),
    ("mute:\n  - titel: x\n", 2, "mute[0].titel", "did you mean 'title'"),
    ("- just\n- a list\n", 1, "top level", None),
    ("search:\n  engine: tantivi\n", 2, "search.engine", "did you mean 'tantivy'"),
    ("search:\n  engine: lucene\n", 2, "search.engine", "whoosh, tantivy"),
    ("search:\n  engin: whoosh\n", 2, "search.engin", "did you mean 'engine'"),
    ("serch:\n  engine: whoosh\n", 1, "serch", "did you mean 'search'"),
    ("feeds:\n  - name: x\n\turl: https://a.org\n", 3, "invalid YAML", None),
    ("fulltext:\n  for: [starred, stared]\n", 2, "fulltext.for[1]", "did you mean 'starred'"),
    ("fulltext:\n  for: [x]\n", 2, "fulltext.for[0]", "starred, noted, tagged, read"),
    ("fulltext:\n  max_mb: 0\n", 2, "fulltext.max_mb", None),
    ("fulltext:\n\n  per_run: many\n", 3, "fulltext.per_run", "whole number"),
    ("fulltext:\n  for_: [starred]\n", 2, "fulltext.for_", "did you mean 'for'"),
    ("arxiv:\n  html_url: arxiv.org/html\n", 2, "arxiv.html_url", "https://"),
    ("arxiv:\n  pdf_url: ftp://x/pdf/\n", 2, "arxiv.pdf_url", None),
]


@pytest.mark.parametrize(("text", "line", "key", "hint"), MISTAKES)
def test_every_mistake_is_one_line_with_file_line_key_and_hint(
    text: str, line: int, key: str, hint: str | None
) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config_text(text, Path("/ws/feeds.yaml"))
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"/ws/feeds.yaml:{line}: "), message
    assert key in message
    if hint:
        assert hint in message
    assert caught.value.exit_code == 2


def test_a_file_that_is_not_utf8_is_explained(tmp_path: Path) -> None:
    path = tmp_path / "feeds.yaml"
    path.write_bytes(b"feeds:\n  - name: caf\xe9\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(path)


@given(st.text(max_size=300))
def test_any_text_loads_or_gives_a_config_error(text: str) -> None:
    try:
        parse_config_text(text, Path("feeds.yaml"))
    except ConfigError as error:
        assert "\n" not in str(error)
