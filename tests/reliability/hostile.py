"""Feeds written by a hostile stranger: terminal escapes, markup, control and bidi characters, huge and nested
content, entity bombs. Built here (not stored as files) so every byte is visible in review.

Shared by tests/reliability/test_hostile_content.py and benchmarks/reliability.py.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

#: Fragments a title, abstract, author name or post body may carry. Each reaches kb in every field.
HOSTILE: tuple[str, ...] = (
    "[bold red]markup[/bold red]",
    "[link=javascript:alert(1)]rich link[/link]",
    "[@click=app.quit]quit[/]",
    "\x1b[31mred\x1b[0m",
    "\x1b[2J\x1b[Hcleared",
    "\x1b[1A\x1b[2Kup",
    "\x1b]8;;file:///etc/passwd\x1b\\osc8 link\x1b]8;;\x1b\\",
    "\x1b]52;c;cm0gLXJmIH4K\x07clipboard",
    "\x1b]0;title pwned\x07",
    "\x00nul\x07bell\x08bs\x0bvt\x0cff\x0eso\x7fdel",
    "\u202eevil\u202c",
    "\u2066isolate\u2069\u200fmark\u200e",
    "javascript:alert(document.cookie)",
    "file:///etc/passwd",
    "../../../../etc/passwd",
    "CON",
    "/abs/path",
)
#: Fragments legal in well-formed XML 1.0 (the arXiv feeds are parsed strictly): markup, C1 controls, bidi.
XML_LEGAL: tuple[str, ...] = (
    "[bold red]markup[/bold red]",
    "[link=javascript:alert(1)]rich link[/link]",
    "\x9b31mcsi\x9b0m",
    "\x9d8;;file:///etc/passwd\x9cosc8",
    "\u202eevil\u202c",
    "\u2066isolate\u2069",
    "../../etc/passwd",
)

BILLION_LAUGHS_DTD = (
    '<!DOCTYPE rss [\n <!ENTITY lol "lol">\n'
    + "".join(f' <!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">\n' for n in range(1, 10))
    + "]>\n"
)


def rss(items: list[dict[str, str]], doctype: str = "") -> bytes:
    """An RSS 2.0 feed; values go in raw (control characters included), only <, > and & escaped."""
    body = "".join(
        "<item>"
        + "".join(
            f"<{tag}>{value}</{tag}>" if tag in ("description",) else f"<{tag}>{escape(value)}</{tag}>"
            for tag, value in item.items()
        )
        + "</item>"
        for item in items
    )
    head = '<?xml version="1.0" encoding="utf-8"?>\n' + doctype
    return f'{head}<rss version="2.0"><channel><title>hostile</title><link>http://example.org/</link>{body}</channel></rss>'.encode(
        "utf-8", "surrogatepass"
    )


def hostile_blog() -> bytes:
    """One post per fragment: in its title, author, body (with javascript: and file: links) and link."""
    items = []
    for number, fragment in enumerate(HOSTILE):
        html = (
            f'<p>{escape(fragment)} body{number}</p><a href="javascript:alert({number})">js link</a> '
            f'<a href="file:///etc/passwd">file link</a><script>steal()</script>'
        )
        items.append(
            {
                "title": f"{fragment} hostile{number}",
                "guid": f"hostile-{number}",
                "link": ("javascript:alert(1)", "file:///etc/passwd", f"http://example.org/{number}")[number % 3],
                "author": f"{fragment} author{number}",
                "description": escape(html),
            }
        )
    return rss(items)


def huge_title_blog(size: int = 1_000_000) -> bytes:
    """One post whose title is ``size`` characters long."""
    return rss([{"title": "huge " + "x" * size, "guid": "huge", "link": "http://example.org/huge"}])


def laughs_blog() -> bytes:
    """The billion laughs: nine nested entities that would expand to 3 GB of 'lol'."""
    return rss([{"title": "&lol9; laughs", "guid": "laughs", "description": "&lol9;"}], BILLION_LAUGHS_DTD).replace(
        b"&amp;lol9;", b"&lol9;"
    )


def nested_blog(depth: int = 20_000) -> bytes:
    """A post whose body nests ``depth`` elements, and whose title nests Rich markup as deep."""
    html = "<div><b>" * depth + "deep" + "</b></div>" * depth
    title = "[b]" * 2000 + "nested" + "[/b]" * 2000
    return rss([{"title": title, "guid": "nested", "link": "http://example.org/nested", "description": escape(html)}])


def hostile_announcements() -> bytes:
    """arXiv announcements (RSS 2.0 read strictly) whose titles, abstracts and authors carry XML-legal fragments."""
    items = []
    for number, fragment in enumerate(XML_LEGAL):
        arxiv_id = f"2611.{10000 + number}"
        items.append(
            f"<item><title>{escape(fragment)} paper{number}</title><link>https://arxiv.org/abs/{arxiv_id}</link>"
            f"<description>arXiv:{arxiv_id}v1 Announce Type: new \nAbstract: {escape(fragment)} abstract{number}"
            f'</description><guid isPermaLink="false">oai:arXiv.org:{arxiv_id}v1</guid><category>cs.CL</category>'
            f"<pubDate>Mon, 23 Nov 2026 00:00:00 -0500</pubDate><arxiv:announce_type>new</arxiv:announce_type>"
            f"<dc:creator>{escape(fragment)} Author{number}, Second Author</dc:creator></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss xmlns:arxiv="http://arxiv.org/schemas/atom" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0"><channel><title>cs.CL updates on arXiv.org</title>'
        "<link>http://rss.arxiv.org/rss/cs.CL</link><description>cs.CL</description>"
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def laughs_api() -> bytes:
    """An arXiv API answer carrying the billion laughs."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + BILLION_LAUGHS_DTD.replace("rss", "feed")
        + '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">'
        "<title>&lol9;</title><opensearch:totalResults>1</opensearch:totalResults>"
        "<entry><id>http://arxiv.org/abs/2611.00001v1</id><title>&lol9;</title><summary>&lol9;</summary>"
        "<published>2026-11-20T00:00:00Z</published><updated>2026-11-20T00:00:00Z</updated>"
        "<author><name>&lol9;</name></author></entry></feed>"
    ).encode()


