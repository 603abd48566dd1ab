"""kb's terminal interface: a Textual app over the library (inbox, reader, search, notes, sources).

Imported only by `kb` with no command (kb.cli.tui), so scripts and cron never pay for Textual.
"""
