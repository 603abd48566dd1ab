"""Promise 5: hostile content is stored faithfully, printed inert, bounded in memory and time, and never
turns an id or a title into a path outside notes/.

Text output is checked as a terminal would receive it: through CliRunner with colour on (so click strips
nothing on kb's behalf) and, for list and search, through a real pseudo-terminal.
"""

from __future__ import annotations

import json
import os
import pty
import re
import select
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.cli.main import main
from kb.library import init_workspace
from tests.reliability.helpers import assert_inert, kb_command, kb_env, store_facts, tree, write_config
from tests.reliability.hostile import (
    HOSTILE,
    XML_LEGAL,
    hostile_announcements,
    hostile_blog,
    huge_title_blog,
    laughs_api,
    laughs_blog,
    nested_blog,
)
from tests.support.httpserver import HttpServer, Response, static

KB_MARKS = re.compile(r"\x1b\[1;33m|\x1b\[0m")  # kb's own highlight in `kb search` on a terminal


@dataclass
class Fetched:
    root: Path
    returncode: int
    stderr: str
    seconds: float
    max_rss_mb: float


@pytest.fixture(scope="module")
def fetched(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fetched]:
    with HttpServer() as server:
        feeds = {
            "hostile": hostile_blog(),
            "huge": huge_title_blog(),
            "laughs": laughs_blog(),
            "nested": nested_blog(),
        }
        for name, body in feeds.items():
            server.add(f"/{name}.xml", body, headers={"Content-Type": "application/rss+xml"})
        server.add("/rss/cs.CL", hostile_announcements(), headers={"Content-Type": "application/rss+xml"})
        server.add_handler("/api/query", static(Response(laughs_api(), 200, {"Content-Type": "application/atom+xml"})))
        root = tmp_path_factory.mktemp("hostile") / "ws"
        init_workspace(root)
        write_config(
            root,
            {
                "arxiv": {
                    "categories": ["cs.CL"],
                    "queries": [{"name": "api laughs", "query": "all:lol"}],
                    "api_url": server.url("/api/query"),
                    "rss_url": server.url("/rss/"),
                    "delay_seconds": 0,
                    "retries": 0,
                },
                "feeds": [{"name": name, "url": server.url(f"/{name}.xml")} for name in feeds],
                "fetch": {"connect_timeout": 2, "read_timeout": 5, "total_timeout": 20, "retries": 0},
            },
        )
        started = time.monotonic()
        peak = root.parent / "peak-kb"
        process = subprocess.run(
            [sys.executable, "-c", _PEAK_OF_CHILD, str(peak), *kb_command(root, "fetch")],
            capture_output=True,
            env=kb_env(),
            check=False,
        )
        yield Fetched(
            root,
            process.returncode,
            process.stderr.decode("utf-8", "surrogateescape"),
            time.monotonic() - started,
            int(peak.read_text()) / 1024,
        )


#: Runs a command and writes its peak resident size (KB) to a file. Linux carries a process's high-water mark
#: across exec, so a kb started straight from this pytest process (hundreds of MB late in a suite) would report
#: pytest's size; started from this small interpreter, the figure is kb's own.
_PEAK_OF_CHILD = (
    "import pathlib, resource, subprocess, sys\n"
    "done = subprocess.run(sys.argv[2:])\n"
    "pathlib.Path(sys.argv[1]).write_text(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
    "sys.exit(done.returncode)\n"
)


def _items(root: Path) -> dict[str, tuple[str, str, str, str]]:
    """id -> (title, summary, first author, html) read straight from the store."""
    conn = sqlite3.connect(root / ".kb" / "kb.sqlite")
    try:
        rows = conn.execute(
            "SELECT i.id, i.title, i.summary, COALESCE(a.name, ''), COALESCE(i.html, '') FROM item i "
            "LEFT JOIN item_author a ON a.item_id = i.id AND a.position = 0"
        ).fetchall()
    finally:
        conn.close()
    return {row[0]: tuple(row[1:]) for row in rows}


