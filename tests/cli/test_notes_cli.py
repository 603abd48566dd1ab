"""`kb note`, `kb notes`, `kb show` on notes, `kb bib`: through click, with a real editor subprocess."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import bibtexparser
import pytest
from click.testing import CliRunner, Result

from kb.cli.main import main
from tests.support.httpserver import HttpServer, http_server
from tests.support.workspace import FIXTURES, make_workspace

__all__ = ["http_server"]


@pytest.fixture
def root(tmp_path: Path, http_server: HttpServer) -> Path:
    http_server.add_file("/rss/cs.CL", FIXTURES / "rss_attention_v7.xml")
    root = make_workspace(tmp_path / "ws", http_server, categories=("cs.CL",))
    assert run(root, "fetch", "-q").exit_code == 0
    return root


@pytest.fixture
def editor(tmp_path: Path) -> Path:
    """An editor that appends a line naming the file it was given, and records the call."""
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys\n"
        "path = sys.argv[-1]\n"
        "open(path, 'a', encoding='utf-8').write('\\nEdited: see [[ideas]] and https://arxiv.org/abs/2606.01234v1\\n')\n"
        f"open({str(tmp_path / 'calls.txt')!r}, 'a').write(path + '\\n')\n"
    )
    return script


def run(root: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, ["--root", str(root), *args], env=env, catch_exceptions=False)


def test_kb_note_creates_the_note_from_the_template_and_opens_the_editor(root: Path, editor: Path) -> None:
    env = {"VISUAL": "", "EDITOR": f"{sys.executable} {editor}"}
    result = run(root, "note", "1706.03762", env=env)
    assert result.exit_code == 0, result.output
    path = root / "notes" / "attention-is-all-you-need.md"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n") and "papers: [arxiv:1706.03762]" in text.replace("'", "")
    assert "Ashish Vaswani" in text and "> The dominant sequence transduction models" in text
    assert text.rstrip().endswith("https://arxiv.org/abs/2606.01234v1")  # the editor's line is kept
    shown = json.loads(run(root, "show", "arxiv:1706.03762", "--json").output)
    assert shown["notes"] == ["attention-is-all-you-need.md"]
    # the note the editor changed now also links 2606.01234, and the index knows
    assert "attention-is-all-you-need.md" in json.loads(run(root, "show", "2606.01234", "--json").output)["notes"]
    hits = json.loads(run(root, "search", "has:note", "--json").output)
    assert {hit["id"] for hit in hits} == {"arxiv:1706.03762", "arxiv:2606.01234"}


def test_a_second_kb_note_opens_the_same_note(root: Path, editor: Path, tmp_path: Path) -> None:
    env = {"VISUAL": f"{sys.executable} {editor}"}
    run(root, "note", "1706.03762", env=env)
    run(root, "note", "https://arxiv.org/abs/1706.03762v7", env=env)
    calls = (tmp_path / "calls.txt").read_text().splitlines()
    assert len(calls) == 2 and calls[0] == calls[1]
    assert len(list((root / "notes").glob("*.md"))) == 2  # README.md and the one note


def test_several_notes_of_a_paper_are_listed_to_choose_from(root: Path) -> None:
    for name in ("a.md", "b.md"):
        (root / "notes" / name).write_text("---\npapers: [1706.03762]\n---\nMine.\n")
    (root / "notes" / "c.md").write_text("Only links [[arxiv:1706.03762]].\n")  # a backlink, not a choice
    result = CliRunner().invoke(main, ["--root", str(root), "note", "1706.03762"], input="2\n")
    assert "1) a.md" in result.output and "2) b.md" in result.output and "c.md" not in result.output


def test_kb_note_never_opens_a_note_that_only_links_the_paper(root: Path, editor: Path, tmp_path: Path) -> None:
    other = root / "notes" / "kernels.md"
    other.write_text("---\ntitle: Kernels\npapers: [2606.01234]\n---\nBuilds on [[arxiv:1706.03762]].\n")
    before = other.read_text()
    result = run(root, "note", "1706.03762", env={"VISUAL": f"{sys.executable} {editor}"})
    assert result.exit_code == 0, result.output
    assert other.read_text() == before
    [opened] = (tmp_path / "calls.txt").read_text().splitlines()
    assert Path(opened).name == "attention-is-all-you-need.md"
    shown = json.loads(run(root, "show", "1706.03762", "--json").output)
    assert sorted(shown["notes"]) == ["attention-is-all-you-need.md", "kernels.md"]  # the link is a backlink


def test_kb_note_new_and_kb_notes_json_and_backlinks(root: Path) -> None:
    result = run(root, "note", "new", "Ideas: what to read next", "--print-path")
    created = Path(result.output.strip())
    assert created.parent == root / "notes" and created.name == "ideas-what-to-read-next.md"
    (root / "notes" / "reading.md").write_text(
        "---\ntitle: Reading list\ntags: [todo]\n---\nSee [[ideas-what-to-read-next|my ideas]] and [[1706.03762]].\n"
    )
    notes = {note["path"]: note for note in json.loads(run(root, "notes", "--json").output)}
    assert notes["reading.md"]["papers"] == ["arxiv:1706.03762"] and notes["reading.md"]["tags"] == ["todo"]
    shown = json.loads(run(root, "show", "note:ideas-what-to-read-next.md", "--json").output)
    assert shown["backlinks"] == ["reading.md"]
    reading = json.loads(run(root, "show", "notes/reading.md", "--json").output)
    assert reading["links"] == {"papers": ["arxiv:1706.03762"], "notes": ["ideas-what-to-read-next.md"]}


def test_a_note_with_broken_front_matter_is_indexed_and_warned_about_once(root: Path) -> None:
    (root / "notes" / "broken.md").write_text("---\ntitle: [unclosed\n---\nQuantum kernels everywhere\n")
    first = CliRunner().invoke(main, ["--root", str(root), "notes"])
    assert "broken.md" in first.stderr and "line" in first.stderr
    second = CliRunner().invoke(main, ["--root", str(root), "notes"])
    assert "broken.md" not in second.stderr
    hits = json.loads(run(root, "search", "quantum kernels", "--json").output)
    assert [hit["id"] for hit in hits] == ["note:broken.md"]
    assert (root / "notes" / "broken.md").read_text() == "---\ntitle: [unclosed\n---\nQuantum kernels everywhere\n"


def test_kb_bib_prints_bibtex_that_parses(root: Path) -> None:
    run(root, "star", "1706.03762")
    result = run(root, "bib", "--starred")
    library = bibtexparser.parse_string(result.output)
    [entry] = library.entries
    assert entry.key == "vaswani2017attention"
    assert entry["eprint"] == "1706.03762" and entry["archivePrefix"] == "arXiv"
    both = bibtexparser.parse_string(run(root, "bib", "attention").output)
    assert {e["eprint"] for e in both.entries} == {"1706.03762", "2606.01234"}


def test_kb_bib_with_nothing_selected_explains(root: Path) -> None:
    result = CliRunner().invoke(main, ["--root", str(root), "bib"])
    assert result.exit_code == 2 and "--starred" in result.stderr


def test_the_notes_readme_kb_init_writes_is_not_a_note(root: Path) -> None:
    assert (root / "notes" / "README.md").is_file()
    assert run(root, "search", "Obsidian").exit_code == 1  # words of the guide find nothing
    assert "arxiv:2005.14165" not in run(root, "list", "--json").output  # its example links make no papers
    assert run(root, "search", "kind:note").exit_code == 1
    assert json.loads(run(root, "notes", "--json").output) == []
