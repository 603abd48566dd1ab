"""`kb backfill` as a real process: exit statuses, -q and --json, the log line, and a SIGKILL at a random page."""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from kb.models import Author, FetchedItem, Kind
from tests.reliability.helpers import assert_inert, index_ids, kb, kb_popen, reap_group, store_facts
from tests.reliability.hostile import XML_LEGAL
from tests.support.httpserver import HttpServer, http_server
from tests.support.oai_server import OaiRepository, Record, corpus_papers, corpus_records, oai_workspace, sets_of

__all__ = ["http_server"]

KEYS = ["set", "since", "until", "pages", "records", "stored", "new", "deleted", "skipped", "complete", "resumed"]
DELETED = (("2301.99999", date(2024, 1, 5)),)


def _backfilled(root: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{root / '.kb' / 'kb.sqlite'}?mode=ro", uri=True)
    try:
        return [row[0] for row in conn.execute("SELECT item_id FROM item_source WHERE source = 'backfill'")]
    finally:
        conn.close()


def _expected(corpus: Path) -> set[str]:
    return {paper.id for paper in corpus_papers(corpus) if any(c.startswith("cs.") for c in paper.categories)}


def test_quiet_and_json(tmp_path: Path, http_server: HttpServer, corpus: Path) -> None:
    root = oai_workspace(tmp_path, http_server, OaiRepository(corpus_records(corpus, DELETED), page_size=25))
    quiet = kb("backfill", "cs", "--since", "2000-01-01", "-q", root=root)
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")
    again = kb("backfill", "cs:cs:LG", "--since", "2020-01-01", "--until", "2024-12-31", "--json", root=root)
    assert again.returncode == 0, again.stderr
    data = json.loads(again.stdout)
    assert list(data) == KEYS
    assert (data["set"], data["since"], data["until"], data["complete"], data["resumed"]) == (
        "cs:cs:LG",
        "2020-01-01",
        "2024-12-31",
        True,
        False,
    )
    assert data["new"] == 0 and data["stored"] > 0  # all stored by the first run already
    log = (root / ".kb" / "kb.log").read_text()
    assert log.count(" backfill set=") == 2
    listed = kb("list", "--status", "new", "--json", root=root)
    assert json.loads(listed.stdout) == []  # history stays out of the inbox


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("cs.lg", "--since", "2020-01-01"), "did you mean 'cs.LG'"),
        (("cs", "--since", "2020-13-01"), "--since '2020-13-01' is not a date"),
        (("cs", "--since", "2020-01-01", "--until", "yesterday"), "--until 'yesterday' is not a date"),
        (("cs",), "--since"),
        (("--resume",), "no unfinished backfill"),
    ],
)
def test_usage_errors_exit_2_with_one_line(
    tmp_path: Path, http_server: HttpServer, corpus: Path, args: tuple[str, ...], words: str
) -> None:
    root = oai_workspace(tmp_path, http_server, OaiRepository(corpus_records(corpus)))
    result = kb("backfill", *args, root=root)
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and words in result.stderr, result.stderr
    assert http_server.requests_for("/oai") == []


def test_flow_control_that_does_not_end_exits_1_saying_how_to_resume(
    tmp_path: Path, http_server: HttpServer, corpus: Path
) -> None:
    repository = OaiRepository(corpus_records(corpus), page_size=10)
    root = oai_workspace(tmp_path, http_server, repository)
    repository.fail_next(503, retry_after="3600", times=1, after=2)  # longer than fetch.max_retry_after
    result = kb("backfill", "cs", "--since", "2000-01-01", "-q", "--json", root=root)
    assert result.returncode == 1
    assert json.loads(result.stdout)["complete"] is False
    lines = result.stderr.strip().splitlines()
    assert "3600" in lines[0]
    assert lines[-1].endswith("resume with `kb backfill cs --since 2000-01-01` (or `kb backfill --resume`)")
    resumed = kb("backfill", "--resume", "--json", root=root)
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads(resumed.stdout)["resumed"] is True
    assert sorted(_backfilled(root)) == sorted(_expected(corpus))


