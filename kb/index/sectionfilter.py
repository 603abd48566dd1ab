"""The ``in:KIND`` filter: which kinds of full-text sections a query's words may match in.

``in:`` is not a filter of documents like ``tag:`` but a place for the words: ``in:method dropout`` finds papers
whose method section says dropout. So it applies to the whole query and stands at its top level (``in:method``,
``in:(method OR results)``, ``-in:references``); the compiler then searches the free words and ``body:`` words in
the ``insection`` field, as terms prefixed with each allowed kind (kb.index.body).
"""

from __future__ import annotations

from kb.errors import QueryError
from kb.index.body import KINDS
from kb.index.querylang import And, Node, Not, Or, Word

#: Other names people type for a kind.
_ALIASES = {
    "intro": "introduction",
    "methods": "method",
    "methodology": "method",
    "approach": "method",
    "experiment": "experiments",
    "result": "results",
    "evaluation": "results",
    "conclusions": "conclusion",
    "reference": "references",
    "refs": "references",
    "bibliography": "references",
    "acknowledgements": "acknowledgments",
    "acknowledgement": "acknowledgments",
    "acknowledgment": "acknowledgments",
    "appendices": "appendix",
    "related-work": "related",
    "relatedwork": "related",
}


def split_kinds(tree: Node) -> tuple[Node | None, frozenset[str] | None]:
    """The query without its ``in:`` parts, and the section kinds they allow (None: no ``in:`` at all).

    Raises QueryError for an unknown kind, an ``in:`` inside OR/NOT groups, or kinds that exclude every section.
    """
    items = list(tree.items) if isinstance(tree, And) else [tree]
    wanted: set[str] = set()
    unwanted: set[str] = set()
    rest: list[Node] = []
    for item in items:
        if _is_in(item):
            wanted |= _kinds(item)
        elif isinstance(item, Not) and _is_in(item.item):
            unwanted |= _kinds(item.item)
        else:
            _refuse_nested(item)
            rest.append(item)
    if not wanted and not unwanted:
        return tree, None
    allowed = frozenset((wanted or set(KINDS)) - unwanted)
    if not allowed:
        raise QueryError("in: excludes every kind of section: nothing can match", 0)
    remaining = None if not rest else rest[0] if len(rest) == 1 else And(tuple(rest))
    return remaining, allowed


def _is_in(node: Node) -> bool:
    if isinstance(node, Word):
        return node.field == "in"
    if isinstance(node, Or):
        return all(_is_in(item) for item in node.items)
    return False


def _kinds(node: Node) -> set[str]:
    if isinstance(node, Or):
        return {kind for item in node.items for kind in _kinds(item)}
    assert isinstance(node, Word)
    value = node.text.strip().lower()
    kind = _ALIASES.get(value, value)
    if kind not in KINDS or node.prefix or node.phrase:
        raise QueryError(
            f"unknown section kind '{node.text}' at position {node.pos + 1}: use in: with one of {', '.join(KINDS)}",
            node.pos,
        )
    return {kind}


def _refuse_nested(node: Node) -> None:
    """An ``in:`` anywhere below the top level is an error: it would not say which words it places."""
    if isinstance(node, Word):
        if node.field == "in":
            raise QueryError(
                f"in: at position {node.pos + 1} applies to the whole query: put it at the top level, "
                "outside OR and NOT groups (in:method dropout, in:(method OR results) dropout)",
                node.pos,
            )
        return
    if isinstance(node, Not):
        _refuse_nested(node.item)
        return
    for item in node.items:
        _refuse_nested(item)
