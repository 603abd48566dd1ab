"""kb.cli and kb.tui go through Library's methods, never its store or search index.

import-linter cannot see attribute access, so this reads the source: any ``.store``/``._store``/``.index``/``._index``
taken on something that names a library (``library``, ``lib``, ``self.library``, ``self.kb.library``,
``app.library`` ...) is a leak. Tests and benchmarks have their own door (tests/support/inside.py).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

KB = Path(__file__).resolve().parent.parent / "kb"
PRIVATE_PARTS = {"store", "_store", "index", "_index"}
LIBRARY_NAMES = {"library", "lib"}
#: Files still reaching past the facade, each with the change that removes it. When that change lands, this
#: test fails until the entry goes (so the list can only shrink).
PENDING: dict[str, str] = {}


def _names_a_library(node: ast.expr) -> bool:
    """``library``, ``lib``, or any attribute chain ending in ``.library``/``.lib`` (``self.kb.library``)."""
    if isinstance(node, ast.Name):
        return node.id in LIBRARY_NAMES
    return isinstance(node, ast.Attribute) and node.attr in LIBRARY_NAMES


def leaks(source: str, filename: str) -> list[str]:
    """Where ``source`` takes the store or index of a library: ``file:line: expression``."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Attribute) and node.attr in PRIVATE_PARTS and _names_a_library(node.value):
            found.append(f"{filename}:{node.lineno}: {ast.unparse(node)}")
    # A getattr(library, "store") is the same reach, spelled to hide it.
    for node in ast.walk(ast.parse(source, filename)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "getattr"
            and len(node.args) >= 2
            and _names_a_library(node.args[0])
            and isinstance(node.args[1], ast.Constant)
            and node.args[1].value in PRIVATE_PARTS
        ):
            found.append(f"{filename}:{node.lineno}: {ast.unparse(node)}")
    return found


def _front_end_files() -> list[Path]:
    return sorted([*(KB / "cli").rglob("*.py"), *(KB / "tui").rglob("*.py")])


def test_the_check_sees_every_spelling_of_a_reach_past_the_library() -> None:
    source = "\n".join(
        [
            "library.store.get_item(x)",
            "lib.index",
            "self.library._store",
            "self.kb.library.index.search(q)",
            "app.library._index",
            "getattr(self.library, 'store')",
        ]
    )
    assert len(leaks(source, "example.py")) == 6


def test_the_check_leaves_other_stores_and_indexes_alone() -> None:
    source = "\n".join(
        [
            "query.store",  # the inbox filter's store part
            "self.background.store(job)",  # the app's store queue
            "ids.index(item_id)",
            "library.items(ids)",
            "self.workspace.index",
        ]
    )
    assert leaks(source, "example.py") == []


@pytest.mark.parametrize("path", _front_end_files(), ids=lambda path: str(path.relative_to(KB)))
def test_cli_and_tui_never_touch_the_store_or_index_of_a_library(path: Path) -> None:
    relative = path.relative_to(KB).as_posix()
    found = leaks(path.read_text(encoding="utf-8"), relative)
    if relative in PENDING:
        assert found, f"{relative} no longer reaches past the library: remove it from PENDING ({PENDING[relative]})"
    else:
        assert found == [], "go through Library's methods instead:\n" + "\n".join(found)


def test_the_pending_list_names_real_files() -> None:
    assert all((KB / relative).is_file() for relative in PENDING)
