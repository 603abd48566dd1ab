"""Plain, frozen domain objects passed between layers.

No layer hands another an ORM row, a Whoosh hit or a feedparser dict: they pass these.
Everything here is pure (no I/O) so every layer may import it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum


class Kind(StrEnum):
    """What an item is."""

    PAPER = "paper"
    POST = "post"
    NOTE = "note"


class Status(StrEnum):
    """Triage status of a paper or post."""

    NEW = "new"
    READ = "read"
    SKIPPED = "skipped"


class SourceKind(StrEnum):
    """Where a source's items come from."""

    ARXIV_RSS = "arxiv-rss"  # daily announcements of one or more categories
    ARXIV_QUERY = "arxiv-query"  # a saved arXiv API search
    ARXIV_IDS = "arxiv-ids"  # papers asked for by id (kb add, note links)
    FEED = "feed"  # a blog's RSS/Atom feed


# --- identities ---------------------------------------------------------------------------------

# New-style ids (0704.0001 onwards, 4 or 5 digits after the dot) and old-style ids (hep-th/9901001).
_NEW_ID = r"\d{4}\.\d{4,5}"
_OLD_ID = r"[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7}"
ARXIV_ID_PATTERN = rf"(?:{_NEW_ID}|{_OLD_ID})"
_ARXIV_ID_RE = re.compile(rf"^(?:arxiv:)?(?P<id>{ARXIV_ID_PATTERN})(?:v(?P<version>\d+))?$", re.IGNORECASE)
_ARXIV_URL_RE = re.compile(
    rf"^https?://(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/(?P<id>{ARXIV_ID_PATTERN})(?:v(?P<version>\d+))?(?:\.pdf)?/?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ArxivId:
    """An arXiv identifier split into the versionless id and an optional version."""

    id: str
    version: int | None = None

    @property
    def key(self) -> str:
        """The item id kb uses everywhere: ``arxiv:1706.03762``."""
        return f"arxiv:{self.id}"


def parse_arxiv_id(text: str) -> ArxivId | None:
    """Parse ``1706.03762``, ``arxiv:1706.03762v7``, ``hep-th/9901001`` or an abs/pdf URL; None if not an id."""
    text = text.strip()
    match = _ARXIV_ID_RE.match(text) or _ARXIV_URL_RE.match(text)
    if match is None:
        return None
    arxiv_id = match.group("id")
    # Old-style archive names are lower case, their subject class (math.GT) upper case.
    if "/" in arxiv_id:
        archive, number = arxiv_id.split("/", 1)
        name, _, subject = archive.partition(".")
        archive = f"{name.lower()}.{subject.upper()}" if subject else name.lower()
        arxiv_id = f"{archive}/{number}"
    version = match.group("version")
    return ArxivId(arxiv_id, int(version) if version else None)


def post_id(feed_name: str, entry_key: str) -> str:
    """The item id of a blog post: stable for a feed name and the entry's guid (or link)."""
    digest = hashlib.sha1(f"{feed_name}\0{entry_key}".encode()).hexdigest()[:12]
    return f"post:{digest}"


def note_id(relative_path: str) -> str:
    """The item id of a note: its path under ``notes/``, with forward slashes."""
    return f"note:{relative_path}"


# --- fetched data -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Author:
    """An author, with affiliations where arXiv gives them."""

    name: str
    affiliations: tuple[str, ...] = ()


@dataclass(frozen=True)
class FetchedItem:
    """One paper or post as a fetcher parsed it, before it meets the store."""

    id: str  # arxiv:1706.03762 or post:<hash>
    kind: Kind
    title: str
    summary: str  # plain text: the abstract, or the post's text without markup
    url: str
    authors: tuple[Author, ...] = ()
    published: datetime | None = None  # timezone-aware UTC
    updated: datetime | None = None
    # papers
    version: int | None = None
    categories: tuple[str, ...] = ()  # primary category first
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    pdf_url: str | None = None
    announce_type: str | None = None  # new, cross, replace, replace-cross (arXiv RSS)
    # posts
    html: str | None = None  # sanitized HTML of the post, for the reader
    feed: str | None = None  # the feed's name
    guid: str | None = None  # the entry's id, or its link when it has none


@dataclass(frozen=True)
class SourceResult:
    """What fetching one source gave: items, and how it went."""

    source: str  # the source's name (a category list, query name or feed name)
    kind: SourceKind
    items: tuple[FetchedItem, ...] = ()
    ok: bool = True
    http_status: int | None = None
    error: str | None = None  # one readable line when not ok
    complete: bool = True  # False when arXiv gave empty/short pages that stayed so after retries
    not_modified: bool = False  # the server answered 304
    etag: str | None = None  # to remember for the next conditional request
    last_modified: str | None = None
    url: str | None = None  # the URL finally fetched (after a permanent redirect)
    duration: float = 0.0


@dataclass(frozen=True)
class FeedState:
    """What kb remembers about a source between runs (conditional requests, paging)."""

    source: str
    etag: str | None = None
    last_modified: str | None = None
    last_success: datetime | None = None  # when it last fetched without error
    newest_seen: datetime | None = None  # newest item date seen (arXiv queries page back to here)
    failures: int = 0  # consecutive failures


# --- stored data --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """A paper or post as the store holds it, with the person's triage state."""

    id: str
    kind: Kind
    title: str
    summary: str
    url: str
    authors: tuple[Author, ...] = ()
    published: datetime | None = None
    updated: datetime | None = None
    version: int | None = None
    categories: tuple[str, ...] = ()
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    pdf_url: str | None = None
    html: str | None = None
    feed: str | None = None
    sources: tuple[str, ...] = ()
    status: Status = Status.NEW
    starred: bool = False
    tags: tuple[str, ...] = ()
    first_seen: datetime | None = None  # when kb first stored it
    status_changed: datetime | None = None
    starred_changed: datetime | None = None
    tags_changed: datetime | None = None
    previous_version: int | None = None  # the version before the latest update, for "v2 -> v3"
    has_metadata: bool = True  # False for a paper known only by id (linked from a note, not fetched yet)
    alert: str | None = None  # what changed since the person last triaged it: "v2 -> v3", "now published in ..."

    @property
    def dated(self) -> datetime | None:
        """The date kb files the item under, everywhere (lists, inbox, reader, search): when it was published,
        else when arXiv announced it (an RSS replacement carries only that, as ``updated``), else when kb first
        saw it. The store's order (kb.store.queries) is the same rule in SQL.
        """
        return self.published or self.updated or self.first_seen


@dataclass(frozen=True)
class UpsertReport:
    """What storing a batch of fetched items changed."""

    new: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: int = 0


def normalise_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Tags as kb keeps them: stripped, lower case, without empties or duplicates, sorted (the one rule)."""
    return tuple(sorted({tag.strip().lower() for tag in tags} - {""}))


@dataclass(frozen=True)
class TriageChange:
    """What one triage action sets on an item; None leaves that field as it is. Tags come normalised."""

    status: Status | None = None
    starred: bool | None = None
    tags: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if isinstance(self.tags, str):  # a bare string would become one tag per character
            object.__setattr__(self, "tags", (self.tags,))
        if self.tags is not None:
            object.__setattr__(self, "tags", normalise_tags(self.tags))


@dataclass(frozen=True)
class IndexBacklog:
    """Changes the search index has not been told of yet, read from the store's queue up to ``upto``."""

    upto: int = 0  # the highest queue position read: what the index has once these are applied
    updates: tuple[str, ...] = ()  # document ids to (re)index from the store and notes/
    deletes: tuple[str, ...] = ()  # document ids to remove


@dataclass(frozen=True)
class ItemFilter:
    """A selection of stored items (kb list, the inbox)."""

    status: Status | None = None
    kind: Kind | None = None
    source: str | None = None
    since: datetime | None = None  # first seen at or after
    starred: bool | None = None
    tag: str | None = None
    ids: tuple[str, ...] | None = None
    limit: int | None = None
    offset: int = 0

    def admits(self, item: Item) -> bool:
        """Whether ``item`` is among what this filter selects (limit and offset aside).

        This is what each field means; the store's SQL (kb.store.queries) translates it, and a test holds the
        two to agree. The inbox asks it whether a row it triaged still belongs to its list.
        """
        since = self.since.replace(tzinfo=self.since.tzinfo or UTC) if self.since else None
        return (
            (self.status is None or item.status == self.status)
            and (self.kind is None or item.kind == self.kind)
            and (self.source is None or self.source in item.sources)
            and (since is None or (item.first_seen is not None and item.first_seen >= since))
            and (self.starred is None or item.starred is self.starred)
            and (self.tag is None or self.tag.strip().lower() in item.tags)  # tags are kept stripped, lower case
            and (self.ids is None or item.id in self.ids)
        )


def newest_first(item: Item) -> tuple[float, float, str]:
    """The order items are listed in, as an ascending key: by `Item.dated`, then first seen, newest first; then id.

    The store's SQL (kb.store.queries) sorts the same way; a test holds them to agree.
    """
    dated = -item.dated.timestamp() if item.dated else float("inf")
    first_seen = -item.first_seen.timestamp() if item.first_seen else float("inf")
    return (dated, first_seen, item.id)


@dataclass(frozen=True)
class HarvestState:
    """Where one `kb backfill` harvest stands, kept in the store after each page so a killed run resumes.

    ``key`` names the harvest by what the person asked (set, since, until): the same arguments continue it.
    """

    key: str
    set_spec: str  # the OAI set: cs, physics:hep-th, cs:cs:LG
    category: str | None  # a category's records are filtered to it (cs.LG)
    since: date  # papers submitted (version 1) on or after this day are kept
    until: date | None  # ... and on or before this one
    harvest_from: date  # the OAI ``from`` of the current pass: since, or the last datestamp after a lost token
    token: str | None = None  # where the next page starts; None before the first page and after the last
    token_expires: datetime | None = None
    last_datestamp: str | None = None  # the latest record datestamp seen (YYYY-MM-DD)
    pages: int = 0
    records: int = 0  # records read (deleted ones included)
    stored: int = 0  # papers in the window handed to the store
    new: int = 0  # of those, papers kb did not have
    deleted: int = 0  # deleted records (skipped: nothing to store)
    skipped: int = 0  # records outside the window or the category
    complete: bool = False
    started: datetime | None = None
    updated: datetime | None = None


@dataclass(frozen=True)
class FetchRunSummary:
    """One `kb fetch` run as the fetch log holds it."""

    run_id: int
    started: datetime
    finished: datetime | None
    new: int
    updated: int
    failed_sources: tuple[str, ...]


@dataclass(frozen=True)
class SourceLogEntry:
    """How fetching one source went in one run, as the fetch log holds it."""

    run_id: int | None
    source: str
    kind: str  # a SourceKind value
    when: datetime
    http_status: int | None
    ok: bool
    complete: bool
    not_modified: bool
    new: int
    updated: int
    unchanged: int
    error: str | None  # one readable line when not ok
    duration: float
    url: str | None  # the URL finally fetched


# --- notes ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Note:
    """A markdown note under notes/, as parsed (never rewritten by parsing)."""

    path: str  # relative to notes/, forward slashes
    title: str
    body: str  # the text after the front matter
    tags: tuple[str, ...] = ()
    # Linked item ids, in order: those the front matter names (arxiv:... without version, post:...), then the
    # papers the body links outside quotes and code. They make backlinks; only ``owns`` makes a note an item's own.
    papers: tuple[str, ...] = ()
    note_links: tuple[str, ...] = ()  # [[target]] names of other notes, as written (without |alias)
    created: str | None = None
    front_matter_error: str | None = None  # "line 3: ..." when the YAML could not be read
    mtime_ns: int = 0
    size: int = 0
    # What the front matter names (kb.notes.ownership): arxiv:/post: ids and post URLs. Read from the file
    # itself; the store's note cache does not keep it.
    owns: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return note_id(self.path)


# --- full text (issue 14) ------------------------------------------------------------------------


class SectionKind(StrEnum):
    """What a section of a paper is, guessed from its heading: the values of the ``in:`` filter."""

    ABSTRACT = "abstract"
    INTRODUCTION = "introduction"
    BACKGROUND = "background"
    RELATED = "related"
    METHOD = "method"
    EXPERIMENTS = "experiments"
    RESULTS = "results"
    DISCUSSION = "discussion"
    CONCLUSION = "conclusion"
    ACKNOWLEDGMENTS = "acknowledgments"
    REFERENCES = "references"
    APPENDIX = "appendix"
    OTHER = "other"


# First match wins, tried on the lower-cased heading without its number; order matters ("related work" before
# "work", "experimental results" is results). Headings no rule knows are OTHER: an author's own title for the
# method section ("Out-of-context reasoning") cannot be told apart from any other section by its words.
_SECTION_RULES: tuple[tuple[SectionKind, tuple[str, ...]], ...] = (
    (SectionKind.ABSTRACT, ("abstract",)),
    (SectionKind.REFERENCES, ("references", "bibliography", "works cited", "literature cited")),
    (SectionKind.ACKNOWLEDGMENTS, ("acknowledg", "funding")),
    (SectionKind.APPENDIX, ("appendix", "appendices", "supplementary", "supplemental")),
    (SectionKind.INTRODUCTION, ("introduction", "overview", "motivation")),
    (SectionKind.RELATED, ("related work", "related literature", "prior work", "previous work", "literature review")),
    (SectionKind.BACKGROUND, ("background", "preliminar", "problem setting", "problem formulation", "notation")),
    (SectionKind.RESULTS, ("results", "evaluation", "findings", "ablation", "analysis")),
    (SectionKind.EXPERIMENTS, ("experiment", "empirical", "setup", "benchmark")),
    (
        SectionKind.METHOD,
        ("method", "approach", "model", "architecture", "algorithm", "framework", "proposed", "training"),
    ),
    (SectionKind.DISCUSSION, ("discussion", "limitation", "broader impact", "future work", "ethic")),
    (SectionKind.CONCLUSION, ("conclusion", "concluding", "summary")),
)


def section_kind(heading: str, in_appendix: bool = False) -> SectionKind:
    """The kind of a section with this heading (without its number).

    Inside an appendix every section is APPENDIX, but references and acknowledgments keep their kind: ``in:method``
    should not find the appendix's extra ablations, ``in:references`` should find the references wherever they are.
    """
    words = heading.strip().lower()
    for kind, keys in _SECTION_RULES:
        if any(re.search(rf"\b{key}", words) for key in keys):  # a word's start: "preferences" is no reference
            if in_appendix and kind not in (SectionKind.REFERENCES, SectionKind.ACKNOWLEDGMENTS):
                return SectionKind.APPENDIX
            return kind
    return SectionKind.APPENDIX if in_appendix else SectionKind.OTHER


class FullTextSource(StrEnum):
    """Where a paper's full text came from."""

    HTML = "html"  # arXiv's LaTeXML rendering
    PDF = "pdf"  # text extracted from the PDF


@dataclass(frozen=True)
class Section:
    """One section of a paper's full text, in reading order.

    ``text`` is Markdown: paragraphs, figure and table captions (``Table 1: ...``), footnotes and list items, with
    math as its LaTeX between ``$`` signs (so ``\\mathcal{L}`` is findable). ``number`` is the paper's own
    numbering ("3.2", "A.1") or "" when it has none; ``level`` is 1 for a section, 2 for a subsection, and so on.
    The text before the first heading (a PDF's title page, say) is a section with an empty heading.
    """

    heading: str
    text: str
    kind: SectionKind = SectionKind.OTHER
    number: str = ""
    level: int = 1

    @property
    def anchor(self) -> str:
        """How a note links this section: its number when it has one, else its heading."""
        return self.number or self.heading


@dataclass(frozen=True)
class FullText:
    """A paper's full text: the arXiv version it came from and its sections in order."""

    item_id: str
    source: FullTextSource
    version: int | None
    sections: tuple[Section, ...]

    @property
    def text(self) -> str:
        """The whole text as Markdown, headings included (for ``kb fulltext --text`` and grep)."""
        parts: list[str] = []
        for section in self.sections:
            if section.heading:
                title = f"{section.number} {section.heading}".strip()
                parts.append(f"{'#' * min(max(section.level, 1) + 1, 6)} {title}")
            if section.text:
                parts.append(section.text)
        return "\n\n".join(parts)

    @property
    def size(self) -> int:
        """Bytes of text held (UTF-8), the figure ``kb show --json`` reports as ``bytes``."""
        return sum(len(s.heading.encode()) + len(s.text.encode()) for s in self.sections)

    def section(self, anchor: str) -> Section | None:
        """The section a link names: by number ("3.2"), else by heading, case-insensitively."""
        wanted = anchor.strip().lower()
        for section in self.sections:
            if section.number and section.number.lower() == wanted:
                return section
        for section in self.sections:
            if section.heading.lower() == wanted:
                return section
        return None


@dataclass(frozen=True)
class FullTextInfo:
    """What the store knows of a stored full text without loading it (``kb show --json``'s ``fulltext``)."""

    item_id: str
    source: FullTextSource
    version: int | None
    sections: int
    bytes: int  # text size, uncompressed
    stored_bytes: int  # compressed, as held in the store
    fetched: datetime
    last_used: datetime


# --- search --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexDoc:
    """Everything the search index needs to know about one paper, post or note."""

    id: str
    kind: Kind
    title: str
    text: str  # abstract, post text or note body
    authors: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()  # feed / search names; for posts the feed
    status: Status | None = None  # None for notes
    starred: bool = False
    has_note: bool = False
    published: datetime | None = None
    comment: str | None = None
    journal_ref: str | None = None
    linked_papers: tuple[str, ...] = ()  # for notes: ids of papers they link
    linked_titles: tuple[str, ...] = ()  # for notes: titles of those papers
    sections: tuple[Section, ...] = ()  # for papers whose full text kb holds (issue 14)


@dataclass(frozen=True)
class Hit:
    """One search result."""

    id: str
    kind: Kind
    title: str
    score: float
    snippet: str  # plain text, matches marked with the marker pair given to the search
    published: datetime | None = None
    section: str | None = None  # "3.2 Method": the full-text section the snippet is from, when only the body matched


@dataclass(frozen=True)
class SearchResult:
    """The hits of one query, best first (or newest first)."""

    query: str
    hits: tuple[Hit, ...] = ()
    total: int = 0
    elapsed: float = 0.0
    extra: dict[str, str] = field(default_factory=dict)


# --- citations (Semantic Scholar) ---------------------------------------------------------------


class LinkDirection(StrEnum):
    """Which list of a paper a link belongs to: what it cites, or what cites it."""

    REFERENCES = "references"
    CITATIONS = "citations"


@dataclass(frozen=True)
class LinkedPaper:
    """A paper on the other end of a citation, as Semantic Scholar names it (any field may be missing)."""

    title: str
    arxiv_id: str | None = None  # the kb id, arxiv:1706.03762, when the paper is on arXiv
    doi: str | None = None
    s2_id: str | None = None  # Semantic Scholar's paperId
    year: int | None = None


@dataclass(frozen=True)
class CitationLists:
    """What Semantic Scholar said of one paper: its references and the papers citing it, each in its order.

    ``error`` is one readable line when the lists could not be had (``not_found``: S2 does not know the paper,
    which is an answer and is kept like any other until the next refresh).
    """

    paper_id: str  # the kb id of the paper asked about
    references: tuple[LinkedPaper, ...] = ()
    citations: tuple[LinkedPaper, ...] = ()
    complete: bool = True  # False when a list was cut at citations.max_links
    not_found: bool = False
    error: str | None = None
    fetched_at: datetime | None = None
    requests: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None or self.not_found


@dataclass(frozen=True)
class SimilarHit:
    """One document like the one asked about, with the source's key words it shares (strongest first)."""

    hit: Hit
    shared: tuple[str, ...] = ()


@dataclass(frozen=True)
class SimilarResult:
    """What `kb similar` found: the source's key words (strongest first) and the documents most like it."""

    terms: tuple[str, ...] = ()
    hits: tuple[SimilarHit, ...] = ()
    elapsed: float = 0.0
    #: The ids whose text made the key words: the paper itself, or the papers a note links.
    based_on: tuple[str, ...] = ()
