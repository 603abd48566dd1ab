"""The shape of feeds.yaml: what to follow and how to reach it. Defaults are the documented ones."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_API_URL = "https://export.arxiv.org/api/query"
DEFAULT_RSS_URL = "https://rss.arxiv.org/rss/"
DEFAULT_OAI_URL = "https://oaipmh.arxiv.org/oai"
DEFAULT_DELAY_SECONDS = 3.0


@dataclass(frozen=True)
class ArxivQuery:
    """A saved arXiv API search (`arxiv.queries`)."""

    name: str
    query: str
    #: How far back the first run pages (days); later runs page back to the newest paper already seen.
    first_run_days: int = 14
    #: The most results one run takes from this search, whatever the window.
    max_results: int = 500


@dataclass(frozen=True)
class BlogFeed:
    """A blog or lab feed (`feeds`)."""

    name: str
    url: str
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class MuteRule:
    """A rule that files matching items as skipped on arrival (`mute`). Each set field must match."""

    title: str | None = None  # words in the title
    abstract: str | None = None  # words in the title or abstract
    author: str | None = None
    category: str | None = None
    feed: str | None = None

    @property
    def label(self) -> str:
        """How the rule is named to the person: ``title: survey``."""
        parts = [f"{key}: {value}" for key, value in vars(self).items() if value is not None]
        return ", ".join(parts)


@dataclass(frozen=True)
class ArxivSettings:
    """The `arxiv:` section."""

    categories: tuple[str, ...] = ()
    queries: tuple[ArxivQuery, ...] = ()
    api_url: str = DEFAULT_API_URL
    rss_url: str = DEFAULT_RSS_URL
    #: arXiv's OAI-PMH endpoint, for `kb backfill` (bulk harvesting, the way arXiv asks for it).
    oai_url: str = DEFAULT_OAI_URL
    #: Seconds between any two requests to arXiv (RSS and API share it). arXiv asks for 3.
    delay_seconds: float = DEFAULT_DELAY_SECONDS
    #: Results per API page.
    page_size: int = 100
    #: Retries of an empty or failed API page before the fetch is recorded incomplete.
    retries: int = 3
    #: Name under which the category announcements are stored as a source.
    rss_source_name: str = "arxiv"

    @property
    def rss_feed_url(self) -> str:
        """The announcements URL for all categories: the base with the categories joined by ``+``."""
        return self.rss_url + "+".join(self.categories)


@dataclass(frozen=True)
class FetchSettings:
    """The `fetch:` section: how kb talks to the network."""

    #: Seconds to wait for a connection.
    connect_timeout: float = 10.0
    #: Seconds of silence after which a response is abandoned.
    read_timeout: float = 30.0
    #: Seconds one source may take in all, retries included.
    total_timeout: float = 120.0
    #: Largest feed body kb downloads, in bytes.
    max_bytes: int = 20 * 1024 * 1024
    #: Feeds fetched at once (different hosts; one host is never asked twice at once).
    concurrency: int = 8
    #: Retries of a transient failure (5xx, 429, timeouts, resets), with backoff.
    retries: int = 2
    #: First backoff in seconds; doubles each retry. Retry-After wins when the server sends it.
    backoff_seconds: float = 1.0
    #: Longest Retry-After kb honours within a run; a longer one ends the source for this run.
    max_retry_after: float = 60.0
    #: Seconds a whole run may take; sources not finished by then end as "skipped: run timeout".
    run_timeout: float = 600.0


#: The search engines kb can run (kept in step with kb.index.ENGINES; config may not import kb.index).
SEARCH_ENGINES = ("whoosh", "tantivy")


@dataclass(frozen=True)
class SearchSettings:
    """The `search:` section."""

    #: The engine behind the search index: whoosh (the default, pure Python) or tantivy (Rust: much
    #: faster at hundreds of thousands of papers). Changing it rebuilds the index on the next command.
    engine: str = "whoosh"


@dataclass(frozen=True)
class NotesSettings:
    """The `notes:` section."""

    #: A note larger than this (KB) is indexed by its first max_index_kb KB only, and kb says so (the note
    #: sync warning, `kb status`, `kb show`): one 200 MB note otherwise costs seconds and hundreds of MB on
    #: every search that hits it. The file itself is never cut: links anywhere in it still count.
    max_index_kb: int = 1024


@dataclass(frozen=True)
class Config:
    """The whole of feeds.yaml."""

    path: Path
    arxiv: ArxivSettings = field(default_factory=ArxivSettings)
    feeds: tuple[BlogFeed, ...] = ()
    mute: tuple[MuteRule, ...] = ()
    fetch: FetchSettings = field(default_factory=FetchSettings)
    search: SearchSettings = field(default_factory=SearchSettings)
    notes: NotesSettings = field(default_factory=NotesSettings)

    def source_names(self) -> list[str]:
        """Every source's name: the announcements, each saved search, each feed."""
        names = [self.arxiv.rss_source_name] if self.arxiv.categories else []
        names += [query.name for query in self.arxiv.queries]
        names += [feed.name for feed in self.feeds]
        return names
