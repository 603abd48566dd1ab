"""OPML in and out: `kb opml import FILE` adds a subscription list's feeds to feeds.yaml; `kb opml export`.

Reading goes through listparser (a well-kept OPML parser that recovers from broken files). A file that is not
well-formed XML is first repaired when the fault is a bare ``&`` (the common one in real exports); otherwise it
is read as best listparser can, with a warning that feeds may be missing. arXiv announcement URLs become
``arxiv.categories`` and arXiv API search URLs ``arxiv.queries``, the reverse of what export writes, so a list
round-trips. feeds.yaml is edited as text (kb.config.edit), validated, then replaced atomically.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

from kb.config import ArxivQuery, BlogFeed, Config, parse_config_text
from kb.config.edit import Entry, append_entries, write_atomically
from kb.errors import ConfigError, UsageError
from kb.text import one_line

MAX_BYTES = 20 * 1024 * 1024
_ARXIV_HOSTS = {"rss.arxiv.org", "export.arxiv.org", "arxiv.org", "www.arxiv.org"}
_BARE_AMPERSAND = re.compile(rb"&(?!#[0-9]+;|#x[0-9A-Fa-f]+;|[A-Za-z_][A-Za-z0-9._-]*;)")
_XML_URL = re.compile(rb"""xmlurl\s*=\s*["']([^"'<>]*)""", re.IGNORECASE)
_NOT_XML = re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class OpmlFeed:
    """A feed as an OPML file lists it."""

    title: str
    url: str
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Skipped:
    """An outline that was not added, and why."""

    title: str
    url: str
    reason: str


@dataclass
class OpmlImport:
    """What `kb opml import` added (or, with dry_run, would add), skipped and warned about."""

    feeds: list[BlogFeed] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    queries: list[ArxivQuery] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)  # (title in the file, name given)
    warnings: list[str] = field(default_factory=list)
    written: bool = False

    @property
    def added(self) -> int:
        return len(self.feeds) + len(self.categories) + len(self.queries)


# --- reading OPML -------------------------------------------------------------------------------


def _xml_problem(raw: bytes) -> str | None:
    """Why ``raw`` is not well-formed XML (``line 12, column 40: ...``), or None."""
    try:
        ET.fromstring(raw)  # expat: no external entities, and guarded against entity expansion
    except ET.ParseError as error:
        line, column = error.position
        return f"line {line}, column {column}: " + str(error).split(": line")[0]
    return None


def _tags(categories: list[list[str]]) -> tuple[str, ...]:
    """feeds.yaml tags from OPML categories: every level's name, lower case, spaces as hyphens."""
    tags = (re.sub(r"\s+", "-", one_line(name).strip().lower()) for path in categories for name in path)
    return tuple(dict.fromkeys(tag.strip("-/") for tag in tags if tag.strip("-/")))


def read_opml(raw: bytes, name: str) -> tuple[list[OpmlFeed], list[str]]:
    """The feeds of an OPML file and warnings about it; UsageError when it is not OPML at all."""
    import listparser  # a few hundred ms of imports only `kb opml` should pay

    if len(raw) > MAX_BYTES:
        raise UsageError(f"{name}: {len(raw)} bytes is too large for a subscription list")
    if not raw.strip():
        raise UsageError(f"{name}: the file is empty")
    warnings: list[str] = []
    problem = _xml_problem(raw)
    if problem is not None:
        # A bare & is the common fault of real exports, and &amp; is always what was meant.
        repaired = _BARE_AMPERSAND.sub(b"&amp;", raw)
        if repaired != raw and _xml_problem(repaired) is None:
            warnings.append(f"{name}: {problem}; read with each bare '&' taken as '&amp;'")
        else:
            warnings.append(f"{name}: {problem}; not well-formed XML, read as best it could")
        raw = repaired
    result = listparser.parse(raw)  # bytes, always: a str starting with http:// would be fetched
    if not str(result.get("version") or "").startswith("opml"):
        detail = f" ({problem})" if problem else ""
        raise UsageError(f"{name}: not an OPML subscription list{detail}", hint="export one from your feed reader")
    if result.get("bozo") and result.get("bozo_exception") is not None:
        warnings.append(f"{name}: {one_line(str(result['bozo_exception']), 200)}")
    if result.get("lists"):
        warnings.append(f'{name}: {len(result["lists"])} linked subscription lists (type="include") not followed')
    feeds = [
        OpmlFeed(
            one_line(str(feed.get("title") or ""), 200),
            str(feed.get("url") or "").strip(),
            _tags(feed.get("categories") or []),
        )
        for feed in result.get("feeds") or []
    ]
    if problem is not None:
        listed = {url.strip() for url in _XML_URL.findall(raw) if url.strip()}
        if len(feeds) < len(listed):
            warnings.append(f"{name}: {len(listed) - len(feeds)} of {len(listed)} feeds could not be read")
    return feeds, warnings


