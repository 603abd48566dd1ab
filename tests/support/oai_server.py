"""An OAI-PMH 2.0 repository on the loopback test server, serving arXiv-format records made from recorded papers.

Written from the protocol's specification (https://www.openarchives.org/OAI/openarchivesprotocol.html):
- one endpoint, ``verb`` chooses the request; an unknown or missing verb is ``badVerb``;
- ``ListRecords`` takes ``metadataPrefix`` (only ``arXiv`` here: else ``cannotDisseminateFormat``), optional
  ``from``/``until`` (day granularity, compared with the record's datestamp) and ``set``, or a
  ``resumptionToken`` alone (anything beside it is ``badArgument``); an empty selection is ``noRecordsMatch``;
- an incomplete list ends each page with ``<resumptionToken completeListSize cursor expirationDate>``, and the
  last page with an empty ``<resumptionToken>`` carrying the size and cursor; a token may be asked again while
  valid (idempotent); one that is unknown or past its expiry is ``badResumptionToken``;
- deleted records keep their header (``status="deleted"``) and carry no metadata;
- sets are hierarchical (``cs`` holds ``cs:cs:LG``): a record belongs to the set of each of its categories and
  to every set above them.
arXiv's own habits on top: tokens expire at the next 00:00 UTC of the repository's clock, and 503 with
Retry-After is its flow control (``fail_next``).

Records come from the recorded arXiv API answers of the corpus, read with kb's own API reader, so the
harvested papers can be compared with what the API says of them.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

import yaml

from kb.fetchers.arxiv_atom import UnreadableResponse, parse_api_response
from kb.fetchers.oai import PHYSICS_ARCHIVES
from kb.models import FetchedItem
from tests.support.httpserver import Exchange, HttpServer, Response

_ENVELOPE = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/ http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">\n'
    "<responseDate>{now}</responseDate>\n{request}\n{body}\n</OAI-PMH>\n"
)
_XML = {"Content-Type": "text/xml; charset=utf-8"}


@dataclass(frozen=True)
class Record:
    """One record the repository holds."""

    arxiv_id: str
    datestamp: date
    paper: FetchedItem | None  # None: deleted
    sets: tuple[str, ...] = ()

    @property
    def deleted(self) -> bool:
        return self.paper is None


@dataclass
class _Listing:
    """What a token stands for: the selection and how far into it the next page starts."""

    records: list[Record]
    cursor: int
    expires: datetime


@dataclass
class OaiRepository:
    """The repository's state; ``handle`` is the route handler for HttpServer.add_handler."""

    records: list[Record]
    page_size: int = 5
    #: The repository's clock (token expiry); None: the real time.
    clock: datetime | None = None
    _tokens: dict[str, _Listing] = field(default_factory=dict)
    _counter: itertools.count[int] = field(default_factory=itertools.count)
    _failures: list[Response] = field(default_factory=list)
    _answers_before_failing: int = 0
    #: Called with the number of each request (from 1) as it arrives: tests kill a harvest at a page this way.
    on_request: Callable[[int], None] | None = None
    _served: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def now(self) -> datetime:
        return self.clock or datetime.now(UTC)

    def fail_next(self, status: int = 503, retry_after: str | None = "0", times: int = 1, after: int = 0) -> None:
        """``times`` requests, once ``after`` more have been answered, get ``status`` (with Retry-After), as arXiv's
        flow control does."""
        headers = {**_XML, **({"Retry-After": retry_after} if retry_after is not None else {})}
        with self._lock:
            self._answers_before_failing = after
            self._failures += [Response(b"<html>Retry later</html>", status, headers) for _ in range(times)]

    def forget_tokens(self) -> None:
        """Every token issued so far becomes unknown (the repository restarted)."""
        with self._lock:
            self._tokens.clear()

    def handle(self, exchange: Exchange) -> Response:
        with self._lock:
            self._served += 1
            if self.on_request is not None:
                self.on_request(self._served)
            if self._failures and self._answers_before_failing <= 0:
                return self._failures.pop(0)
            self._answers_before_failing -= 1
            query = {name: values[0] for name, values in exchange.request.query.items()}
            repeated = [name for name, values in exchange.request.query.items() if len(values) > 1]
            return self._answer(query, repeated)

    # --- the protocol -----------------------------------------------------------------------------

    def _answer(self, query: dict[str, str], repeated: list[str]) -> Response:
        verb = query.get("verb")
        if repeated:
            return self._error(query, "badArgument", f"repeated argument: {repeated[0]}")
        if verb != "ListRecords":
            return self._error(query, "badVerb", f"unsupported verb: {verb}")
        allowed = {"verb", "metadataPrefix", "from", "until", "set", "resumptionToken"}
        extra = sorted(set(query) - allowed)
        if extra:
            return self._error(query, "badArgument", f"illegal argument: {extra[0]}")
        if "resumptionToken" in query:
            if set(query) != {"verb", "resumptionToken"}:
                return self._error(query, "badArgument", "resumptionToken is an exclusive argument")
            # Idempotent (OAI-PMH 3.5.1): a valid token may be asked again and lists the same records again.
            listing = self._tokens.get(query["resumptionToken"])
            if listing is None or self.now() >= listing.expires:
                return self._error(query, "badResumptionToken", "the token is invalid or expired")
            return self._page(query, listing)
        if "metadataPrefix" not in query:
            return self._error(query, "badArgument", "metadataPrefix is required")
        if query["metadataPrefix"] != "arXiv":
            return self._error(query, "cannotDisseminateFormat", f"unknown format {query['metadataPrefix']}")
        try:
            since = date.fromisoformat(query["from"]) if "from" in query else None
            until = date.fromisoformat(query["until"]) if "until" in query else None
        except ValueError:
            return self._error(query, "badArgument", "dates are YYYY-MM-DD")
        wanted = query.get("set")
        chosen = [
            record
            for record in sorted(self.records, key=lambda r: (r.datestamp, r.arxiv_id))
            if (since is None or record.datestamp >= since)
            and (until is None or record.datestamp <= until)
            and (wanted is None or wanted in record.sets)
        ]
        if not chosen:
            return self._error(query, "noRecordsMatch", "no records match")
        return self._page(query, _Listing(chosen, 0, _next_midnight(self.now())))

    def _page(self, query: dict[str, str], listing: _Listing) -> Response:
        start = listing.cursor
        page = listing.records[start : start + self.page_size]
        body = "".join(_record_xml(record) for record in page)
        size = len(listing.records)
        if start + len(page) < size:
            token = f"tok{next(self._counter)}-{start + len(page)}"
            self._tokens[token] = _Listing(listing.records, start + len(page), listing.expires)
            expires = listing.expires.strftime("%Y-%m-%dT%H:%M:%SZ")
            body += (
                f'<resumptionToken cursor="{start}" completeListSize="{size}" expirationDate="{expires}">'
                f"{token}</resumptionToken>"
            )
        elif start:
            body += f'<resumptionToken cursor="{start}" completeListSize="{size}"/>'
        return self._envelope(query, f"<ListRecords>{body}</ListRecords>")

    def _error(self, query: dict[str, str], code: str, message: str) -> Response:
        # The spec: with badVerb/badArgument the request element carries no attributes.
        shown = {} if code in ("badVerb", "badArgument") else query
        return self._envelope(shown, f'<error code="{code}">{escape(message)}</error>')

    def _envelope(self, query: dict[str, str], body: str) -> Response:
        attributes = "".join(f' {name}="{escape(value, {chr(34): "&quot;"})}"' for name, value in query.items())
        request = f"<request{attributes}>http://127.0.0.1/oai</request>"
        now = self.now().strftime("%Y-%m-%dT%H:%M:%SZ")
        return Response(_ENVELOPE.format(now=now, request=request, body=body).encode(), 200, dict(_XML))


