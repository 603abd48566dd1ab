"""parse_note on realistic notes: front matter, fallbacks, broken YAML, encodings and every link form."""

from __future__ import annotations

import codecs
import re
import time

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from kb.models import Note
from kb.notes import parse_note
from tests.notes.conftest import VAULT


def parse(text: str, path: str = "note.md") -> Note:
    return parse_note(path, text.encode())


def test_front_matter_fields_and_body() -> None:
    note = parse_note("papers/attention-is-all-you-need.md", VAULT["papers/attention-is-all-you-need.md"], 42)
    assert note.title == "Attention Is All You Need"
    assert note.tags == ("transformers", "architecture")  # Obsidian's optional '#' dropped
    assert note.created == "2026-11-22"
    assert note.front_matter_error is None
    assert note.body.startswith("# Attention\n")
    assert "aliases" not in note.body  # other keys stay in the front matter, out of the body
    assert (note.mtime_ns, note.size) == (42, len(VAULT["papers/attention-is-all-you-need.md"]))
    assert note.id == "note:papers/attention-is-all-you-need.md"
    # Front matter first, then the body's links in order; 1706.03762v2 is the same paper.
    assert note.papers == ("arxiv:1706.03762", "arxiv:2005.14165", "arxiv:hep-th/9901001")
    assert note.note_links == ("linear-algebra-strang",)


def test_crlf_note_with_block_list_and_urls() -> None:
    note = parse_note("papers/gpt3.md", VAULT["papers/gpt3.md"])
    assert note.title == "Language Models are Few-Shot Learners"
    assert note.papers == (
        "arxiv:2005.14165",
        "arxiv:1810.04805",
        "arxiv:1706.03762",
        "arxiv:2203.02155",
        "arxiv:2001.08361",
    )
    assert note.note_links == ("Scaling Laws",)
    assert "\r\n" in note.body  # the text is kept as written


def test_obsidian_links_aliases_embeds_and_code() -> None:
    note = parse_note("topics/transformers.md", VAULT["topics/transformers.md"])
    assert note.title == "Transformers (topic)"  # no front matter: the first '# heading'
    # [[x|alias]] keeps the target, [[x#heading]] the note, ![[note]] counts, ![[image.png]] and code do not.
    assert note.note_links == ("attention-is-all-you-need", "Linear Algebra", "papers/gpt3")
    assert note.papers == ()  # the id inside the code block is not a link


def test_title_falls_back_to_the_file_name() -> None:
    note = parse_note("topics/Linear Algebra.md", VAULT["topics/Linear Algebra.md"])
    assert note.title == "Linear Algebra"
    assert note.front_matter_error is None
    assert note.body == VAULT["topics/Linear Algebra.md"].decode()


def test_broken_yaml_is_reported_with_its_line_and_read_as_text() -> None:
    raw = VAULT["daily/2026-11-22.md"]
    note = parse_note("daily/2026-11-22.md", raw)
    assert note.front_matter_error is not None
    assert re.match(r"line 4: .*flow sequence, line 3", note.front_matter_error)
    assert note.body == raw.decode()  # the whole text is indexed
    assert note.title == "Meeting notes"
    assert note.papers == ("arxiv:2106.09685",)
    assert note.tags == ()


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("---\ntitle: a\n  b: c\n---\nbody\n", "line 3: mapping values are not allowed"),
        ("---\n- a\n- b\n---\nbody\n", "line 2: front matter must be 'key: value' lines"),
        ("---\ntitle: a\nbad: \x01\n---\n", "line 3: character #x0001 is not allowed"),
        ("---\ntitle: a\n\nno closing line\n", "line 1: the front matter opened with '---' is never closed"),
        ("---\nx: !!python/object:os.system ls\n---\n", "line 2: could not determine a constructor"),
    ],
)
def test_front_matter_problems(text: str, error: str) -> None:
    note = parse_note("n.md", text.encode())
    assert note.front_matter_error is not None
    assert note.front_matter_error.startswith(error)
    assert note.body == text


@pytest.mark.parametrize(
    ("front", "title", "tags", "papers", "created"),
    [
        ("title: 2024\ntags: a, b ,#c", "2024", ("a", "b", "c"), (), None),
        ("title: [not, a, title]\ntags: {a: 1}", "n", (), (), None),
        (
            "title: ''\npapers: 1706.03762, arxiv:2005.14165v2",
            "n",
            (),
            ("arxiv:1706.03762", "arxiv:2005.14165"),
            None,
        ),
        (
            'papers: ["[[arxiv:1706.03762]]", not-an-id]\ncreated: 2026-13-45',
            "n",
            (),
            ("arxiv:1706.03762",),
            "2026-13-45",
        ),
        ("created: 2026-11-22 10:30:00\ntags: [[nested], ok]", "n", ("ok",), (), "2026-11-22 10:30:00"),
        ("", "n", (), (), None),
    ],
)
def test_front_matter_values_of_every_shape(
    front: str, title: str, tags: tuple[str, ...], papers: tuple[str, ...], created: str | None
) -> None:
    note = parse_note("n.md", f"---\n{front}\n---\nno heading\n".encode())
    assert note.front_matter_error is None
    assert (note.title, note.tags, note.papers, note.created) == (title, tags, papers, created)
    assert note.body == "no heading\n"


