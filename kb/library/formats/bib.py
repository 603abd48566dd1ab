"""BibTeX for papers and posts (`kb bib`). Pure: items in, text out.

Keys read like Google Scholar's (``vaswani2017attention``) and are unique within one output. Text fields are
escaped for LaTeX, except ``$...$`` math in titles, which is kept as the authors wrote it. Unicode is kept:
biber, and BibTeX with inputenc, read UTF-8.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from kb.models import Item, Kind, parse_arxiv_id

_SPECIALS = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    # BibTeX counts braces even when escaped: \{ alone would unbalance the field, these never do.
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_SPECIALS_RE = re.compile("|".join(re.escape(char) for char in _SPECIALS))
# Pandoc's rule for inline math: no space just inside the dollars, no digit right after the closing one,
# so "$800 and $900" stays text.
_MATH_RE = re.compile(r"(?<![\\$])\$(?=\S)(?P<math>[^$\n]*?[^\s\\$])\$(?![\d$])")
_STOPWORDS = frozenset(
    {
        *("a", "an", "the", "on", "of", "in", "for", "and", "or", "to", "with", "without", "via", "from"),
        *("at", "by", "as", "is", "are", "be", "do", "does", "can", "how", "what", "why", "when", "which"),
        *("who", "where", "towards", "toward", "into", "onto", "over", "under", "using"),
    }
)
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
# Letters NFKD does not decompose into ASCII.
_FOLD = str.maketrans({"ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"})
_GROUP_RE = re.compile(r"\b(collaboration|consortium|team|group|project|and)\b", re.IGNORECASE)


def bibtex(items: Sequence[Item]) -> str:
    """BibTeX entries for ``items``, in order, separated by blank lines ('' for no items)."""
    used: set[str] = set()
    return "\n".join(_entry(item, _unique(_key(item), used)) for item in items)


def _entry(item: Item, key: str) -> str:
    arxiv = parse_arxiv_id(item.id) if item.kind is Kind.PAPER else None
    article = bool(item.journal_ref or item.doi)
    fields: list[tuple[str, str | None]] = [
        ("title", "{" + latex_text(item.title, math=True) + "}"),  # double braces keep the capitals
        ("author", " and ".join(_author(author.name) for author in item.authors) or None),
        ("journal", latex_text(item.journal_ref) if article and item.journal_ref else None),
        ("year", _year(item)),
    ]
    if arxiv is not None:
        fields += [
            ("eprint", arxiv.id),
            ("archivePrefix", "arXiv"),
            ("primaryClass", item.categories[0] if item.categories else None),
        ]
    elif item.feed:
        fields.append(("howpublished", latex_text(item.feed)))
    fields += [
        ("doi", _verbatim(item.doi) if item.doi else None),
        ("url", _verbatim(f"https://arxiv.org/abs/{arxiv.id}" if arxiv is not None else item.url) or None),
    ]
    entry_type = "article" if article else "misc"
    body = "".join(f"  {name} = {{{value}}},\n" for name, value in fields if value)
    return f"@{entry_type}{{{key},\n{body}}}\n"


def latex_text(text: str, math: bool = False) -> str:
    """``text`` on one line with LaTeX's special characters escaped (``$...$`` math kept when ``math``)."""
    text = " ".join(text.split())
    if not math:
        return _escape(text)
    pieces: list[str] = []
    position = 0
    for found in _MATH_RE.finditer(text):
        if _balanced(found.group("math")):
            pieces += [_escape(text[position : found.start()]), found.group()]
            position = found.end()
    pieces.append(_escape(text[position:]))
    return "".join(pieces)


def _escape(text: str) -> str:
    return _SPECIALS_RE.sub(lambda match: _SPECIALS[match.group()], text)


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def _verbatim(value: str) -> str:
    # url and doi are read verbatim by biblatex and the url package: escaping would corrupt them; only
    # braces (which would end the field) are percent-encoded.
    return value.strip().replace("{", "%7B").replace("}", "%7D")


def _author(name: str) -> str:
    name = latex_text(name)
    # "ATLAS Collaboration" is one name, and a literal "and" would split it in two: brace them whole.
    return f"{{{name}}}" if _GROUP_RE.search(name) else name


def ascii_fold(text: str) -> str:
    """Lower-case ASCII letters and digits only: ``Müller`` -> ``muller``, ``Łukasz`` -> ``lukasz``."""
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_FOLD))
    return "".join(char for char in decomposed if char.isascii() and char.isalnum())


def _key(item: Item) -> str:
    """``<first author's last name><year><first title word that is not a stopword>``."""
    surname = ""
    if item.authors:
        name = item.authors[0].name
        words = [word for word in name.replace(",", " ").split() if word.lower() not in _SUFFIXES]
        # "Vaswani, Ashish" names the surname first; "Ashish Vaswani" last.
        if words:
            surname = ascii_fold(words[0] if "," in name else words[-1])
    elif item.feed:
        surname = ascii_fold(item.feed.split()[0])
    year = _year(item) or ""
    words_only = re.sub(r"\$[^$]*\$", " ", item.title)  # "$O(n)$ Attention" -> attention
    title_words = (ascii_fold(word) for word in re.split(r"[\s\-/:]+", words_only))
    first_word = next((word for word in title_words if word and word not in _STOPWORDS), "")
    return f"{surname or 'anon'}{year}{first_word}"


def _unique(key: str, used: set[str]) -> str:
    """``key``, or ``key`` + a, b, ... z, aa, ab ... when an earlier entry took it."""
    candidate, number = key, 0
    while candidate in used:
        candidate = key + _letters(number)
        number += 1
    used.add(candidate)
    return candidate


def _letters(number: int) -> str:
    letters = ""
    number += 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("a") + remainder) + letters
    return letters


def _year(item: Item) -> str | None:
    """The year of first publication: the date when known, else the year the arXiv id encodes."""
    if item.published:
        return str(item.published.year)
    arxiv_id = item.id.removeprefix("arxiv:")
    digits = arxiv_id.rsplit("/", 1)[-1][:2]  # 1706.03762 -> 17; hep-th/9901001 -> 99
    if item.kind is Kind.PAPER and digits.isdigit():
        century = 1900 if int(digits) >= 91 else 2000  # arXiv began in 1991
        return str(century + int(digits))
    return None