def _next_midnight(moment: datetime) -> datetime:
    day = moment.astimezone(UTC).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def sets_of(categories: Iterable[str]) -> tuple[str, ...]:
    """Every OAI set a record of these categories belongs to (group, archive, category)."""
    found: dict[str, None] = {}
    for category in categories:
        archive, _, subject = category.partition(".")
        group = "physics" if archive in PHYSICS_ARCHIVES else archive
        found[group] = None
        found[f"{group}:{archive}"] = None
        if subject:
            found[f"{group}:{archive}:{subject}"] = None
    return tuple(found)


def _record_xml(record: Record) -> str:
    header = (
        f"<identifier>oai:arXiv.org:{record.arxiv_id}</identifier>"
        f"<datestamp>{record.datestamp.isoformat()}</datestamp>"
        + "".join(f"<setSpec>{escape(spec)}</setSpec>" for spec in record.sets)
    )
    if record.paper is None:
        return f'<record><header status="deleted">{header}</header></record>'
    paper = record.paper
    authors = "".join(_author_xml(author.name, author.affiliations) for author in paper.authors)
    created = paper.published.date() if paper.published else record.datestamp
    updated = paper.updated.date() if paper.updated else None
    optional = [
        ("updated", updated.isoformat() if updated and updated != created else None),
        ("comments", paper.comment),
        ("journal-ref", paper.journal_ref),
        ("doi", paper.doi),
    ]
    fields = "".join(f"<{tag}>{escape(value)}</{tag}>" for tag, value in optional if value)
    return (
        f"<record><header>{header}</header><metadata>"
        '<arXiv xmlns="http://arxiv.org/OAI/arXiv/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<id>{record.arxiv_id}</id><created>{created.isoformat()}</created>{fields}"
        f"<authors>{authors}</authors><title>{escape(paper.title)}</title>"
        f"<categories>{escape(' '.join(paper.categories))}</categories>"
        "<license>http://arxiv.org/licenses/nonexclusive-distrib/1.0/</license>"
        f"<abstract>{escape(paper.summary)}</abstract></arXiv></metadata></record>"
    )