def _cli(root: Path, *args: str) -> tuple[int, str, str]:
    """Run a command in-process as a terminal would get it: colour on, so click strips nothing itself."""
    result = CliRunner().invoke(main, ["--root", str(root), *args], color=True)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def _tty(root: Path, *args: str) -> str:
    """Run kb with its stdout on a pseudo-terminal (as a person sees it); returns what the terminal got."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        kb_command(root, *args), stdout=follower, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, env=kb_env()
    )
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: kb has exited
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.stderr is not None
    err = process.stderr.read().decode("utf-8", "surrogateescape")
    process.wait(timeout=30)
    return b"".join(chunks).decode("utf-8", "surrogateescape") + err


# --- fetching ---------------------------------------------------------------------------------------


def test_the_fetch_is_bounded_in_time_and_memory(fetched: Fetched) -> None:
    assert fetched.seconds < 60, fetched.seconds
    assert fetched.max_rss_mb < 600, f"kb fetch peaked at {fetched.max_rss_mb:.0f} MB"  # no entity expansion
    assert fetched.returncode in (0, 1) and "Traceback" not in fetched.stderr and "internal error" not in fetched.stderr
    assert_inert(fetched.stderr, "kb fetch")


def test_entity_bombs_are_not_expanded(fetched: Fetched) -> None:
    items = _items(fetched.root)
    assert all("lollollol" not in title + summary for title, summary, _, _ in items.values())
    log = (fetched.root / ".kb" / "kb.log").read_text()
    assert "source='api laughs'" in log  # the saved search ended with a recorded outcome


def test_hostile_posts_are_stored_faithfully_and_their_links_defused(fetched: Fetched) -> None:
    items = _items(fetched.root)
    by_title_tag = {
        re.search(r"hostile(\d+)$", t).group(1): (t, s, a, h)  # type: ignore[union-attr]
        for t, s, a, h in items.values()
        if re.search(r"hostile\d+$", t)
    }
    assert len(by_title_tag) == len(HOSTILE)
    for number, fragment in enumerate(HOSTILE):
        title, summary, author, html = by_title_tag[str(number)]
        assert title == " ".join(f"{fragment} hostile{number}".split())
        assert author == " ".join(f"{fragment} author{number}".split())
        assert f"body{number}" in summary and "steal()" not in summary  # scripts dropped, text kept
        assert 'href="javascript' not in html and "<script" not in html
    assert any(len(title) >= 1_000_000 for title, *_ in items.values())  # the 1 MB title, whole
    assert any("nested" in title and title.count("[b]") == 2000 for title, *_ in items.values())


def test_hostile_papers_keep_their_c1_and_bidi_characters(fetched: Fetched) -> None:
    items = _items(fetched.root)
    for number, fragment in enumerate(XML_LEGAL):
        title, summary, author, _ = items[f"arxiv:2611.{10000 + number}"]
        assert title == " ".join(f"{fragment} paper{number}".split())
        assert summary == " ".join(f"{fragment} abstract{number}".split())
        assert author == " ".join(f"{fragment} Author{number}".split())


# --- printing ---------------------------------------------------------------------------------------


def test_every_text_output_is_inert(fetched: Fetched) -> None:
    root = fetched.root
    for args in (
        ("list",),
        ("status",),
        ("notes",),
        ("search", "hostile*"),
        ("search", "paper*"),
        ("search", "nested"),
    ):
        code, out, err = _cli(root, *args)
        assert code == 0, (args, err)
        assert_inert(out + err, f"kb {' '.join(args)}")
    for item_id in store_facts(root).ids:
        code, out, err = _cli(root, "show", item_id)
        assert code == 0, err
        assert_inert(out + err, f"kb show {item_id}")


def test_list_and_search_on_a_real_terminal_are_inert(fetched: Fetched) -> None:
    evil = fetched.root / "notes" / "\x1b[31mred\u202e.md"
    evil.write_text("---\ntitle: terminal note\n---\nabstract of a note\n", "utf-8")
    for args in (("list",), ("search", "hostile*", "--limit", "50"), ("search", "abstract*"), ("notes",)):
        seen = _tty(fetched.root, *args)
        assert "hostile" in seen or "paper" in seen or "terminal note" in seen, seen[:300]
        assert_inert(KB_MARKS.sub("", seen.replace("\r\n", "\n")), f"kb {' '.join(args)} on a terminal")


def test_notes_of_hostile_papers_and_hostile_note_files_print_inert(fetched: Fetched, tmp_path: Path) -> None:
    root = fetched.root
    for number in range(len(XML_LEGAL)):
        code, out, err = _cli(root, "note", f"arxiv:2611.{10000 + number}", "--print-path")
        assert code == 0, err
        assert Path(out.strip()).resolve().is_relative_to((root / "notes").resolve())
    (root / "notes" / "\x1b]52;c;cm0K\x07evil\u202e.md").write_text(
        '---\ntitle: "\\e[31mred \\u202e note"\ntags: ["\\e]8;;x\\a"]\n---\nBody \x1b[2J.\n', "utf-8"
    )
    (root / "notes" / "broken.md").write_text("---\ntitle: [unclosed \x1b[31m\n---\n", "utf-8")
    for args in (("notes",), ("search", "kind:note"), ("show", "broken.md"), ("list",)):
        code, out, err = _cli(root, *args)
        assert_inert(out + err, f"kb {' '.join(args)}")


def test_path_like_ids_and_titles_never_escape_notes(fetched: Fetched) -> None:
    root = fetched.root
    outside = root.parent
    before = tree(outside, skip=("ws/notes", "ws/.kb"))
    ids = [i for i, (title, *_) in _items(root).items() if any(t in title for t in ("etc/passwd", "CON", "/abs"))]
    assert len(ids) >= 4
    for item_id in ids:
        code, out, err = _cli(root, "note", item_id, "--print-path")
        assert code == 0, err
        path = Path(out.strip()).resolve()
        assert path.is_relative_to((root / "notes").resolve()) and path.name.lower() not in ("con.md", "passwd.md")
    for target in ("../../escape.md", "/tmp/kb-escape.md", "note:../../escape.md", "notes/../../escape.md"):
        for command in (("note", target), ("show", target)):
            code, out, err = _cli(root, *command)
            assert code in (1, 2) and len(err.strip().splitlines()) == 1, (command, code, err)
    assert tree(outside, skip=("ws/notes", "ws/.kb")) == before
    assert not Path("/tmp/kb-escape.md").exists()


# --- open-ended feed entries --------------------------------------------------------------------------

_ALPHABET = st.characters(
    codec="utf-8",
    exclude_characters="<&\xa0",  # Atom text is escaped by the writer; NBSP is folded to a space by design
    exclude_categories=["Cs"],
    max_codepoint=0x2FFF,
).filter(lambda c: not 0x80 <= ord(c) <= 0x9F)  # feedparser reads C1 bytes as windows-1252 (see docs)
_TEXT = st.lists(st.one_of(_ALPHABET.map(str), st.sampled_from(HOSTILE)), min_size=1, max_size=12).map("".join)


def _atom(entries: list[tuple[str, str, str]], serial: int) -> bytes:
    body = "".join(
        f'<entry><id>urn:e:{serial}:{n}</id><title type="text">{escape(title)}</title>'
        f'<author><name>{escape(author)}</name></author><summary type="text">{escape(summary)} w{serial}x{n}</summary>'
        f'<link href="http://example.org/{serial}/{n}"/><updated>2026-11-20T00:00:00Z</updated></entry>'
        for n, (title, author, summary) in enumerate(entries)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>h</title>'
        f"<id>urn:h</id><updated>2026-11-20T00:00:00Z</updated>{body}</feed>"
    ).encode()


@pytest.fixture(scope="module")
def open_workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, HttpServer]]:
    with HttpServer() as server:
        root = tmp_path_factory.mktemp("hypo") / "ws"
        init_workspace(root)
        write_config(root, {"feeds": [{"name": "gen", "url": server.url("/gen.xml")}], "fetch": {"retries": 0}})
        yield root, server


_serial = iter(range(10**6))


@settings(max_examples=30)
@given(entries=st.lists(st.tuples(_TEXT, _TEXT, _TEXT), min_size=1, max_size=4))
def test_any_feed_entries_are_stored_faithfully_and_printed_inert(
    open_workspace: tuple[Path, HttpServer], entries: list[tuple[str, str, str]]
) -> None:
    root, server = open_workspace
    serial = next(_serial)
    server.add("/gen.xml", _atom(entries, serial), headers={"Content-Type": "application/atom+xml"})
    code, out, err = _cli(root, "fetch")
    assert code == 0, err
    assert_inert(out + err, "kb fetch")
    # Keyed by the marker each entry's summary ends with: two drawn entries may share a title.
    stored = {
        marker.group(0): (title, author)
        for title, summary, author, _ in _items(root).values()
        if (marker := re.search(r"w\d+x\d+$", summary))
    }
    listed = _cli(root, "list", "--limit", "10")
    assert_inert(listed[1] + listed[2], "kb list")
    for n, (title, author, _summary) in enumerate(entries):
        expected = " ".join(title.split()) or "(untitled)"
        assert stored.get(f"w{serial}x{n}") == (expected, " ".join(author.split())), (n, expected)
        code, out, err = _cli(root, "search", f"w{serial}x{n}")
        assert code == 0, err
        assert_inert(out + err, "kb search")
        item_id = re.search(r"post:\w+", out).group(0)  # type: ignore[union-attr]
        code, out, err = _cli(root, "show", item_id)
        assert_inert(out + err, "kb show")


# --- a full text (issue 14) ---------------------------------------------------------------------------


def test_a_hostile_full_text_is_stored_bounded_and_printed_inert(tmp_path: Path) -> None:
    from kb.library import Library
    from tests.reliability.hostile import hostile_fulltext_page
    from tests.support.arxiv_fulltext import Paper, fulltext_workspace, seed_papers

    with HttpServer() as server:
        server.add("/html/2611.20000v1", hostile_fulltext_page(), headers={"Content-Type": "text/html"})
        root = fulltext_workspace(tmp_path / "ws", server, {"for": []})
        with Library.open(root) as library:
            seed_papers(library, [Paper("2611.20000", 1)])
        code, out, err = _cli(root, "fulltext", "2611.20000")
        assert code == 0, err
        assert_inert(out + err, "kb fulltext")
    with Library.open(root) as library:
        stored = library.fulltexts.get("arxiv:2611.20000")
    assert stored is not None  # stored without what a terminal would act on, whoever prints it later
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", stored.text)
    code, text, err = _cli(root, "fulltext", "2611.20000", "--text")
    assert code == 0, err
    assert_inert(text + err, "kb fulltext --text")
    assert "steal()" not in text and "display:none" not in text and "<span>" not in text
    assert "deep" in text and "bold" in text and "after the huge heading" in text and "caption" in text
    for number in range(len(HOSTILE)):
        assert f"para{number}" in text and f"note{number}" in text and f"heading{number}" in text
    assert r"\mathcal{L}" in text
    assert max(len(line) for line in text.splitlines() if line.startswith("#")) <= 310  # the heading is cut
    for args in (("show", "2611.20000"), ("show", "2611.20000", "--json"), ("status",), ("status", "--json")):
        code, out, err = _cli(root, *args)
        assert code == 0, (args, err)
        assert_inert(out + err, f"kb {' '.join(args)}")


# --- titles from Semantic Scholar (kb citations) ----------------------------------------------------------


def test_citation_titles_from_semantic_scholar_print_inert(tmp_path: Path, corpus: Path) -> None:
    """Every hostile fragment as the title of a reference S2 sends: `kb citations` on a terminal and with colour on
    shows each inert, and stores each as sent."""
    from tests.support.s2_server import citation_world

    with HttpServer() as server:
        world = citation_world(tmp_path, server, corpus, hostile=HOSTILE)
        paper = world.starred[0]
        code, out, err = _cli(world.root, "citations", paper, "--limit", "100")
        assert code == 0, err
        assert_inert(out + err, "kb citations")
        seen = _tty(world.root, "citations", paper, "--limit", "100").replace("\r\n", "\n")
        assert "A paper kb does not hold" in seen
        assert_inert(seen, "kb citations on a terminal")
        code, out, _ = _cli(world.root, "citations", paper, "--json")
        assert [link["title"] for link in json.loads(out)["references"][1:]] == list(HOSTILE)


def test_hostile_person_names_are_written_faithfully_and_printed_inert(tmp_path: Path) -> None:
    root = tmp_path / "people"
    init_workspace(root)
    names = [f"{fragment} person{number}" for number, fragment in enumerate(HOSTILE)]
    for number, name in enumerate(names):
        code, out, err = _cli(root, "follow", name, "--blog", f"https://blog.example/{number}.xml", "--json")
        assert code == 0, (name, err)
        assert_inert(err, f"kb follow {name!r}")
    for number, name in enumerate(names):
        code, out, err = _cli(root, "person", name.strip(), "--json")
        assert code == 0, (name, err)
        assert json.loads(out)["name"] == name.strip()  # feeds.yaml kept the name exactly
        code, out, err = _cli(root, "person", name.strip())
        assert code == 0 and f"person{number}" in out
        assert_inert(out + err, f"kb person {name!r}")
    code, out, err = _cli(root, "search", 'person:"CON person15"')
    assert code == 1 and "no results" in err  # a person's query runs (no items fetched yet)


def test_similar_items_of_hostile_papers_print_inert(fetched: Fetched) -> None:
    shown = 0
    for number in range(len(XML_LEGAL)):
        code, out, err = _cli(fetched.root, "similar", f"arxiv:2611.{10000 + number}", "--limit", "50")
        assert code in (0, 1), err
        shown += out.count("shares: ")
        assert_inert(out + err, f"kb similar arxiv:2611.{10000 + number}")
    assert shown  # hostile titles and bodies were among the results, with the words they share