# --- planning what to add -------------------------------------------------------------------------


def same_url_key(url: str) -> str:
    """URLs that name the same feed compare equal: scheme and host case, http/https and a trailing / ignored."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    port = f":{parts.port}" if parts.port and parts.port not in (80, 443) else ""
    return f"{host}{port}{parts.path.rstrip('/')}?{parts.query}"


def _category_ok(category: str) -> bool:
    """True for a category in arXiv's taxonomy (asked of the config validator, which ships it)."""
    if not re.fullmatch(r"[A-Za-z-]+(\.[A-Za-z-]+)?", category):
        return False
    try:
        parse_config_text(f"arxiv:\n  categories: [{category}]\n", Path("feeds.yaml"))
    except ConfigError:
        return False
    return True


class _Planner:
    def __init__(self, config: Config, result: OpmlImport) -> None:
        self.config = config
        self.result = result
        self.names = {name.lower() for name in config.source_names()}
        self.urls = {same_url_key(feed.url): feed.name for feed in config.feeds}
        self.categories = set(config.arxiv.categories)
        self.queries = {query.query: query.name for query in config.arxiv.queries}

    def add(self, feed: OpmlFeed) -> None:
        parts = urlsplit(feed.url)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc or re.search(r"\s", feed.url):
            self.skip(feed, "not an http(s) URL")
        elif self.arxiv_rss(feed.url) is not None:
            self.add_categories(feed, self.arxiv_rss(feed.url) or [])
        elif self.arxiv_api(feed.url):
            self.add_query(feed)
        elif same_url_key(feed.url) in self.urls:
            self.skip(feed, f"already followed as '{self.urls[same_url_key(feed.url)]}'")
        else:
            name = self.unique_name(feed)
            self.urls[same_url_key(feed.url)] = name
            self.result.feeds.append(BlogFeed(name=name, url=feed.url, tags=feed.tags))

    def skip(self, feed: OpmlFeed, reason: str) -> None:
        self.result.skipped.append(Skipped(feed.title, feed.url, reason))

    def unique_name(self, feed: OpmlFeed) -> str:
        host = (urlsplit(feed.url).hostname or "feed").removeprefix("www.")
        wanted = feed.title or host
        candidates = [wanted, f"{wanted} ({host})", *(f"{wanted} ({host}) {n}" for n in range(2, 1000))]
        name = next(c for c in candidates if c.lower() not in self.names)
        if name != wanted:
            self.result.renamed.append((wanted, name))
        self.names.add(name.lower())
        return name

    def arxiv_rss(self, url: str) -> list[str] | None:
        """The categories of an arXiv announcements URL, or None when it is not one."""
        base = self.config.arxiv.rss_url
        if url.startswith(base) and base.rstrip("/") != url.rstrip("/"):
            return url[len(base) :].strip("/").split("+")
        parts = urlsplit(url)
        found = re.fullmatch(r"/(?:rss|atom)/([^/]+)/?", parts.path)
        if (parts.hostname or "").lower() in _ARXIV_HOSTS and found:
            return found.group(1).split("+")
        return None

    def arxiv_api(self, url: str) -> bool:
        parts = urlsplit(url)
        ours = url.startswith(self.config.arxiv.api_url + "?")
        return ours or ((parts.hostname or "").lower() in _ARXIV_HOSTS and parts.path.rstrip("/") == "/api/query")

    def add_categories(self, feed: OpmlFeed, categories: list[str]) -> None:
        for category in categories:
            if category in self.categories:
                self.skip(feed, f"arXiv category {category} already followed")
            elif not _category_ok(category):
                self.skip(feed, f"'{one_line(category, 40)}' is not an arXiv category")
            else:
                self.categories.add(category)
                self.result.categories.append(category)

    def add_query(self, feed: OpmlFeed) -> None:
        search = parse_qs(urlsplit(feed.url).query).get("search_query")
        if not search or not search[0].strip():
            self.skip(feed, "an arXiv API URL without a search_query")
        elif search[0] in self.queries:
            self.skip(feed, f"already a saved search: '{self.queries[search[0]]}'")
        else:
            name = self.unique_name(OpmlFeed(feed.title or "arxiv search", feed.url))
            self.queries[search[0]] = name
            self.result.queries.append(ArxivQuery(name=name, query=search[0]))


