"""People followed everywhere they publish: `kb follow` writes one into feeds.yaml, `kb person` shows one.

A person's items are those that came from one of their sources (kb.config.people names them after the
person), so a person's page is a read of the store by source, and following someone is an edit of
feeds.yaml like `kb opml import`'s: new lines appended to the ``people`` list, the person's comments and
order kept, the result validated before it is written atomically (kb.config.edit).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kb.config import Config, Person, parse_config_text
from kb.config.edit import Entry, append_entries, write_atomically
from kb.config.people import arxiv_id_key, person_sources
from kb.errors import ConfigError, NotFound, UsageError
from kb.models import Item, ItemFilter, Note, Status, newest_first


@dataclass(frozen=True)
class PersonSource:
    """One of a person's sources: its name, its kind (arxiv, blog, mastodon, bluesky) and what it fetches."""

    name: str
    kind: str
    target: str  # the arXiv query or the feed URL


@dataclass(frozen=True)
class PersonPage:
    """What kb holds of one person: their sources, their papers and posts newest first, and the notes on them."""

    person: Person
    sources: tuple[PersonSource, ...]
    items: tuple[Item, ...]
    notes: dict[str, tuple[Note, ...]] = field(default_factory=dict)  # item id -> the notes linking it

    def counts(self) -> dict[str, int]:
        """How many items, and how many of them new, read, skipped, starred, tagged and noted."""
        by_status = {status.value: sum(item.status is status for item in self.items) for status in Status}
        return {
            "items": len(self.items),
            **by_status,
            "starred": sum(item.starred for item in self.items),
            "tagged": sum(bool(item.tags) for item in self.items),
            "noted": len(self.notes),
        }


def sources_of(person: Person) -> tuple[PersonSource, ...]:
    """The sources feeds.yaml's entry for ``person`` makes."""
    queries, feeds = person_sources(person)
    out = [PersonSource(query.name, "arxiv", query.query) for query in queries]
    for feed in feeds:
        kind = feed.name.rsplit("(", 1)[-1].rstrip(")").lower()
        out.append(PersonSource(feed.name, kind, feed.url))
    return tuple(out)


def find_person(config: Config, name: str) -> Person:
    """The person called ``name`` (case does not matter; a unique start of the name will do)."""
    wanted = name.strip().lower()
    exact = [person for person in config.people if person.name.lower() == wanted]
    if exact:
        return exact[0]
    starting = [person for person in config.people if wanted and person.name.lower().startswith(wanted)]
    if len(starting) == 1:
        return starting[0]
    known = ", ".join(person.name for person in config.people) or "nobody yet"
    if len(starting) > 1:
        raise UsageError(f"'{name}' could be {', '.join(p.name for p in starting)}", hint="give more of the name")
    raise NotFound(f"no person '{name}' in {config.path.name}", hint=f"people: {known}; `kb follow` adds one")


def person_page(
    config: Config,
    name: str,
    list_items: Callable[[ItemFilter], list[Item]],
    noted: set[str],
    notes_linking: Callable[[str], list[Note]],
) -> PersonPage:
    """The page of the person called ``name``: their items from every source of theirs, newest first."""
    person = find_person(config, name)
    sources = sources_of(person)
    found: dict[str, Item] = {}
    for source in sources:
        for item in list_items(ItemFilter(source=source.name)):
            found.setdefault(item.id, item)
    items = tuple(sorted(found.values(), key=newest_first))
    notes = {item.id: tuple(notes_linking(item.id)) for item in items if item.id in noted}
    return PersonPage(person, sources, items, {key: value for key, value in notes.items() if value})


def person_entry(person: Person) -> Entry:
    """The feeds.yaml entry of ``person``: only the keys given."""
    entry: dict[str, str | list[str]] = {"name": person.name}
    if person.arxiv:
        entry["arxiv"] = list(person.arxiv)
    if person.exclude:
        # As ids are keyed (no version, no prefix); what is not an id stays, for the loader to name it.
        entry["exclude"] = [(arxiv_id_key(text) or text).removeprefix("arxiv:") for text in person.exclude]
    if person.categories:
        entry["categories"] = list(person.categories)
    for key in ("blog", "mastodon", "bluesky"):
        value = getattr(person, key)
        if value:
            entry[key] = value
    return entry


def follow(path: Path, person: Person) -> Person:
    """Append ``person`` to feeds.yaml's ``people`` (created if missing); returns them as feeds.yaml now reads.

    Nothing is written when the person is already there or the edited file would not be valid: the edit
    is checked by loading it, and written only if feeds.yaml did not change meanwhile.
    """
    path = path.resolve()  # a symlinked feeds.yaml is written where it really lives
    original = path.read_bytes()
    text = original.decode("utf-8-sig")
    config = parse_config_text(text, path)
    if any(other.name.lower() == person.name.strip().lower() for other in config.people):
        raise UsageError(f"already following '{person.name}'", hint=f"edit their entry under people: in {path.name}")
    new_text = append_entries(text, ("people",), [person_entry(person)])
    try:
        new_config = parse_config_text(new_text, path)
    except ConfigError as error:
        raise UsageError(f"cannot follow '{person.name}': {_without_path(error, path)}; nothing written") from None
    added = [other for other in new_config.people if other.name.lower() == person.name.strip().lower()]
    if len(new_config.people) != len(config.people) + 1 or not added:  # pragma: no cover - a bug in the text edit
        raise UsageError("editing feeds.yaml went wrong; nothing written", hint="please report this")
    bom = b"\xef\xbb\xbf" if original.startswith(b"\xef\xbb\xbf") else b""
    write_atomically(path, bom + new_text.encode("utf-8"), expect=original)
    return added[0]


def _without_path(error: ConfigError, path: Path) -> str:
    """The problem in ``error`` without the file and line (they are those of a file never written)."""
    message = str(error)
    prefix = f"{path}:"
    if message.startswith(prefix):
        message = message[len(prefix) :].split(": ", 1)[-1]
    return message


def person_names(people: Sequence[Person]) -> list[str]:
    """The people's names, in feeds.yaml's order (shell completion, the TUI)."""
    return [person.name for person in people]


def people_of(config: Config, item: Item) -> list[Person]:
    """The followed people one of whose sources brought ``item`` (the reader's `P`)."""
    came_from = {source.lower() for source in item.sources}
    return [person for person in config.people if any(s.name.lower() in came_from for s in sources_of(person))]