@pytest.mark.parametrize("seed", [15, 1515])
def test_killed_at_a_random_page_the_next_run_resumes_without_duplicates_or_losses(
    tmp_path: Path, http_server: HttpServer, corpus: Path, seed: int
) -> None:
    chance = random.Random(seed)
    repository = OaiRepository(corpus_records(corpus, DELETED), page_size=8)
    root = oai_workspace(tmp_path, http_server, repository)
    pages = -(-len([r for r in repository.records if "cs" in r.sets]) // 8)
    kill_at = chance.randint(2, pages - 1)
    reached = threading.Event()
    repository.on_request = lambda number: reached.set() if number == kill_at else None
    process = kb_popen("backfill", "cs", "--since", "2000-01-01", "-q", root=root)
    try:
        assert reached.wait(60), "the harvest never reached the page"
        time.sleep(chance.uniform(0, 0.05))  # anywhere in that page: storing, indexing, or asking the next
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    finally:
        reap_group(process)
    assert process.returncode == -signal.SIGKILL
    part = _backfilled(root)
    assert len(part) < len(_expected(corpus))  # killed before the end
    repository.on_request = None
    resumed = kb("backfill", "cs", "--since", "2000-01-01", "--json", root=root)
    assert resumed.returncode == 0, resumed.stderr
    data = json.loads(resumed.stdout)
    assert data["complete"] and data["resumed"]
    facts = store_facts(root)
    assert facts.integrity == "ok" and facts.duplicates == 0
    stored = _backfilled(root)
    assert len(stored) == len(set(stored)) and set(stored) == _expected(corpus) and set(part) <= set(stored)
    assert data["stored"] == len(stored)  # a page's papers and the harvest's position are stored together
    _, indexed = index_ids(root)
    assert set(stored) <= indexed


def test_hostile_records_are_stored_faithfully_and_printed_inert(tmp_path: Path, http_server: HttpServer) -> None:
    records = []
    for number, fragment in enumerate(XML_LEGAL):
        paper = FetchedItem(
            id=f"arxiv:2401.{10000 + number}",
            kind=Kind.PAPER,
            title=f"{fragment} paper{number}",
            summary=f"{fragment} abstract{number}",
            url="",
            authors=(Author(f"{fragment} Author{number}", (fragment,)),),
            published=datetime(2024, 1, 2, tzinfo=UTC),
            categories=("cs.LG",),
            comment=fragment,
            journal_ref=fragment,
            doi=fragment,
        )
        records.append(Record(paper.id.removeprefix("arxiv:"), date(2024, 1, 3), paper, sets_of(paper.categories)))
    repository = OaiRepository(records, page_size=3)
    root = oai_workspace(tmp_path, http_server, repository)
    result = kb("backfill", "cs.LG", "--since", "2024-01-01", root=root)
    assert result.returncode == 0, result.stderr
    assert_inert(result.stdout + result.stderr, "kb backfill")
    for number, fragment in enumerate(XML_LEGAL):
        shown = kb("show", f"2401.{10000 + number}", root=root)
        assert_inert(shown.stdout + shown.stderr, "kb show")
        data = json.loads(kb("show", f"2401.{10000 + number}", "--json", root=root).stdout)
        assert (data["title"], data["comment"], data["doi"]) == (f"{fragment} paper{number}", fragment, fragment)
        assert data["authors"] == [f"{fragment} Author{number}"] and data["affiliations"] == [[fragment]]
    listed = kb("list", "--source", "backfill", root=root)
    assert_inert(listed.stdout + listed.stderr, "kb list")


def test_a_hostile_refusal_is_one_inert_line(tmp_path: Path, http_server: HttpServer) -> None:
    message = "".join(XML_LEGAL)
    body = (
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2026-01-01T00:00:00Z</responseDate>'
        f'<request>x</request><error code="badArgument">{escape(message)}\nsecond line</error></OAI-PMH>'
    ).encode()
    root = oai_workspace(tmp_path, http_server, OaiRepository([]))
    http_server.add("/oai", body, headers={"Content-Type": "text/xml"})
    result = kb("backfill", "cs", "--since", "2024-01-01", "-q", root=root)
    assert result.returncode == 1
    assert_inert(result.stderr, "kb backfill")
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2 and "badArgument" in lines[0] and "resume with" in lines[1]
