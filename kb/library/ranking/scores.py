"""Scores remembered between rankings: an inbox is mostly the same items from one ranking to the next.

`.kb/ranking-scores.json` holds, for the model of one fingerprint (kb.library.ranking.cache), the score of
each item of the last list ranked, keyed by a digest of everything the item's features are made of (id,
kind, title, abstract, feed, authors, categories). A cached model and an unchanged inbox then score nothing;
a new day scores only its new items. Like the model's cache it is derived data: a missing, damaged or stale
file is ignored and rewritten, and one that cannot be written costs only the time. It holds the last list
only, so it never grows past the size of an inbox.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from kb.atomic import write_atomic
from kb.library.ranking.ranker import Ranker
from kb.models import Item

SCORES_NAME = "ranking-scores.json"


def content_key(item: Item) -> str:
    """A digest of what the item's features are made of (kb.library.ranking.features): any change, a new key."""
    digest = hashlib.blake2b(digest_size=16)
    parts = [item.id, item.kind.value, item.title, item.summary, item.feed or ""]
    parts += [author.name for author in item.authors] + ["\x1f", *item.categories]
    for part in parts:
        digest.update(part.encode("utf-8", "surrogatepass"))
        digest.update(b"\x1e")
    return digest.hexdigest()


def _load(path: Path, model: str) -> dict[str, float]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("model") != model:
            return {}
        return {str(key): float(value) for key, value in data["scores"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def remembered_scores(path: Path, model: str, ranker: Ranker, items: Sequence[Item]) -> list[float]:
    """``ranker.score`` of each item, from the file when the model ``model`` scored the same content before."""
    known = _load(path, model)
    keys = [content_key(item) for item in items]
    scores = [known[key] if key in known else ranker.score(item) for item, key in zip(items, keys, strict=True)]
    latest = dict(zip(keys, scores, strict=True))
    if latest != known:
        text = json.dumps({"model": model, "scores": latest}, separators=(",", ":"))
        with contextlib.suppress(OSError):  # the file only saves time
            write_atomic(path, text.encode("utf-8"))
    return scores
