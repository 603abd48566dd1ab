"""kb.fetchers: the network turned into kb.models.SourceResult objects.

arXiv announcements (RSS), saved arXiv API searches, papers by id and blog feeds. Nothing here touches
the store: the library stores what a Fetcher returns and hands back FeedState for the next run.
"""

from kb.fetchers.fetcher import DEFAULT_USER_AGENT, Fetcher
from kb.fetchers.htmltext import html_to_text
from kb.fetchers.pacing import Pacer

__all__ = ["DEFAULT_USER_AGENT", "Fetcher", "Pacer", "html_to_text"]
