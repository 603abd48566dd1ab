"""Builders of a person's triage history in a real store: papers on a few themes, triaged on given days."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from kb.models import Author, FetchedItem, Item, Kind, Status, post_id
from kb.store import Store

#: A fixed clock: day ``d`` of the history is T0 + d days.
T0 = datetime(2026, 11, 2, 8, tzinfo=UTC)

DIFFUSION = ["diffusion models", "denoising diffusion", "score-based diffusion", "latent diffusion"]
SECURITY = ["malware detection", "intrusion detection", "phishing attacks", "security threats"]
COMMON = ["for large scale data", "with efficient training", "on standard benchmarks", "in practice"]


def day(number: float) -> datetime:
    return T0 + timedelta(days=number)


def paper(
    number: int,
    title: str,
    summary: str = "",
    authors: Sequence[str] = ("Ada Lovelace",),
    categories: Sequence[str] = ("cs.LG",),
    published: float = 0,
) -> FetchedItem:
    """A paper as a fetcher would give it, published on day ``published``."""
    arxiv = f"2611.{number:05d}"
    return FetchedItem(
        id=f"arxiv:{arxiv}",
        kind=Kind.PAPER,
        title=title,
        summary=summary or f"We study {title.lower()}. Experiments show it works.",
        url=f"https://arxiv.org/abs/{arxiv}",
        authors=tuple(Author(name) for name in authors),
        published=day(published),
        version=1,
        categories=tuple(categories),
    )


def post(number: int, feed: str, title: str, published: float = 0) -> FetchedItem:
    """A blog post of ``feed``."""
    return FetchedItem(
        id=post_id(feed, f"https://example.org/{number}"),
        kind=Kind.POST,
        title=title,
        summary=f"A post about {title.lower()}.",
        url=f"https://example.org/{number}",
        published=day(published),
        feed=feed,
    )


def themed(
    number: int, theme: Sequence[str], rng: random.Random, published: float = 0, **fields: object
) -> FetchedItem:
    """A paper whose title and abstract are about ``theme``, with some words every paper shares."""
    title = f"{rng.choice(theme).title()} {rng.choice(COMMON)}"
    summary = f"We propose {rng.choice(theme)} {rng.choice(COMMON)}. Unlike {rng.choice(theme)}, it scales."
    return paper(number, title, summary, published=published, **fields)  # type: ignore[arg-type]


def liked_and_disliked(store: Store, count: int = 30, seed: int = 1) -> list[FetchedItem]:
    """A history: ``count`` diffusion papers by Jonathan Ho in cs.CV read (a third starred), ``count`` security
    papers in cs.CR skipped, over ``count`` days. Returns the items, in arrival order."""
    rng = random.Random(seed)
    items = []
    for n in range(count):
        liked = themed(2 * n, DIFFUSION, rng, n, authors=("Jonathan Ho", rng.choice(["Ann Lee", "Bo Chen"])),
                       categories=("cs.CV", "cs.LG"))  # fmt: skip
        disliked = themed(2 * n + 1, SECURITY, rng, n, authors=(rng.choice(["Carl Diaz", "Dee Evans"]),),
                          categories=("cs.CR",))  # fmt: skip
        store.upsert_items([liked, disliked], "test", now=day(n))
        store.set_status(liked.id, Status.READ, now=day(n + 0.5))
        if n % 3 == 0:
            store.set_starred(liked.id, True, now=day(n + 0.5))
        store.set_status(disliked.id, Status.SKIPPED, now=day(n + 0.5))
        items += [liked, disliked]
    return items


def stored(store: Store) -> list[Item]:
    """Every item of the store."""
    return [item for batch in store.iter_items() for item in batch]
