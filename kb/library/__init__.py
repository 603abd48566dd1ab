"""The use cases of kb (fetch, triage, search, notes, export) over one workspace."""

from kb.library.core import Library
from kb.library.fetching import FetchReport, SourceOutcome
from kb.library.workspace import init_workspace

__all__ = ["FetchReport", "Library", "SourceOutcome", "init_workspace"]
