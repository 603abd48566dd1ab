"""The reader shows a paper's full text (issue 14): sections as Markdown with math as LaTeX, an outline, keys to move
by section, and a note's section link followed from the Notes screen opens the reader at that section."""

from __future__ import annotations

from kb.library import Library
from kb.models import FullText, FullTextSource, Section, SectionKind
from kb.tui.app import KbApp
from kb.tui.screens.notes import NotesScreen
from kb.tui.screens.reader import ReaderScreen
from kb.tui.widgets.fulltext import FullTextBody, Outline, math_as_code
from kb.tui.widgets.reader import Reader
from tests.support.httpserver import HttpServer
from tests.tui.helpers import settle, until

from .test_reader import inbox_to

PAPER = "arxiv:2606.01234"
FILLER = "\n\n".join(f"Paragraph {n} of filler text that takes some room on the screen." for n in range(12))
SECTIONS = (
    Section("Introduction", f"Why kernels.\n\n{FILLER}", SectionKind.INTRODUCTION, "1"),
    Section(
        "Method", f"We minimise $\\mathcal{{L}}_{{a_i}} = \\sum_i x_i$ over heads.\n\n{FILLER}", SectionKind.METHOD, "3"
    ),
    Section("Training data", f"Table 2: The quokka corpus.\n\n{FILLER}", SectionKind.METHOD, "3.2", 2),
    Section("Related work", f"Schölkopf's kernels.\n\n{FILLER}", SectionKind.RELATED, "4"),
    Section("References", "[1] A. Author. A title. 2020.", SectionKind.REFERENCES),
)


def save_text(library: Library) -> None:
    library.fulltexts.save(FullText(PAPER, FullTextSource.HTML, 1, SECTIONS))


def test_math_is_shown_as_latex_code() -> None:
    assert math_as_code("loss $\\mathcal{L}_{a_i}$ and $$x^2$$, not $5 or `$kept$`") == (
        "loss `$\\mathcal{L}_{a_i}$` and `$$x^2$$`, not $5 or `$kept$`"
    )


async def test_the_reader_shows_the_full_text_with_an_outline(app: KbApp, library: Library) -> None:
    save_text(library)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        inbox_to(app, PAPER)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        text = app.screen.query_one(Reader).text()
        assert "We study self-attention networks" in text  # the abstract still leads
        assert "Full text, from arXiv's HTML v1" in text
        assert "### 3.2 Training data" in text and "Table 2: The quokka corpus." in text
        assert "`$\\mathcal{L}_{a_i} = \\sum_i x_i$`" in text
        outline = app.screen.query_one(Outline)
        assert outline.display
        assert [str(outline.get_option_at_index(i).prompt) for i in range(outline.option_count)] == [
            "1 Introduction",
            "3 Method",
            "  3.2 Training data",
            "4 Related work",
            "References",
        ]
        screen = app.screen
        assert screen.current_section() is None  # the abstract is at the top
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert screen.current_section() == 0
        await pilot.press("right_square_bracket", "right_square_bracket")
        await settle(pilot)
        assert screen.current_section() == 2
        assert outline.highlighted == 2
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert screen.current_section() == 1
        await pilot.press("O")  # to the outline, choose a section there
        await settle(pilot)
        assert outline.has_focus
        outline.highlighted = 0
        await pilot.press("enter")
        await settle(pilot)
        assert screen.current_section() == 0


async def test_a_paper_without_a_full_text_shows_no_outline(app: KbApp, library: Library) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        inbox_to(app, PAPER)
        await pilot.press("enter")
        await settle(pilot)
        assert not app.screen.query_one(Outline).display
        assert not app.screen.query_one(FullTextBody).display
        await pilot.press("right_square_bracket")  # nothing to move to: the reader stays where it is
        await settle(pilot)
        assert app.screen.query_one(Reader).scroll_y == 0


async def test_a_section_link_in_a_note_opens_the_reader_there(app: KbApp, library: Library) -> None:
    save_text(library)
    (library.workspace.notes / "method.md").write_text(
        f"# Method notes\n\nSee [[{PAPER}#3.2]] for the data.\n", encoding="utf-8"
    )
    library.sync_notes()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.wanted_note = "method.md"
        app.switch_mode("notes")
        await settle(pilot)
        assert isinstance(app.screen, NotesScreen)
        notes = app.screen
        await until(pilot, lambda: notes.path == "method.md")
        assert f"→ {PAPER} § 3.2" in str(notes.query_one("#note-meta").render())
        await pilot.press("L")  # two links (the section, the paper): choose the first
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReaderScreen)
        await until(pilot, lambda: screen.current_section() == 2)
        assert "Notes link: § 3.2 in method.md" in screen.query_one(Reader).text()
        outline = screen.query_one(Outline)
        assert str(outline.get_option_at_index(2).prompt).endswith("✎")


def _latexml_page(words: str) -> bytes:
    """A small page shaped as arXiv's LaTeXML rendering: one numbered section of ``words``."""
    return (
        '<html><body><div class="ltx_page_main"><article class="ltx_document"><section class="ltx_section">'
        '<h2 class="ltx_title"><span class="ltx_tag">1 </span>Quokka method</h2>'
        f"<p>{words} {'More words about the method. ' * 20}</p></section></article></div></body></html>"
    ).encode()


async def test_T_fetches_the_full_text_now_and_shows_it(app: KbApp, library: Library, tui_server: HttpServer) -> None:
    """`T` in the reader fetches the paper's text from arXiv's HTML (the loopback server) and shows its outline;
    a paper arXiv has no text for says so in one line."""
    tui_server.add("/html/2606.01234v1", _latexml_page("We train marsupial transformers."))
    assert library.fulltexts.get(PAPER) is None
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        inbox_to(app, PAPER)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert not app.screen.query_one(Outline).display
        await pilot.press("T")
        outline = app.screen.query_one(Outline)
        await until(pilot, lambda: outline.display and outline.option_count == 1)
        assert str(outline.get_option_at_index(0).prompt) == "1 Quokka method"
        assert "We train marsupial transformers." in app.screen.query_one(Reader).text()
        assert any("1 section, from arXiv's HTML" in n.message for n in app._notifications)
    stored = library.fulltexts.get(PAPER)
    assert stored is not None and stored.sections[0].heading == "Quokka method"
