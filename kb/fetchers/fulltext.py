"""Getting one paper's full text from arXiv: its HTML rendering first, its PDF otherwise (issue 14).

Both requests go through the Fetcher's Downloader (timeouts, size cap, retries) and its Pacer (one arXiv request
every 3 s, shared with the announcements and searches). Nothing here raises for a network or content problem:
every outcome is a FullTextOutcome, a failure with one line that says what each format gave.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from kb.config import ArxivSettings
from kb.errors import FetchError
from kb.fetchers.fulltext_html import parse_arxiv_html
from kb.fetchers.fulltext_pdf import parse_pdf
from kb.fetchers.http import Download, Downloader
from kb.fetchers.pacing import Pacer
from kb.models import FullText


@dataclass(frozen=True)
class FullTextOutcome:
    """What fetching one paper's text gave."""

    item_id: str
    version: int | None
    text: FullText | None = None
    error: str | None = None  # one line: "no HTML (HTTP 404 Not Found); PDF: the PDF is encrypted ..."
    #: The failure says nothing about the paper (the run's deadline cut it, the host is down): not held against it.
    passing: bool = False
    duration: float = 0.0

    @property
    def ok(self) -> bool:
        return self.text is not None


class FullTextFetcher:
    """Fetches papers' texts; one instance per Fetcher, sharing its Downloader and Pacer."""

    def __init__(self, settings: ArxivSettings, downloader: Downloader, pacer: Pacer) -> None:
        self.settings = settings
        self.downloader = downloader
        self.pacer = pacer

    def urls(self, item_id: str, version: int | None) -> tuple[str, str]:
        """The HTML and PDF addresses of this version of the paper (``arxiv:2501.11120``, 1)."""
        name = item_id.removeprefix("arxiv:") + (f"v{version}" if version else "")
        return self.settings.html_url + name, self.settings.pdf_url + name

    def fetch(self, item_id: str, version: int | None) -> FullTextOutcome:
        """The paper's text from its HTML, else from its PDF; never raises for what the network or arXiv sends."""
        started = time.monotonic()
        html_url, pdf_url = self.urls(item_id, version)
        html = self.downloader.get(html_url, pacer=self.pacer)
        if html.ok:
            try:
                text = parse_arxiv_html(html.body, item_id, version)
                return FullTextOutcome(item_id, version, text, duration=time.monotonic() - started)
            except FetchError as error:
                html_problem = f"HTML unusable: {error}"
        else:
            html_problem = f"no HTML ({html.error})"
        if self._passing(html):
            return self._failed(item_id, version, html_problem, started, passing=True)
        pdf = self.downloader.get(pdf_url, pacer=self.pacer)
        if not pdf.ok:
            return self._failed(item_id, version, f"{html_problem}; PDF: {pdf.error}", started, self._passing(pdf))
        try:
            text = parse_pdf(pdf.body, item_id, version)
        except FetchError as error:
            return self._failed(item_id, version, f"{html_problem}; PDF: {error}", started)
        return FullTextOutcome(item_id, version, text, duration=time.monotonic() - started)

    def _passing(self, download: Download) -> bool:
        """Whether a failed download is the run's or the host's trouble rather than the paper's."""
        if download.ok:
            return False
        hosts = self.downloader.hosts
        return hosts.over_time() or hosts.down_reason(download.url) is not None

    def _failed(
        self, item_id: str, version: int | None, error: str, started: float, passing: bool = False
    ) -> FullTextOutcome:
        line = " ".join(error.split())
        return FullTextOutcome(item_id, version, error=line, passing=passing, duration=time.monotonic() - started)
