"""The text of a new note: for a paper (`kb note ID`) or a plain one (`kb note new TITLE`)."""

from __future__ import annotations

from datetime import date

from kb.errors import UsageError
from kb.models import Item, Kind, parse_arxiv_id
from kb.notes.frontmatter import yaml_value

#: How much of a post a new note quotes: enough to recall it, not the article (the reader has that).
EXCERPT_CHARS = 400


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _front_matter(fields: list[tuple[str, str]]) -> str:
    return "".join(["---\n", *(f"{key}: {value}\n" for key, value in fields), "---\n"])


def paper_note_text(item: Item, today: date) -> str:
    """A new note for a paper (or post): front matter, '# Title', link, a quote, '## Notes'.

    The front matter names the item (``papers:`` for a paper, ``post:`` for a post): that makes this note the
    item's own. A paper's abstract is quoted whole; a post only by an excerpt of EXCERPT_CHARS at most.
    """
    arxiv = parse_arxiv_id(item.id) if item.kind is Kind.PAPER else None
    url = f"https://arxiv.org/abs/{arxiv.id}" if arxiv is not None else item.url
    title = _one_line(item.title) or (arxiv.key if arxiv is not None else "Untitled")
    fields = [("title", yaml_value(title))]
    if item.authors:
        fields.append(("authors", yaml_value([_one_line(author.name) for author in item.authors], flow=True)))
    if item.published is not None:
        fields.append(("year", str(item.published.year)))
    fields.append(("arxiv" if arxiv is not None else "url", yaml_value(url)))
    if item.kind is Kind.POST:
        fields.append(("post", yaml_value(item.id)))
    # Ids are plain YAML in a flow list: this is the line add_paper_link edits.
    fields.append(("papers", f"[{arxiv.key}]" if arxiv is not None else "[]"))
    fields.append(("tags", "[]"))
    fields.append(("created", today.isoformat()))
    link = f"[arXiv:{arxiv.id}]({url})" if arxiv is not None else f"<{url}>"
    if arxiv is not None and item.pdf_url:
        link += f" · [PDF]({item.pdf_url})"
    parts = [_front_matter(fields), "\n", f"# {title}\n", "\n", f"{link}\n", "\n"]
    abstract = _quote(item.summary if item.kind is Kind.PAPER else _excerpt(item.summary, EXCERPT_CHARS))
    if abstract:
        parts += [abstract, "\n"]
    parts += ["## Notes\n", "\n"]
    return "".join(parts)


def _quote(text: str) -> str:
    """The abstract as a markdown quote, paragraph breaks kept, hard wraps joined."""
    paragraphs = [_one_line(block) for block in text.replace("\r\n", "\n").split("\n\n")]
    paragraphs = [paragraph for paragraph in paragraphs if paragraph]
    return ">\n".join(f"> {paragraph}\n" for paragraph in paragraphs)


def _excerpt(text: str, limit: int) -> str:
    """The first paragraph of ``text``, cut at a word break before ``limit`` characters (with '…')."""
    first = _one_line(next((block for block in text.replace("\r\n", "\n").split("\n\n") if block.strip()), ""))
    if len(first) <= limit:
        return first
    cut = first[: limit - 1]
    return (cut[: cut.rfind(" ")] if " " in cut else cut).rstrip(" ,;:") + "…"


def plain_note_text(title: str, today: date) -> str:
    """A new note with only a title: front matter (title, tags, created) and the '# Title' heading."""
    title = _one_line(title)
    if not title:
        raise UsageError("a note needs a title", hint='kb note new "Some title"')
    fields = [("title", yaml_value(title)), ("tags", "[]"), ("created", today.isoformat())]
    return "".join([_front_matter(fields), "\n", f"# {title}\n", "\n"])
