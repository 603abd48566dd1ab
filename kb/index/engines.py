"""The search engines kb can run behind kb.index, and what each must offer.

Nothing outside kb.index knows which one runs: the library passes the name from feeds.yaml
(``search: {engine: ...}``) to ``SearchIndex.open``. An engine is imported only when it is used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Protocol

from kb.index.compile import Builder, Compiled, IdSets
from kb.index.document import Prepared
from kb.models import Hit

#: The engines, the default first.
ENGINES = ("whoosh", "tantivy")
DEFAULT_ENGINE = "whoosh"


class Generation(Protocol):
    """One engine's index in one generation folder, open for reading and writing."""

    name: str

    def search(
        self, compiled: Compiled, limit: int, by_date: bool, marks: tuple[str, str], count: bool = True
    ) -> tuple[list[Hit], int]: ...
    def doc_freq(self, fieldname: str, term: str) -> int: ...
    def texts(self, ids: Sequence[str]) -> dict[str, tuple[str, str]]: ...
    def update(self, docs: Sequence[Prepared]) -> None: ...
    def delete(self, ids: Sequence[str]) -> None: ...
    def doc_count(self) -> int: ...
    def ids(self) -> set[str]: ...
    def segments(self) -> int: ...
    def close(self) -> None: ...


class Engine(Protocol):
    """The class of an engine's generations: how to create, open and bulk-build one."""

    def compile(self, query: str, id_sets: IdSets | None = None) -> Compiled: ...
    def builder(self) -> Builder: ...
    def create(self, path: Path) -> None: ...
    def open(self, path: Path) -> Generation | None: ...
    def build(
        self,
        path: Path,
        batches: Iterable[Sequence[Prepared]],
        progress: Callable[[int], None] | None,
        procs: int,
    ) -> int: ...


def engine(name: str) -> Engine:
    """The engine called ``name`` (one of ENGINES)."""
    if name == "tantivy":
        from kb.index.tantivy_engine import TantivyGeneration

        return TantivyGeneration
    if name == "whoosh":
        from kb.index.whoosh_engine import WhooshGeneration

        return WhooshGeneration
    raise ValueError(f"unknown search engine {name!r}: use one of {', '.join(ENGINES)}")
