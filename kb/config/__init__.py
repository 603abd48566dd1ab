"""feeds.yaml: what to follow, validated on load.

Every mistake a person can make in the file becomes one ConfigError naming the file, the line and the key,
with a hint. Loading never writes anything; kb.config.edit is the one module that edits the file.
"""

from kb.config.loader import known_categories, load_config, parse_config_text
from kb.config.schema import (
    DEFAULT_API_URL,
    DEFAULT_CITATIONS_URL,
    DEFAULT_DELAY_SECONDS,
    DEFAULT_OAI_URL,
    DEFAULT_RSS_URL,
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

__all__ = [
    "DEFAULT_API_URL",
    "DEFAULT_CITATIONS_URL",
    "DEFAULT_DELAY_SECONDS",
    "DEFAULT_OAI_URL",
    "DEFAULT_RSS_URL",
    "FULLTEXT_FOR",
    "SEARCH_ENGINES",
    "ArxivQuery",
    "ArxivSettings",
    "BlogFeed",
    "CitationSettings",
    "Config",
    "FetchSettings",
    "FullTextSettings",
    "MuteRule",
    "NotesSettings",
    "Person",
    "SearchSettings",
    "known_categories",
    "load_config",
    "parse_config_text",
]
