"""`kb export` / `kb import`: triage state (and, for the record, the fetch history) as versioned JSON.

The file (``{"kb_export": 1, ...}``, documented in the README) lists every item the person triaged: its status,
star and tags, each with the time it last changed. Import merges per item and per field, the newer change
winning (kb.store.exchange), so importing in either direction loses nothing and importing twice changes
nothing. Items this workspace has never seen are created first: papers as placeholders that the next
`kb fetch` fills in by id, posts (which cannot be fetched by id) from the title, link, feed and text the file
carries.

The fetch history and feed state are exported but never imported: another machine's ETags and high-water marks
would make this one skip items it never stored, and its runs would mislead `kb status` here.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from kb.errors import UsageError
from kb.library.serialize import iso, run_json
from kb.models import FetchedItem, Item, Kind, Status, parse_arxiv_id
from kb.store.exchange import TriageMerge, TriageRecord

if TYPE_CHECKING:
    from kb.library.core import Library

FORMAT_VERSION = 1
#: What an import accepts: a file is data from elsewhere, and a merge must not let it grow or own the store.
MAX_TAG_LENGTH = 100
MAX_TAGS = 100
#: Changes dated later than this past now are from a wrong clock (or crafted): clamped to now, with a warning,
#: so that they cannot win every later merge.
FUTURE_TOLERANCE = timedelta(minutes=5)
_POST_ID = re.compile(r"post:[0-9A-Za-z_-]{1,64}")
#: Sources named when an imported post has no feed.
IMPORT_SOURCE = "kb import"
_ALL = 2**62  # "no limit" for the log queries


@dataclass(frozen=True)
class ImportedItem:
    """One item of an export file, checked."""

    record: TriageRecord
    kind: Kind
    title: str = ""
    url: str = ""
    summary: str = ""
    feed: str | None = None
    published: datetime | None = None
    clamped: tuple[str, ...] = ()  # the *_changed keys that were in the future, clamped to now


@dataclass
class ImportReport:
    """What `kb import` did."""

    items: int = 0  # records in the file
    created_papers: list[str] = field(default_factory=list)
    created_posts: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (id, why)
    merge: TriageMerge = field(default_factory=TriageMerge)
    index_error: str | None = None
    clamped: list[tuple[str, str]] = field(default_factory=list)  # (id, key): a future time taken as now

    def summary(self) -> str:
        """One line for the person."""
        merge = self.merge
        line = (
            f"{self.items} items read: {len(merge.changed)} changed "
            f"({merge.status} status, {merge.starred} star, {merge.tags} tags), "
            f"{len(self.created_papers)} papers and {len(self.created_posts)} posts new to this workspace"
        )
        if self.skipped:
            line += f"; {len(self.skipped)} skipped"
        if self.clamped:
            line += f"; warning: {len(self.clamped)} change times in the future were taken as now"
        return line

    def as_json(self) -> dict[str, Any]:
        """The report as `kb import --json` prints it."""
        return {
            "items": self.items,
            "changed": list(self.merge.changed),
            "status_changed": self.merge.status,
            "starred_changed": self.merge.starred,
            "tags_changed": self.merge.tags,
            "created_papers": self.created_papers,
            "created_posts": self.created_posts,
            "skipped": [{"id": item_id, "reason": reason} for item_id, reason in self.skipped],
            "index_error": self.index_error,
            "clamped": [{"id": item_id, "key": key} for item_id, key in self.clamped],
        }


# --- export ----------------------------------------------------------------------------------------


def touched(item: Item) -> bool:
    """True when the person (or a mute rule) ever changed the item's triage state."""
    return any(moment is not None for moment in (item.status_changed, item.starred_changed, item.tags_changed))


def export_item(item: Item) -> dict[str, Any]:
    """One item of the export file."""
    data: dict[str, Any] = {
        "id": item.id,
        "kind": item.kind.value,
        "title": item.title,
        "url": item.url,
        "feed": item.feed,
        "sources": list(item.sources),
        "published": iso(item.published),
        "first_seen": iso(item.first_seen),
        "status": item.status.value,
        "status_changed": iso(item.status_changed),
        "starred": item.starred,
        "starred_changed": iso(item.starred_changed),
        "tags": list(item.tags),
        "tags_changed": iso(item.tags_changed),
    }
    if item.kind is Kind.POST:  # a post cannot be fetched by id: carry its text so an import can recreate it
        data["summary"] = item.summary
    return data


