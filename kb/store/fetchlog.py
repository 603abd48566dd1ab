"""The fetch log (runs, and how each source went in each run) and the per-source state kept between runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from kb.errors import NotFound
from kb.models import FeedState, FetchRunSummary, SourceLogEntry, SourceResult, UpsertReport

from . import reads
from .convert import as_utc
from .db import driver
from .tables import FETCH_RUN, SOURCE_LOG, SOURCE_STATE


def start_run(conn: Connection, now: datetime) -> int:
    """Open a run in the log and return its id."""
    return int(conn.execute(insert(FETCH_RUN).values(started=now).returning(FETCH_RUN.c.id)).scalar_one())


def record_source(conn: Connection, run_id: int, result: SourceResult, report: UpsertReport, now: datetime) -> None:
    """Log how one source went in a run (its FeedState is the caller's to save)."""
    _require_run(conn, run_id)
    conn.execute(
        insert(SOURCE_LOG).values(
            run_id=run_id,
            source=result.source,
            kind=result.kind.value,
            at=now,
            http_status=result.http_status,
            ok=result.ok,
            complete=result.complete,
            not_modified=result.not_modified,
            items_new=len(report.new),
            items_updated=len(report.updated),
            items_unchanged=report.unchanged,
            error=result.error,
            duration=result.duration,
            url=result.url,
        )
    )


def _require_run(conn: Connection, run_id: int) -> None:
    if conn.execute(select(FETCH_RUN.c.id).where(FETCH_RUN.c.id == run_id)).first() is None:
        raise NotFound(f"no fetch run {run_id} in the log")


def finish_run(conn: Connection, run_id: int, now: datetime) -> FetchRunSummary:
    """Close a run and sum it up."""
    _require_run(conn, run_id)
    conn.execute(update(FETCH_RUN).where(FETCH_RUN.c.id == run_id).values(finished=now))
    return recent_runs(conn, 1, run_id=run_id)[0]


def recent_runs(conn: Connection, limit: int, run_id: int | None = None) -> list[FetchRunSummary]:
    """The latest runs, newest first, with their totals and failed sources (kb.store.reads)."""
    return reads.recent_runs(driver(conn), limit, run_id)


def source_log(conn: Connection, source: str | None, limit: int) -> list[SourceLogEntry]:
    """Log entries, newest first, for one source or all (times are aware datetimes; kb.store.reads)."""
    return reads.source_log(driver(conn), source, limit)


def latest_source_logs(conn: Connection) -> dict[str, SourceLogEntry]:
    """Each source's newest log entry, in one query (kb.store.reads)."""
    return reads.latest_source_logs(driver(conn))


def feed_state(conn: Connection, source: str) -> FeedState | None:
    """The remembered state of one source, if any."""
    row = conn.execute(select(SOURCE_STATE).where(SOURCE_STATE.c.source == source)).mappings().first()
    return None if row is None else _state(row)


def feed_states(conn: Connection) -> dict[str, FeedState]:
    """Every source's remembered state, by source name (kb.store.reads)."""
    return reads.feed_states(driver(conn))


def _state(row: Any) -> FeedState:
    return FeedState(
        source=row["source"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        last_success=row["last_success"],
        newest_seen=row["newest_seen"],
        failures=row["failures"],
    )


def save_feed_state(conn: Connection, state: FeedState) -> None:
    """Insert or replace one source's state."""
    values = {
        "source": state.source,
        "etag": state.etag,
        "last_modified": state.last_modified,
        "last_success": as_utc(state.last_success),
        "newest_seen": as_utc(state.newest_seen),
        "failures": state.failures,
    }
    statement = sqlite_insert(SOURCE_STATE).values(values)
    columns = {k: statement.excluded[k] for k in values if k != "source"}
    conn.execute(statement.on_conflict_do_update(index_elements=[SOURCE_STATE.c.source], set_=columns))
