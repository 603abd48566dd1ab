"""What every kb screen shares: a typed handle on the app, a title line and one-line notifications."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from rich.text import Text
from textual.screen import Screen

from kb.errors import KbError

if TYPE_CHECKING:
    from kb.tui.app import KbApp


class KbScreen(Screen[None]):
    """A screen of the kb app."""

    #: Shown in the title line.
    SCREEN_TITLE = ""

    @property
    def kb(self) -> KbApp:
        """The app, typed."""
        return cast("KbApp", self.app)

    def title_text(self, detail: str = "") -> Text:
        """``kb · Inbox · detail`` as inert text (detail may hold a filter the person typed)."""
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append("kb", "bold")
        text.append(f" · {self.SCREEN_TITLE}")
        if detail:
            text.append(f" · {detail}")
        return text

    def say(self, message: str) -> None:
        """A notification; never markup (messages can quote feed text)."""
        self.notify(message, markup=False)

    def fail(self, error: BaseException | str) -> None:
        """An error notification: a KbError's message and hint, anything else named."""
        text = str(error) if isinstance(error, (KbError, str)) else f"{type(error).__name__}: {error}"
        self.notify(text, severity="error", markup=False)
