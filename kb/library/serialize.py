"""The JSON shapes of `--json` output: kb's stable scripting interface (documented in the README)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kb.models import FetchRunSummary, FullTextInfo, Item, Note


def iso(moment: datetime | None) -> str | None:
    """An ISO 8601 timestamp, or None."""
    return moment.isoformat() if moment else None


def item_json(item: Item) -> dict[str, Any]:
    """One paper or post, as `kb list --json` and `kb show --json` print it."""
    return {
        "id": item.id,
        "kind": item.kind.value,
        "title": item.title,
        "authors": [author.name for author in item.authors],
        "affiliations": [list(author.affiliations) for author in item.authors],
        "summary": item.summary,
        "published": iso(item.published),
        "updated": iso(item.updated),
        "version": item.version,
        "categories": list(item.categories),
        "url": item.url,
        "pdf_url": item.pdf_url,
        "comment": item.comment,
        "journal_ref": item.journal_ref,
        "doi": item.doi,
        "feed": item.feed,
        "sources": list(item.sources),
        "status": item.status.value,
        "starred": item.starred,
        "tags": list(item.tags),
        "first_seen": iso(item.first_seen),
        "status_changed": iso(item.status_changed),
        "has_metadata": item.has_metadata,
        "alert": item.alert,
    }


def fulltext_json(info: FullTextInfo) -> dict[str, Any]:
    """What kb holds of a paper's full text, as `kb show --json` (``fulltext``) and `kb fulltext --json` print it."""
    return {"source": info.source.value, "version": info.version, "sections": info.sections, "bytes": info.bytes}


def note_json(note: Note) -> dict[str, Any]:
    """One note, as `kb notes --json` prints it."""
    return {
        "id": note.id,
        "kind": "note",
        "path": note.path,
        "title": note.title,
        "tags": list(note.tags),
        "papers": list(note.papers),
        "note_links": list(note.note_links),
        "created": note.created,
        "front_matter_error": note.front_matter_error,
    }


def run_json(run: FetchRunSummary) -> dict[str, Any]:
    """One fetch run, as `kb status --json` and `kb export` print it."""
    return {
        "run_id": run.run_id,
        "started": iso(run.started),
        "finished": iso(run.finished),
        "new": run.new,
        "updated": run.updated,
        "failed_sources": list(run.failed_sources),
    }
