"""Pages of arXiv's OAI-PMH ``ListRecords``, one paced GET each, with arXiv's flow control honoured.

Each request goes through the fetchers' Downloader (timeouts, size cap, kb's User-Agent) inside the Pacer
slot every arXiv request shares, so a backfill and a fetch never ask arXiv more than once per delay. arXiv
answers a harvester that asks too fast with 503 and Retry-After: kb waits as asked and tries again, a
bounded number of times (``arxiv.retries``), then gives up for this run; the caller keeps what it stored.
"""

from __future__ import annotations

import time
from datetime import date
from urllib.parse import urlencode

from kb.config import ArxivSettings, FetchSettings
from kb.errors import KbError
from kb.fetchers.http import Downloader
from kb.fetchers.oai import OaiError, OaiPage, UnreadableOai, parse_oai_response
from kb.fetchers.pacing import Pacer, backoff_delay

METADATA_PREFIX = "arXiv"


class HarvestFailed(KbError):
    """A page could not be had in this run (network, server, an unreadable answer): the harvest stays resumable."""


class OaiClient:
    """Asks arXiv's OAI-PMH endpoint for pages of records."""

    def __init__(self, settings: ArxivSettings, fetch: FetchSettings, pacer: Pacer, downloader: Downloader) -> None:
        self.settings = settings
        self.fetch_settings = fetch
        self.pacer = pacer
        self.downloader = downloader  # shared with the other fetchers: closed by the Fetcher

    def first_page(self, set_spec: str, since: date) -> OaiPage | OaiError:
        """The first page of the records of ``set_spec`` modified on or after ``since``.

        No ``until``: a record's datestamp is its last modification, so a paper submitted before a window's
        end may carry a later datestamp; the caller filters by the submission date instead.
        """
        params = {"verb": "ListRecords", "metadataPrefix": METADATA_PREFIX, "set": set_spec, "from": since.isoformat()}
        return self._page(params)

    def next_page(self, token: str) -> OaiPage | OaiError:
        """The page a resumption token points at (OAI-PMH: the token is the request's only argument)."""
        return self._page({"verb": "ListRecords", "resumptionToken": token})

    def _page(self, params: dict[str, str]) -> OaiPage | OaiError:
        url = self.settings.oai_url + "?" + urlencode(params)
        attempt = 0
        while True:
            download = self.downloader.get_once(url, self.pacer)
            if download.ok:
                try:
                    return parse_oai_response(download.body)
                except UnreadableOai as exc:
                    raise HarvestFailed(f"arXiv OAI-PMH sent an unreadable page ({exc})") from None
            if download.status is not None and not download.transient:
                # OAI-PMH sends its errors with 200, but some repositories use 400 with the same envelope.
                try:
                    answer = parse_oai_response(download.body)
                except UnreadableOai:
                    answer = None
                if isinstance(answer, OaiError):
                    return answer
                raise HarvestFailed(f"arXiv OAI-PMH: {download.error}")
            if not download.transient or attempt >= self.settings.retries:
                tries = f"after {attempt + 1} {'try' if attempt == 0 else 'tries'}"
                raise HarvestFailed(f"arXiv OAI-PMH: {download.error} (gave up {tries})")
            wait = backoff_delay(attempt, self.fetch_settings, download.retry_after)
            if wait is None:
                raise HarvestFailed(
                    f"arXiv OAI-PMH: {download.error}; arXiv asks to retry after {download.retry_after} s"
                )
            time.sleep(wait)  # the pacer adds its own spacing on top
            attempt += 1
