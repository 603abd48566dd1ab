"""bibtex(): entries bibtexparser reads back, for real recorded papers and hostile titles."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import bibtexparser
import pytest
from bibtexparser.middlewares import LatexDecodingMiddleware
from hypothesis import example, given
from hypothesis import strategies as st

from kb.library.formats.bib import bibtex
from kb.models import Author, Item, Kind
from tests.notes.corpus_items import corpus_papers

# Exactly what kb escapes, undone: the round trip must give the title back.
UNESCAPE = [
    (r"\textbackslash{}", "\\"),
    (r"\textbraceleft{}", "{"),
    (r"\textbraceright{}", "}"),
    (r"\textasciitilde{}", "~"),
    (r"\textasciicircum{}", "^"),
    *((f"\\{char}", char) for char in "&%$#_"),
]


_ESCAPES = dict(UNESCAPE)
_ESCAPED = re.compile("|".join(re.escape(escaped) for escaped in _ESCAPES))


def unescape(value: str) -> str:
    # One pass, left to right: a title holding the text "\textasciitilde{" escapes to
    # "\textbackslash{}textasciitilde\{", which replacements made one after another would undo twice.
    return _ESCAPED.sub(lambda match: _ESCAPES[match.group(0)], value)


def assert_escaped(value: str) -> None:
    """No LaTeX special character is left bare inside the title's protecting braces."""
    inner = value.removeprefix("{").removesuffix("}")
    for escaped, _ in UNESCAPE:
        inner = inner.replace(escaped, "")
    assert not set(inner) & set("&%$#_{}~^\\"), value


def paper(title: str, authors: tuple[str, ...] = ("Ashish Vaswani",), year: int = 2017, **extra: object) -> Item:
    fields: dict[str, object] = {
        "id": "arxiv:1706.03762",
        "kind": Kind.PAPER,
        "title": title,
        "summary": "",
        "url": "http://arxiv.org/abs/1706.03762v7",
        "authors": tuple(Author(name) for name in authors),
        "published": datetime(year, 6, 12, tzinfo=UTC),
        "categories": ("cs.CL", "cs.LG"),
        **extra,
    }
    return Item(**fields)  # type: ignore[arg-type]


def parse(text: str) -> bibtexparser.Library:
    library = bibtexparser.parse_string(text)
    assert library.failed_blocks == []
    return library


def fields(entry: bibtexparser.model.Entry) -> dict[str, str]:
    return {field.key: field.value for field in entry.fields}


def test_attention_entry() -> None:
    text = bibtex([paper("Attention Is All You Need")])
    assert text == (
        "@misc{vaswani2017attention,\n"
        "  title = {{Attention Is All You Need}},\n"
        "  author = {Ashish Vaswani},\n"
        "  year = {2017},\n"
        "  eprint = {1706.03762},\n"
        "  archivePrefix = {arXiv},\n"
        "  primaryClass = {cs.CL},\n"
        "  url = {https://arxiv.org/abs/1706.03762},\n"
        "}\n"
    )
    (entry,) = parse(text).entries
    assert entry.key == "vaswani2017attention" and entry.entry_type == "misc"


def test_article_when_published() -> None:
    item = paper(
        "Deep Learning",
        ("Yann LeCun", "Yoshua Bengio"),
        2015,
        doi="10.1038/nature14539",
        journal_ref="Nature 521, 436-444 (2015)",
    )
    (entry,) = parse(bibtex([item])).entries
    assert entry.entry_type == "article"
    assert fields(entry)["journal"] == "Nature 521, 436-444 (2015)"
    assert fields(entry)["doi"] == "10.1038/nature14539"
    assert fields(entry)["author"] == "Yann LeCun and Yoshua Bengio"
    doi_only = parse(bibtex([paper("X", doi="10.1/x")])).entries[0]
    assert doi_only.entry_type == "article" and "journal" not in fields(doi_only)


@pytest.mark.parametrize(
    ("title", "authors", "key"),
    [
        ("Attention Is All You Need", ("Ashish Vaswani",), "vaswani2017attention"),
        ("On the Difficulty of Training RNNs", ("Razvan Pascanu",), "pascanu2017difficulty"),
        ("A Survey: of Things", ("José Müller-Lüdenscheidt",), "mullerludenscheidt2017survey"),
        ("Über-Learning", ("Łukasz Kaiser", "Noam Shazeer"), "kaiser2017uber"),
        ("Straße", ("Ng, Andrew",), "ng2017strasse"),
        ("The The", ("Martin Luther King Jr.",), "king2017"),
        ("注意力", ("王小明",), "anon2017"),
        ("$O(n)$ Attention", ("Ada Lovelace",), "lovelace2017attention"),
    ],
)
def test_readable_keys(title: str, authors: tuple[str, ...], key: str) -> None:
    assert parse(bibtex([paper(title, authors)])).entries[0].key == key


