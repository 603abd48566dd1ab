"""Opening a store: migrations, the schema they build against the models, pragmas, unusable files."""

from __future__ import annotations

import sqlite3
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect
from sqlmodel import SQLModel

import kb.store.tables  # noqa: F401  (registers the models on SQLModel.metadata)
from kb.errors import StoreError
from kb.store import Store
from kb.store.migrations import MIGRATIONS


def _indexes(inspector: Any, table: str) -> list[Any]:
    with warnings.catch_warnings():  # expression indexes are compared by their SQL below
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")
        return list(inspector.get_indexes(table))


def _schema(path: Path) -> dict[str, Any]:
    """Everything about a database's schema that matters, as plain comparable data."""
    engine = create_engine(f"sqlite:///{path}")
    inspector = inspect(engine)
    schema: dict[str, Any] = {}
    for table in sorted(inspector.get_table_names()):
        schema[table] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"], c.get("default")) for c in inspector.get_columns(table)
            ],
            "primary_key": inspector.get_pk_constraint(table)["constrained_columns"],
            "foreign_keys": sorted(
                (
                    tuple(fk["constrained_columns"]),
                    fk["referred_table"],
                    tuple(fk["referred_columns"]),
                    fk.get("options", {}).get("ondelete"),
                )
                for fk in inspector.get_foreign_keys(table)
            ),
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in _indexes(inspector, table)
            ),
        }
    engine.dispose()
    # SQLAlchemy cannot reflect expression indexes (ix_item_dated): compare every index's own SQL instead.
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
        schema["index_sql"] = sorted((name, " ".join(sql.replace('"', "").split())) for name, sql in rows)
    return schema


def test_a_blank_database_migrates_to_the_current_schema(tmp_path: Path) -> None:
    path = tmp_path / "new" / "deeper" / "kb.sqlite"  # parent folders are created
    with Store.open(path) as store:
        assert store.applied_migrations() == [name for name, _ in MIGRATIONS]
        assert store.schema_version() == len(MIGRATIONS) >= 2
    assert {"item", "triage", "item_source", "paper_version", "source_log", "note"} <= set(_schema(path))


def test_reopening_applies_nothing(tmp_path: Path) -> None:
    path = tmp_path / "kb.sqlite"
    Store.open(path).close()
    before = sqlite3.connect(path).execute("SELECT name, applied_at FROM migration ORDER BY name").fetchall()
    with Store.open(path) as store:
        assert store.schema_version() == len(MIGRATIONS)
    after = sqlite3.connect(path).execute("SELECT name, applied_at FROM migration ORDER BY name").fetchall()
    assert after == before  # same rows, same times: nothing ran again


def test_the_models_and_the_migrated_schema_agree(tmp_path: Path) -> None:
    migrated = tmp_path / "migrated.sqlite"
    Store.open(migrated).close()
    from_models = tmp_path / "models.sqlite"
    engine = create_engine(f"sqlite:///{from_models}")
    SQLModel.metadata.create_all(engine)
    engine.dispose()
    assert _schema(migrated) == _schema(from_models)


def test_store_uses_wal_a_long_busy_timeout_and_foreign_keys(store: Store) -> None:
    def pragmas(conn: Any) -> tuple[Any, ...]:
        return tuple(
            conn.exec_driver_sql(f"PRAGMA {name}").scalar() for name in ("journal_mode", "busy_timeout", "foreign_keys")
        )

    journal, busy_ms, foreign_keys = store._db.read(pragmas)
    assert journal == "wal"
    assert busy_ms >= 30_000
    assert foreign_keys == 1


def test_a_store_from_a_newer_kb_is_refused_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "kb.sqlite"
    Store.open(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("INSERT INTO migration VALUES ('9999_from_the_future', '2030-01-01 00:00:00.000000')")
    with pytest.raises(StoreError, match="newer kb") as raised:
        Store.open(path)
    assert "\n" not in str(raised.value)


def test_a_file_that_is_not_a_database_gives_a_readable_error_and_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "kb.sqlite"
    garbage = b"these are my notes, not a database\n" * 200
    path.write_bytes(garbage)
    with pytest.raises(StoreError, match="not a usable kb store") as raised:
        Store.open(path)
    assert raised.value.hint and "kb doctor" in raised.value.hint
    assert path.read_bytes() == garbage


def test_a_folder_in_place_of_the_file_gives_a_readable_error(tmp_path: Path) -> None:
    path = tmp_path / "kb.sqlite"
    path.mkdir()
    with pytest.raises(StoreError, match=str(path)):
        Store.open(path)


def test_a_file_in_place_of_the_folder_gives_a_readable_error(tmp_path: Path) -> None:
    (tmp_path / ".kb").write_text("oops")
    with pytest.raises(StoreError, match="cannot create"):
        Store.open(tmp_path / ".kb" / "kb.sqlite")


def test_placeholder_dates_stored_before_are_forgotten_by_the_migration(tmp_path: Path) -> None:
    """Hugo writes a missing date as 0001-01-01: stores filled before kb knew that get it cleared."""
    from kb.store.db import Database
    from kb.store.migrations import apply_one, ensure_migration_table

    path = tmp_path / "kb.sqlite"
    db = Database(path)
    db.write(ensure_migration_table)
    at = datetime(2026, 11, 1, tzinfo=UTC)
    for name, migration in MIGRATIONS[:3]:
        db.write(lambda conn, name=name, migration=migration: apply_one(conn, name, migration, at))  # type: ignore[misc]
    with sqlite3.connect(path) as conn:
        for item_id, published in (
            ("post:zero", "0001-01-01 00:00:00.000000"),
            ("post:real", "2024-07-07 00:00:00.000000"),
        ):
            conn.execute(
                "INSERT INTO item (id, kind, title, summary, url, published, has_metadata, first_seen, changed_at)"
                " VALUES (?, 'post', 't', 's', 'u', ?, 1, '2026-11-01 00:00:00.000000', '2026-11-01 00:00:00.000000')",
                (item_id, published),
            )
            conn.execute("INSERT INTO triage (item_id, status, starred) VALUES (?, 'new', 0)", (item_id,))
    db.close()
    with Store.open(path) as store:
        zero, real = store.get_item("post:zero"), store.get_item("post:real")
    assert zero is not None and zero.published is None and zero.dated == datetime(2026, 11, 1, tzinfo=UTC)
    assert real is not None and real.published == datetime(2024, 7, 7, tzinfo=UTC)
