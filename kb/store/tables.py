"""The SQLModel tables of the store.

These classes describe the schema the migrations in ``migrations.py`` build; a test checks that the two agree.
They never leave kb.store: other layers get kb.models objects. SQLModel's datetime columns take aware
datetimes, store them as UTC text and give back aware UTC datetimes.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, Integer, String, func
from sqlmodel import Field, SQLModel


def _item_fk(primary_key: bool = True) -> Column[str]:
    """A column pointing at item.id; deleting an item deletes what hangs off it."""
    return Column(
        "item_id",
        String,
        ForeignKey("item.id", ondelete="CASCADE"),
        primary_key=primary_key,
        nullable=False,
    )


class Migration(SQLModel, table=True):
    """One applied schema migration."""

    __tablename__ = "migration"

    name: str = Field(primary_key=True)
    applied_at: datetime


class ItemRow(SQLModel, table=True):
    """A paper or post: what the fetchers said about it (the person's state lives in ``triage``)."""

    __tablename__ = "item"
    __table_args__ = (
        Index("ix_item_order", "published", "first_seen"),
        Index("ix_item_first_seen", "first_seen"),
        Index("ix_item_kind", "kind"),
    )

    id: str = Field(primary_key=True)
    kind: str
    title: str
    summary: str
    url: str
    published: datetime | None = None
    updated: datetime | None = None
    version: int | None = None
    previous_version: int | None = None
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    pdf_url: str | None = None
    announce_type: str | None = None
    html: str | None = None
    feed: str | None = None
    guid: str | None = None
    has_metadata: bool
    first_seen: datetime
    changed_at: datetime  # when the metadata last changed (new version, doi appearing, ...)


class TriageRow(SQLModel, table=True):
    """The person's state for one item. Fetches never write here after creating the row."""

    __tablename__ = "triage"
    __table_args__ = (
        Index("ix_triage_status", "status"),
        Index("ix_triage_status_changed", "status_changed"),  # the latest judgements first (ranking)
        Index("ix_triage_starred_changed", "starred", "starred_changed"),
    )

    item_id: str = Field(sa_column=_item_fk())
    status: str
    status_changed: datetime | None = None
    starred: bool
    starred_changed: datetime | None = None
    tags_changed: datetime | None = None
    alert: str | None = None  # what changed in a watched paper (`v2 -> v3`); cleared when triaged again
    alert_at: datetime | None = None


class ItemTag(SQLModel, table=True):
    """A tag of an item (normalised: stripped, lower case)."""

    __tablename__ = "item_tag"
    __table_args__ = (Index("ix_item_tag_tag", "tag"),)

    item_id: str = Field(sa_column=_item_fk())
    tag: str = Field(primary_key=True)


class ItemSource(SQLModel, table=True):
    """A source (category list, saved search, feed) an item arrived from."""

    __tablename__ = "item_source"
    __table_args__ = (Index("ix_item_source_source", "source"),)

    item_id: str = Field(sa_column=_item_fk())
    source: str = Field(primary_key=True)
    first_seen: datetime
    last_seen: datetime


class ItemAuthor(SQLModel, table=True):
    """An author of an item, in order."""

    __tablename__ = "item_author"

    item_id: str = Field(sa_column=_item_fk())
    position: int = Field(sa_column=Column("position", Integer, primary_key=True, autoincrement=False))
    name: str
    affiliations: str  # a JSON list of strings


class ItemCategory(SQLModel, table=True):
    """An arXiv category of a paper, primary first."""

    __tablename__ = "item_category"

    item_id: str = Field(sa_column=_item_fk())
    position: int = Field(sa_column=Column("position", Integer, primary_key=True, autoincrement=False))
    category: str


class PaperVersion(SQLModel, table=True):
    """A version of a paper and when kb first saw it."""

    __tablename__ = "paper_version"

    item_id: str = Field(sa_column=_item_fk())
    version: int = Field(sa_column=Column("version", Integer, primary_key=True, autoincrement=False))
    first_seen: datetime


class FetchRunRow(SQLModel, table=True):
    """One `kb fetch` run."""

    __tablename__ = "fetch_run"

    id: int | None = Field(default=None, primary_key=True)
    started: datetime
    finished: datetime | None = None


class SourceLog(SQLModel, table=True):
    """How fetching one source went in one run."""

    __tablename__ = "source_log"
    __table_args__ = (
        Index("ix_source_log_source", "source", "id"),
        Index("ix_source_log_run", "run_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    run_id: int | None = Field(
        default=None,
        sa_column=Column("run_id", Integer, ForeignKey("fetch_run.id", ondelete="CASCADE"), nullable=True),
    )
    source: str
    kind: str
    at: datetime
    http_status: int | None = None
    ok: bool
    complete: bool
    not_modified: bool
    items_new: int
    items_updated: int
    items_unchanged: int
    error: str | None = None
    duration: float
    url: str | None = None


class SourceState(SQLModel, table=True):
    """What kb remembers about a source between runs."""

    __tablename__ = "source_state"

    source: str = Field(primary_key=True)
    etag: str | None = None
    last_modified: str | None = None
    last_success: datetime | None = None
    newest_seen: datetime | None = None
    failures: int


class NoteRow(SQLModel, table=True):
    """Cached metadata of a note under notes/ (the file is the truth; the body is not kept)."""

    __tablename__ = "note"

    path: str = Field(primary_key=True)
    title: str
    tags: str  # JSON list
    note_links: str  # JSON list
    created: str | None = None
    front_matter_error: str | None = None
    mtime_ns: int
    size: int


class NotePaper(SQLModel, table=True):
    """A paper a note links, in order of appearance (serves backlinks)."""

    __tablename__ = "note_paper"
    __table_args__ = (Index("ix_note_paper_paper", "paper_id"),)

    path: str = Field(
        sa_column=Column("path", String, ForeignKey("note.path", ondelete="CASCADE"), primary_key=True, nullable=False)
    )
    position: int = Field(sa_column=Column("position", Integer, primary_key=True, autoincrement=False))
    paper_id: str


class IndexPending(SQLModel, table=True):
    """A change the search index has not been told of yet: written in the transaction that made the change.

    AUTOINCREMENT so a position is never reused: a reader that cleared "everything up to n" must never clear
    a row written after it looked (see kb.store.pending).
    """

    __tablename__ = "index_pending"
    __table_args__ = {"sqlite_autoincrement": True}

    seq: int | None = Field(default=None, primary_key=True)
    doc_id: str  # an item id, or note:PATH
    op: str  # "update" or "delete"


# The Core tables behind the models, for bulk statements (SQLModel does not type ``__table__``).
ITEM = SQLModel.metadata.tables["item"]
TRIAGE = SQLModel.metadata.tables["triage"]
ITEM_TAG = SQLModel.metadata.tables["item_tag"]
ITEM_SOURCE = SQLModel.metadata.tables["item_source"]
ITEM_AUTHOR = SQLModel.metadata.tables["item_author"]
ITEM_CATEGORY = SQLModel.metadata.tables["item_category"]
PAPER_VERSION = SQLModel.metadata.tables["paper_version"]
FETCH_RUN = SQLModel.metadata.tables["fetch_run"]
SOURCE_LOG = SQLModel.metadata.tables["source_log"]
SOURCE_STATE = SQLModel.metadata.tables["source_state"]
NOTE = SQLModel.metadata.tables["note"]
NOTE_PAPER = SQLModel.metadata.tables["note_paper"]

#: The date an item is filed under (kb.models.Item.dated): published, else announced (updated), else first seen.
DATED = func.coalesce(ITEM.c.published, ITEM.c.updated, ITEM.c.first_seen)
Index("ix_item_dated", DATED, ITEM.c.first_seen)  # the newest-first order (migration 0004)
INDEX_PENDING = SQLModel.metadata.tables["index_pending"]
