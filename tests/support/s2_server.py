"""The Semantic Scholar Graph API on the loopback test server, answering with recorded responses.

The corpus (``semanticscholar/``) holds VCR cassettes recorded by the `semanticscholar` package's tests against
the live API: each interaction has the request's URI and the response's status and JSON body. ``S2Api`` serves
them at Graph-API-shaped URLs: a paper's ``/paper/arXiv:ID/references`` and ``/citations`` pages come from the
cassettes given for that id, picked by the request's ``offset`` (the recorded ``next`` values lead from page to
page); an id with no answers gets the recorded 404. Tests can also give answers of their own (``add``), queue
failures (``fail_next``) and read what was asked (``asked``).
"""

from __future__ import annotations

import json
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import yaml

from tests.support.httpserver import Exchange, HttpServer, Response

_JSON = {"Content-Type": "application/json"}
ROUTE = "/graph/v1/paper"


@dataclass(frozen=True)
class Recording:
    """One recorded exchange of a cassette."""

    method: str
    uri: str
    status: int
    body: bytes

    @property
    def offset(self) -> int:
        values = parse_qs(urlsplit(self.uri).query).get("offset", ["0"])
        return int(values[0])


def cassette(corpus: Path, name: str) -> list[Recording]:
    """The exchanges of ``semanticscholar/<name>``, in order (both cassette formats the corpus holds)."""
    data = yaml.safe_load((corpus / "semanticscholar" / name).read_text(encoding="utf-8"))
    found = []
    for interaction in data["interactions"]:
        request, response = interaction["request"], interaction["response"]
        body = response["body"]["string"] if "body" in response else response["content"]
        status = response["status"]["code"] if "status" in response else response["status_code"]
        found.append(Recording(request["method"], request["uri"], int(status), body.encode("utf-8")))
    return found


def pages(corpus: Path, name: str) -> dict[int, bytes]:
    """A paged cassette's bodies by their offset."""
    return {recording.offset: recording.body for recording in cassette(corpus, name) if recording.status == 200}


def links_body(entries: list[dict[str, Any]], direction: str, offset: int = 0, following: int | None = None) -> bytes:
    """A page in the Graph API's shape, for answers a test writes itself."""
    key = "citedPaper" if direction == "references" else "citingPaper"
    page: dict[str, Any] = {"offset": offset, "data": [{key: entry} for entry in entries]}
    if following is not None:
        page["next"] = following
    return json.dumps(page).encode("utf-8")


@dataclass
class S2Api:
    """The API's state; ``handle`` answers every request under ``/graph/v1/paper``."""

    corpus: Path
    #: (arXiv id, "references" | "citations") -> pages by offset.
    answers: dict[tuple[str, str], dict[int, bytes]] = field(default_factory=dict)
    _failures: list[Response] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    #: Called with each request's path before it is answered (tests kill a process at a request this way).
    on_request: Callable[[str], None] | None = None

    def add(self, arxiv_id: str, direction: str, pages_by_offset: dict[int, bytes]) -> None:
        """Answer ``/paper/arXiv:ARXIV_ID/DIRECTION`` with these pages."""
        self.answers[(arxiv_id, direction)] = pages_by_offset

    def add_recorded(self, arxiv_id: str, references: str | None = None, citations: str | None = None) -> None:
        """Answer for ``arxiv_id`` with recorded cassettes; a list not given is empty."""
        empty = {0: b'{"offset": 0, "data": []}'}
        self.add(arxiv_id, "references", pages(self.corpus, references) if references else empty)
        self.add(arxiv_id, "citations", pages(self.corpus, citations) if citations else empty)

    def fail_next(self, status: int = 429, retry_after: str | None = "0", times: int = 1) -> None:
        """The next ``times`` requests get ``status`` (with Retry-After), as the API's rate limit does."""
        headers = {**_JSON, **({"Retry-After": retry_after} if retry_after is not None else {})}
        body = b'{"message": "Too Many Requests. Please wait and try again or apply for a key for higher rate limits."}'
        with self._lock:
            self._failures += [Response(body, status, headers) for _ in range(times)]

    def not_found_body(self) -> bytes:
        return next(r.body for r in cassette(self.corpus, "s2_test_not_found.yaml") if r.status == 404)

    def handle(self, exchange: Exchange) -> Response:
        if self.on_request is not None:
            self.on_request(exchange.request.path)
        with self._lock:
            if self._failures:
                return self._failures.pop(0)
        path = unquote(urlsplit(exchange.request.path).path)[len(ROUTE) + 1 :]
        paper, _, direction = path.rpartition("/")
        offset = int(exchange.request.query.get("offset", ["0"])[0])
        arxiv_id = paper.removeprefix("arXiv:")
        found = self.answers.get((arxiv_id, direction))
        if not paper.startswith("arXiv:") or found is None:
            return Response(self.not_found_body(), 404, _JSON)
        if offset not in found:
            return Response(b'{"error": "offset out of range"}', 400, _JSON)
        return Response(found[offset], 200, _JSON)


