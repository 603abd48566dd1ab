"""What the person's triage says about an item: wanted or not, and how strongly.

Positive: starred, linked from a note, tagged, read. Negative: skipped. Several positive signals add up
(a starred, tagged, noted paper is the clearest "more like this"). A positive signal beats a skip: a
starred paper filed away as skipped was still wanted. Items still new say nothing.
"""

from __future__ import annotations

from collections.abc import Collection

from kb.models import Item, Status

STAR_WEIGHT = 3.0  # the person's loudest "more like this"
NOTE_WEIGHT = 3.0  # they wrote about it: as strong as a star
TAG_WEIGHT = 2.0  # they filed it somewhere: deliberate, but tags also sort things that are merely useful
READ_WEIGHT = 1.0  # they chose to read it: a plain yes
SKIP_WEIGHT = 1.0  # a plain no, as strong as a plain yes; the classes are balanced in training anyway


def label(item: Item, noted: Collection[str]) -> tuple[bool, float] | None:
    """(wanted, weight) for a triaged item, None for one the person has not judged."""
    weight = 0.0
    if item.starred:
        weight += STAR_WEIGHT
    if item.id in noted:
        weight += NOTE_WEIGHT
    if item.tags:
        weight += TAG_WEIGHT
    if item.status is Status.READ:
        weight += READ_WEIGHT
    if weight:
        return True, weight
    if item.status is Status.SKIPPED:
        return False, SKIP_WEIGHT
    return None
