"""PDFs made from real ones for the fault tests: an encrypted one (an incremental update adding /Encrypt)."""

from __future__ import annotations

import re


def encrypted(pdf: bytes) -> bytes:
    """``pdf`` with a standard-security /Encrypt dictionary whose password is not empty: no reader opens it."""
    tail = pdf[pdf.rfind(b"trailer") :]
    size = int(_find(rb"/Size (\d+)", tail))
    root = _find(rb"/Root (\d+ \d+ R)", tail)
    previous = int(_find(rb"startxref\s+(\d+)", tail))
    ids = _find(rb"(/ID\s*\[[^\]]*\])", tail)
    offset = len(pdf)
    security = b"/Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P -4" % (b"ab" * 32, b"cd" * 32)
    entry = b"%d 0 obj\n<< %s >>\nendobj\n" % (size, security)
    xref = b"xref\n%d 1\n%010d 00000 n \n" % (size, offset)
    trailer = b"trailer\n<< /Size %d /Root %s /Encrypt %d 0 R /Prev %d %s >>\nstartxref\n%d\n%%%%EOF\n" % (
        size + 1,
        root,
        size,
        previous,
        ids,
        offset + len(entry),
    )
    return pdf + entry + xref + trailer


def _find(pattern: bytes, data: bytes) -> bytes:
    match = re.search(pattern, data)
    if match is None:
        raise ValueError(f"no {pattern!r} in the PDF's trailer")
    return match.group(1)
