"""References and citing papers from the Semantic Scholar Graph API: paged, paced, and polite when told to wait.

``GET {api_url}/paper/arXiv:ID/references`` and ``.../citations`` answer ``{"offset", "next", "data": [...]}``
with each entry's paper under ``citedPaper`` or ``citingPaper``; kb asks for ``paperId,externalIds,title,year``
and follows ``next`` until it is absent or ``citations.max_links`` are read. Without a key the API allows 100
requests per 5 minutes shared by everyone, so every request waits its turn in a Pacer of its own host
(``citations.delay_seconds`` apart), a 429 or 503 is retried after the server's Retry-After (a longer wait than
``fetch.max_retry_after`` ends the attempt for this run), and an API key from SEMANTIC_SCHOLAR_API_KEY goes
in the ``x-api-key`` header. Nothing here raises for the network: every outcome is a CitationLists.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any
from urllib.parse import quote, urlencode

from kb.config import CitationSettings, FetchSettings
from kb.fetchers.http import Download, Downloader
from kb.fetchers.pacing import Pacer, backoff_delay
from kb.models import CitationLists, LinkDirection, LinkedPaper, parse_arxiv_id
from kb.text import one_line

#: The environment variable holding an API key, sent as ``x-api-key`` (optional).
API_KEY_VARIABLE = "SEMANTIC_SCHOLAR_API_KEY"
#: What kb asks the API for each linked paper.
FIELDS = "paperId,externalIds,title,year"
#: Longest title, DOI and id kb keeps from an answer (a stranger's data: bounded before it is stored).
MAX_TITLE = 1000
MAX_ID = 200
_ENTRY_KEY = {LinkDirection.REFERENCES: "citedPaper", LinkDirection.CITATIONS: "citingPaper"}


class UnreadableAnswer(ValueError):
    """The API sent something that is not the JSON it documents."""


class _Failed(Exception):
    """A request that gave no usable answer in this run."""

    def __init__(self, message: str, *, not_found: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.not_found = not_found


def parse_links(body: bytes, direction: LinkDirection) -> tuple[list[LinkedPaper], int | None]:
    """One page of a paper's references or citations: the papers, and the offset of the next page (None: last).

    Entries with neither a title nor an id are dropped (S2 lists unresolved references that way).
    """
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise UnreadableAnswer(f"not JSON ({one_line(str(exc), 80)})") from None
    if not isinstance(data, dict) or not isinstance(data.get("data"), list):
        raise UnreadableAnswer("no 'data' list in the answer")
    papers = []
    for entry in data["data"]:
        paper = linked_paper(entry.get(_ENTRY_KEY[direction]) if isinstance(entry, dict) else None)
        if paper is not None:
            papers.append(paper)
    following = data.get("next")
    return papers, following if isinstance(following, int) and not isinstance(following, bool) else None


def linked_paper(raw: Any) -> LinkedPaper | None:
    """A LinkedPaper from one paper object of the API (any field may be missing or of the wrong type)."""
    if not isinstance(raw, dict):
        return None
    found = raw.get("externalIds")
    ids: dict[str, Any] = found if isinstance(found, dict) else {}
    arxiv_text = _text(ids.get("ArXiv"), MAX_ID)
    arxiv = parse_arxiv_id(arxiv_text) if arxiv_text else None
    title = _text(raw.get("title"), MAX_TITLE) or ""
    s2_id = _text(raw.get("paperId"), MAX_ID)
    doi = _text(ids.get("DOI"), MAX_ID)
    year = raw.get("year")
    if not title and not (arxiv or s2_id or doi):
        return None
    return LinkedPaper(
        title=title,
        arxiv_id=arxiv.key if arxiv else None,
        doi=doi,
        s2_id=s2_id,
        year=year if isinstance(year, int) and not isinstance(year, bool) and 0 < year < 10000 else None,
    )


def _text(value: Any, limit: int) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip()[:limit]


def _error_text(download: Download) -> str:
    """The API's own explanation (``{"error": ...}`` or ``{"message": ...}``), else the status line."""
    try:
        data = json.loads(download.body)
    except (UnicodeDecodeError, ValueError):
        data = None
    said = data.get("error") or data.get("message") if isinstance(data, dict) else None
    status = download.error or f"HTTP {download.status}"
    return f"{status}: {one_line(str(said), 200)}" if isinstance(said, str) and said.strip() else status


