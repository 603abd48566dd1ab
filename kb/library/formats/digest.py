"""`kb digest`: what arrived since a time, grouped by source, as Markdown or HTML for a mail; and `kb muted`.

Titles, names and links come from strangers' feeds: the HTML is escaped with html.escape and links only
http(s) URLs; the Markdown escapes every character Markdown gives a meaning to.

Muted items are not stored as such: an item counts as muted when it is skipped, a mute rule in feeds.yaml
matches it now, and it was skipped within ``MUTE_WINDOW`` of arriving (the fetch files it at once; a person
skipping it later is triage, not a rule).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from kb.config import Config, MuteRule
from kb.library.sources.muting import matching_rule
from kb.models import Item, ItemFilter, Kind, Status
from kb.text import one_line

if TYPE_CHECKING:
    from kb.store import Store

MUTE_WINDOW = timedelta(minutes=10)
DEFAULT_SPAN = timedelta(days=1)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|&~])")


@dataclass(frozen=True)
class DigestGroup:
    """The items of one source, newest first."""

    source: str
    items: tuple[Item, ...]
    more: int = 0  # left out by the per-source limit


@dataclass(frozen=True)
class Digest:
    """What arrived in [since, until)."""

    since: datetime
    until: datetime
    groups: tuple[DigestGroup, ...]
    muted: int = 0

    @property
    def total(self) -> int:
        return sum(len(group.items) + group.more for group in self.groups)


# --- muted items -------------------------------------------------------------------------------------


def muted_rule(item: Item, rules: Sequence[MuteRule]) -> MuteRule | None:
    """The rule that muted ``item`` on arrival, or None (see the module docstring)."""
    if item.status is not Status.SKIPPED or item.status_changed is None or item.first_seen is None:
        return None
    if item.status_changed - item.first_seen > MUTE_WINDOW:
        return None
    return matching_rule(item, rules)


def muted_by_rule(
    store: Store, rules: Sequence[MuteRule], since: datetime | None = None
) -> list[tuple[MuteRule, list[Item]]]:
    """Muted items (first seen since ``since``) under the rule that muted each, rules in feeds.yaml order."""
    grouped: dict[MuteRule, list[Item]] = {rule: [] for rule in rules}
    if rules:
        for item in store.list_items(ItemFilter(status=Status.SKIPPED, since=since)):
            rule = muted_rule(item, rules)
            if rule is not None:
                grouped[rule].append(item)
    return [(rule, items) for rule, items in grouped.items() if items]


# --- building --------------------------------------------------------------------------------------


def build_digest(
    store: Store,
    config: Config,
    since: datetime,
    until: datetime | None = None,
    per_source: int | None = None,
    rank: Callable[[Sequence[Item]], Sequence[Item]] | None = None,
) -> Digest:
    """Items first seen in [since, until), muted and hand-skipped ones left out, grouped by the source each
    first came from (in feeds.yaml order, then others by name); within a group in ``rank``'s order (the
    for-you ranking), else newest first."""
    until = until or datetime.now(UTC)
    arrived = [
        item
        for item in store.list_items(ItemFilter(since=since))
        if item.first_seen is not None and item.first_seen < until and item.has_metadata
    ]
    muted = sum(1 for item in arrived if muted_rule(item, config.mute) is not None)
    by_source: dict[str, list[Item]] = {}
    for item in arrived:
        if item.status is not Status.SKIPPED:
            by_source.setdefault(_source(item), []).append(item)
    if rank is not None:
        by_source = {name: list(rank(items)) for name, items in by_source.items()}
    order = {name: n for n, name in enumerate(config.source_names())}
    names = sorted(by_source, key=lambda name: (order.get(name, len(order)), name.lower()))
    limit = per_source if per_source and per_source > 0 else None
    groups = tuple(
        DigestGroup(name, tuple(by_source[name][:limit]), max(len(by_source[name]) - (limit or 0), 0) if limit else 0)
        for name in names
    )
    return Digest(since=since, until=until, groups=groups, muted=muted)


def _source(item: Item) -> str:
    return item.sources[0] if item.sources else (item.feed or "other")


# --- when the last digest was made -------------------------------------------------------------------


def last_digest(state_dir: Path) -> datetime | None:
    """When the last digest without --since ended, if one was made here (a damaged record counts as none)."""
    try:
        data = json.loads((state_dir / "digest.json").read_text(encoding="utf-8"))
        moment = datetime.fromisoformat(data["until"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def remember_digest(state_dir: Path, until: datetime) -> None:
    """Record that a digest covered everything before ``until``."""
    from kb.config.edit import write_atomically

    data = json.dumps({"until": until.isoformat()}) + "\n"
    write_atomically(state_dir / "digest.json", data.encode("utf-8"))


def default_since(state_dir: Path, now: datetime | None = None) -> datetime:
    """Since the last digest, else one day back."""
    return last_digest(state_dir) or (now or datetime.now(UTC)) - DEFAULT_SPAN


# --- rendering -------------------------------------------------------------------------------------


def safe_url(url: str) -> str | None:
    """``url`` when it is http(s) and has no whitespace or control characters; None otherwise."""
    url = url.strip()
    if re.match(r"^https?://[^\s\x00-\x1f\x7f]+$", url, re.IGNORECASE):
        return url
    return None


def _byline(item: Item) -> str:
    names = [author.name for author in item.authors]
    text = ", ".join(names[:3]) + (f" +{len(names) - 3}" if len(names) > 3 else "")
    details = [text, item.categories[0] if item.kind is Kind.PAPER and item.categories else ""]
    details.append(item.published.strftime("%Y-%m-%d") if item.published else "")
    return one_line(" · ".join(part for part in details if part))


def _heading(digest: Digest) -> str:
    since = digest.since.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"kb digest: {digest.total} new since {since}"


def markdown_escape(text: str) -> str:
    """``text`` on one line, every Markdown special character backslash-escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", one_line(text))