def _author_xml(name: str, affiliations: tuple[str, ...]) -> str:
    forenames, _, keyname = name.rpartition(" ")
    parts = f"<keyname>{escape(keyname)}</keyname>"
    parts += f"<forenames>{escape(forenames)}</forenames>" if forenames else ""
    parts += "".join(f"<affiliation>{escape(a)}</affiliation>" for a in affiliations)
    return f"<author>{parts}</author>"


def corpus_papers(corpus: Path) -> list[FetchedItem]:
    """Every paper of the recorded arXiv API answers, once each, by id."""
    papers: dict[str, FetchedItem] = {}
    for path in sorted((corpus / "arxiv-api").glob("*.xml")):
        try:
            page = parse_api_response(path.read_bytes())
        except UnreadableResponse:
            continue
        for paper in page.papers:
            papers.setdefault(paper.id, paper)
    return sorted(papers.values(), key=lambda paper: paper.id)


def corpus_records(corpus: Path, deleted: Iterable[tuple[str, date]] = ()) -> list[Record]:
    """The corpus papers as records (datestamp: their last version's day), plus deleted ones."""
    records = []
    for paper in corpus_papers(corpus):
        moment = paper.updated or paper.published
        assert moment is not None
        records.append(Record(paper.id.removeprefix("arxiv:"), moment.date(), paper, sets_of(paper.categories)))
    for arxiv_id, day in deleted:
        records.append(Record(arxiv_id, day, None, sets_of(["cs.LG"])))
    return records


def oai_workspace(tmp_path: Path, server: HttpServer, repository: OaiRepository) -> Path:
    """A workspace whose `arxiv.oai_url` is ``repository`` served by ``server`` (Retry-After capped at 1 s)."""
    from tests.support.workspace import make_workspace

    server.add_handler("/oai", repository.handle)
    root = make_workspace(tmp_path / "ws", server)
    config = yaml.safe_load((root / "feeds.yaml").read_text())
    config["arxiv"]["oai_url"] = server.url("/oai")
    config["fetch"]["max_retry_after"] = 1
    (root / "feeds.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    return root
