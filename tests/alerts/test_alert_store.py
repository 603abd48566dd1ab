"""The store's side of alerts and completeness: a real SQLite file, migrated from an older kb too."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest

from kb.errors import NotFound
from kb.models import Note, Status
from kb.store import Store
from kb.store.db import Database
from kb.store.migrations import MIGRATIONS, apply_one, ensure_migration_table
from tests.store.store_helpers import paper

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
A, B, C = "arxiv:2611.00001", "arxiv:2611.00002", "arxiv:2611.00003"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "kb.sqlite") as opened:
        opened.upsert_items([paper("2611.00001"), paper("2611.00002"), paper("2611.00003")], "q", now=T0)
        yield opened


def test_a_store_of_an_older_kb_gains_the_alert_columns_and_keeps_its_triage(tmp_path: Path) -> None:
    path = tmp_path / "kb.sqlite"
    db = Database(path)
    db.write(ensure_migration_table)
    for name, migration in MIGRATIONS[:2]:  # what kb wrote before alerts existed
        db.write(partial(apply_one, name=name, migration=migration, now=T0))
    db.close()
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO item (id, kind, title, summary, url, has_metadata, first_seen, changed_at) "
            "VALUES ('arxiv:2611.00001', 'paper', 'Old', '', 'u', 1, '2026-11-01 00:00:00', '2026-11-01 00:00:00')"
        )
        conn.execute("INSERT INTO triage (item_id, status, starred) VALUES ('arxiv:2611.00001', 'read', 1)")
    with Store.open(path) as upgraded:
        assert "0003_alerts_and_gaps" in upgraded.applied_migrations()  # and every later one
        item = upgraded.get_item(A)
        assert item is not None and (item.status, item.starred, item.alert) == (Status.READ, True, None)
        upgraded.set_alerts({A: "v1 -> v2"}, now=T0)
        assert upgraded.get_item(A) == replace(item, status=Status.NEW, status_changed=T0, alert="v1 -> v2")


def test_an_alert_puts_the_item_back_in_the_inbox_and_setting_its_status_clears_it(store: Store) -> None:
    store.set_status(A, Status.READ, now=T0)
    store.set_alerts({A: "v1 -> v2", C: "now published in X"}, now=T0 + timedelta(hours=1))
    alerted = store.get_item(A)
    assert alerted is not None
    assert (alerted.status, alerted.alert, alerted.status_changed) == (Status.NEW, "v1 -> v2", T0 + timedelta(hours=1))
    still_new = store.set_status(A, Status.NEW, now=T0 + timedelta(hours=2))  # seen, left in the inbox
    assert (still_new.alert, still_new.status_changed) == (None, T0 + timedelta(hours=1))


def test_an_alert_on_an_item_already_new_keeps_its_status_time(store: Store) -> None:
    store.set_alerts({B: "now published in Nature 1"}, now=T0)
    assert store.get_items([B])[0].status_changed is None
    with pytest.raises(NotFound):
        store.set_alerts({A: "v1 -> v2", "arxiv:2611.09999": "v1 -> v2"})
    assert store.get_items([A])[0].alert is None  # all or nothing


def test_watched_means_starred_tagged_or_linked_from_a_note(store: Store) -> None:
    store.set_starred(A, True)
    store.set_tags(B, ["rl"])
    assert sorted(i.id for i in store.watched_items([A, B, C, "arxiv:2611.09999"])) == [A, B]
    store.save_notes([Note(path="c.md", title="C", body="", papers=(C,))])
    assert sorted(i.id for i in store.watched_items([A, B, C])) == [A, B, C]
    store.ensure_papers(["arxiv:2611.00004"])  # a placeholder has nothing to compare yet
    store.set_starred("arxiv:2611.00004", True)
    assert store.watched_items(["arxiv:2611.00004"]) == []


def test_announcement_days_keep_the_largest_count_seen(store: Store) -> None:
    monday, tuesday = date(2026, 11, 2), date(2026, 11, 3)
    store.record_announcements({("cs.LG", monday): 0, ("cs.LG", tuesday): 5}, now=T0)
    store.record_announcements({("cs.LG", monday): 12, ("cs.LG", tuesday): 0, ("stat.ML", tuesday): 0}, now=T0)
    assert store.announcement_days(monday) == {"cs.LG": {monday: 12, tuesday: 5}, "stat.ML": {tuesday: 0}}
    assert store.announcement_days(tuesday) == {"cs.LG": {tuesday: 5}, "stat.ML": {tuesday: 0}}
    assert store.first_announcement_days() == {"cs.LG": monday, "stat.ML": tuesday}


def test_repairs_are_remembered_by_key(store: Store) -> None:
    store.record_repairs(["announcement:2026-11-03:cs.LG"], "arxiv", 4, now=T0)
    store.record_repairs(["announcement:2026-11-03:cs.LG", "search:q:x"], "arxiv", 1, now=T0 + timedelta(hours=1))
    assert store.repaired(["announcement:2026-11-03:cs.LG", "search:q:x", "other"]) == {
        "announcement:2026-11-03:cs.LG": T0 + timedelta(hours=1),
        "search:q:x": T0 + timedelta(hours=1),
    }
