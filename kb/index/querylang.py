"""kb's search query language: parsed into a small tree, with the position of every mistake.

Reference (QUERY_HELP below is the short form shown by ``kb search --help`` and the TUI):

- Words are ANDed and searched in titles, abstracts/texts, authors, comments, journal refs, tags and the
  titles of the papers a note links. Case, accents and word forms do not matter (``Schölkopf`` =
  ``scholkopf``, ``networks`` = ``network``); very common words (the, of, is, ...) are not searched.
- ``a OR b``, ``NOT a`` / ``-a``, ``(a OR b) c``; ``AND`` may be written but is implied.
- ``"exact phrase"``: the words in this order, next to each other (common words inside keep their place).
- ``prefix*``: words starting with the prefix (two letters at least).
- A hyphenated word is a phrase: ``self-attention`` finds "self-attention" and "self attention".
- arXiv ids (``1706.03762``, ``arxiv:1706.03762v7``, ``hep-th/9901001``, an abs/pdf URL) find the paper and
  everything that mentions or links it; category names (``cs.LG``) find the papers filed under them.
- ``field:value``, ``field:"a phrase"`` or ``field:(a OR b)``; names are case-insensitive, arXiv's
  short names work too: title: (ti:), author: (au:), abstract: = text: (abs:), body: (a paper's full
  text), cat:, tag:, source:,
  kind:paper|post|note, status:new|read|skipped, is:starred (and is:new, is:read, is:skipped),
  has:note, id:, year:, published: (date:), cites:ID (papers citing that paper), citedby:ID (papers it
  cites), the last two from the citation links kb fetched from Semantic Scholar (kb.store.citations),
  person: (what came from the sources of a person of feeds.yaml's ``people``, by the person's name).
- Dates: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, each meaning the whole period; ``A..B`` (inclusive),
  ``A..``, ``..B``, ``>A``, ``>=A``, ``<A``, ``<=A``. ``year:2020..2022`` works too.
- A query of filters only (``is:starred tag:rl``) lists newest first.
- ``in:KIND`` (a section kind: method, results, references ..., see kb.models.SectionKind) makes the query's
  words and ``body:`` words match only in sections of that kind of a paper's full text; ``in:(a OR b)`` or
  several ``in:`` allow several kinds, ``-in:references`` every kind but that. It applies to the whole query, so
  it stands at its top level (kb.index.compile).

A colon does not always mean a field: a URL, an arXiv id with its prefix (``arxiv:1706.03762``), a time
(``10:30``) or a word ending in a colon is searched as text. Only a word shaped like ``name:value`` with an
unknown alphabetic name is an error (a misspelt field, almost always), and so are unbalanced quotes or
parentheses, a bad value for kind/status/is/has/id, and a bad date: each a QueryError with its position.
"""

from __future__ import annotations

from dataclasses import dataclass

from kb.errors import QueryError

QUERY_HELP = """\
Search syntax (words are ANDed, case and accents do not matter, word forms are matched: network ~ networks)
  graph neural          both words            "graph neural network"   exact phrase
  sparse OR dense       either word           -survey / NOT survey     without the word
  (a OR b) c            grouping              transform*               words starting with transform
  1706.03762            a paper by arXiv id, and everything that mentions or links it
Fields (names are case-insensitive; a field applies to a word, a "phrase" or a (group)):
  title:  author:  abstract: (= text:)  body: (full text)  cat:cs.LG  tag:  source:  kind:paper|post|note
  status:new|read|skipped  is:starred  has:note  id:arxiv:1706.03762 (or 1706.03762v2, post:..., note:...)
  year:2024  published:2024  published:2024-01..2024-06  published:>2025-03-01  published:<2020
  cites:1706.03762 (papers citing it)  citedby:1706.03762 (papers it cites), from `kb citations`
  person:"Ada Lovelace"  what came from a person's sources (people: in feeds.yaml)
  in:method  in:references  -in:appendix   the words only in full-text sections of that kind
Dates are YYYY, YYYY-MM or YYYY-MM-DD; ranges are A..B (inclusive), A.., ..B, >A, >=A, <A, <=A.
Queries of filters only (e.g. is:starred tag:rl) list newest first."""

