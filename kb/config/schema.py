"""The shape of feeds.yaml: what to follow and how to reach it. Defaults are the documented ones."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_API_URL = "https://export.arxiv.org/api/query"
DEFAULT_RSS_URL = "https://rss.arxiv.org/rss/"
DEFAULT_OAI_URL = "https://oaipmh.arxiv.org/oai"
DEFAULT_DELAY_SECONDS = 3.0
DEFAULT_HTML_URL = "https://arxiv.org/html/"
DEFAULT_PDF_URL = "https://arxiv.org/pdf/"
DEFAULT_CITATIONS_URL = "https://api.semanticscholar.org/graph/v1"


@dataclass(frozen=True)
class ArxivQuery:
    """A saved arXiv API search (`arxiv.queries`)."""

    name: str
    query: str
    #: How far back the first run pages (days); later runs page back to the newest paper already seen.
    first_run_days: int = 14
    #: The most results one run takes from this search, whatever the window.
    max_results: int = 500
    #: The person (`people`) whose author search this is; None for a search written under `arxiv.queries`.
    person: str | None = None
    #: Papers (``arxiv:ID``) this search finds but that are not the person's (author names collide).
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class BlogFeed:
    """A blog or lab feed (`feeds`)."""

    name: str
    url: str
    tags: tuple[str, ...] = ()
    #: The person (`people`) whose blog or social feed this is; None for a feed written under `feeds`.
    person: str | None = None


@dataclass(frozen=True)
class Person:
    """Someone followed wherever they publish (`people`); each way given becomes a source (kb.config.people)."""

    name: str
    #: Author name variants, as arXiv's ``au:`` takes them (``Hinton_G``, ``Geoffrey Hinton``).
    arxiv: tuple[str, ...] = ()
    #: Papers (``arxiv:ID``) the author search finds that are someone else's.
    exclude: tuple[str, ...] = ()
    #: Keep only the person's papers in these arXiv categories (none: any).
    categories: tuple[str, ...] = ()
    #: Their blog's feed URL.
    blog: str | None = None
    #: Their Mastodon account, ``@user@instance`` (or the profile's RSS URL).
    mastodon: str | None = None
    #: Their Bluesky handle, ``alice.bsky.social`` (or the profile's RSS URL).
    bluesky: str | None = None


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
    #: arXiv's HTML renderings of papers (full text, issue 14); kb appends ``<id>v<n>``.
    html_url: str = DEFAULT_HTML_URL
    #: arXiv's PDFs, read when a paper has no usable HTML; kb appends ``<id>v<n>``.
    pdf_url: str = DEFAULT_PDF_URL
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


#: Which papers' full texts `kb fetch` gets (the values of `fulltext.for`).
FULLTEXT_FOR = ("starred", "noted", "tagged", "read")


@dataclass(frozen=True)
class FullTextSettings:
    """The `fulltext:` section: which papers' text `kb fetch` gets, and how much of it kb keeps."""

    #: Papers whose text each `kb fetch` gets: starred, noted (a note links it), tagged, read. [] for none
    #: (`kb fulltext ID` still fetches on demand).
    for_: tuple[str, ...] = ("starred", "noted", "tagged")
    #: Most megabytes of stored (compressed) text; beyond it the least recently used texts are evicted.
    max_mb: int = 2000
    #: Most papers whose text one `kb fetch` gets (each is one or two paced arXiv requests, ~3-6 s).
    per_run: int = 20

    @property
    def max_bytes(self) -> int:
        return self.max_mb * 1024 * 1024


@dataclass(frozen=True)
class CitationSettings:
    """The `citations:` section: references and citing papers of the papers you keep, from Semantic Scholar."""

    #: Fetch them in `kb fetch` at all (`kb citations ID` works either way).
    enabled: bool = True
    #: The Semantic Scholar Graph API (its key, if any, comes from SEMANTIC_SCHOLAR_API_KEY).
    api_url: str = DEFAULT_CITATIONS_URL
    #: Seconds between two requests to it: without a key, 100 requests per 5 minutes are shared by everyone.
    delay_seconds: float = 4.0
    #: Kept papers (starred, noted, tagged) whose lists one `kb fetch` refreshes at most.
    max_per_run: int = 10
    #: References, and citing papers, kept per paper at most (the most cited papers have tens of thousands).
    max_links: int = 1000
    #: Links asked for per request (the API allows up to 1000).
    page_size: int = 100
    #: Days before a paper's lists are fetched again.
    refresh_days: int = 7
    #: Seconds the citations step of one `kb fetch` may take in all.
    max_seconds: float = 120.0
    #: arXiv papers newly citing a starred paper that one `kb fetch` brings into the inbox, at most.
    max_new_per_run: int = 50


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
    fulltext: FullTextSettings = field(default_factory=FullTextSettings)
    citations: CitationSettings = field(default_factory=CitationSettings)
    #: The people followed (`people`). Their sources are also in ``arxiv.queries`` and ``feeds`` (first,
    #: marked with ``person``), so everything that fetches, checks or lists sources treats them alike.
    people: tuple[Person, ...] = ()
    notes: NotesSettings = field(default_factory=NotesSettings)

    def source_names(self) -> list[str]:
        """Every source's name: the announcements, each saved search, each feed."""
        names = [self.arxiv.rss_source_name] if self.arxiv.categories else []
        names += [query.name for query in self.arxiv.queries]
        names += [feed.name for feed in self.feeds]
        return names