def render_markdown(digest: Digest) -> str:
    """The digest as Markdown (readable as plain text in a mail)."""
    lines = [f"# {markdown_escape(_heading(digest))}", ""]
    for group in digest.groups:
        lines += [f"## {markdown_escape(group.source)} ({len(group.items) + group.more})", ""]
        for item in group.items:
            title = markdown_escape(item.title or item.id)
            url = safe_url(item.url)
            # <...> keeps a URL with parentheses whole; escaped < > cannot occur in a safe URL's text
            line = f"- [{title}](<{url.replace('>', '%3E').replace('<', '%3C')}>)" if url else f"- {title}"
            byline = _byline(item)
            lines.append(line + (f" — {markdown_escape(byline)}" if byline else ""))
        if group.more:
            lines.append(f"- and {group.more} more")
        lines.append("")
    if not digest.groups:
        lines += ["Nothing new.", ""]
    if digest.muted:
        lines += [f"{digest.muted} muted by rules in feeds.yaml (`kb muted` lists them).", ""]
    return "\n".join(lines)


def render_html(digest: Digest) -> str:
    """The digest as a self-contained HTML page, everything from feeds escaped."""
    esc = html.escape
    heading = esc(_heading(digest))
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{heading}</title></head><body>",
        f"<h1>{heading}</h1>",
    ]
    for group in digest.groups:
        parts.append(f"<h2>{esc(one_line(group.source))} ({len(group.items) + group.more})</h2>")
        parts.append("<ul>")
        for item in group.items:
            title = esc(one_line(item.title or item.id))
            url = safe_url(item.url)
            link = f'<a href="{esc(url, quote=True)}">{title}</a>' if url else title
            byline = _byline(item)
            parts.append(f"<li>{link}" + (f" <small>{esc(byline)}</small>" if byline else "") + "</li>")
        if group.more:
            parts.append(f"<li>and {group.more} more</li>")
        parts.append("</ul>")
    if not digest.groups:
        parts.append("<p>Nothing new.</p>")
    if digest.muted:
        parts.append(f"<p>{digest.muted} muted by rules in feeds.yaml (<code>kb muted</code> lists them).</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