def export_state(library: Library, now: datetime | None = None) -> dict[str, Any]:
    """The export file's content: triaged items, fetch runs, the per-source log and feed state."""
    store = library._store
    items = [export_item(item) for batch in store.iter_items() for item in batch if touched(item)]
    runs = [run_json(run) for run in reversed(store.recent_runs(_ALL))]
    log = [
        {key: iso(value) if isinstance(value, datetime) else value for key, value in asdict(entry).items()}
        for entry in reversed(store.source_log(None, _ALL))
    ]
    states = [
        {
            "source": state.source,
            "etag": state.etag,
            "last_modified": state.last_modified,
            "last_success": iso(state.last_success),
            "newest_seen": iso(state.newest_seen),
            "failures": state.failures,
        }
        for state in store.feed_states().values()
    ]
    return {
        "kb_export": FORMAT_VERSION,
        "exported_at": iso(now or datetime.now(UTC)),
        "workspace": str(library.workspace.root),
        "items": items,
        "runs": runs,
        "source_log": log,
        "feed_state": states,
    }


# --- reading a file --------------------------------------------------------------------------------


class _Reader:
    """Checks an export file's items, each error naming the file, the item and the key."""

    def __init__(self, name: str, now: datetime | None = None) -> None:
        self.name = name
        self.latest = (now or datetime.now(UTC)) + FUTURE_TOLERANCE
        self.now = now or datetime.now(UTC)

    def fail(self, where: str, problem: str) -> UsageError:
        return UsageError(f"{self.name}: {where}: {problem}", hint="nothing was imported")

    def text(self, data: dict[str, Any], key: str, where: str, required: bool = False) -> str | None:
        value = data.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str):
            raise self.fail(f"{where}.{key}", f"expected text, got {json_type(value)}")
        return value

    def moment(self, data: dict[str, Any], key: str, where: str) -> datetime | None:
        value = self.text(data, key, where)
        if value is None:
            return None
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise self.fail(f"{where}.{key}", f"'{value}' is not an ISO 8601 time") from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)

    def item(self, data: object, where: str) -> ImportedItem:
        if not isinstance(data, dict):
            raise self.fail(where, f"expected an object, got {json_type(data)}")
        item_id = self.item_id(data, where)
        kind = Kind.POST if item_id.startswith("post:") else Kind.PAPER
        status_text = self.text(data, "status", where) or Status.NEW.value
        try:
            status = Status(status_text)
        except ValueError:
            raise self.fail(f"{where}.status", f"'{status_text}' is not new, read or skipped") from None
        starred = data.get("starred", False)
        if not isinstance(starred, bool):
            raise self.fail(f"{where}.starred", f"expected true or false, got {json_type(starred)}")
        tags = self.tags(data, where)
        clamped: list[str] = []
        changed = {}
        for key in ("status_changed", "starred_changed", "tags_changed"):
            moment = self.moment(data, key, where)
            if moment is not None and moment > self.latest:
                moment = self.now
                clamped.append(key)
            changed[key] = moment
        record = TriageRecord(
            id=item_id,
            status=status,
            status_changed=changed["status_changed"],
            starred=starred,
            starred_changed=changed["starred_changed"],
            tags=tags,
            tags_changed=changed["tags_changed"],
        )
        return ImportedItem(
            record=record,
            kind=kind,
            title=self.text(data, "title", where) or "",
            url=self.text(data, "url", where) or "",
            summary=self.text(data, "summary", where) or "",
            feed=self.text(data, "feed", where),
            published=self.moment(data, "published", where),
            clamped=tuple(clamped),
        )

    def tags(self, data: dict[str, Any], where: str) -> tuple[str, ...]:
        tags = data.get("tags") or []
        if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
            raise self.fail(f"{where}.tags", "expected a list of strings")
        if len(tags) > MAX_TAGS:
            raise self.fail(f"{where}.tags", f"{len(tags)} tags; an item has at most {MAX_TAGS}")
        for i, tag in enumerate(tags):
            if len(tag) > MAX_TAG_LENGTH:
                raise self.fail(f"{where}.tags[{i}]", f"a tag of {len(tag)} characters; at most {MAX_TAG_LENGTH}")
        return tuple(tags)

    def item_id(self, data: dict[str, Any], where: str) -> str:
        item_id = self.text(data, "id", where, required=True) or ""
        if item_id.startswith("post:"):
            if not _POST_ID.fullmatch(item_id):
                raise self.fail(f"{where}.id", f"'{item_id[:80]}' is not a kb post id (post: and up to 64 letters)")
            return item_id
        parsed = parse_arxiv_id(item_id)
        if parsed is None:
            raise self.fail(f"{where}.id", f"'{item_id}' is neither a paper id (arxiv:...) nor a post id (post:...)")
        return parsed.key


