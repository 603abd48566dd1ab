"""The search index deleted while the TUI is open (issue 13, bug 5): noticed, said, rebuilt in the background."""

from __future__ import annotations

import shutil
from pathlib import Path

from kb.library import Library
from kb.models import ItemFilter, Status
from kb.tui.app import KbApp
from kb.tui.screens.search import SearchScreen
from tests.tui.helpers import notifications, settle, until


async def test_a_deleted_index_is_noticed_said_and_rebuilt_and_searches_answer_again(
    library: Library, workspace: Path
) -> None:
    first = library.list_items(ItemFilter(status=Status.NEW, limit=1))[0]
    app = KbApp(library, poll_seconds=0.2)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        before = library.search("attention", limit=50).total
        assert before > 0
        shutil.rmtree(workspace / ".kb" / "index")
        await until(pilot, lambda: "the search index is gone" in notifications(app))
        await pilot.press("r")  # a triage key meanwhile must not leave an empty, unbuilt index behind
        await settle(pilot)
        await until(pilot, lambda: "search index rebuilt" in notifications(app))
        await settle(pilot)
        assert not library.index_lost()
        assert library.search("attention", limit=50).total == before
        assert first.id in {hit.id for hit in library.search("status:read", limit=50).hits}
        # And through the search screen.
        await pilot.press("slash", *"attention")
        await until(pilot, lambda: isinstance(app.screen, SearchScreen) and len(app.screen.hits) == before)
        log = (workspace / ".kb" / "kb.log").read_text(encoding="utf-8")
        assert "rebuild start (index vanished while open)" in log
    app.finish_writes()
