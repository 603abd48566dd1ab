"""Version and change alerts through the real fetch path: loopback server, real RSS parser, real store."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from kb.cli.main import main
from kb.library import Library
from kb.models import ItemFilter, Status
from tests.alerts.conftest import announcement, serve_announcement
from tests.support.httpserver import HttpServer

ATTENTION = "arxiv:1706.03762"
OTHER = "arxiv:2606.01234"
DAY = date(2026, 6, 29)


@pytest.fixture
def root(workspace_factory: Callable[..., Path], http_server: HttpServer) -> Path:
    serve_announcement(http_server, "/rss/cs.CL", announcement(DAY))
    return workspace_factory(categories=("cs.CL",))


def _replace_announcement(server: HttpServer, version: int = 7, extra: str = "") -> None:
    serve_announcement(server, "/rss/cs.CL", announcement(DAY, version, extra))


def _cli(root: Path, *args: str) -> str:
    # A wide terminal: `kb list` cuts titles to the width it finds, and what it finds varies by runner.
    result = CliRunner().invoke(main, ["--root", str(root), *args], catch_exceptions=False, env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def test_a_new_version_of_a_starred_paper_puts_it_back_in_the_inbox_marked(root: Path, http_server: HttpServer) -> None:
    with Library.open(root) as library:
        library.fetch()
        library.set_starred(ATTENTION, True)
        library.set_status(ATTENTION, Status.READ)
        library.set_status(OTHER, Status.READ)
        _replace_announcement(http_server, version=8)
        report = library.fetch()
        paper = library.get_item(ATTENTION)
        inbox = [item.id for item in library.list_items(ItemFilter(status=Status.NEW))]
        assert library.search("status:new").total == 1  # the index was told at once
    assert (paper.status, paper.alert, paper.starred) == (Status.NEW, "v7 -> v8", True)
    assert inbox == [ATTENTION]
    assert report.alerted == [ATTENTION]
    assert "1 changed papers back in the inbox" in report.summary()


def test_the_alert_shows_in_list_and_show_text_and_json(root: Path, http_server: HttpServer) -> None:
    with Library.open(root) as library:
        library.fetch()
        library.set_tags(ATTENTION, ["transformers"])
        _replace_announcement(http_server, version=8)
        library.fetch()
    listed = {entry["id"]: entry for entry in json.loads(_cli(root, "list", "--json"))}
    assert listed[ATTENTION]["alert"] == "v7 -> v8" and listed[OTHER]["alert"] is None
    assert json.loads(_cli(root, "show", "1706.03762", "--json"))["alert"] == "v7 -> v8"
    row = next(line for line in _cli(root, "list").splitlines() if ATTENTION in line)
    assert row.startswith(" !") and "[v7 -> v8] Attention Is All You Need (revised)" in row
    assert "changed:    v7 -> v8" in _cli(root, "show", "1706.03762")


def test_triaging_again_clears_the_alert_and_a_refetch_does_not_raise_it_again(
    root: Path, http_server: HttpServer
) -> None:
    with Library.open(root) as library:
        library.fetch()
        library.set_starred(ATTENTION, True)
        _replace_announcement(http_server, version=8)
        library.fetch()
        assert library.set_status(ATTENTION, Status.READ).alert is None
        again = library.fetch()  # the same v8 once more: nothing changed
        paper = library.get_item(ATTENTION)
    assert again.alerted == [] and (paper.status, paper.alert) == (Status.READ, None)


def test_two_versions_before_the_person_looks_read_as_one_alert(root: Path, http_server: HttpServer) -> None:
    with Library.open(root) as library:
        library.fetch()
        library.set_starred(ATTENTION, True)
        library.set_status(ATTENTION, Status.SKIPPED)
        _replace_announcement(http_server, version=8)
        library.fetch()
        _replace_announcement(http_server, version=9)
        library.fetch()
        paper = library.get_item(ATTENTION)
    assert (paper.version, paper.alert, paper.status) == (9, "v7 -> v9", Status.NEW)


def test_a_paper_nobody_cares_about_keeps_its_triage(root: Path, http_server: HttpServer) -> None:
    with Library.open(root) as library:
        library.fetch()
        library.set_status(ATTENTION, Status.READ)
        _replace_announcement(http_server, version=8)
        report = library.fetch()
        paper = library.get_item(ATTENTION)
    assert report.updated == 1 and report.alerted == []
    assert (paper.version, paper.status, paper.alert) == (8, Status.READ, None)


def test_a_paper_linked_from_a_note_is_watched(root: Path, http_server: HttpServer) -> None:
    note = "---\ntitle: Transformers\npapers: [arxiv:1706.03762]\n---\nMy reading notes.\n"
    (root / "notes" / "transformers.md").write_text(note, encoding="utf-8")
    with Library.open(root) as library:
        library.fetch()
        library.set_status(ATTENTION, Status.READ)
        _replace_announcement(http_server, version=8)
        library.fetch()
        assert library.get_item(ATTENTION).alert == "v7 -> v8"


@pytest.mark.parametrize(
    ("extra", "alert"),
    [
        ("<arxiv:journal_reference>NeurIPS 2017</arxiv:journal_reference>", "now published in NeurIPS 2017"),
        ("<arxiv:DOI>10.5555/3295222.3295349</arxiv:DOI>", "now published in 10.5555/3295222.3295349"),
    ],
)
def test_a_journal_reference_or_doi_appearing_is_an_alert(
    root: Path, http_server: HttpServer, extra: str, alert: str
) -> None:
    with Library.open(root) as library:
        library.fetch()
        library.set_starred(ATTENTION, True)
        library.set_status(ATTENTION, Status.READ)
        _replace_announcement(http_server, extra=extra)  # the same version, now published
        library.fetch()
        paper = library.get_item(ATTENTION)
        assert (paper.version, paper.status, paper.alert) == (7, Status.NEW, alert)
        library.set_status(ATTENTION, Status.READ)
        library.fetch()  # still published: no news
        assert library.get_item(ATTENTION).status is Status.READ
