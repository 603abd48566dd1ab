"""Validate feeds.yaml node by node, so every error can name its line.

PyYAML's composed node tree keeps the position of every key and value; validating that tree (rather than
the plain dicts ``yaml.safe_load`` returns) is what lets an error say ``feeds.yaml:12: feeds[2].url: ...``.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kb.config.people import BLUESKY_HANDLE, MASTODON_ACCOUNT, arxiv_id_key, person_sources, source_names
from kb.config.schema import (
    FULLTEXT_FOR,
    SEARCH_ENGINES,
    ArxivQuery,
    ArxivSettings,
    BlogFeed,
    CitationSettings,
    Config,
    FetchSettings,
    FullTextSettings,
    MuteRule,
    NotesSettings,
    Person,
    SearchSettings,
)
from kb.errors import ConfigError

_FULLTEXT_KEYS = ("for", "max_mb", "per_run")
_PERSON_KEYS = ("name", "arxiv", "exclude", "categories", "blog", "mastodon", "bluesky")
#: libyaml's parser when PyYAML was built with it: the pure-Python composer took 2 s (of a 3 s `kb list`) for a
#: feeds.yaml of 10,000 feeds. Both give nodes with the same line marks and the same error classes.
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_TOP_KEYS = ("arxiv", "feeds", "mute", "fetch", "search", "fulltext", "citations", "people", "notes")
_NOTES_KEYS = ("max_index_kb",)
_SEARCH_KEYS = ("engine",)
_ARXIV_KEYS = (
    "categories",
    "queries",
    "api_url",
    "rss_url",
    "oai_url",
    "html_url",
    "pdf_url",
    "delay_seconds",
    "page_size",
    "retries",
)
_QUERY_KEYS = ("name", "query", "first_run_days", "max_results")
_CITATION_KEYS = (
    "enabled",
    "api_url",
    "delay_seconds",
    "max_per_run",
    "max_links",
    "page_size",
    "refresh_days",
    "max_seconds",
    "max_new_per_run",
)
_FEED_KEYS = ("name", "url", "tags")
_MUTE_KEYS = ("title", "abstract", "author", "category", "feed")
_FETCH_KEYS = (
    "connect_timeout",
    "read_timeout",
    "total_timeout",
    "max_bytes",
    "concurrency",
    "retries",
    "backoff_seconds",
    "max_retry_after",
    "run_timeout",
)


def load_config(path: Path) -> Config:
    """Read and validate feeds.yaml. Raises ConfigError naming the file, the line and the key."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise ConfigError(f"{path}:{line}: not UTF-8 text", hint="save the file as UTF-8") from None
    return parse_config_text(text, path)


def parse_config_text(text: str, path: Path) -> Config:
    """Validate the text of a feeds.yaml that lives at ``path`` (used only in messages)."""
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else "?"
        problem = error.problem or error.context or "invalid YAML"
        raise ConfigError(
            f"{path}:{line}: invalid YAML: {problem}",
            hint="check the indentation and quoting on that line (quote values that contain ': ' or '#')",
        ) from None
    except yaml.reader.ReaderError as error:
        line = text.count("\n", 0, error.position) + 1
        raise ConfigError(
            f"{path}:{line}: invalid YAML: a control character (code {error.character!r}) YAML does not allow",
            hint="delete it; it is often pasted from another program",
        ) from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: invalid YAML: {' '.join(str(error).split())}") from None
    return _Validator(path).config(root)


