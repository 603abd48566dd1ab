"""The app as a whole: five screens on 1-5, `?` help and the palette generated from the bindings, q, themes."""

from __future__ import annotations

import pytest

from kb.library import Library
from kb.models import ItemFilter, Status
from kb.tui.app import KbApp
from kb.tui.keys import WIDGET_NAMES, kb_actions, screen_keys
from kb.tui.screens.help import HelpScreen
from kb.tui.screens.inbox import InboxScreen
from kb.tui.screens.notes import NotesScreen
from kb.tui.screens.reader import ReaderScreen
from kb.tui.screens.search import SearchScreen
from kb.tui.screens.sources import SourcesScreen
from tests.tui.helpers import screen_text, settle

SCREENS = [("1", InboxScreen), ("2", ReaderScreen), ("3", SearchScreen), ("4", NotesScreen), ("5", SourcesScreen)]


async def test_1_to_5_switch_screens_each_with_a_help_of_its_keys_and_q_quits(app: KbApp) -> None:
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot)
        for key, kind in SCREENS:
            await pilot.press(key)
            await settle(pilot)
            beneath = app.screen
            assert isinstance(beneath, kind)
            assert screen_text(app).startswith(f" kb · {kind.SCREEN_TITLE}")
            expected = screen_keys(beneath)
            # Only kb's own bindings (on the focused widget, the screen, the app), each with its description.
            chain = [beneath.focused, beneath, app] if beneath.focused else [beneath, app]
            declared = set().union(*(kb_actions(node) for node in chain))
            assert {k.action for k in expected} <= declared
            if kind in (InboxScreen, ReaderScreen):
                assert {"read", "skip", "star", "tag", "undo", "open_page", "open_pdf", "note"} <= declared
            await pilot.press("f1" if kind is SearchScreen else "question_mark")  # ? is typed in the query box
            await settle(pilot)
            assert isinstance(app.screen, HelpScreen)
            text = screen_text(app)
            for entry in expected:
                assert entry.description in text
            await pilot.press("escape")
            assert app.screen is beneath
            if isinstance(beneath, SearchScreen):
                beneath.hit_list.focus()  # so that the next digit switches screens
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_the_palette_offers_every_key_and_runs_it(app: KbApp, library: Library) -> None:
    first = library.list_items(ItemFilter(status=Status.NEW, limit=1))[0]
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        commands = {command.title: command for command in app.get_system_commands(app.screen)}
        for entry in screen_keys(app.screen):
            assert entry.description in commands
        for title in ("Read+next", "Skip+next", "Star", "Tag", "Undo", "Inbox screen", "Search", "Fetch all", "Keys"):
            assert title in commands
        await commands["Star"].callback()
        await settle(pilot)
        assert library.get_item(first.id).starred
        # And through the real palette: ctrl+p, type, enter.
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"Undo", "enter")
        await settle(pilot)
        assert not library.get_item(first.id).starred


async def test_both_default_themes_render_the_screens(app: KbApp) -> None:
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        for theme in ("textual-dark", "textual-light"):
            app.theme = theme
            await settle(pilot)
            inbox = app.screen
            assert isinstance(inbox, InboxScreen)
            styles, _cursor = inbox.items._row_styles()
            background = inbox.items.rich_style.bgcolor
            assert background is not None
            for style in (styles.base, styles.dim, styles.meta):
                assert style.color is not None and style.color != background  # text never vanishes
            assert "kb · Inbox" in screen_text(app)


@pytest.mark.parametrize("size", [(80, 24), (160, 40)])
async def test_the_footer_keeps_search_help_and_quit_at_80_columns_on_every_screen(
    app: KbApp, size: tuple[int, int]
) -> None:
    if True:
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            for key, kind in SCREENS:
                await pilot.press(key)
                await settle(pilot)
                assert isinstance(app.screen, kind)
                if isinstance(app.screen, SearchScreen):
                    app.screen.hit_list.focus()  # in the query box, / ? q are text
                    await settle(pilot)
                footer = screen_text(app).splitlines()[-1]
                assert footer.lstrip().startswith("/ Search") or footer.lstrip().startswith("/ Query"), footer
                assert " ? Keys " in footer and " q Quit " in footer, footer
                if kind is InboxScreen:
                    assert " r Read+next " in footer and " x Skip+next " in footer, footer


async def test_help_names_widgets_in_words_and_the_palette_offers_each_command_once(app: KbApp) -> None:
    async with app.run_test(size=(120, 50)) as pilot:
        await settle(pilot)
        for key, _kind in SCREENS:
            await pilot.press(key)
            await settle(pilot)
            if isinstance(app.screen, SearchScreen):
                app.screen.hit_list.focus()
                await settle(pilot)
            wheres = {entry.where for entry in screen_keys(app.screen)}
            assert wheres <= {"everywhere", "this screen", *WIDGET_NAMES.values()}, wheres
            titles = [command.title.casefold() for command in app.get_system_commands(app.screen)]
            assert len(titles) == len(set(titles)), titles
            await pilot.press("f1")
            await settle(pilot)
            text = screen_text(app)
            for class_name in ("ItemList", "OptionList", "DataTable", "TextArea", "VerticalScroll"):
                assert class_name not in text
            for where in wheres:
                assert where in text
            await pilot.press("escape")
            await settle(pilot)