class SemanticScholar:
    """Asks the Graph API for a paper's references and citations, one paced request at a time."""

    def __init__(
        self,
        settings: CitationSettings,
        fetch: FetchSettings,
        downloader: Downloader,
        pacer: Pacer | None = None,
        api_key: str | None = None,
    ) -> None:
        self.settings = settings
        self.fetch_settings = fetch
        self.downloader = downloader  # shared with the other fetchers: closed by the Fetcher
        #: Semantic Scholar's own pace (another host than arXiv: it never waits for arXiv's turn, nor arXiv for it).
        self.pacer = pacer or Pacer(settings.delay_seconds)
        key = api_key if api_key is not None else os.environ.get(API_KEY_VARIABLE, "")
        self._headers = {"x-api-key": key.strip()} if key.strip() else {}
        self._headers["Accept"] = "application/json"

    def lists(self, paper_id: str) -> CitationLists:
        """The references and citing papers of the arXiv paper ``paper_id`` (``arxiv:1706.03762``)."""
        arxiv = parse_arxiv_id(paper_id)
        if arxiv is None:
            return CitationLists(paper_id, error=f"{paper_id} is not an arXiv paper")
        requests = [0]
        try:
            references, whole_refs = self._links(arxiv.id, LinkDirection.REFERENCES, requests)
            citations, whole_cits = self._links(arxiv.id, LinkDirection.CITATIONS, requests)
        except _Failed as failed:
            return CitationLists(paper_id, not_found=failed.not_found, error=failed.message, requests=requests[0])
        return CitationLists(
            paper_id,
            tuple(references),
            tuple(citations),
            complete=whole_refs and whole_cits,
            requests=requests[0],
        )

    def _links(self, arxiv_id: str, direction: LinkDirection, requests: list[int]) -> tuple[list[LinkedPaper], bool]:
        """Every page of one list, up to ``max_links``; whether the list was read to its end."""
        most = self.settings.max_links
        papers: list[LinkedPaper] = []
        offset = 0
        while len(papers) < most:
            limit = min(self.settings.page_size, most - len(papers))
            query = urlencode({"fields": FIELDS, "offset": offset, "limit": limit})
            url = f"{self.settings.api_url}/paper/arXiv:{quote(arxiv_id, safe='/.')}/{direction.value}?{query}"
            requests[0] += 1
            body = self._get(url)
            try:
                page, following = parse_links(body, direction)
            except UnreadableAnswer as exc:
                raise _Failed(f"Semantic Scholar sent an unreadable page of {direction.value}: {exc}") from None
            papers += page
            if following is None or following <= offset:
                return papers[:most], True
            offset = following
        return papers[:most], False

    def _get(self, url: str) -> bytes:
        """One answer's body, after the retries a 429/5xx or a dropped connection deserve."""
        attempt = 0
        while True:
            download = self.downloader.get_once(url, self.pacer, self._headers)
            if download.ok:
                return download.body
            if download.status == 404:
                raise _Failed(f"not in Semantic Scholar ({_error_text(download)})", not_found=True)
            if not download.transient:
                raise _Failed(f"Semantic Scholar: {_error_text(download)}")
            if attempt >= self.fetch_settings.retries:
                tries = f"{attempt + 1} {'try' if attempt == 0 else 'tries'}"
                raise _Failed(f"Semantic Scholar: {download.error} (gave up after {tries})")
            wait = backoff_delay(attempt, self.fetch_settings, download.retry_after)
            if wait is None:
                raise _Failed(
                    f"Semantic Scholar: {download.error}: it asks to retry after {download.retry_after} s, "
                    f"longer than fetch.max_retry_after ({self.fetch_settings.max_retry_after:g} s)"
                )
            time.sleep(wait)  # the pacer adds its own spacing on top
            attempt += 1
