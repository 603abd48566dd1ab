"""A small real index on disk, rebuilt for each test from documents whose answers are known.

Every test that takes ``engine`` (or ``index``) runs once per search engine, with the same answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kb.index import ENGINES, SearchIndex

from .helpers import DOCS


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    """The name of the search engine under test."""
    return str(request.param)


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    return tmp_path / "index"


@pytest.fixture
def index(index_dir: Path, engine: str) -> Iterator[SearchIndex]:
    """The documents above, rebuilt into a real index on disk (one process: the tests stay small)."""
    ix = SearchIndex.open(index_dir, procs=1, engine=engine)
    ix.rebuild([DOCS[:3], DOCS[3:]])
    yield ix
    ix.close()