def inputs_tried() -> int:
    """How many distinct hostile inputs the fixed feeds carry (the benchmark's figure)."""
    return len(HOSTILE) + len(XML_LEGAL) + 4  # + huge title, two entity bombs, deep nesting


def hostile_fulltext_page() -> bytes:
    """An arXiv-shaped LaTeXML page written by a hostile stranger: scripts, styles, event handlers, a 1 MB heading,
    2,000 nested spans, 100,000 unclosed elements and stray end tags, every HOSTILE fragment in headings,
    paragraphs, math, captions and footnotes."""
    fragments = "".join(
        f'<div class="ltx_para"><p class="ltx_p" onclick="steal()">{escape(fragment)} para{number} '
        f'<math alttext="{escape(fragment, {chr(34): "&quot;"})}\\mathcal{{L}}"><mi>x</mi></math>'
        f'<span class="ltx_note ltx_role_footnote"><sup class="ltx_note_mark">{number}</sup>'
        f'<span class="ltx_note_content">{escape(fragment)} note{number}</span></span></p></div>'
        for number, fragment in enumerate(HOSTILE)
    )
    headings = "".join(
        f'<section class="ltx_subsection"><h3 class="ltx_title"><span class="ltx_tag">1.{number + 1} </span>'
        f"{escape(fragment)} heading{number}</h3><p>text{number}</p></section>"
        for number, fragment in enumerate(HOSTILE)
    )
    page = (
        "<!DOCTYPE html><html><head><script>steal()</script><style>body{display:none}</style></head><body>"
        '<div class="ltx_page_main"><article class="ltx_document">'
        '<section class="ltx_section"><h2 class="ltx_title"><span class="ltx_tag">1 </span>Hostile</h2>'
        f"<script>document.write('steal()')</script>{fragments}"
        '<figure class="ltx_table"><figcaption class="ltx_caption">Table 1: \x1b]52;c;cm0K\x07caption</figcaption>'
        "</figure>"
        + "<span>" * 2000
        + "deep"
        + "</span>" * 2000
        + headings
        # 100,000 elements never closed, then 100,000 end tags of nothing open: linear work, not quadratic.
        + "<b>" * 100_000
        + "bold"
        + "</i>" * 100_000
        + "</section>"
        f'<section class="ltx_section"><h2 class="ltx_title">{"H" * 1_000_000}</h2><p>after the huge heading</p>'
        '</section></article></div><iframe src="javascript:steal()"></iframe></body></html>'
    )
    return page.encode("utf-8", "surrogatepass")