def s2_api(server: HttpServer, corpus: Path) -> S2Api:
    """An S2Api served by ``server`` under /graph/v1/paper (its ``api_url`` is ``server.url('/graph/v1')``)."""
    api = S2Api(corpus)
    server.add_prefix(ROUTE, api.handle)
    return api


@dataclass(frozen=True)
class CitationWorld:
    """A workspace of recorded arXiv papers, two of them starred, whose citation links S2Api serves.

    ``starred`` are cited by ``both`` (citing the two) and ``one`` (citing the first); the first cites
    ``cited``; each list also names a paper outside the workspace and one with a hostile title.
    """

    root: Path
    api: S2Api
    starred: tuple[str, str]
    both: str
    one: str
    cited: str
    outside: str = "9912.99999"


def s2_entry(arxiv_id: str | None, title: str, year: int = 2024) -> dict[str, Any]:
    """A paper object as the Graph API sends it."""
    ids = {"ArXiv": arxiv_id} if arxiv_id else {}
    return {
        "paperId": f"s2{zlib.crc32(f'{arxiv_id}|{title}'.encode()):010d}",
        "externalIds": ids,
        "title": title,
        "year": year,
    }


def citation_world(
    tmp_path: Path,
    server: HttpServer,
    corpus: Path,
    engine: str = "whoosh",
    hostile: tuple[str, ...] = ("\x1b[2Jtitle",),
) -> CitationWorld:
    """Build the workspace (papers stored, two starred) and the API's answers; nothing fetched yet."""
    from kb.library import Library
    from tests.support.inside import store_of
    from tests.support.oai_server import corpus_papers
    from tests.support.workspace import make_workspace

    api = s2_api(server, corpus)
    extra = {
        "citations": {"api_url": server.url("/graph/v1"), "delay_seconds": 0, "max_links": 5000},
        "search": {"engine": engine},
    }
    root = make_workspace(tmp_path / "ws", server, extra=extra)
    papers = corpus_papers(corpus)[:12]
    ids = [paper.id.removeprefix("arxiv:") for paper in papers]
    first, second, both, one, cited = ids[:5]
    with Library.open(root) as library:
        store_of(library).upsert_items(papers, "arxiv")
        library.set_starred(f"arxiv:{first}", True)
        library.set_starred(f"arxiv:{second}", True)
    world = CitationWorld(
        root, api, (f"arxiv:{first}", f"arxiv:{second}"), f"arxiv:{both}", f"arxiv:{one}", f"arxiv:{cited}"
    )
    outside = s2_entry(world.outside, "A paper kb does not hold")
    api.add(first, "citations", {0: links_body([s2_entry(both, "b"), s2_entry(one, "o")], "citations", 0, 2),
                                 2: links_body([outside, s2_entry(None, hostile[0])], "citations", 2)})  # fmt: skip
    strangers = [s2_entry(None, title) for title in hostile]
    api.add(first, "references", {0: links_body([s2_entry(cited, "c"), *strangers], "references")})
    api.add(second, "citations", {0: links_body([s2_entry(both, "b")], "citations")})
    api.add(second, "references", {0: links_body([], "references")})
    return world
