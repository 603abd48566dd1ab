"""add_paper_link edits only the papers: lines; every other byte of the note is kept."""

from __future__ import annotations

import difflib

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from kb.errors import NoteConflict, UsageError
from kb.notes import add_paper_link, parse_note
from kb.notes.frontmatter import load, locate
from tests.notes.conftest import VAULT


def changed_lines(before: str, after: str) -> list[str]:
    """The lines removed or added between two texts (with '-'/'+' marks)."""
    diff = difflib.ndiff(before.splitlines(keepends=True), after.splitlines(keepends=True))
    return [line for line in diff if line.startswith(("- ", "+ "))]


def front(text: str) -> dict[str, object]:
    block = locate(text)
    assert block is not None and block.closed
    data, error = load(text[block.yaml_start : block.yaml_end])
    assert error is None
    return data


@pytest.mark.parametrize(
    ("before", "after"),
    [
        # one-line flow lists, with and without items and comments
        ("papers: [arxiv:1706.03762]", "papers: [arxiv:1706.03762, arxiv:2005.14165]"),
        ("papers: []", "papers: [arxiv:2005.14165]"),
        ("papers: [ 1706.03762 ]  # keep me", "papers: [ 1706.03762, arxiv:2005.14165 ]  # keep me"),
        # block lists keep their own indentation
        ("papers:\n  - arxiv:1706.03762\n", "papers:\n  - arxiv:1706.03762\n  - arxiv:2005.14165\n"),
        ("papers:\n- 1706.03762\n", "papers:\n- 1706.03762\n- arxiv:2005.14165\n"),
        ("papers:  # mine\n    -   a\n", "papers:  # mine\n    -   a\n    -   arxiv:2005.14165\n"),
        # an empty key, a scalar and a multi-line flow list become one flow list line
        ("papers:", "papers: [arxiv:2005.14165]"),
        ("papers: 1706.03762, arxiv:1810.04805", "papers: [1706.03762, arxiv:1810.04805, arxiv:2005.14165]"),
        ("papers: '[[1706.03762]]'", "papers: ['[[1706.03762]]', arxiv:2005.14165]"),
        ("papers: [a,\n  b]", "papers: [a, b, arxiv:2005.14165]"),
    ],
)
def test_papers_forms(before: str, after: str) -> None:
    note = f"---\ntitle: T\n{before}\ntags: [x]\n---\n# Body\n"
    edited = add_paper_link(note, "2005.14165v2")
    assert edited == f"---\ntitle: T\n{after}\ntags: [x]\n---\n# Body\n"
    assert front(edited)["title"] == "T" and front(edited)["tags"] == ["x"]
    assert parse_note("n.md", edited.encode()).papers[-1] == "arxiv:2005.14165"


def test_adds_a_papers_key_when_missing() -> None:
    note = "---\ntitle: T\nabstract: |\n  kept as is\n---\nbody\n"
    assert add_paper_link(note, "arxiv:1706.03762") == (
        "---\ntitle: T\nabstract: |\n  kept as is\npapers: [arxiv:1706.03762]\n---\nbody\n"
    )


def test_creates_front_matter_when_there_is_none() -> None:
    assert add_paper_link("# Idea\n\ntext\n", "hep-th/9901001v2") == (
        "---\npapers: [arxiv:hep-th/9901001]\n---\n# Idea\n\ntext\n"
    )
    assert (
        add_paper_link("\ufeffa\r\nb\r\n", "1706.03762")
        == "\ufeff---\r\npapers: [arxiv:1706.03762]\r\n---\r\na\r\nb\r\n"
    )


def test_crlf_note_keeps_crlf() -> None:
    raw = VAULT["papers/gpt3.md"].decode()
    edited = add_paper_link(raw, "2106.09685")
    assert changed_lines(raw, edited) == ["+   - arxiv:2106.09685\r\n"]


def test_already_linked_is_unchanged() -> None:
    raw = VAULT["papers/attention-is-all-you-need.md"].decode()
    assert add_paper_link(raw, "https://arxiv.org/abs/1706.03762v7") is raw


def test_vault_notes_change_only_their_papers_lines() -> None:
    for path, data in VAULT.items():
        if not path.endswith(".md") or path == "daily/2026-11-22.md":
            continue
        raw = data.decode("utf-8", errors="replace")
        edited = add_paper_link(raw, "2401.00001")
        block = locate(raw)
        assert edited.endswith(raw[block.body_start if block else 0 :]), path  # the body, byte for byte
        diff = changed_lines(raw, edited)
        assert all(line[2:].startswith("papers:") for line in diff if line.startswith("- ")), path
        added = [line[2:].strip() for line in diff if line.startswith("+ ")]
        assert all(line == "---" or "arxiv:2401.00001" in line for line in added), path
        assert "arxiv:2401.00001" in parse_note(path, edited.encode()).papers


@pytest.mark.parametrize(
    "note",
    [
        VAULT["daily/2026-11-22.md"].decode(),  # broken YAML
        "---\ntitle: never closed\n\ntext\n",
        "---\npapers: [a]\npapers: [b]\n---\n",  # duplicate keys: no edit can be verified
        '---\n"papers": [a]\n---\n',  # a quoted key kb does not edit textually
    ],
)
def test_refuses_to_touch_what_it_cannot_edit_safely(note: str) -> None:
    with pytest.raises(NoteConflict):
        add_paper_link(note, "1706.03762")


def test_rejects_a_non_id() -> None:
    with pytest.raises(UsageError, match="not an arXiv id"):
        add_paper_link("text\n", "attention")


_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters="\r"), max_size=200)
_value = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=30),
    st.integers(),
    st.lists(st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=10), max_size=3),
)
_ids = st.sampled_from(["1706.03762", "2005.14165v3", "hep-th/9901001", "arxiv:2401.12345"])


@given(
    extra=st.dictionaries(st.from_regex(r"[a-z_]{1,12}", fullmatch=True), _value, max_size=4),
    papers=st.lists(_ids, max_size=3),
    style=st.sampled_from(["flow", "block", "none", "absent"]),
    body=_text,
    new=st.sampled_from(["1810.04805", "2106.09685v2", "arxiv:cond-mat/0607501"]),
)
def test_any_front_matter_keeps_everything_else(
    extra: dict[str, object], papers: list[str], style: str, body: str, new: str
) -> None:
    extra.pop("papers", None)
    header = yaml.safe_dump(extra, allow_unicode=True, sort_keys=False) if extra else ""
    if style == "flow":
        header += f"papers: [{', '.join(papers)}]\n"
    elif style == "block":
        header += "papers:\n" + "".join(f"  - {paper}\n" for paper in papers)
    elif style == "none":
        header += "papers:\n"
    raw = f"---\n{header}---\n{body}"
    edited = add_paper_link(raw, new)
    block = locate(edited)
    assert block is not None
    assert edited[block.body_start :] == body  # the body, byte for byte
    assert edited[: block.yaml_start] == "---\n"
    before, after = front(raw), front(edited)
    assert {k: v for k, v in after.items() if k != "papers"} == {k: v for k, v in before.items() if k != "papers"}
    assert set(after) == {*extra, "papers"}
    note = parse_note("n.md", edited.encode())
    assert note.papers[: len(papers) + 1][-1] == parse_note("x.md", f"[[{new}]]".encode()).papers[0]
    removed = [line for line in changed_lines(raw, edited) if line.startswith("- ")]
    assert all(line.startswith("- papers:") for line in removed)
