"""A search hit that matched only a paper's full text names its section in the TUI's search list (issue 14)."""

from __future__ import annotations

from kb.models import Hit, Kind
from kb.tui.screens.search import hit_text


def test_a_body_hit_names_its_section() -> None:
    hit = Hit("arxiv:2501.11120", Kind.PAPER, "Tell me", 1.0, "we «minimise» the loss", section="3.2 Method")
    text = hit_text(hit)
    assert "\n  § 3.2 Method we" in text.plain
    assert "§" not in hit_text(Hit("arxiv:2501.11120", Kind.PAPER, "Tell me", 1.0, "an «abstract»")).plain