#: Field names as typed (lower-cased) -> the field they mean.
FIELD_ALIASES: dict[str, str] = {
    "title": "title",
    "ti": "title",
    "author": "author",
    "authors": "author",
    "au": "author",
    "abstract": "text",
    "abs": "text",
    "text": "text",
    "body": "body",
    "fulltext": "body",
    "in": "in",
    "section": "in",
    "cat": "cat",
    "category": "cat",
    "categories": "cat",
    "tag": "tag",
    "tags": "tag",
    "kind": "kind",
    "type": "kind",
    "source": "source",
    "feed": "source",
    "status": "status",
    "is": "is",
    "has": "has",
    "id": "id",
    "year": "year",
    "published": "published",
    "date": "published",
    "cites": "cites",
    "citedby": "citedby",
    "person": "person",
}
#: Fields whose values are text, searched through the analyzer; the others take a single value.
TEXT_FIELDS = frozenset({"title", "author", "text", "body"})
#: Fields that accept a group of values: ``tag:(rl OR vision)``.
GROUP_FIELDS = TEXT_FIELDS | {"cat", "tag", "source", "person", "in"}


@dataclass(frozen=True)
class Word:
    """A word, phrase or prefix for ``field`` (None: the default fields). ``pos`` is its offset."""

    field: str | None
    text: str
    pos: int
    phrase: bool = False
    prefix: bool = False


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    item: Node


Node = Word | And | Or | Not


@dataclass(frozen=True)
class _Tok:
    kind: str  # word, phrase, field, lparen, rparen, or, and, not
    text: str
    pos: int
    glued: bool = False  # directly follows the previous token (no space): title:"x", title:(x)