def test_keys_are_unique_within_the_output() -> None:
    items = [paper("Attention Is All You Need")] * 3 + [paper("Attention Again")]
    keys = [entry.key for entry in parse(bibtex(items)).entries]
    assert keys == [
        "vaswani2017attention",
        "vaswani2017attentiona",
        "vaswani2017attentionb",
        "vaswani2017attentionc",
    ]


def test_special_characters_are_escaped_and_math_kept() -> None:
    title = r"50% of $5 & #1 a_b {c} ~d ^e \f: $\mathcal{O}(n^2)$ for $800 and $900"
    text = bibtex([paper(title, ("Alice Smith & Sons", "ATLAS Collaboration"))])
    value = fields(parse(text).entries[0])["title"]
    assert r"$\mathcal{O}(n^2)$" in value  # math as the authors wrote it
    assert r"\$800 and \$900" in value  # money is not math
    assert unescape(value) == "{" + title + "}"
    assert_escaped(value.replace(r"$\mathcal{O}(n^2)$", ""))
    assert fields(parse(text).entries[0])["author"] == r"Alice Smith \& Sons and {ATLAS Collaboration}"


def test_unicode_is_kept_and_decodes() -> None:
    text = bibtex([paper("Ünïcödé — 注意力 & more", ("Zoë Ng",))])
    library = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    assert library.entries[0]["title"] == "Ünïcödé — 注意力 & more"
    assert library.entries[0]["author"] == "Zoë Ng"


def test_posts_are_misc_with_their_url() -> None:
    post = Item(
        id="post:1",
        kind=Kind.POST,
        title="Agents",
        summary="",
        url="https://lilianweng.github.io/x_y/",
        feed="Lil'Log",
        published=datetime(2023, 6, 23, tzinfo=UTC),
    )
    (entry,) = parse(bibtex([post])).entries
    assert entry.key == "lillog2023agents"
    assert fields(entry)["url"] == "https://lilianweng.github.io/x_y/"  # urls are verbatim, not escaped
    assert "eprint" not in fields(entry)


def test_empty() -> None:
    assert bibtex([]) == ""


def test_every_recorded_paper_parses_and_round_trips(corpus: Path) -> None:
    papers = corpus_papers(corpus)
    text = bibtex(papers)
    library = parse(text)
    assert len(library.entries) == len(papers)
    keys = [entry.key for entry in library.entries]
    assert len(set(keys)) == len(keys) and all(re.fullmatch(r"[a-z0-9]+", key) for key in keys)
    for item, entry in zip(papers, library.entries, strict=True):
        values = fields(entry)
        assert entry.entry_type == ("article" if item.doi or item.journal_ref else "misc")
        assert values["eprint"] == item.id.removeprefix("arxiv:")
        assert values["archivePrefix"] == "arXiv" and values["primaryClass"] == item.categories[0]
        assert len(values["author"].split(" and ")) == len(item.authors)
        if "$" not in item.title:
            assert unescape(values["title"]) == "{" + " ".join(item.title.split()) + "}"
            assert_escaped(values["title"])
    again = parse(bibtexparser.write_string(library))
    assert [fields(entry) for entry in again.entries] == [fields(entry) for entry in library.entries]


_title = st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=80)


@given(title=_title, authors=st.lists(_title, min_size=1, max_size=3))
@example(title="\\textasciitilde{", authors=["0"])  # a title that spells an escape kb writes
def test_any_title_parses_with_balanced_braces(title: str, authors: list[str]) -> None:
    text = bibtex([paper(title, tuple(authors)), paper(title, tuple(authors))])
    library = parse(text)
    assert len(library.entries) == 2 and library.entries[0].key != library.entries[1].key
    value = fields(library.entries[0])["title"]
    if "$" not in title:
        assert unescape(value) == "{" + " ".join(title.split()) + "}"
        assert_escaped(value)


@pytest.mark.parametrize("title", ["Sets $\\{x$ and $y}$ here", "Half $a{b$ open", "Close $}$ first"])
def test_math_with_unbalanced_braces_is_escaped_as_text(title: str) -> None:
    (entry,) = parse(bibtex([paper(title)])).entries
    assert unescape(fields(entry)["title"]) == "{" + title + "}"
    assert_escaped(fields(entry)["title"])