def json_type(value: object) -> str:
    """How a JSON value is named in messages."""
    names = {dict: "an object", list: "a list", str: "text", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number")


def read_export(data: object, name: str, now: datetime | None = None) -> list[ImportedItem]:
    """The checked items of an export file's parsed JSON; UsageError (naming ``name``) for anything wrong."""
    reader = _Reader(name, now)
    if not isinstance(data, dict) or "kb_export" not in data:
        raise UsageError(f'{name}: not a kb export file (no "kb_export" key)', hint="make one with `kb export`")
    version = data["kb_export"]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise reader.fail("kb_export", f"expected a format number, got {version!r}")
    if version > FORMAT_VERSION:
        raise UsageError(
            f"{name}: written in export format {version}; this kb reads format {FORMAT_VERSION}",
            hint="upgrade kb on this machine",
        )
    items = data.get("items", [])
    if not isinstance(items, list):
        raise reader.fail("items", f"expected a list, got {json_type(items)}")
    return [reader.item(item, f"items[{i}]") for i, item in enumerate(items)]


# --- import ----------------------------------------------------------------------------------------


def import_state(library: Library, items: list[ImportedItem]) -> ImportReport:
    """Merge checked export items into the workspace's store, then bring the index up to date."""
    store = library._store
    report = ImportReport(items=len(items))
    report.clamped = [(item.record.id, key) for item in items for key in item.clamped]
    for item_id, key in report.clamped:
        library.logger.warning("import: %s %s was in the future: taken as now", item_id, key)
    wanted = [item for item in items if _has_changes(item.record)]
    present = {item.id for item in store.get_items([item.record.id for item in wanted])}
    absent = [item for item in wanted if item.record.id not in present]
    papers = [item.record.id for item in absent if item.kind is Kind.PAPER]
    if papers:
        report.created_papers = store.ensure_papers(papers)
    report.created_posts = _create_posts(library, [item for item in absent if item.kind is Kind.POST], report)
    report.merge = store.merge_triage([item.record for item in wanted])
    try:  # the store is the record (each write queued its index work); the index is a cache
        library.catch_up_index()
    except Exception as error:
        report.index_error = f"index not updated ({error}); the next kb command retries"
        library.logger.exception("index update after import failed")
    library.logger.info("import: %s", report.summary())
    return report


def _has_changes(record: TriageRecord) -> bool:
    return any(moment is not None for moment in (record.status_changed, record.starred_changed, record.tags_changed))


def _create_posts(library: Library, posts: list[ImportedItem], report: ImportReport) -> list[str]:
    """Store posts this workspace has never seen from what the file says of them."""
    by_source: dict[str, list[FetchedItem]] = defaultdict(list)
    for post in posts:
        if not post.url:
            report.skipped.append((post.record.id, "a post this workspace has never seen, without a link"))
            continue
        fetched = FetchedItem(
            id=post.record.id,
            kind=Kind.POST,
            title=post.title,
            summary=post.summary,
            url=post.url,
            published=post.published,
            feed=post.feed,
            guid=post.url,
        )
        by_source[post.feed or IMPORT_SOURCE].append(fetched)
    created: list[str] = []
    for source, batch in by_source.items():
        created += library._store.upsert_items(batch, source).new
    return created