def _lex(query: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(query)
    while i < n:
        c = query[i]
        glued = bool(toks) and i > 0 and not query[i - 1].isspace()
        if c.isspace():
            i += 1
        elif c in "()":
            toks.append(_Tok("lparen" if c == "(" else "rparen", c, i, glued))
            i += 1
        elif c == '"':
            end = query.find('"', i + 1)
            if end < 0:
                raise QueryError(f'unclosed quote at position {i + 1}: add the closing "', i)
            toks.append(_Tok("phrase", query[i + 1 : end], i, glued))
            i = end + 1
        elif c == "-" and i + 1 < n and query[i + 1] not in " \t\n-)" and (i == 0 or query[i - 1] in " \t\n("):
            toks.append(_Tok("not", c, i))
            i += 1
        else:
            j = i
            while j < n and not query[j].isspace() and query[j] not in '()"':
                j += 1
            toks.append(_word_token(query[i:j], i, glued))
            i = j
    return toks


def _word_token(text: str, pos: int, glued: bool) -> _Tok:
    if text in ("OR", "AND", "NOT"):
        return _Tok(text.lower(), text, pos)
    if text in ("||", "&&"):
        return _Tok("or" if text == "||" else "and", text, pos)
    return _Tok("word", text, pos, glued)


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.toks = _lex(query)
        self.i = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def parse(self) -> Node:
        if not self.toks:
            raise QueryError("empty query: type some words to search for", 0)
        node = self.parse_or(None)
        tok = self.peek()
        if tok is not None:  # only an unmatched ")" stops parse_or early
            raise QueryError(f"unmatched ')' at position {tok.pos + 1}", tok.pos)
        return node

    def parse_or(self, field: str | None) -> Node:
        items = [self.parse_and(field)]
        while (tok := self.peek()) is not None and tok.kind == "or":
            self.take()
            nxt = self.peek()
            if nxt is None or nxt.kind in ("rparen", "or"):
                raise QueryError(f"OR at position {tok.pos + 1} needs something after it", tok.pos)
            items.append(self.parse_and(field))
        return items[0] if len(items) == 1 else Or(tuple(items))

    def parse_and(self, field: str | None) -> Node:
        items: list[Node] = []
        while (tok := self.peek()) is not None and tok.kind not in ("rparen", "or"):
            if tok.kind == "and":
                self.take()
                if not items:
                    raise QueryError(f"AND at position {tok.pos + 1} needs something before it", tok.pos)
                continue
            items.append(self.parse_unary(field))
        if not items:
            tok = self.peek()
            where = tok.pos if tok is not None else len(self.query)
            what = "OR" if tok is not None and tok.kind == "or" else "the query"
            raise QueryError(f"{what} at position {where + 1} needs something before it", where)
        return items[0] if len(items) == 1 else And(tuple(items))

    def parse_unary(self, field: str | None) -> Node:
        tok = self.peek()
        if tok is not None and tok.kind == "not":
            self.take()
            nxt = self.peek()
            if nxt is None or nxt.kind in ("rparen", "or", "and"):
                raise QueryError(f"{tok.text} at position {tok.pos + 1} needs something after it", tok.pos)
            return Not(self.parse_unary(field))
        return self.parse_primary(field)

    def parse_primary(self, field: str | None) -> Node:
        tok = self.take()
        if tok.kind == "lparen":
            return self.parse_group(tok, field)
        if tok.kind == "phrase":
            if not tok.text.strip():
                raise QueryError(f"empty phrase at position {tok.pos + 1}", tok.pos)
            return Word(field, tok.text, tok.pos + 1, phrase=True)
        return self.parse_word(tok, field)

    def parse_group(self, open_tok: _Tok, field: str | None) -> Node:
        nxt = self.peek()
        if nxt is None:
            raise QueryError(f"unclosed parenthesis at position {open_tok.pos + 1}", open_tok.pos)
        if nxt.kind == "rparen":
            raise QueryError(f"empty parentheses at position {open_tok.pos + 1}", open_tok.pos)
        node = self.parse_or(field)
        close = self.peek()
        if close is None or close.kind != "rparen":
            raise QueryError(f"unclosed parenthesis at position {open_tok.pos + 1}", open_tok.pos)
        self.take()
        return node

    def parse_word(self, tok: _Tok, field: str | None) -> Node:
        name, sep, value = tok.text.partition(":")
        target = FIELD_ALIASES.get(name.lower()) if sep else None
        nxt = self.peek()
        follows = nxt is not None and nxt.kind in ("phrase", "lparen", "word")
        if target is None:
            glued_value = not value and follows and nxt is not None and nxt.glued and nxt.kind != "word"
            if sep and field is None and (_looks_like_field(name, value) or (glued_value and name.isalpha())):
                raise QueryError(
                    f"unknown field '{name}:' at position {tok.pos + 1}",
                    tok.pos,
                    hint="fields: title author abstract body cat tag kind source status is has id year published in "
                    "cites citedby person",
                )
            return _word(field, tok.text, tok.pos)
        if field is not None:
            raise QueryError(f"field '{name}:' at position {tok.pos + 1} is inside another field", tok.pos)
        value_pos = tok.pos + len(name) + 1
        if value:
            return _word(target, value, value_pos)
        if follows and nxt is not None:
            if nxt.kind == "lparen" and target not in GROUP_FIELDS:
                raise QueryError(f"'{name}:' at position {tok.pos + 1} takes one value, not a group", tok.pos)
            if nxt.kind == "word":
                self.take()
                return _word(target, nxt.text, nxt.pos)
            return self.parse_primary(target)
        raise QueryError(f"'{name}:' at position {tok.pos + 1} needs a value, e.g. {name}:word", tok.pos)


def _word(field: str | None, text: str, pos: int) -> Word:
    if text.endswith("*"):
        return Word(field, text.rstrip("*"), pos, prefix=True)
    return Word(field, text, pos)


def _looks_like_field(name: str, value: str) -> bool:
    # "foo:bar" is a misspelt field; "https://...", "arxiv:1706.03762", "10:30" and "Note:" are text.
    return name.isalpha() and name.lower() != "arxiv" and bool(value) and not value.startswith("//")


def parse_query(query: str) -> Node:
    """Parse ``query`` into a tree; raises QueryError (with the 0-based position) when it cannot."""
    return _Parser(query).parse()
