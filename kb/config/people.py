"""People followed everywhere they publish (`people:` in feeds.yaml), turned into ordinary sources.

A person names any of: arXiv author name variants (an API search ``au:...``, optionally restricted to
categories, with ids that are another person's excluded), a blog feed, a Mastodon account and a Bluesky
handle. Each becomes a source of its own, fetched like the others (a saved arXiv search, a feed), named
``NAME (arXiv)``, ``NAME (blog)``, ``NAME (Mastodon)``, ``NAME (Bluesky)``: that name is what links an item
to the person (items remember every source they came from), for `kb person` and for ``person:`` queries.
"""

from __future__ import annotations

import re

from kb.config.schema import ArxivQuery, BlogFeed, Person

#: The kinds of a person's sources, as their names spell them.
PERSON_SOURCE_KINDS = ("arXiv", "blog", "Mastodon", "Bluesky")
#: How far back the first fetch of a person's author search pages: their whole record (up to max_results).
PERSON_FIRST_RUN_DAYS = 100 * 366
#: Where Bluesky serves a profile's posts as RSS.
BLUESKY_RSS = "https://bsky.app/profile/{handle}/rss"

#: ``@user@instance`` (the leading @ optional), as Mastodon writes an account.
MASTODON_ACCOUNT = re.compile(r"^@?([A-Za-z0-9_]+(?:[.\-][A-Za-z0-9_]+)*)@([A-Za-z0-9.\-]+\.[A-Za-z]{2,}(?::\d+)?)$")
#: A Bluesky handle: a domain name (``alice.bsky.social``), the leading @ optional.
BLUESKY_HANDLE = re.compile(r"^@?((?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,})$")
#: An arXiv id as a person may write one to exclude (``2401.01234``, ``arxiv:2401.01234v2``, ``hep-th/9901001``).
ARXIV_ID = re.compile(r"^(?:arxiv:)?(\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$", re.IGNORECASE)


def source_name(person: str, kind: str) -> str:
    """The name of one of a person's sources: ``Ada Lovelace (arXiv)``."""
    return f"{person} ({kind})"


def source_names(person: str) -> tuple[str, ...]:
    """Every name a source of ``person`` can have (whether or not feeds.yaml gives that way)."""
    return tuple(source_name(person, kind) for kind in PERSON_SOURCE_KINDS)


def mastodon_feed_url(account: str) -> str:
    """``@user@instance`` -> ``https://instance/@user.rss``; a URL is kept as it is."""
    found = MASTODON_ACCOUNT.match(account)
    if found is None:
        return account
    user, instance = found.groups()
    return f"https://{instance.lower()}/@{user}.rss"


def bluesky_feed_url(handle: str) -> str:
    """``alice.bsky.social`` -> ``https://bsky.app/profile/alice.bsky.social/rss``; a URL is kept as it is."""
    found = BLUESKY_HANDLE.match(handle)
    return BLUESKY_RSS.format(handle=found.group(1).lower()) if found else handle


def arxiv_id_key(text: str) -> str | None:
    """``arxiv:ID`` without version for an id as written, the way items are keyed; None if it is not one."""
    found = ARXIV_ID.match(text.strip())
    if found is None:
        return None
    bare = found.group(1)
    if "/" in bare:  # old style: archive lower case, subject class upper case (math.GT/0309136)
        archive, number = bare.split("/")
        head, _, subject = archive.partition(".")
        bare = f"{head.lower()}{'.' + subject.upper() if subject else ''}/{number}"
    return f"arxiv:{bare}"


def author_query(person: Person) -> str:
    """The arXiv API search for a person's papers: any name variant, within their categories if given."""
    names = " OR ".join(_author_term(name) for name in person.arxiv)
    query = f"({names})" if len(person.arxiv) > 1 else names
    if person.categories:
        cats = " OR ".join(f"cat:{category}" for category in person.categories)
        query = f"{query} AND ({cats})" if len(person.categories) > 1 else f"{query} AND {cats}"
    return query


def _author_term(name: str) -> str:
    clean = name.replace('"', "").strip()
    return f'au:"{clean}"' if " " in clean else f"au:{clean}"


def person_sources(person: Person) -> tuple[tuple[ArxivQuery, ...], tuple[BlogFeed, ...]]:
    """The saved search and the feeds that fetch what ``person`` publishes, each tagged with the person."""
    queries: tuple[ArxivQuery, ...] = ()
    if person.arxiv:
        name = source_name(person.name, "arXiv")
        query = author_query(person)
        queries = (ArxivQuery(name, query, PERSON_FIRST_RUN_DAYS, person=person.name, exclude=person.exclude),)
    feeds = []
    if person.blog:
        feeds.append(BlogFeed(name=source_name(person.name, "blog"), url=person.blog, person=person.name))
    if person.mastodon:
        url = mastodon_feed_url(person.mastodon)
        feeds.append(BlogFeed(name=source_name(person.name, "Mastodon"), url=url, person=person.name))
    if person.bluesky:
        url = bluesky_feed_url(person.bluesky)
        feeds.append(BlogFeed(name=source_name(person.name, "Bluesky"), url=url, person=person.name))
    return queries, tuple(feeds)
