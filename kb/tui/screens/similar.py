"""More like this (`m` in the reader): the papers, posts and notes most like the item, with the words they share."""

from __future__ import annotations

from rich.text import Text

from kb.models import SimilarHit
from kb.text import counted, one_line
from kb.tui.render import KIND_LABELS
from kb.tui.screens.found import Entry, FoundScreen

#: Results shown.
LIMIT = 30


class SimilarScreen(FoundScreen):
    """The items most like one item."""

    SCREEN_TITLE = "Like this"

    def __init__(self, item_id: str) -> None:
        super().__init__(item_id)
        self.item_id = item_id

    def load(self) -> tuple[Text, list[Entry]]:
        with self.kb.background.index_gate:  # taking turns with the index's writes, as search does
            result = self.kb.library.similar(self.item_id, limit=LIMIT)
        words = one_line(", ".join(result.terms[:8]))
        heading = Text(f"{counted(len(result.hits), 'item')} like it · by {words} · {result.elapsed * 1000:.0f} ms")
        heading.stylize("dim")
        return heading, [Entry(found.hit.id, found.hit.kind, similar_text(found)) for found in result.hits]


def similar_text(found: SimilarHit) -> Text:
    """A result as two lines: kind, title and date; then the words it shares."""
    hit = found.hit
    text = Text()
    text.append(f"{KIND_LABELS.get(hit.kind, '?')} ", "dim")
    text.append(one_line(hit.title) or hit.id, "bold")
    if hit.published:
        text.append(f"  {hit.published:%Y-%m-%d}", "dim")
    if found.shared:
        text.append("\n  shares: ", "dim")
        text.append(one_line(", ".join(found.shared)))
    return text
