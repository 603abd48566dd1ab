"""The workspace's ranker: trained from the store's triage history, cached in .kb/ranking.json.

The cache is keyed by a fingerprint of everything the model learns from (which items are triaged and how,
which papers notes link, the items' versions and content dates, the mute rules, the ranking code's version),
so any triage change retrains at the next ranking, and ranking twice without a change trains once. The
fingerprint is read from the store's indexes as a few narrow columns (``Store.triage_keys``): with the model
cached, ranking loads no item of the history, only the candidates it is asked about. The cache is derived
data: a missing, damaged or foreign file is ignored and rewritten, and a file that cannot be written costs
only the retrain.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from kb.atomic import write_atomic
from kb.library.ranking import features, labels, model
from kb.library.ranking.labels import label
from kb.library.ranking.ranker import MAX_HISTORY, MIN_EACH, MIN_LABELLED, PASSED_OVER_WEIGHT, Ranker
from kb.library.sources.muting import matching_rule
from kb.models import Item, ItemFilter, Status

if TYPE_CHECKING:
    from kb.library.core import Library

CACHE_NAME = "ranking.json"
FORMAT = 1  # bump when the ranking's code changes what a trained model means
PASSED_OVER_SAMPLE = 3000  # newest untriaged items read for someone who (nearly) never skips


Window = tuple[list[str], set[str]]


def window(library: Library) -> Window:
    """The ids of the items the ranker learns from, and the noted paper ids.

    Only the latest judgements: the newest ``MAX_HISTORY`` items by when the person last read, skipped,
    starred or tagged them (read from the store's indexes, so a million triaged items cost no more than five
    thousand), plus the papers notes link, plus (for someone who nearly never skips) the newest untriaged
    items. ``Ranker.fit`` keeps the newest ``MAX_HISTORY`` of these; the cache's fingerprint is taken over the
    same window.
    """
    library.ensure_synced()  # cheap when no note changed: it only stats the files
    store = library._store
    noted = store.papers_with_notes()
    ids = dict.fromkeys(store.latest_judged_ids(MAX_HISTORY))
    ids.update(dict.fromkeys(sorted(noted)))
    if store.count_items(ItemFilter(status=Status.SKIPPED)) < MIN_EACH:  # Ranker.fit may want passed-over items
        new = store.list_items(ItemFilter(status=Status.NEW, limit=PASSED_OVER_SAMPLE))
        ids.update(dict.fromkeys(item.id for item in new))
    return list(ids), noted


def history(library: Library, seen: Window | None = None) -> tuple[list[Item], set[str]]:
    """The items the ranker learns from (those of ``window``, minus mute-rule skips) and the noted paper ids."""
    ids, noted = seen or window(library)
    found: dict[str, Item] = {item.id: item for item in library._store.get_items(ids)}
    # A skip filed by a mute rule is the rule's judgement, not the person's: learning from it would count
    # the rule twice and teach the model things the person never said.
    # Nor is a skip nobody made (no time of change): `kb backfill` files history that way, unread by anyone.
    rules = library.config.mute
    items = [
        item
        for item in found.values()
        if not (_skip_only(item, noted) and (item.status_changed is None or matching_rule(item, rules)))
    ]
    return sorted(items, key=lambda item: item.id), noted


def _skip_only(item: Item, noted: Collection[str]) -> bool:
    found = label(item, noted)
    return found is not None and not found[0]


def fingerprint(keys: Iterable[Sequence[str]], noted: Collection[str], rules: object) -> str:
    """A digest of what training would see: each window item's ``Store.triage_keys`` row (id, version, content
    dates, triage), the noted papers, the mute rules (a skip they filed is left out) and the ranking's settings."""
    digest = hashlib.sha256()
    settings = [
        FORMAT,
        MAX_HISTORY,
        MIN_LABELLED,
        MIN_EACH,
        PASSED_OVER_WEIGHT,
        model.EPOCHS,
        model.L2,
        model.LEARNING_RATE,
        labels.STAR_WEIGHT,
        labels.NOTE_WEIGHT,
        labels.TAG_WEIGHT,
        labels.READ_WEIGHT,
        labels.SKIP_WEIGHT,
        features.TITLE_REPEAT,
        features.AUTHOR_WEIGHT,
        features.CATEGORY_WEIGHT,
        features.FEED_WEIGHT,
    ]
    digest.update(json.dumps(settings).encode())
    digest.update(repr(rules).encode())
    for key in sorted(tuple(key) for key in keys):
        digest.update(("\n" + "\t".join(key)).encode())
    digest.update(b"\n\x00")
    digest.update("\n".join(sorted(noted)).encode())
    return digest.hexdigest()


def load(path: Path, key: str) -> Ranker | None:
    """The cached ranker when the file holds one for ``key``; None for anything else (missing, stale, damaged)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT or data.get("fingerprint") != key:
            return None
        return Ranker.from_dict(data["ranker"])
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def save(path: Path, key: str, ranker: Ranker) -> None:
    """Write the cache atomically (a reader sees the old file or the new one, never half of one)."""
    text = json.dumps({"format": FORMAT, "fingerprint": key, "ranker": ranker.to_dict()}, separators=(",", ":"))
    write_atomic(path, text.encode("utf-8"))


def workspace_ranker(library: Library) -> Ranker:
    """The ranker for the workspace's current triage state: from the cache, else trained now and cached."""
    return workspace_ranking(library)[0]


def workspace_ranking(library: Library) -> tuple[Ranker, str]:
    """``workspace_ranker`` and the fingerprint it was trained for (what remembered scores are kept under)."""
    seen = window(library)
    key = fingerprint(library._store.triage_keys(seen[0]), seen[1], library.config.mute)
    path = library.workspace.state / CACHE_NAME
    cached = load(path, key)
    if cached is not None:
        return cached, key  # no item of the history was loaded
    items, noted = history(library, seen)
    started = time.perf_counter()
    ranker = Ranker(noted).fit(items)
    library.logger.info(
        "ranking: trained on %d triaged items (%d wanted) in %.2f s",
        ranker.labelled,
        ranker.wanted,
        time.perf_counter() - started,
    )
    try:
        save(path, key, ranker)
    except OSError as error:  # the cache only saves time: ranking goes on without it
        library.logger.warning("ranking: cannot write %s: %s", path, error)
    return ranker, key
