"""Sources: every category list, saved search and feed, how its last fetch went; fetch one or all from here."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import DataTable, Log, ProgressBar, Static

from kb.config import Config
from kb.library.sources.health import SourceHealth
from kb.text import counted, one_line
from kb.tui.fetching import FetchService, outcome_line
from kb.tui.filters import source_filter
from kb.tui.screens.base import KbScreen
from kb.tui.screens.inbox import InboxScreen
from kb.tui.widgets.footer import KbFooter


def source_rows(config: Config) -> list[tuple[str, str, str]]:
    """(name, kind, what) of every configured source, in feeds.yaml order."""
    rows = []
    if config.arxiv.categories:
        rows.append((config.arxiv.rss_source_name, "arXiv daily", " ".join(config.arxiv.categories)))
    rows += [(query.name, "arXiv search", query.query) for query in config.arxiv.queries]
    rows += [(feed.name, "feed", feed.url) for feed in config.feeds]
    return rows


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment is not None else "never"


def _problem(source: SourceHealth) -> str:
    """What was wrong with a source's last attempt, and how many failures in a row ("" when all is well)."""
    problem = ""
    if source.last is not None and not source.last.ok:
        problem = one_line(source.last_error or "failed", 70)
    elif source.incomplete:
        problem = "incomplete (the next fetch catches up)"
    if source.failures > 1:
        problem = f"{source.failures} failures in a row; " + problem
    return problem


class SourcesScreen(KbScreen):
    """The sources table, the fetch progress and its log."""

    SCREEN_TITLE = "Sources"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "open_source", "Its inbox"),
        Binding("f", "fetch_selected", "Fetch this"),
        Binding("a", "fetch_all", "Fetch all"),
        Binding("j", "move(1)", "Down", show=False),
        Binding("k", "move(-1)", "Up", show=False),
        Binding("g", "move(-1000000)", "First", show=False),
        Binding("G", "move(1000000)", "Last", show=False),
    ]

    def compose(self) -> ComposeResult:
        yield Static(self.title_text(), classes="title")
        yield DataTable(id="sources", cursor_type="row", zebra_stripes=True)
        yield Static(id="gaps")
        yield ProgressBar(id="fetch-progress", show_eta=False)
        yield Log(id="fetch-log", max_lines=500)
        yield KbFooter()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("source", "kind", "unread", "last success", "last run", "problem")
        self.kb.store_changed.subscribe(self, lambda _: self.refresh_table())
        self.kb.fetch_events.subscribe(self, self.on_fetch_event)
        self.query_one(ProgressBar).display = self.kb.fetcher.running
        for line in self.kb.fetcher.lines:
            self.query_one(Log).write_line(line)

    def on_screen_resume(self) -> None:
        self.refresh_table()
        self.query_one(DataTable).focus()

    def refresh_table(self) -> None:
        """Re-read how every source has been doing."""
        table = self.query_one(DataTable)
        health = {source.name: source for source in self.kb.library.source_health()}
        unread = self.kb.library.unread_by_source()
        cursor = table.cursor_row
        table.clear()
        for name, kind, _what in source_rows(self.kb.library.config):
            problem, run, success = "", "—", None
            source = health.get(name)
            if source is not None:
                problem, success = _problem(source), source.last_success
                if source.last is not None:
                    run = f"{_when(source.last.when)}: {source.last.new} new, {source.last.updated} upd"
            table.add_row(
                Text(one_line(name, 24)),
                Text(kind),
                Text(f"{unread.get(name, 0):,}", "bold" if unread.get(name) else "dim", justify="right"),
                Text(_when(success)),
                Text(run),
                Text(problem, "red" if problem else ""),
                key=name,
            )
        if table.row_count:
            table.move_cursor(row=min(cursor, table.row_count - 1))
        self.show_gaps()
        self.query_one(".title", Static).update(self.title_text(self._status()))

    def show_gaps(self) -> None:
        """What kb may have missed: days without announcements (as one line), searches left incomplete, failures."""
        gaps = self.kb.library.gaps()
        days = [gap for gap in gaps if gap.day is not None]
        others = [gap for gap in gaps if gap.day is None]
        text = Text()
        if gaps:
            text.append(f"{len(gaps)} possible gaps (`kb fetch --repair` refetches them):\n", "bold")
        if days:
            first, last = min(gap.day for gap in days if gap.day), max(gap.day for gap in days if gap.day)
            text.append(f"  announcement: {len(days)} weekdays without one, {first} to {last}\n")
        for gap in others[:6]:
            text.append(f"  {gap.kind.value}: {one_line(gap.detail, 100)}\n")
        if len(others) > 6:
            text.append(f"  … and {len(others) - 6} more (`kb status`)\n")
        self.query_one("#gaps", Static).update(text)

    def _status(self) -> str:
        return "fetching…" if self.kb.fetcher.running else counted(len(source_rows(self.kb.library.config)), "source")

    def action_move(self, step: int) -> None:
        """Move the cursor ``step`` rows (clamped to the table)."""
        table = self.query_one(DataTable)
        if table.row_count:
            table.move_cursor(row=max(min(table.cursor_row + step, table.row_count - 1), 0))

    def selected_source(self) -> str | None:
        """The name of the source under the cursor."""
        rows = source_rows(self.kb.library.config)
        table = self.query_one(DataTable)
        return rows[table.cursor_row][0] if rows and 0 <= table.cursor_row < len(rows) else None

    def action_open_source(self) -> None:
        """Open the inbox filtered to the source under the cursor (its new items)."""
        name = self.selected_source()
        if name is None:
            self.say("no sources in feeds.yaml")
            return
        self.kb.switch_mode("inbox")
        inbox = self.kb.screen
        if isinstance(inbox, InboxScreen):
            inbox.show_filter(source_filter(name))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on a row (the table takes the key itself)."""
        event.stop()
        self.action_open_source()

    def action_fetch_selected(self) -> None:
        """Fetch the source under the cursor, in the background."""
        name = self.selected_source()
        if name is None:
            self.say("no sources in feeds.yaml")
            return
        self.kb.wiring.start_fetch([name])

    def action_fetch_all(self) -> None:
        """Fetch every source, in the background."""
        self.kb.wiring.start_fetch(None)

    def on_fetch_event(self, event: FetchService.Started | FetchService.Progress | FetchService.Finished) -> None:
        """Show a fetch's progress as it goes."""
        bar = self.query_one(ProgressBar)
        log = self.query_one(Log)
        if isinstance(event, FetchService.Started):
            log.clear()
            bar.update(total=event.total, progress=0)
            bar.display = True
        elif isinstance(event, FetchService.Progress):
            bar.display = True
            bar.update(total=event.total, progress=event.done)
            log.write_line(outcome_line(event.outcome))
        else:
            bar.display = False
            line = event.report.summary() if event.report is not None else (event.error or "fetch failed")
            log.write_line(one_line(line))
            self.refresh_table()
        self.query_one(".title", Static).update(self.title_text(self._status()))
