"""The OAI-PMH reader (kb.fetchers.oai): pages, tokens, deleted records, errors, and what a person types."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from kb.errors import UsageError
from kb.fetchers.oai import (
    HarvestSet,
    OaiError,
    OaiPage,
    UnreadableOai,
    keeps,
    parse_oai_response,
    resolve_set,
)
from tests.support.oai_server import OaiRepository, Record, corpus_papers, corpus_records

HEAD = '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2026-01-01T00:00:00Z</responseDate>'
ARXIV_RECORD = """
<record><header><identifier>oai:arXiv.org:0704.0001</identifier><datestamp>2008-11-13</datestamp>
<setSpec>physics:hep-ph</setSpec></header>
<metadata><arXiv xmlns="http://arxiv.org/OAI/arXiv/">
<id>0704.0001</id><created>2007-04-02</created><updated>2008-11-13</updated>
<authors><author><keyname>Bal&#225;zs</keyname><forenames>C.</forenames><affiliation>ANL</affiliation></author>
<author><keyname>Berger</keyname><forenames>E. L.</forenames><suffix>Jr</suffix></author></authors>
<title>Calculation of prompt diphoton production cross sections at Tevatron and
  LHC energies</title>
<categories>hep-ph hep-ex</categories><comments>37 pages, 15 figures</comments>
<journal-ref>Phys.Rev.D76:013009,2007</journal-ref><doi>10.1103/PhysRevD.76.013009</doi>
<license>http://arxiv.org/licenses/nonexclusive-distrib/1.0/</license>
<abstract>  A fully differential calculation
 in perturbative QCD.</abstract></arXiv></metadata></record>
