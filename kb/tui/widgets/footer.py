"""The footer: the keys that matter first, so that a narrow terminal (80 columns) still shows them.

Textual's Footer lists the focused widget's keys, then the screen's, then the app's, and cuts what does not fit:
at 80 columns `/`, `?` and `q` (the app's) were the first to go. This footer puts search, help and quit first,
then the rest in Textual's order. (Textual's compact footer would fit more, but leaves a stray character of the
key it cuts beside the palette key: not used.)
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer

#: Actions shown first, in this order, on every screen (search, or the search screen's query box; help; quit).
FIRST = ("search", "focus_query", "help", "quit")


class KbFooter(Footer):
    """A Footer whose first keys are search, help and quit."""

    def compose(self) -> ComposeResult:
        keys = list(super().compose())
        # Each key widget carries its binding's action (read by name: Textual does not export the class).
        first = sorted(
            (key for key in keys if getattr(key, "action", None) in FIRST),
            key=lambda key: FIRST.index(getattr(key, "action", "")),
        )
        yield from first + [key for key in keys if key not in first]