def test_dots_close_front_matter_and_code_headings_are_not_titles() -> None:
    note = parse("---\ntags: [x]\n...\n```\n# not a title\n```\n# Real title #\n")
    assert note.tags == ("x",)
    assert note.title == "Real title"


def test_non_utf8_bytes_are_replaced_not_fatal() -> None:
    note = parse_note("inbox/latin1.md", VAULT["inbox/latin1.md"])
    assert note.title == "Caf\ufffd notes"
    assert "Cr\ufffdme" in note.body
    assert note.papers == ("arxiv:1412.6980",)


def test_byte_order_marks() -> None:
    text = "---\ntitle: Été\n---\nbody\n"
    assert parse_note("a.md", codecs.BOM_UTF8 + text.encode()).title == "Été"
    assert parse_note("b.md", text.encode("utf-16")).title == "Été"  # BOM included by the codec


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[[arxiv:1706.03762]]", "arxiv:1706.03762"),
        ("[[1706.03762]]", "arxiv:1706.03762"),
        ("[[1706.03762v2]]", "arxiv:1706.03762"),
        ("[[arXiv:1706.03762v7|the paper]]", "arxiv:1706.03762"),
        ("[[arxiv:hep-th/9901001]]", "arxiv:hep-th/9901001"),
        ("[[math.GT/0309136]]", "arxiv:math.GT/0309136"),
        ("http://arxiv.org/abs/1706.03762", "arxiv:1706.03762"),
        ("https://arxiv.org/abs/1706.03762v3", "arxiv:1706.03762"),
        ("<https://arxiv.org/pdf/1706.03762v7.pdf>", "arxiv:1706.03762"),
        ("https://arxiv.org/pdf/1706.03762", "arxiv:1706.03762"),
        ("(see https://export.arxiv.org/abs/hep-th/9901001v1).", "arxiv:hep-th/9901001"),
        ("[paper](https://www.arxiv.org/abs/2501.00001)", "arxiv:2501.00001"),
        ("HTTPS://ARXIV.ORG/ABS/1706.03762", "arxiv:1706.03762"),
    ],
)
def test_every_paper_link_form(text: str, expected: str) -> None:
    note = parse(f"Some text {text} more.\n")
    assert note.papers == (expected,)
    assert note.note_links == ()


@pytest.mark.parametrize(
    "text",
    [
        "https://notarxiv.org/abs/1706.03762",
        "https://arxiv.org/abs/1706.037621",  # a longer number is not this id
        "https://arxiv.org/list/cs.LG/recent",
        "1706.03762 without brackets or URL",
        "`[[arxiv:1706.03762]]` in inline code",
    ],
)
def test_things_that_are_not_paper_links(text: str) -> None:
    assert parse(text).papers == ()


def test_links_deduplicated_in_order_of_appearance() -> None:
    note = parse(
        "[[2005.14165]] then https://arxiv.org/abs/1706.03762 then [[arxiv:2005.14165v2]] "
        "and [[Other]] [[other]] [[Other|again]]\n"
    )
    assert note.papers == ("arxiv:2005.14165", "arxiv:1706.03762")
    assert note.note_links == ("Other", "other")  # as written: resolution is case-insensitive later


def test_five_megabyte_note_parses_quickly() -> None:
    paragraph = "Attention is a [[Linear Algebra]] trick, see `code [[x]]` and $O(n^2)$ cost. " * 10 + "\n\n"
    text = "---\ntitle: Big\n---\n" + paragraph * (5_000_000 // len(paragraph)) + "[[arxiv:1706.03762]]\n"
    raw = text.encode()
    assert len(raw) >= 4_900_000
    started = time.perf_counter()
    note = parse_note("big.md", raw)
    elapsed = time.perf_counter() - started
    assert note.title == "Big"
    assert note.papers == ("arxiv:1706.03762",)
    assert note.note_links == ("Linear Algebra",)
    assert elapsed < 10, f"parsing 5 MB took {elapsed:.1f}s"


@given(st.text(max_size=400))
def test_any_text_parses_without_raising(text: str) -> None:
    note = parse(text)
    assert isinstance(note.title, str) and note.title
    assert text.endswith(note.body) or note.body == text.removeprefix("\ufeff")
    assert all(paper.startswith("arxiv:") for paper in note.papers)
    assert len(set(note.papers)) == len(note.papers)


_scalars = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=40)


@given(title=_scalars, tags=st.lists(_scalars, max_size=4), extra=st.dictionaries(_scalars, _scalars, max_size=3))
def test_front_matter_written_by_yaml_reads_back(title: str, tags: list[str], extra: dict[str, str]) -> None:
    data: dict[str, object] = {**extra, "title": title, "tags": tags}
    front = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    note = parse(f"---\n{front}---\nbody\n")
    assert note.front_matter_error is None
    if title.strip():
        assert note.title == " ".join(title.split())
    expected_tags = [" ".join(tag.split()).lstrip("#").strip() for tag in tags]
    assert note.tags == tuple(dict.fromkeys(tag for tag in expected_tags if tag))
    assert note.body == "body\n"
