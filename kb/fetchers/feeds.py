"""A blog's RSS/Atom bytes to FetchedItems, through feedparser.

A pure function of its inputs (no network), so it can run in a worker process. feedparser never raises
on a malformed feed: it sets ``bozo``. kb keeps the entries of a bozo feed and calls it an error only
when nothing usable came out.
"""

from __future__ import annotations

import calendar
import html
import io
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser
from feedparser.urls import RelativeURIResolver, make_safe_absolute_uri

from kb.fetchers.htmltext import html_to_text
from kb.models import Author, FetchedItem, Kind, post_id

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_LOOKS_LIKE_HTML = re.compile(
    r"</(?:a|p|div|span|li|ul|ol|em|strong|b|i|h[1-6]|blockquote|pre|code|table)>|<br\s*/?>", re.I
)
# Sanitized HTML escapes < and > in text and double-quotes every attribute, so tags can be matched.
_TAG = re.compile(r"(?P<open><(?P<name>[a-zA-Z][\w:-]*))(?P<attrs>[^<>]*)(?P<close>>)")
_ATTRIBUTE = re.compile(r'(?P<lead>\s(?P<attr>[\w:-]+)=")(?P<uri>[^"]*)"')
_URI_ATTRIBUTES = frozenset(RelativeURIResolver.relative_uris)
_URI_TAGS = frozenset(tag for tag, _ in _URI_ATTRIBUTES)
_HTML_START = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html)", re.I | re.S)


@dataclass(frozen=True)
class ParsedFeed:
    """The items of one feed, or why there are none."""

    items: tuple[FetchedItem, ...] = ()
    error: str | None = None


def parse_feed(body: bytes, headers: Mapping[str, str], feed_name: str, url: str) -> ParsedFeed:
    """Parse a downloaded feed: ``headers`` of the response (lower-case names), ``url`` it came from."""
    if not body.strip():
        return ParsedFeed(error="empty response: no feed in the body")
    response_headers = {name.lower(): value for name, value in headers.items()}
    # Relative links resolve against Content-Location, else against the URL the bytes came from.
    response_headers["content-location"] = urljoin(url, response_headers.get("content-location", ""))
    # feedparser's own pass over embedded HTML to resolve links costs a third of its time; we resolve
    # them in the sanitized output instead (resolve_uris), against the same per-element base.
    parsed = feedparser.parse(io.BytesIO(body), response_headers=response_headers, resolve_relative_uris=False)
    entries = parsed.get("entries") or []
    if not entries:
        problem = _why_no_entries(parsed, body, response_headers)
        if problem:
            return ParsedFeed(error=problem)
    base = response_headers["content-location"]
    feed_authors = _authors(parsed.get("feed", {}))
    items: dict[str, FetchedItem] = {}
    for entry in entries:
        item = _post(entry, feed_name, base, feed_authors)
        items.setdefault(item.id, item)  # a feed that repeats an entry gives it once
    return ParsedFeed(tuple(items.values()))


def _why_no_entries(parsed: Any, body: bytes, headers: Mapping[str, str]) -> str | None:
    """The error for a document with no entries, or None when it is a valid, empty feed."""
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if _HTML_START.match(body[:2048]) or (content_type == "text/html" and not parsed.get("version")):
        return f"not a feed: the server sent an HTML page ({content_type or 'no content type'})"
    if parsed.get("bozo"):
        return f"not a feed: {_describe(parsed.get('bozo_exception'))}"
    if not parsed.get("version"):
        return "not a feed: neither RSS nor Atom"
    return None


def _describe(exc: object) -> str:
    text = " ".join(str(exc).split()) if exc is not None else ""
    # SAX errors read "<unknown>:188:0: junk after document element".
    text = re.sub(r"^<unknown>:(\d+):(\d+):\s*", r"line \1, column \2: ", text)
    return text or "the document could not be parsed"


