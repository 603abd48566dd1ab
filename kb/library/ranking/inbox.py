"""The library's entry point to the ranking: the inbox ranked for the workspace's person.

It sits above both the ranker and its cache, so neither has to import the other's caller (the ranker
knows nothing of the cache; the cache builds rankers).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from kb.library.ranking.cache import workspace_ranking
from kb.library.ranking.ranker import rank
from kb.library.ranking.scores import SCORES_NAME, remembered_scores
from kb.models import Item

if TYPE_CHECKING:
    from kb.library.core import Library


def rank_inbox(library: Library, items: Sequence[Item], explain: bool = True) -> list[tuple[Item, float, str]]:
    """Rank ``items`` for the workspace's person: (item, score 0..1, why) best first (why "" unless ``explain``).

    Without explanations the scores come from the ones remembered for this model (kb.library.ranking.scores).
    Items citing starred papers are then lifted on top of what the ranker learned (kb.library.citations).
    """
    from kb.library.citations import boost_citing_starred

    ranker, model = workspace_ranking(library)
    if explain or not ranker.learned:
        ranked = rank(ranker, items, explain)
    else:
        scores = remembered_scores(library.workspace.state / SCORES_NAME, model, ranker, items)
        ranked = rank(ranker, items, explain, scores)
    return boost_citing_starred(library, ranked)