class _Validator:
    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, node: Node, key: str, problem: str, hint: str | None = None) -> ConfigError:
        line = node.start_mark.line + 1
        return ConfigError(f"{self.path}:{line}: {key}: {problem}", hint=hint)

    # --- generic shapes --------------------------------------------------------------------------

    def mapping(self, node: Node, key: str, allowed: tuple[str, ...]) -> dict[str, tuple[Node, Node]]:
        """The entries of a mapping node, by key name; unknown and duplicate keys are errors."""
        if not isinstance(node, MappingNode):
            hint = (
                "start each section at the left margin: arxiv:, feeds:, mute:, fetch:, search:, notes:"
                if not key
                else None
            )
            problem = f"expected a mapping (key: value lines), got {_shape(node)}"
            raise self.fail(node, key or "top level", problem, hint)
        entries: dict[str, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:
            name = key_node.value if isinstance(key_node, ScalarNode) else None
            where = f"{key}.{name}" if key else str(name)
            if name not in allowed:
                close = difflib.get_close_matches(str(name), allowed, n=1)
                hint = f"did you mean '{close[0]}'?" if close else f"known keys: {', '.join(allowed)}"
                raise self.fail(key_node, where, "unknown key", hint)
            if name in entries:
                raise self.fail(key_node, where, "given twice", "keep only one of them")
            entries[name] = (key_node, value_node)
        return entries

    def sequence(self, node: Node, key: str) -> list[Node]:
        if _is_null(node):
            return []
        if not isinstance(node, SequenceNode):
            raise self.fail(node, key, f"expected a list, got {_shape(node)}", "write it as [a, b] or as '- a' lines")
        return list(node.value)

    def string(self, node: Node, key: str, *, allow_empty: bool = False) -> str:
        if not isinstance(node, ScalarNode) or node.tag != "tag:yaml.org,2002:str":
            if isinstance(node, ScalarNode) and not _is_null(node):
                return str(node.value)  # a number or boolean written where text is expected: keep it as text
            raise self.fail(node, key, f"expected text, got {_shape(node)}")
        value = str(node.value).strip()
        if not value and not allow_empty:
            raise self.fail(node, key, "must not be empty")
        return value

    def number(self, node: Node, key: str, *, low: float, high: float, integer: bool = False) -> float:
        value: Any = yaml.safe_load(yaml.serialize(node)) if isinstance(node, ScalarNode) else None
        kind = "a whole number" if integer else "a number"
        if isinstance(value, bool) or not isinstance(value, int | float) or (integer and not isinstance(value, int)):
            example = f"{key.rsplit('.', 1)[-1]}: 3"
            raise self.fail(node, key, f"expected {kind}, got {_shape(node)}", f"write digits, e.g. {example}")
        if not low <= value <= high:
            raise self.fail(node, key, f"{value} is out of range", f"use {kind} from {low:g} to {high:g}")
        return value

    def url(self, node: Node, key: str) -> str:
        value = self.string(node, key)
        parsed = urlparse(value)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise self.fail(node, key, f"'{value}' is not an http(s) URL", "write the full address, https://...")
        return value

    def tags(self, node: Node, key: str) -> tuple[str, ...]:
        if isinstance(node, ScalarNode) and not _is_null(node):
            return tuple(tag.strip().lower() for tag in str(node.value).split(",") if tag.strip())
        return tuple(self.string(tag, f"{key}[{i}]").lower() for i, tag in enumerate(self.sequence(node, key)))

    # --- sections --------------------------------------------------------------------------------

    def config(self, root: Node | None) -> Config:
        if root is None or _is_null(root):
            return Config(path=self.path)
        top = self.mapping(root, "", _TOP_KEYS)
        arxiv = self.section(top, "arxiv", self.arxiv, ArxivSettings())
        feeds = self.section(top, "feeds", self.feeds, ())
        mute = self.section(top, "mute", self.mute, ())
        fetch = self.section(top, "fetch", self.fetch, FetchSettings())
        search = self.section(top, "search", self.search, SearchSettings())
        fulltext = self.section(top, "fulltext", self.fulltext, FullTextSettings())
        citations = self.section(top, "citations", self.citations, CitationSettings())
        config = Config(
            path=self.path,
            arxiv=arxiv,
            feeds=feeds,
            mute=mute,
            fetch=fetch,
            search=search,
            fulltext=fulltext,
            citations=citations,
            notes=self.section(top, "notes", self.notes, NotesSettings()),
        )
        self.check_unique_names(top, config)
        if "people" in top and not _is_null(top["people"][1]):
            config = self.with_people(top["people"][1], config)
        return config

    def section(self, top: dict[str, tuple[Node, Node]], key: str, parse: Callable[[Node], Any], default: Any) -> Any:
        if key not in top or _is_null(top[key][1]):
            return default
        return parse(top[key][1])

    def arxiv(self, node: Node) -> ArxivSettings:
        entries = self.mapping(node, "arxiv", _ARXIV_KEYS)
        values: dict[str, Any] = {}
        for name, (_, value) in entries.items():
            key = f"arxiv.{name}"
            if name == "categories":
                values[name] = tuple(
                    self.category(item, f"{key}[{i}]") for i, item in enumerate(self.sequence(value, key))
                )
            elif name == "queries":
                values[name] = tuple(
                    self.query(item, f"{key}[{i}]") for i, item in enumerate(self.sequence(value, key))
                )
            elif name in ("api_url", "rss_url", "oai_url"):
                values[name] = self.url(value, key)
            elif name in ("html_url", "pdf_url"):  # kb appends <id>v<n>
                values[name] = self.url(value, key).rstrip("/") + "/"
            elif name == "delay_seconds":
                values[name] = self.number(value, key, low=0, high=600)
            elif name == "page_size":
                values[name] = int(self.number(value, key, low=1, high=2000, integer=True))
            elif name == "retries":
                values[name] = int(self.number(value, key, low=0, high=10, integer=True))
        settings = ArxivSettings(**values)
        if settings.rss_url and not settings.rss_url.endswith("/"):
            settings = ArxivSettings(**{**values, "rss_url": settings.rss_url + "/"})
        return settings

    def category(self, node: Node, key: str) -> str:
        value = self.string(node, key)
        known = _categories()
        if value not in known:
            by_case = {category.lower(): category for category in known}
            close = by_case.get(value.lower()) or next(iter(difflib.get_close_matches(value, known, n=1)), None)
            hint = f"did you mean '{close}'?" if close else "see https://arxiv.org/category_taxonomy"
            raise self.fail(node, key, f"'{value}' is not an arXiv category", hint)
        return value

    def query(self, node: Node, key: str) -> ArxivQuery:
        entries = self.mapping(node, key, _QUERY_KEYS)
        for required in ("name", "query"):
            if required not in entries:
                raise self.fail(node, key, f"missing '{required}'", "each saved search needs a name and a query")
        values: dict[str, Any] = {
            "name": self.string(entries["name"][1], f"{key}.name"),
            "query": self.string(entries["query"][1], f"{key}.query"),
        }
        if "first_run_days" in entries:
            # Up to a century: a first run may page back to arXiv's first day (1991), as far as max_results allows.
            node = entries["first_run_days"][1]
            days = self.number(node, f"{key}.first_run_days", low=1, high=36500, integer=True)
            values["first_run_days"] = int(days)
        if "max_results" in entries:
            most = self.number(entries["max_results"][1], f"{key}.max_results", low=1, high=30000, integer=True)
            values["max_results"] = int(most)
        return ArxivQuery(**values)

    def feeds(self, node: Node) -> tuple[BlogFeed, ...]:
        return tuple(self.feed(item, f"feeds[{i}]") for i, item in enumerate(self.sequence(node, "feeds")))

    def feed(self, node: Node, key: str) -> BlogFeed:
        entries = self.mapping(node, key, _FEED_KEYS)
        for required in ("name", "url"):
            if required not in entries:
                raise self.fail(node, key, f"missing '{required}'", "each feed needs a name and a url")
        tags = self.tags(entries["tags"][1], f"{key}.tags") if "tags" in entries else ()
        return BlogFeed(
            name=self.string(entries["name"][1], f"{key}.name"),
            url=self.url(entries["url"][1], f"{key}.url"),
            tags=tags,
        )

    def mute(self, node: Node) -> tuple[MuteRule, ...]:
        rules = []
        for i, item in enumerate(self.sequence(node, "mute")):
            key = f"mute[{i}]"
            entries = self.mapping(item, key, _MUTE_KEYS)
            if not entries:
                raise self.fail(item, key, "an empty rule would mute everything", "give title, author, ...")
            values = {name: self.string(value, f"{key}.{name}") for name, (_, value) in entries.items()}
            rules.append(MuteRule(**values))
        return tuple(rules)

    def fetch(self, node: Node) -> FetchSettings:
        entries = self.mapping(node, "fetch", _FETCH_KEYS)
        integers = {"max_bytes": (1024, 2**31), "concurrency": (1, 64), "retries": (0, 10)}
        values: dict[str, Any] = {}
        for name, (_, value) in entries.items():
            if name in integers:
                low, high = integers[name]
                values[name] = int(self.number(value, f"fetch.{name}", low=low, high=high, integer=True))
            else:
                high = 86400 if name == "run_timeout" else 3600
                values[name] = self.number(value, f"fetch.{name}", low=0, high=high)
        return FetchSettings(**values)

    def search(self, node: Node) -> SearchSettings:
        entries = self.mapping(node, "search", _SEARCH_KEYS)
        if "engine" not in entries:
            return SearchSettings()
        value_node = entries["engine"][1]
        engine = self.string(value_node, "search.engine")
        if engine.lower() in SEARCH_ENGINES:
            return SearchSettings(engine=engine.lower())
        close = difflib.get_close_matches(engine.lower(), SEARCH_ENGINES, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"use one of: {', '.join(SEARCH_ENGINES)}"
        raise self.fail(value_node, "search.engine", f"unknown search engine '{engine}'", hint)

    def fulltext(self, node: Node) -> FullTextSettings:
        entries = self.mapping(node, "fulltext", _FULLTEXT_KEYS)
        values: dict[str, Any] = {}
        for name, (_, value) in entries.items():
            key = f"fulltext.{name}"
            if name == "for":
                values["for_"] = tuple(
                    self.fulltext_for(item, f"{key}[{i}]") for i, item in enumerate(self.sequence(value, key))
                )
            elif name == "max_mb":
                values[name] = int(self.number(value, key, low=1, high=10_000_000, integer=True))
            else:
                values[name] = int(self.number(value, key, low=0, high=100_000, integer=True))
        return FullTextSettings(**values)

    def fulltext_for(self, node: Node, key: str) -> str:
        value = self.string(node, key).lower()
        if value in FULLTEXT_FOR:
            return value
        close = difflib.get_close_matches(value, FULLTEXT_FOR, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"use any of: {', '.join(FULLTEXT_FOR)}"
        raise self.fail(node, key, f"unknown kind of paper '{value}'", hint)

    def citations(self, node: Node) -> CitationSettings:
        entries = self.mapping(node, "citations", _CITATION_KEYS)
        integers = {
            "max_per_run": (0, 10000),
            "max_links": (1, 10000),
            "page_size": (1, 1000),
            "refresh_days": (0, 3650),
            "max_new_per_run": (0, 10000),
        }
        values: dict[str, Any] = {}
        for name, (_, value) in entries.items():
            key = f"citations.{name}"
            if name == "enabled":
                if not (isinstance(value, ScalarNode) and value.tag == "tag:yaml.org,2002:bool"):
                    raise self.fail(value, key, f"expected true or false, got {_shape(value)}")
                values[name] = yaml.safe_load(yaml.serialize(value))
            elif name == "api_url":
                values[name] = self.url(value, key).rstrip("/")
            elif name in integers:
                low, high = integers[name]
                values[name] = int(self.number(value, key, low=low, high=high, integer=True))
            else:
                values[name] = self.number(value, key, low=0, high=86400 if name == "max_seconds" else 600)
        return CitationSettings(**values)

    def notes(self, node: Node) -> NotesSettings:
        entries = self.mapping(node, "notes", _NOTES_KEYS)
        if "max_index_kb" not in entries:
            return NotesSettings()
        cap = self.number(entries["max_index_kb"][1], "notes.max_index_kb", low=1, high=4 * 1024 * 1024, integer=True)
        return NotesSettings(max_index_kb=int(cap))

    def check_unique_names(self, top: dict[str, tuple[Node, Node]], config: Config) -> None:
        seen: dict[str, str] = {}
        if config.arxiv.categories:
            seen[config.arxiv.rss_source_name.lower()] = "the arXiv announcements"
        named: list[tuple[str, str, str | None, int]]
        named = [(query.name, "arxiv", "queries", i) for i, query in enumerate(config.arxiv.queries)]
        named += [(feed.name, "feeds", None, i) for i, feed in enumerate(config.feeds)]
        for name, section, sub, index in named:
            if name.lower() in seen:
                node = _item_node(top, section, sub, index)
                where = f"{section}.{sub}[{index}].name" if sub else f"{section}[{index}].name"
                raise self.fail(
                    node,
                    where,
                    f"the name '{name}' is already used by {seen[name.lower()]}",
                    "every feed and saved search needs its own name",
                )
            seen[name.lower()] = f"'{section}.{sub}[{index}]'" if sub else f"'{section}[{index}]'"

    # --- people ----------------------------------------------------------------------------------

    def with_people(self, node: Node, config: Config) -> Config:
        """``config`` with the people of ``node`` and their sources (first in the queries and feeds)."""
        taken = {name.lower() for name in config.source_names()}
        people: list[Person] = []
        for i, item in enumerate(self.sequence(node, "people")):
            person = self.person(item, f"people[{i}]")
            if any(other.name.lower() == person.name.lower() for other in people):
                raise self.fail(item, f"people[{i}].name", f"'{person.name}' is given twice", "keep one entry a person")
            clash = next((name for name in source_names(person.name) if name.lower() in taken), None)
            if clash is not None:
                problem = f"the source name '{clash}' is already used"
                raise self.fail(item, f"people[{i}].name", problem, "rename that feed or search")
            people.append(person)
        queries = [query for person in people for query in person_sources(person)[0]]
        feeds = [feed for person in people for feed in person_sources(person)[1]]
        arxiv = replace(config.arxiv, queries=(*queries, *config.arxiv.queries))
        return replace(config, arxiv=arxiv, feeds=(*feeds, *config.feeds), people=tuple(people))

    def person(self, node: Node, key: str) -> Person:
        entries = self.mapping(node, key, _PERSON_KEYS)
        if "name" not in entries:
            raise self.fail(node, key, "missing 'name'", "each person needs a name")
        values: dict[str, Any] = {"name": self.string(entries["name"][1], f"{key}.name")}
        for name, (_, value) in entries.items():
            where = f"{key}.{name}"
            if name == "arxiv":
                values[name] = self.strings(value, where)
            elif name == "exclude":
                items = enumerate(self.list_of(value, where))
                values[name] = tuple(self.arxiv_id(item, f"{where}[{i}]") for i, item in items)
            elif name == "categories":
                items = enumerate(self.list_of(value, where))
                values[name] = tuple(self.category(item, f"{where}[{i}]") for i, item in items)
            elif name == "blog":
                values[name] = self.url(value, where)
            elif name == "mastodon":
                values[name] = self.account(value, where, MASTODON_ACCOUNT, "@user@instance")
            elif name == "bluesky":
                values[name] = self.account(value, where, BLUESKY_HANDLE, "a handle such as alice.bsky.social")
        person = Person(**values)
        if not (person.arxiv or person.blog or person.mastodon or person.bluesky):
            raise self.fail(node, key, f"'{person.name}' is followed nowhere", "give arxiv, blog, mastodon or bluesky")
        if (person.exclude or person.categories) and not person.arxiv:
            raise self.fail(node, key, "exclude and categories narrow the arXiv search", "give the arxiv: names too")
        return person

    def list_of(self, node: Node, key: str) -> list[Node]:
        """A list, or one scalar taken as a list of one."""
        return [node] if isinstance(node, ScalarNode) and not _is_null(node) else self.sequence(node, key)

    def strings(self, node: Node, key: str) -> tuple[str, ...]:
        values = tuple(self.string(item, f"{key}[{i}]") for i, item in enumerate(self.list_of(node, key)))
        if not values:
            raise self.fail(node, key, "must not be empty", "give at least one name, e.g. Hinton_G")
        return values

    def arxiv_id(self, node: Node, key: str) -> str:
        value = self.string(node, key)
        found = arxiv_id_key(value)
        if found is None:
            raise self.fail(node, key, f"'{value}' is not an arXiv id", "write it as 2401.01234")
        return found

    def account(self, node: Node, key: str, shape: re.Pattern[str], example: str) -> str:
        value = self.string(node, key)
        if shape.match(value):
            return value
        parsed = urlparse(value)
        if parsed.scheme in ("http", "https") and parsed.netloc:
            return value  # the profile's feed URL itself
        raise self.fail(node, key, f"'{value}' is neither {example} nor an http(s) URL")


def _item_node(top: dict[str, tuple[Node, Node]], section: str, sub: str | None, index: int) -> Node:
    node = top[section][1]
    if sub is not None:
        node = next(value for key, value in node.value if key.value == sub)
    return node.value[index]


def _is_null(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:null"


def _shape(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if _is_null(node):
        return "nothing"
    return f"'{node.value}'"


def known_categories() -> frozenset[str]:
    """arXiv's category taxonomy as kb ships it (archives such as ``hep-th`` and ``cs`` included)."""
    return _categories()


@functools.cache
def _categories() -> frozenset[str]:
    """arXiv's category taxonomy, shipped with kb."""
    text = resources.files("kb").joinpath("data/arxiv_categories.txt").read_text(encoding="utf-8")
    lines = (line.strip() for line in text.splitlines())
    return frozenset(line for line in lines if line and not line.startswith("#"))