def _post(entry: Any, feed_name: str, base: str, feed_authors: tuple[Author, ...]) -> FetchedItem:
    link = entry.get("link") or ""
    url = urljoin(base, link) if link else base
    guid = entry.get("id") or (url if link else None)
    body_html = _entry_html(entry, base)
    title = _title(entry) or "(untitled)"
    key = guid or f"title:{title}"
    published = _date(entry, "published_parsed") or _date(entry, "created_parsed")
    updated = _date(entry, "updated_parsed")
    return FetchedItem(
        id=post_id(feed_name, key),
        kind=Kind.POST,
        title=title,
        summary=html_to_text(body_html),
        url=url,
        authors=_authors(entry) or feed_authors,
        published=published or updated,
        updated=updated,
        html=body_html,
        feed=feed_name,
        guid=guid,
    )


def _entry_html(entry: Any, base: str) -> str:
    """The fullest body: content (HTML preferred), else the summary; plain text is escaped."""
    contents = entry.get("content") or []
    for wanted in (_HTML_TYPES, None):
        for content in contents:
            if content.get("value") and (wanted is None or content.get("type") in wanted):
                return _as_html(content.get("value", ""), content.get("type", ""), content.get("base") or base)
    detail = entry.get("summary_detail") or {}
    return _as_html(entry.get("summary", ""), detail.get("type", "text/html"), detail.get("base") or base)


def resolve_uris(markup: str, base: str) -> str:
    """Make the links of sanitized HTML absolute, as feedparser's resolver would (same tags, same rules)."""
    if not base or "=" not in markup:
        return markup
    return _TAG.sub(lambda tag: _resolve_tag(tag, base), markup)


def _resolve_tag(tag: re.Match[str], base: str) -> str:
    name = tag.group("name").lower()
    if name not in _URI_TAGS:
        return tag.group(0)

    def resolve(attribute: re.Match[str]) -> str:
        uri = attribute.group("uri").strip()
        if not uri or (name, attribute.group("attr").lower()) not in _URI_ATTRIBUTES:
            return attribute.group(0)  # empty: the sanitizer already removed an unsafe link
        # Unsafe schemes (javascript:) come out empty, as in feedparser.
        return f'{attribute.group("lead")}{make_safe_absolute_uri(base, uri)}"'

    return tag.group("open") + _ATTRIBUTE.sub(resolve, tag.group("attrs")) + tag.group("close")


def _as_html(value: str, content_type: str, base: str) -> str:
    if content_type in _HTML_TYPES:
        return resolve_uris(value, base)
    if _LOOKS_LIKE_HTML.search(value):
        # Escaped HTML in a "text" element (common in generated feeds): keep its text, not its tags,
        # since feedparser sanitizes only what is declared HTML.
        value = html_to_text(value)
    return "\n".join(f"<p>{html.escape(part.strip())}</p>" for part in value.split("\n\n") if part.strip())


def _title(entry: Any) -> str:
    title = entry.get("title", "")
    detail = entry.get("title_detail") or {}
    if detail.get("type") in _HTML_TYPES:
        return html_to_text(title)
    return " ".join(title.split())


def _authors(container: Any) -> tuple[Author, ...]:
    authors = []
    for author in container.get("authors") or []:
        name = " ".join((author.get("name") or author.get("email") or "").split())
        if name:
            authors.append(Author(name))
    return tuple(authors)


#: Dates before this are placeholders for "no date" (0001-01-01, 1970-01-01), never a real post's.
EARLIEST_DATE = datetime(1971, 1, 1, tzinfo=UTC)


def _date(entry: Any, key: str) -> datetime | None:
    # dict.get: feedparser's own get() maps a missing updated_parsed to published_parsed, with a warning.
    parsed: time.struct_time | None = dict.get(entry, key)
    if not parsed:
        return None
    try:
        # feedparser normalises every date to a UTC struct_time.
        moment = datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None
    # Hugo writes a missing date as 0001-01-01 and others as the epoch: a date that is no date is none.
    return moment if moment >= EARLIEST_DATE else None
