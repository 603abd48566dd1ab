"""html_to_text: the plain text of post summaries."""

from __future__ import annotations

import html

from hypothesis import given, settings
from hypothesis import strategies as st

from kb.fetchers import html_to_text


def test_paragraphs_and_line_breaks():
    text = html_to_text("<p>First  para\ngraph.</p><p>Second<br>line two</p><ul><li>a</li><li>b</li></ul>")
    assert text == "First para graph.\n\nSecond\nline two\n\na\n\nb"


def test_script_and_style_are_dropped():
    text = html_to_text("<style>p{color:red}</style><p>Kept</p><script>alert('x')</script><p>Also</p>")
    assert text == "Kept\n\nAlso"


def test_entities_are_unescaped():
    assert html_to_text("Caf&eacute; &amp; &#8220;quotes&#8221; &lt;tag&gt;&nbsp;x") == "Café & “quotes” <tag> x"


def test_inline_markup_joins_words():
    assert html_to_text('A <a href="x">link</a> and <em>emphasis</em>.') == "A link and emphasis."


def test_broken_html_does_not_raise():
    assert html_to_text("<p>unclosed <b>bold <div>text</p></span>") == "unclosed bold\n\ntext"
    assert html_to_text("<") == "<"
    assert html_to_text("") == ""


@settings(max_examples=50, deadline=None)
@given(st.text())
def test_any_text_gives_tidy_output(source: str) -> None:
    text = html_to_text(source)
    assert text == text.strip()
    assert "  " not in text and "\n\n\n" not in text
    assert all(line == line.strip() for line in text.split("\n"))


@settings(max_examples=50, deadline=None)
@given(
    st.lists(
        st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), min_size=1),
        min_size=1,
        max_size=5,
    )
)
def test_escaped_paragraphs_round_trip(paragraphs: list[str]) -> None:
    words = [" ".join(p.split()) for p in paragraphs]
    words = [w for w in words if w]
    source = "".join(f"<p>{html.escape(w)}</p>" for w in words)
    assert html_to_text(source) == "\n\n".join(words)
