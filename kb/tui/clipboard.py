"""Copying to the clipboard through the terminal (OSC 52), with the text shown where the terminal cannot take it.

Textual's ``App.copy_to_clipboard`` writes an OSC 52 sequence; a terminal that does not support it ignores it
without a word, and a program cannot ask whether it worked. So where kb knows the terminal cannot (no terminal
at all, ``TERM=dumb`` or the Linux console, macOS Terminal), it shows the text in a notification to select and
copy by hand; elsewhere it says what it copied, and the notification still shows the text.
"""

from __future__ import annotations

import os
from typing import Any

from textual.app import App

from kb.text import one_line

#: Seconds a notification with text to copy by hand stays up.
FALLBACK_TIMEOUT = 30.0


def osc52_refused(app: App[Any]) -> str | None:
    """Why this terminal cannot take OSC 52, or None when it may."""
    if app.is_headless:
        return "no terminal to copy through"
    if os.environ.get("TERM", "") in ("dumb", "linux"):
        return f"TERM={os.environ['TERM']} cannot copy"
    if os.environ.get("TERM_PROGRAM") == "Apple_Terminal":
        return "macOS Terminal ignores clipboard requests"
    return None


def copy_text(app: App[Any], text: str, what: str) -> None:
    """Copy ``text`` (``what`` names it: "id", "URL", "BibTeX") and say so; show it where copying cannot work."""
    app.copy_to_clipboard(text)
    refused = osc52_refused(app)
    if refused is None:
        shown = one_line(text, 200) if "\n" not in text else f"{len(text.splitlines())} lines"
        app.notify(f"copied the {what}: {shown}", markup=False)
    else:
        app.notify(f"{refused}; select and copy the {what} here:\n{text}", markup=False, timeout=FALLBACK_TIMEOUT)
