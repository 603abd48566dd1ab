"""The screens of the TUI: inbox, reader, search, notes, sources, and the small dialogs."""
