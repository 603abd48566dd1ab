"""`Library.backfill`: a category's history from a loopback OAI-PMH repository, resumable, out of the inbox."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from kb.errors import UsageError
from kb.library import Library
from kb.library.ranking.cache import history
from kb.models import FetchedItem, ItemFilter, Status
from tests.support.httpserver import HttpServer, http_server
from tests.support.oai_server import OaiRepository, Record, corpus_papers, corpus_records, oai_workspace

__all__ = ["http_server"]

DELETED = (("2301.99999", date(2024, 1, 5)), ("2302.99998", date(2024, 2, 1)))
PAGE = 10


@pytest.fixture
def repository(corpus: Path) -> OaiRepository:
    return OaiRepository(corpus_records(corpus, DELETED), page_size=PAGE)


def _expected(corpus: Path, category: str | None, since: date, until: date | None = None) -> set[str]:
    """The papers a backfill must store, worked out from the API papers themselves."""

    def wanted(paper: FetchedItem) -> bool:
        assert paper.published is not None
        day = paper.published.date()
        listed = any(c == category or c.startswith(f"{category}.") for c in paper.categories) if category else True
        return listed and since <= day and (until is None or day <= until)

    return {paper.id for paper in corpus_papers(corpus) if wanted(paper)}


def _stored(library: Library, source: str = "backfill") -> set[str]:
    return {item.id for item in library.list_items(ItemFilter(source=source))}


def _queries(server: HttpServer) -> list[dict[str, str]]:
    return [{k: v[0] for k, v in parse_qs(urlsplit(r.path).query).items()} for r in server.requests_for("/oai")]


def test_a_group_is_harvested_whole_filed_as_history_and_searchable(
    tmp_path: Path, http_server: HttpServer, repository: OaiRepository, corpus: Path
) -> None:
    root = oai_workspace(tmp_path, http_server, repository)
    with Library.open(root) as library:
        report = library.backfill("cs", date(2000, 1, 1))
        expected = _expected(corpus, "cs", date(2000, 1, 1))
        assert report.complete and report.error is None and not report.resumed
        assert _stored(library) == expected and len(expected) > 50
        in_set = [r for r in repository.records if "cs" in r.sets]
        data = report.as_json()
        assert data == {
            "set": "cs",
            "since": "2000-01-01",
            "until": None,
            "pages": math.ceil(len(in_set) / PAGE),
            "records": len(in_set),
            "stored": len(expected),
            "new": len(expected),
            "deleted": len(DELETED),
            "skipped": len(in_set) - len(expected) - len(DELETED),
            "complete": True,
            "resumed": False,
        }
        # History, not inbox: nothing new, every paper skipped with no time of change (nobody triaged it).
        assert library.list_items(ItemFilter(status=Status.NEW)) == []
        items = library.list_items(ItemFilter(source="backfill"))
        assert {(item.status, item.status_changed) for item in items} == {(Status.SKIPPED, None)}
        hits = library.search("attention transformer", limit=50)
        assert "arxiv:1706.03762" in {hit.id for hit in hits.hits}
        assert {ranked.id for ranked, _, _ in library.rank(items)} == expected  # the for-you order ranks them
        assert not [item for item in history(library)[0] if item.id in expected]  # ...and learns nothing from them
    queries = _queries(http_server)
    assert queries[0] == {"verb": "ListRecords", "metadataPrefix": "arXiv", "set": "cs", "from": "2000-01-01"}
    assert all(set(q) == {"verb", "resumptionToken"} for q in queries[1:])
    assert (root / ".kb" / "kb.log").read_text().count("backfill set=cs since=2000-01-01") == 1


def test_a_category_and_a_window_are_filtered_by_the_records_own_dates(
    tmp_path: Path, http_server: HttpServer, repository: OaiRepository, corpus: Path
) -> None:
    root = oai_workspace(tmp_path, http_server, repository)
    since, until = date(2017, 1, 1), date(2023, 12, 31)
    with Library.open(root) as library:
        report = library.backfill("cs.LG", since, until)
        expected = {
            paper.id
            for paper in corpus_papers(corpus)
            if "cs.LG" in paper.categories and paper.published and since <= paper.published.date() <= until
        }
        assert report.complete and _stored(library) == expected and expected
        assert report.state.skipped > 0  # modified in the window but submitted outside it, or only cross-set
    first = _queries(http_server)[0]
    assert (first["set"], first["from"], "until" in first) == ("cs:cs:LG", "2017-01-01", False)


def test_papers_already_stored_keep_their_triage_and_deleted_records_leave_them_alone(
    tmp_path: Path, http_server: HttpServer, corpus: Path
) -> None:
    papers = {paper.id: paper for paper in corpus_papers(corpus)}
    # 1706.03762 comes back deleted: kb keeps what it has (notes and triage may refer to it).
    records = [r for r in corpus_records(corpus) if r.arxiv_id != "1706.03762"]
    records.append(Record("1706.03762", date(2024, 3, 1), None, ("cs", "cs:cs", "cs:cs:CL")))
    repository = OaiRepository(records, page_size=PAGE)
    root = oai_workspace(tmp_path, http_server, repository)
    with Library.open(root) as library:
        library._store.upsert_items([papers["arxiv:1706.03762"], papers["arxiv:2301.05651"]], "arxiv")
        library.set_starred("arxiv:2301.05651", True)
        report = library.backfill("cs", date(2000, 1, 1))
        assert report.complete and report.state.deleted == 1
        kept = library.get_item("arxiv:1706.03762")
        starred = library.get_item("arxiv:2301.05651")
        assert (kept.status, kept.title) == (Status.NEW, papers["arxiv:1706.03762"].title)
        assert (starred.status, starred.starred) == (Status.NEW, True)
        assert "backfill" in starred.sources
        assert report.state.new == report.state.stored - 1  # 2301.05651 was stored already
        assert {item.id for item in library.list_items(ItemFilter(status=Status.NEW))} == {
            "arxiv:1706.03762",
            "arxiv:2301.05651",
        }


def test_a_503_with_retry_after_is_waited_out_and_retried(
    tmp_path: Path, http_server: HttpServer, repository: OaiRepository, corpus: Path
) -> None:
    root = oai_workspace(tmp_path, http_server, repository)
    repository.fail_next(503, retry_after="0", times=1, after=3)  # the workspace allows one retry (arxiv.retries)
    with Library.open(root) as library:
        report = library.backfill("cs", date(2000, 1, 1))
        assert report.complete and _stored(library) == _expected(corpus, "cs", date(2000, 1, 1))
    queries = _queries(http_server)
    assert len(queries) == report.state.pages + 1
    assert queries[3] == queries[4]  # the same page asked again, token and all


def test_flow_control_that_does_not_end_leaves_it_resumable_and_the_resume_loses_nothing(
    tmp_path: Path, http_server: HttpServer, repository: OaiRepository, corpus: Path
) -> None:
    root = oai_workspace(tmp_path, http_server, repository)
    repository.fail_next(503, retry_after="0", times=10, after=4)
    with Library.open(root) as library:
        first = library.backfill("cs", date(2000, 1, 1))
        assert not first.complete and first.error and "503" in first.error
        assert first.state.pages == 4 and first.state.token
        part = _stored(library)
    repository.fail_next(503, times=0)
    repository._failures.clear()
    with Library.open(root) as library:
        second = library.backfill(None, None, resume=True)
        assert second.complete and second.resumed
        assert part < _stored(library) == _expected(corpus, "cs", date(2000, 1, 1))
        assert second.state.pages == math.ceil(len([r for r in repository.records if "cs" in r.sets]) / PAGE)
    resumed = _queries(http_server)[-(second.state.pages - 4)]
    assert resumed == {"verb": "ListRecords", "resumptionToken": first.state.token}


def test_a_refused_token_restarts_at_the_last_datestamp_never_from_scratch(
    tmp_path: Path, http_server: HttpServer, repository: OaiRepository, corpus: Path
) -> None:
    root = oai_workspace(tmp_path, http_server, repository)
    repository.fail_next(503, retry_after="0", times=10, after=3)
    with Library.open(root) as library:
        first = library.backfill("cs", date(2000, 1, 1))
        assert not first.complete and first.state.last_datestamp
    repository._failures.clear()
    repository.forget_tokens()  # the repository restarted: the stored token means nothing now
    before = len(_queries(http_server))
    with Library.open(root) as library:
        second = library.backfill("cs", date(2000, 1, 1))
        assert second.complete and second.resumed
        assert _stored(library) == _expected(corpus, "cs", date(2000, 1, 1))
        facts = library._store.get_items(sorted(_stored(library)))
        assert len(facts) == len({item.id for item in facts})
    queries = _queries(http_server)[before:]
    assert queries[0] == {"verb": "ListRecords", "resumptionToken": first.state.token}
    restarted = {"verb": "ListRecords", "metadataPrefix": "arXiv", "set": "cs", "from": first.state.last_datestamp}
    assert queries[1] == restarted
    log = [line for line in (root / ".kb" / "kb.log").read_text().splitlines() if " backfill " in line]
    assert len(log) == 2 and "token_restarts=0" in log[0] and "token_restarts=1" in log[1]  # one line per run
    assert first.state.last_datestamp > "2000-01-01"


def test_an_expired_token_is_not_even_tried_the_window_restarts_at_the_last_datestamp(
    tmp_path: Path, http_server: HttpServer, corpus: Path
) -> None:
    # The repository's day is in the past: its tokens expired at that day's midnight, long ago.
    past = datetime(2025, 6, 1, 12, tzinfo=UTC)
    repository = OaiRepository(corpus_records(corpus, DELETED), page_size=PAGE, clock=past)
    root = oai_workspace(tmp_path, http_server, repository)
    repository.fail_next(503, retry_after="0", times=10, after=2)
    with Library.open(root) as library:
        first = library.backfill("cs", date(2000, 1, 1))
        assert not first.complete and first.state.token_expires == datetime(2025, 6, 2, tzinfo=UTC)
    repository._failures.clear()
    before = len(_queries(http_server))
    with Library.open(root) as library:
        second = library.backfill("cs", date(2000, 1, 1))
        assert second.complete and _stored(library) == _expected(corpus, "cs", date(2000, 1, 1))
    queries = _queries(http_server)[before:]
    assert all(q.get("resumptionToken") != first.state.token for q in queries)
    assert queries[0]["from"] == first.state.last_datestamp


def test_no_records_is_a_complete_empty_harvest_and_a_rerun_catches_up_from_the_last_datestamp(
    tmp_path: Path, http_server: HttpServer, repository: OaiRepository
) -> None:
    root = oai_workspace(tmp_path, http_server, repository)
    with Library.open(root) as library:
        empty = library.backfill("hep-lat", date(2000, 1, 1))
        assert empty.complete and empty.state.records == 0
        done = library.backfill("cs", date(2025, 1, 1))
        again = library.backfill("cs", date(2025, 1, 1))
        assert done.complete and again.complete and not again.resumed
        assert again.state.new == 0
    last = _queries(http_server)
    restart = [q for q in last if q.get("from")][-1]
    assert restart["from"] == done.state.last_datestamp


@pytest.mark.parametrize(
    ("target", "since", "until", "resume", "words"),
    [
        ("cs.lg", date(2020, 1, 1), None, False, "did you mean 'cs.LG'"),
        ("cs", None, None, False, "--since"),
        ("cs", date(2020, 1, 2), date(2020, 1, 1), False, "before"),
        (None, None, None, True, "no unfinished backfill"),
        ("cs", date(2020, 1, 1), None, True, "no unfinished backfill of cs"),
        (None, date(2020, 1, 1), None, False, "category"),
    ],
)
def test_usage_errors_are_refused_before_any_request(
    tmp_path: Path,
    http_server: HttpServer,
    repository: OaiRepository,
    target: str | None,
    since: date | None,
    until: date | None,
    resume: bool,
    words: str,
) -> None:
    root = oai_workspace(tmp_path, http_server, repository)
    with Library.open(root) as library, pytest.raises(UsageError) as raised:
        library.backfill(target, since, until, resume)
    assert words in str(raised.value)
    assert _queries(http_server) == []