def plan_import(config: Config, feeds: list[OpmlFeed], result: OpmlImport) -> None:
    """Decide, feed by feed, what to add to ``config`` and what to skip (into ``result``)."""
    planner = _Planner(config, result)
    for feed in feeds:
        planner.add(feed)


# --- writing feeds.yaml -----------------------------------------------------------------------------


def _edited(text: str, result: OpmlImport) -> str:
    feed_entries: list[Entry] = []
    for feed in result.feeds:
        entry: dict[str, str | list[str]] = {"name": feed.name, "url": feed.url}
        if feed.tags:
            entry["tags"] = list(feed.tags)
        feed_entries.append(entry)
    queries: list[Entry] = [{"name": query.name, "query": query.query} for query in result.queries]
    text = append_entries(text, ("arxiv", "categories"), list(result.categories))
    text = append_entries(text, ("arxiv", "queries"), queries)
    return append_entries(text, ("feeds",), feed_entries)


def import_opml(path: Path, raw: bytes, name: str, dry_run: bool = False) -> OpmlImport:
    """Add an OPML file's feeds to the feeds.yaml at ``path``; never writes an invalid or half-written file."""
    path = path.resolve()  # a symlinked feeds.yaml is written where it really lives
    original = path.read_bytes()
    text = original.decode("utf-8-sig")
    config = parse_config_text(text, path)
    feeds, warnings = read_opml(raw, name)
    if not feeds:
        raise UsageError(f"{name}: no feeds in this OPML file", hint="feeds are outlines with an xmlUrl")
    result = OpmlImport(warnings=warnings)
    plan_import(config, feeds, result)
    if not result.added:
        return result
    new_text = _edited(text, result)
    try:
        new_config = parse_config_text(new_text, path)
    except ConfigError as error:
        raise UsageError(f"the edited feeds.yaml would not be valid ({error}); nothing written") from None
    expected = (config.feeds + tuple(result.feeds), config.arxiv.queries + tuple(result.queries))
    if (new_config.feeds, new_config.arxiv.queries) != expected:  # pragma: no cover - a bug in the text edit
        raise UsageError("editing feeds.yaml went wrong; nothing written", hint="please report this")
    if not dry_run:
        bom = b"\xef\xbb\xbf" if original.startswith(b"\xef\xbb\xbf") else b""
        write_atomically(path, bom + new_text.encode("utf-8"), expect=original)
        result.written = True
    return result


# --- writing OPML -----------------------------------------------------------------------------------


def _outline(parent: ET.Element, text: str, url: str, category: str) -> None:
    clean = _NOT_XML.sub("", text)
    attributes = {"type": "rss", "text": clean, "title": clean, "xmlUrl": _NOT_XML.sub("", url)}
    if category:
        attributes["category"] = _NOT_XML.sub("", category)
    ET.SubElement(parent, "outline", attributes)


def export_opml(config: Config, now: datetime | None = None) -> str:
    """feeds.yaml as OPML 2.0: feeds (tags as categories), arXiv categories and saved searches as feed URLs."""
    root = ET.Element("opml", {"version": "2.0"})
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = "kb subscriptions"
    ET.SubElement(head, "dateCreated").text = format_datetime(now or datetime.now(UTC), usegmt=True)
    ET.SubElement(head, "docs").text = "https://opml.org/spec2.opml"
    body = ET.SubElement(root, "body")
    for category in config.arxiv.categories:
        _outline(body, f"arXiv {category}", config.arxiv.rss_url + category, "arxiv")
    for query in config.arxiv.queries:
        params = {"search_query": query.query, "sortBy": "submittedDate", "sortOrder": "descending"}
        _outline(body, query.name, f"{config.arxiv.api_url}?{urlencode(params)}", "arxiv-search")
    for feed in config.feeds:
        _outline(body, feed.name, feed.url, ",".join(feed.tags))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
