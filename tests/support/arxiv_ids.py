"""An arXiv API endpoint answering ``id_list`` look-ups from the recorded corpus, however the ids are grouped.

Every ``<entry>`` of the recorded API responses (corpus/arxiv-api) is kept by its arXiv id; a request for
several ids gets those recorded entries in one Atom feed, as arXiv answers ``id_list=a,b,c``. Ids arXiv
never answered in the corpus are left out, which is how arXiv answers an id it does not know. The log of
ids asked lets a test see what was fetched (and that a second import fetches nothing).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from kb.models import parse_arxiv_id
from tests.support.httpserver import Exchange, Response

_ATOM = "{http://www.w3.org/2005/Atom}"
_HEAD = (
    "<?xml version='1.0' encoding='UTF-8'?>\n"
    '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom" '
    'xmlns="http://www.w3.org/2005/Atom">\n'
    "  <title>arXiv Query: id_list={ids}</title>\n"
    "  <opensearch:itemsPerPage>{count}</opensearch:itemsPerPage>\n"
    "  <opensearch:totalResults>{count}</opensearch:totalResults>\n"
    "  <opensearch:startIndex>0</opensearch:startIndex>\n"
)


def recorded_entries(corpus: Path) -> dict[str, str]:
    """arXiv id (no version) -> the recorded ``<entry>`` element, serialized."""
    ET.register_namespace("", "http://www.w3.org/2005/Atom")
    ET.register_namespace("arxiv", "http://arxiv.org/schemas/atom")
    ET.register_namespace("opensearch", "http://a9.com/-/spec/opensearch/1.1/")
    entries: dict[str, str] = {}
    for path in sorted((corpus / "arxiv-api").glob("*.xml")):
        try:
            root = ET.fromstring(path.read_bytes())
        except ET.ParseError:
            continue
        for entry in root.iter(f"{_ATOM}entry"):
            parsed = parse_arxiv_id((entry.findtext(f"{_ATOM}id") or "").strip())
            if parsed is not None and entry.findtext(f"{_ATOM}title"):
                entries.setdefault(parsed.id, ET.tostring(entry, encoding="unicode"))
    return entries


class IdListApi:
    """The handler (``server.add_handler("/api/query", IdListApi(corpus))``) and the ids it was asked for."""

    def __init__(self, corpus: Path) -> None:
        self.entries = recorded_entries(corpus)
        self.asked: list[str] = []

    def __call__(self, exchange: Exchange) -> Response:
        wanted = [i for i in (exchange.request.query.get("id_list") or [""])[0].split(",") if i]
        self.asked += wanted
        found = [self.entries[i] for i in wanted if i in self.entries]
        body = _HEAD.format(ids=",".join(wanted), count=len(found)) + "\n".join(found) + "\n</feed>\n"
        return Response(body.encode("utf-8"), 200, {"Content-Type": "application/atom+xml; charset=utf-8"})
