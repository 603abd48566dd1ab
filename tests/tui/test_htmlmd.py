"""The reader's Markdown (kb.tui.htmlmd): tables and inline code as Textual's parser reads them back.

Each conversion is read back with markdown-it's "gfm-like" parser, the one Textual's Markdown widget uses
(tests/support/markdown_check.py), and every recorded blog post is checked; benchmarks/reader_markdown.py
prints the same counts.
"""

from __future__ import annotations

from pathlib import Path

from kb.tui.htmlmd import code_span, html_to_markdown
from tests.support.markdown_check import Table, Tally, check_post, corpus_posts, html_facts, markdown_facts


def _read_back(html: str) -> tuple[list[Table], list[str]]:
    return markdown_facts(html_to_markdown(html))


def test_inline_code_keeps_its_text_exactly() -> None:
    html = "<p>Call <code>f(*args, **kw)</code> on <code>a_b[0] | c &lt;d&gt;</code> or <code>x `y` z</code>.</p>"
    _, codes = _read_back(html)
    assert codes == ["f(*args, **kw)", "a_b[0] | c <d>", "x `y` z"]  # no backslashes shown, backticks kept
    assert code_span("`x") == "`` `x ``"


def test_a_table_keeps_its_rows_and_cells() -> None:
    html = (
        "<p>Results:</p><table><thead><tr><th>Model</th><th>Score</th></tr></thead><tbody>"
        "<tr><td><p>GRASP</p><p>(ours)</p></td><td><strong>61.4%</strong> / 35.3s</td></tr>"
        "<tr><td><code>a|b</code></td><td><a href='https://example.org'>link</a><br>two</td></tr>"
        "<tr><td colspan='2'>spanning</td></tr></tbody></table><p>After.</p>"
    )
    markdown = html_to_markdown(html)
    tables, codes = markdown_facts(markdown)
    assert tables == html_facts(html)[0]
    rows = [[["model"], ["score"]], [["grasp", "ours"], ["61", "4", "35", "3s"]], [["a", "b"], ["link", "two"]]]
    assert tables == [[*rows, [["spanning"]]]]
    assert codes == ["a|b"]
    assert "| spanning |   |" in markdown and markdown.endswith("After.")


def test_a_code_listing_laid_out_as_a_table_stays_a_code_block() -> None:
    html = (
        '<pre class="highlight"><code><table class="rouge-table"><tbody><tr>'
        '<td class="rouge-gutter gl"><pre class="lineno">1\n2\n</pre></td>'
        '<td class="rouge-code"><pre>x = 1\nprint(x)\n</pre></td></tr></tbody></table></code></pre>'
    )
    markdown = html_to_markdown(html)
    assert markdown == "```\nx = 1\nprint(x)\n```"  # no line numbers, no table


def test_a_table_in_a_quote_and_an_unclosed_table_still_read_as_tables() -> None:
    quoted, _ = _read_back(
        "<blockquote><table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table></blockquote>"
    )
    assert quoted == [[[["a"], ["b"]], [["c"], ["d"]]]]
    unclosed, _ = _read_back("<table><tr><td>a<td>b<tr><td>c")
    assert unclosed == [[[["a"], ["b"]], [["c"]]]]


def test_every_recorded_post_has_its_tables_and_inline_code_right(corpus: Path) -> None:
    tally = Tally()
    for post_id, html in corpus_posts(corpus):
        check_post(post_id, html, lambda h: html_to_markdown(h, limit=len(h) + 1), tally)
    assert tally.posts > 500 and tally.with_tables >= 8 and tally.with_code >= 13  # the posts issue 12 counted
    assert tally.tables_wrong == [] and tally.code_wrong == []