"""


def _page(body: str) -> OaiPage:
    page = parse_oai_response(f"{HEAD}<ListRecords>{body}</ListRecords></OAI-PMH>".encode())
    assert isinstance(page, OaiPage)
    return page


def test_an_arxiv_record_becomes_a_paper_with_split_authors_doi_and_journal() -> None:
    token = (
        '<resumptionToken cursor="0" completeListSize="3000" expirationDate="2026-01-02T00:00:00Z">'
        "x|1001</resumptionToken>"
    )
    page = _page(ARXIV_RECORD + token)
    [record] = page.records
    assert (record.arxiv_id, record.datestamp, record.deleted, record.created) == (
        "0704.0001",
        "2008-11-13",
        False,
        date(2007, 4, 2),
    )
    paper = record.paper
    assert paper is not None
    assert paper.id == "arxiv:0704.0001"
    assert paper.title.startswith("Calculation of prompt") and "\n" not in paper.title
    assert [(a.name, a.affiliations) for a in paper.authors] == [("C. Balázs", ("ANL",)), ("E. L. Berger Jr", ())]
    assert paper.categories == ("hep-ph", "hep-ex")
    assert (paper.doi, paper.journal_ref, paper.comment) == (
        "10.1103/PhysRevD.76.013009",
        "Phys.Rev.D76:013009,2007",
        "37 pages, 15 figures",
    )
    assert paper.published == datetime(2007, 4, 2, tzinfo=UTC)
    assert paper.updated == datetime(2008, 11, 13, tzinfo=UTC)
    assert paper.summary == "A fully differential calculation in perturbative QCD."
    assert (page.token, page.complete_size, page.cursor) == ("x|1001", 3000, 0)
    assert page.expires == datetime(2026, 1, 2, tzinfo=UTC)


def test_a_deleted_record_has_its_header_and_no_paper() -> None:
    deleted = (
        '<record><header status="deleted"><identifier>oai:arXiv.org:hep-th/9901001</identifier>'
        "<datestamp>2020-01-01</datestamp></header></record>"
    )
    page = _page(deleted + '<resumptionToken completeListSize="1" cursor="0"/>')
    [record] = page.records
    assert (record.arxiv_id, record.deleted, record.paper) == ("hep-th/9901001", True, None)
    assert page.token is None  # an empty token ends the list


@pytest.mark.parametrize("code", ["badResumptionToken", "noRecordsMatch", "badArgument"])
def test_errors_are_typed_results(code: str) -> None:
    body = f'{HEAD}<request verb="ListRecords">x</request><error code="{code}">said  so</error></OAI-PMH>'
    assert parse_oai_response(body.encode()) == OaiError(code, "said so")


@pytest.mark.parametrize(
    "body",
    [b"<html>Retry later</html>", b"not xml at all", b'<feed xmlns="http://www.w3.org/2005/Atom"/>', HEAD.encode()],
)
def test_what_is_not_oai_pmh_is_unreadable(body: bytes) -> None:
    with pytest.raises(UnreadableOai):
        parse_oai_response(body)


def test_an_entity_bomb_is_refused_not_expanded() -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;"><!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;">'
        '<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;"><!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;">'
        '<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;"><!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;">'
        '<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>'
        '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><error code="x">&lol9;</error></OAI-PMH>'
    )
    with pytest.raises(UnreadableOai):
        parse_oai_response(bomb.encode())


@pytest.mark.parametrize(
    ("typed", "spec", "category"),
    [
        ("cs.LG", "cs:cs:LG", "cs.LG"),
        ("cs:cs:LG", "cs:cs:LG", "cs.LG"),
        ("cs", "cs", None),
        ("hep-th", "physics:hep-th", None),
        ("physics:hep-th", "physics:hep-th", None),
        ("astro-ph.CO", "physics:astro-ph:CO", "astro-ph.CO"),
        ("math.AG", "math:math:AG", "math.AG"),
        ("physics", "physics", None),
    ],
)
def test_what_a_person_types_maps_to_the_oai_set(typed: str, spec: str, category: str | None) -> None:
    assert resolve_set(typed) == HarvestSet(spec, category)


@pytest.mark.parametrize(
    ("typed", "hint"),
    [("cs.lg", "cs.LG"), ("nonsense", "category"), ("cs:hep-th", "physics:hep-th"), ("a:b:c:d", "cs.LG"), ("", "")],
)
def test_an_unknown_category_is_a_usage_error_with_a_hint(typed: str, hint: str) -> None:
    with pytest.raises(UsageError) as raised:
        resolve_set(typed)
    assert raised.value.exit_code == 2 and hint in str(raised.value)


def test_the_window_and_the_category_are_the_records_own() -> None:
    page = _page(ARXIV_RECORD)
    [record] = page.records
    physics = HarvestSet("physics:hep-ph", None)
    assert keeps(record, physics, date(2007, 4, 2), date(2007, 4, 2))
    assert not keeps(record, physics, date(2007, 4, 3), None)  # submitted before the window (datestamp is later)
    assert not keeps(record, physics, date(2000, 1, 1), date(2007, 4, 1))
    assert keeps(record, HarvestSet("physics:hep-ex", "hep-ex"), date(2000, 1, 1), None)  # cross-listed
    assert not keeps(record, HarvestSet("physics:hep-th", "hep-th"), date(2000, 1, 1), None)


def test_records_rendered_from_the_corpus_read_back_as_the_api_papers(corpus: Path) -> None:
    """The test repository's rendering and kb's reader agree with what the arXiv API said of each paper."""
    papers = {paper.id: paper for paper in corpus_papers(corpus)}
    repository = OaiRepository(corpus_records(corpus), page_size=1000)
    response = repository._answer({"verb": "ListRecords", "metadataPrefix": "arXiv"}, [])
    page = parse_oai_response(response.body)
    assert isinstance(page, OaiPage) and len(page.records) == len(papers) > 100
    for record in page.records:
        assert record.paper is not None
        api = papers[record.paper.id]
        assert (record.paper.title, record.paper.summary, record.paper.categories) == (
            api.title,
            api.summary,
            api.categories,
        )
        assert [a.name for a in record.paper.authors] == [a.name for a in api.authors]
        assert (record.paper.doi, record.paper.journal_ref) == (api.doi, api.journal_ref)
        assert api.published is not None and record.created == api.published.date()


def test_the_test_repository_pages_with_idempotent_tokens_and_refuses_a_forgotten_one(corpus: Path) -> None:
    repository = OaiRepository(corpus_records(corpus), page_size=40)
    first = parse_oai_response(repository._answer({"verb": "ListRecords", "metadataPrefix": "arXiv"}, []).body)
    assert isinstance(first, OaiPage) and first.token and first.cursor == 0 and first.complete_size
    second = parse_oai_response(repository._answer({"verb": "ListRecords", "resumptionToken": first.token}, []).body)
    assert isinstance(second, OaiPage) and second.cursor == 40
    again = parse_oai_response(repository._answer({"verb": "ListRecords", "resumptionToken": first.token}, []).body)
    assert isinstance(again, OaiPage) and (again.records, again.cursor) == (second.records, second.cursor)
    repository.forget_tokens()
    gone = parse_oai_response(repository._answer({"verb": "ListRecords", "resumptionToken": first.token}, []).body)
    assert isinstance(gone, OaiError) and gone.code == "badResumptionToken"
    mixed = {"verb": "ListRecords", "resumptionToken": "x", "set": "cs"}
    refused = parse_oai_response(repository._answer(mixed, []).body)
    assert isinstance(refused, OaiError) and refused.code == "badArgument"
    none = {"verb": "ListRecords", "metadataPrefix": "arXiv", "from": "2100-01-01"}
    empty = parse_oai_response(repository._answer(none, []).body)
    assert isinstance(empty, OaiError) and empty.code == "noRecordsMatch"
    assert Record("1", date(2020, 1, 1), None).deleted
