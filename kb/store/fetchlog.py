"""The fetch log (runs, and how each source went in each run) and the per-source state kept between runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, case, func, insert, select, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from kb.errors import NotFound
from kb.models import FeedState, FetchRunSummary, SourceLogEntry, SourceResult, UpsertReport

from .convert import as_utc
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
    """The latest runs, newest first, with their totals and failed sources."""
    totals = (
        select(
            FETCH_RUN.c.id,
            FETCH_RUN.c.started,
            FETCH_RUN.c.finished,
            func.coalesce(func.sum(SOURCE_LOG.c.items_new), 0),
            func.coalesce(func.sum(SOURCE_LOG.c.items_updated), 0),
            func.group_concat(case((SOURCE_LOG.c.ok.is_(False), SOURCE_LOG.c.id))),
        )
        .outerjoin(SOURCE_LOG, SOURCE_LOG.c.run_id == FETCH_RUN.c.id)
        .group_by(FETCH_RUN.c.id)
        .order_by(FETCH_RUN.c.id.desc())
        .limit(max(limit, 0))
    )
    if run_id is not None:
        totals = totals.where(FETCH_RUN.c.id == run_id)
    runs = []
    for rid, started, finished, new, updated, failed_log_ids in conn.execute(totals):
        runs.append(
            FetchRunSummary(
                run_id=rid,
                started=started,
                finished=finished,
                new=int(new),
                updated=int(updated),
                failed_sources=_failed_sources(conn, failed_log_ids),
            )
        )
    return runs


def _failed_sources(conn: Connection, log_ids: str | None) -> tuple[str, ...]:
    # Looked up by log id rather than concatenated: a source name may hold the separator.
    if not log_ids:
        return ()
    ids = [int(i) for i in log_ids.split(",")]
    statement = select(SOURCE_LOG.c.source).where(SOURCE_LOG.c.id.in_(ids)).order_by(SOURCE_LOG.c.id)
    return tuple(dict.fromkeys(conn.execute(statement).scalars()))


def source_log(conn: Connection, source: str | None, limit: int) -> list[SourceLogEntry]:
    """Log entries, newest first, for one source or all (times are aware datetimes)."""
    statement = select(SOURCE_LOG).order_by(SOURCE_LOG.c.id.desc()).limit(max(limit, 0))
    if source is not None:
        statement = statement.where(SOURCE_LOG.c.source == source)
    return [_log_entry(row) for row in conn.execute(statement).mappings()]


def latest_source_logs(conn: Connection) -> dict[str, SourceLogEntry]:
    """Each source's newest log entry, in one query (`kb status` at 10,000 feeds asked once per source)."""
    newest = select(func.max(SOURCE_LOG.c.id)).group_by(SOURCE_LOG.c.source)  # ix_source_log_source
    statement = select(SOURCE_LOG).where(SOURCE_LOG.c.id.in_(newest))
    return {row["source"]: _log_entry(row) for row in conn.execute(statement).mappings()}


def _log_entry(row: Any) -> SourceLogEntry:
    return SourceLogEntry(
        run_id=row["run_id"],
        source=row["source"],
        kind=row["kind"],
        when=row["at"],
        http_status=row["http_status"],
        ok=bool(row["ok"]),
        complete=bool(row["complete"]),
        not_modified=bool(row["not_modified"]),
        new=row["items_new"],
        updated=row["items_updated"],
        unchanged=row["items_unchanged"],
        error=row["error"],
        duration=row["duration"],
        url=row["url"],
    )


def feed_state(conn: Connection, source: str) -> FeedState | None:
    """The remembered state of one source, if any."""
    row = conn.execute(select(SOURCE_STATE).where(SOURCE_STATE.c.source == source)).mappings().first()
    return None if row is None else _state(row)


def feed_states(conn: Connection) -> dict[str, FeedState]:
    """Every source's remembered state, by source name."""
    rows = conn.execute(select(SOURCE_STATE).order_by(SOURCE_STATE.c.source)).mappings()
    return {row["source"]: _state(row) for row in rows}


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
