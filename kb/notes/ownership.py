"""Which items a note is about ("owns"): the ones its front matter names, never the ones its body links.

A paper's own note is the one whose ``papers:`` names it. A post's own note is the one whose ``post:``
(``posts:``, or ``papers:``) names its ``post:`` id, or whose ``url:`` (or ``post:``) is the post's URL.
Links in the body make backlinks only, so `kb note ID` and `n` never write into a note that merely cites
the item.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from kb.models import Note
from kb.notes.frontmatter import as_list, papers_of, scalar_text

_POST_ID_RE = re.compile(r"post:[0-9a-zA-Z_-]+")
_ID_KEYS = ("papers", "post", "posts")
_URL_KEYS = ("url", "post", "posts")


def owned_ids(data: Mapping[str, object]) -> tuple[str, ...]:
    """What front matter names: ``arxiv:`` keys, then ``post:`` ids, then http(s) URLs, each once."""
    found: list[str] = list(papers_of(data.get("papers")))
    for key in _ID_KEYS:
        found += [word for word in as_list(data.get(key)) if _POST_ID_RE.fullmatch(word)]
    for key in _URL_KEYS:
        value = data.get(key)
        # A URL may hold commas: a single value is taken whole, only a YAML list is several.
        words = as_list(value) if isinstance(value, list) else [scalar_text(value) or ""]
        found += [url_key(word) for word in words if word.lower().startswith(("http://", "https://"))]
    return tuple(dict.fromkeys(found))


def linked_ids(owned: Iterable[str]) -> list[str]:
    """The item ids among ``owned`` (URLs left out: the library resolves them to the posts they name)."""
    return [entry for entry in owned if entry.startswith(("arxiv:", "post:"))]


def owned_urls(note: Note) -> list[str]:
    """The URLs a note's front matter names (as :func:`url_key` made them)."""
    return [entry for entry in note.owns if not entry.startswith(("arxiv:", "post:"))]


def url_key(url: str) -> str:
    """``url`` as compared for ownership: without surrounding space and without a trailing '/'."""
    return url.strip().rstrip("/")


def url_variants(key: str) -> tuple[str, str]:
    """The two spellings a stored URL may have for ``key``: without and with its trailing '/'."""
    return key, key + "/"


def owns(note: Note, item_id: str, url: str | None = None) -> bool:
    """True when ``note``'s front matter names the item by id, or (a post) by ``url``."""
    return item_id in note.owns or (url is not None and url_key(url) in note.owns)
