"""Full texts fetched by `kb fetch` and on demand, from real pages and PDFs on the loopback server (issue 14).

HTML first, the PDF when arXiv has no HTML or a cut-off one; every bad PDF is one line in the log and nothing
else breaks; only the papers feeds.yaml names, at most per_run a run; versioned; bounded by max_mb.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import yaml

from kb.library import Library
from kb.models import FullTextSource, TriageChange
from tests.support.arxiv_fulltext import (
    ENCRYPTED,
    HUGE,
    NOT_A_PDF,
    SLOW,
    TRUNCATED,
    big_page,
    fetched,
    fulltext_workspace,
    seed_papers,
    serve_fulltexts,
)
from tests.support.httpserver import HttpServer, Response, delayed, http_server
from tests.support.inside import store_of

__all__ = ["http_server"]


def _star(library: Library, *numbers: str) -> None:
    for number in numbers:  # one after another: the last starred is the most recently kept
        library.set_triage(f"arxiv:{number}", TriageChange(starred=True))


def _asked(server: HttpServer) -> list[str]:
    return [r.route for r in server.requests if r.route.startswith(("/html/", "/pdf/"))]


def test_fetch_gets_the_texts_of_starred_papers_only_and_per_run(
    tmp_path: Path, http_server: HttpServer, corpus: Path
) -> None:
    papers = serve_fulltexts(http_server, corpus)
    root = fulltext_workspace(tmp_path / "ws", http_server, {"for": ["starred"], "per_run": 2})
    with Library.open(root) as library:
        seed_papers(library, papers)
        _star(library, "2304.02623", "2206.10883", "2501.11120")
        library.set_tags("arxiv:2302.07302", ["later"])  # tagged, not starred: not wanted here
        first = library.fetch()
        assert first.fulltexts is not None
        assert [i.item_id for i in first.fulltexts.fetched] == ["arxiv:2501.11120", "arxiv:2206.10883"]
        assert "2 full texts" in first.summary()
        html = library.fulltexts.info("arxiv:2501.11120")
        pdf = library.fulltexts.info("arxiv:2206.10883")
        assert html is not None and (html.source, html.version) == (FullTextSource.HTML, 1)
        assert pdf is not None and (pdf.source, pdf.version) == (FullTextSource.PDF, 3)
        assert _asked(http_server) == ["/html/2501.11120v1", "/html/2206.10883v3", "/pdf/2206.10883v3"]
        http_server.clear()
        second = library.fetch()
        assert second.fulltexts is not None
        assert [i.item_id for i in second.fulltexts.fetched] == ["arxiv:2304.02623"]
        third = library.fetch()
        assert third.fulltexts is not None and third.fulltexts.fetched == []
        assert "2302.07302" not in " ".join(_asked(http_server))
        assert library.fulltexts.info("arxiv:2302.07302") is None
        # Each stored text was queued for the index in its transaction, and the index caught up.
        assert library.fulltexts.usage()[0] == 3
        assert library.index_backlog() == 0


def test_every_bad_pdf_is_one_log_line_and_the_rest_is_stored(
    tmp_path: Path, http_server: HttpServer, corpus: Path
) -> None:
    papers = serve_fulltexts(http_server, corpus)
    root = fulltext_workspace(tmp_path / "ws", http_server, {"for": ["starred"], "per_run": 20})
    with Library.open(root) as library:
        seed_papers(library, papers)
        _star(library, *(paper.number for paper in papers))
        report = library.fetch()
        assert report.fulltexts is not None and report.fulltexts.cut is None
        errors = dict(report.fulltexts.failed)
        assert set(errors) == {f"arxiv:{n}" for n in (NOT_A_PDF, HUGE, ENCRYPTED)}
        assert re.fullmatch(
            r"no HTML \(HTTP 404 Not Found\); PDF: not a PDF \(it starts with '<html><body>'\)",
            errors[f"arxiv:{NOT_A_PDF}"],
        )
        assert "PDF: too large: 4000010 bytes, over the 4000000 byte limit" in errors[f"arxiv:{HUGE}"]
        assert errors[f"arxiv:{ENCRYPTED}"].endswith("PDF: the PDF is encrypted (it needs a password)")
        # The cut-off HTML fell back to the PDF; the others are all stored.
        truncated = library.fulltexts.info(f"arxiv:{TRUNCATED}")
        assert truncated is not None and truncated.source is FullTextSource.PDF
        assert {i.item_id for i in report.fulltexts.fetched} == {p.id for p in papers} - set(errors)
        log = (root / ".kb" / "kb.log").read_text(encoding="utf-8")
        failures = [line for line in log.splitlines() if "fulltext" in line and "FAILED" in line]
        assert len(failures) == 3 and all(number in " ".join(failures) for number in (NOT_A_PDF, HUGE, ENCRYPTED))
        assert "Traceback" not in log
        # A failed paper waits: the next run asks for nothing; a new version of it is tried at once.
        http_server.clear()
        again = library.fetch()
        assert again.fulltexts is not None and again.fulltexts.fetched == again.fulltexts.failed == []
        assert _asked(http_server) == []
        store_of(library).upsert_items([fetched(ENCRYPTED, 2)], "seed")
        library.fetch()
        assert _asked(http_server) == [f"/html/{ENCRYPTED}v2", f"/pdf/{ENCRYPTED}v2"]


def test_a_new_version_fetches_the_text_again(tmp_path: Path, http_server: HttpServer, corpus: Path) -> None:
    papers = serve_fulltexts(http_server, corpus)
    root = fulltext_workspace(tmp_path / "ws", http_server, {"for": ["starred"]})
    with Library.open(root) as library:
        seed_papers(library, papers[:1])
        _star(library, "2501.11120")
        library.fetch()
        page = (corpus / "fulltext" / "arxiv-html_2501.11120v1.html").read_bytes()
        http_server.add("/html/2501.11120v2", page.replace(b"Tell me about yourself", b"Tell me more"))
        store_of(library).upsert_items([fetched("2501.11120", 2)], "seed")
        report = library.fetch()
        assert report.fulltexts is not None and [i.version for i in report.fulltexts.fetched] == [2]
        info = library.fulltexts.info("arxiv:2501.11120")
        assert info is not None and info.version == 2


def test_a_slow_server_ends_the_round_truthfully(tmp_path: Path, http_server: HttpServer, corpus: Path) -> None:
    papers = serve_fulltexts(http_server, corpus, slow_seconds=30)
    root = fulltext_workspace(
        tmp_path / "ws", http_server, {"for": ["starred"]}, read_timeout=0.5, total_timeout=3, retries=0
    )
    with Library.open(root) as library:
        seed_papers(library, [papers[-1], papers[1]])
        _star(library, "2203.00130", SLOW)  # the slow one first
        report = library.fetch()
        assert report.fulltexts is not None
        assert [item_id for item_id, _ in report.fulltexts.failed] == [f"arxiv:{SLOW}"]
        assert "timed out" in report.fulltexts.failed[0][1]
        assert report.fulltexts.left == ["arxiv:2203.00130"] and report.fulltexts.cut
        assert "1 left for the next run" in report.summary()
    # Not held against the papers: the next run tries both again.
    assert store_of(Library.open(root)).fulltexts_due(["starred"], 10) == [
        (f"arxiv:{SLOW}", 1),
        ("arxiv:2203.00130", 1),
    ]


def test_texts_beyond_max_mb_are_evicted_least_recently_used_first(
    tmp_path: Path, http_server: HttpServer, corpus: Path
) -> None:
    for n in range(1, 4):
        http_server.add(f"/html/2602.0000{n}v1", big_page(n, 600_000), headers={"Content-Type": "text/html"})
    root = fulltext_workspace(tmp_path / "ws", http_server, {"for": ["starred"], "max_mb": 1})
    with Library.open(root) as library:
        store_of(library).upsert_items([fetched(f"2602.0000{n}", 1) for n in range(1, 4)], "seed")
        library.fetch_fulltexts(["2602.00001"])
        library.fetch_fulltexts(["2602.00002"])
        library.fulltexts.mark_used(["arxiv:2602.00001"])  # read since: kept over 2602.00002
        report = library.fetch_fulltexts(["2602.00003"])
        assert report.evicted == ["arxiv:2602.00002"]
        count, size = library.fulltexts.usage()
        assert count == 2 and size <= 1024 * 1024
        assert library.fulltexts.info("arxiv:2602.00002") is None
        assert library.index_backlog() == 0


def test_the_run_timeout_cuts_the_texts_and_says_so(tmp_path: Path, http_server: HttpServer, corpus: Path) -> None:
    papers = serve_fulltexts(http_server, corpus)
    http_server.add_handler("/html/2501.11120v1", delayed(20, Response(b"late", 200)))
    root = fulltext_workspace(tmp_path / "ws", http_server, {"for": ["starred"]}, read_timeout=10, run_timeout=1)
    with Library.open(root) as library:
        seed_papers(library, papers[:3])
        _star(library, "2206.10883", "2203.00130", "2501.11120")  # the late one first
        report = library.fetch()  # the request is cut at the run's deadline, not after the server's 20 s
        assert report.fulltexts is not None and report.fulltexts.fetched == []
        assert report.fulltexts.cut is not None and "fetch.run_timeout (1 s)" in report.fulltexts.cut
        assert report.fulltexts.left == ["arxiv:2203.00130", "arxiv:2206.10883"]
        assert "0 full texts, 1 failed (2 left for the next run: " in report.summary()
        due = store_of(library).fulltexts_due(["starred"], 10)
        assert [item_id for item_id, _ in due] == ["arxiv:2501.11120", "arxiv:2203.00130", "arxiv:2206.10883"]


def test_full_text_requests_keep_the_arxiv_pace(tmp_path: Path, http_server: HttpServer, corpus: Path) -> None:
    papers = serve_fulltexts(http_server, corpus)
    root = fulltext_workspace(tmp_path / "ws", http_server, {"for": ["starred"]})
    config = yaml.safe_load((root / "feeds.yaml").read_text(encoding="utf-8"))
    config["arxiv"]["delay_seconds"] = 0.3
    (root / "feeds.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    with Library.open(root) as library:
        seed_papers(library, papers[:3])
        _star(library, "2501.11120", "2203.00130", "2206.10883")
        library.fetch()
    asked = [r for r in http_server.requests if r.route.startswith(("/html/", "/pdf/"))]
    assert len(asked) == 5  # an HTML page, then two PDF-only papers: their 404 page and their PDF each
    gaps = [later.time - earlier.time for earlier, later in itertools.pairwise(asked)]
    assert min(gaps) >= 0.3 - 0.01, gaps  # one arXiv request at a time, 0.3 s after the previous one ended
