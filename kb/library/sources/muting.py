"""Mute rules from feeds.yaml: items that match are filed as skipped on arrival."""

from __future__ import annotations

import re
from collections.abc import Sequence

from kb.config import MuteRule
from kb.models import Item


def _has_words(text: str, words: str) -> bool:
    """Whole-word, case-insensitive match of the phrase ``words`` in ``text``."""
    return re.search(rf"(?<!\w){re.escape(words.strip())}(?!\w)", text, re.IGNORECASE) is not None


def rule_matches(item: Item, rule: MuteRule) -> bool:
    """True when every field the rule sets matches the item."""
    checks = []
    if rule.title is not None:
        checks.append(_has_words(item.title, rule.title))
    if rule.abstract is not None:
        checks.append(_has_words(f"{item.title}\n{item.summary}", rule.abstract))
    if rule.author is not None:
        checks.append(any(_has_words(author.name, rule.author) for author in item.authors))
    if rule.category is not None:
        checks.append(rule.category in item.categories)
    if rule.feed is not None:
        checks.append(rule.feed.lower() in {source.lower() for source in (*item.sources, item.feed or "")})
    return bool(checks) and all(checks)


def matching_rule(item: Item, rules: Sequence[MuteRule]) -> MuteRule | None:
    """The first rule that mutes ``item``, if any."""
    return next((rule for rule in rules if rule_matches(item, rule)), None)
