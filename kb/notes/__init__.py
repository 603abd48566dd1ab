"""The person's markdown notes under notes/: parse, scan for changes, name, template and write them safely.

kb never rewrites a note it parses; the only writes are whole-file atomic ones that refuse to overwrite a
file changed since it was read.
"""

from __future__ import annotations

from kb.notes.edit import add_paper_link
from kb.notes.filenames import note_filename
from kb.notes.files import NoteSnapshot, read_snapshot, remove_abandoned, write_note_atomic
from kb.notes.links import SectionLink, mask_code, paper_anchor, resolve_note_link, section_links
from kb.notes.parse import decode_note, parse_note
from kb.notes.scan import NoteChanges, scan_notes
from kb.notes.templates import paper_note_text, plain_note_text

__all__ = [
    "NoteChanges",
    "NoteSnapshot",
    "SectionLink",
    "add_paper_link",
    "decode_note",
    "mask_code",
    "note_filename",
    "paper_anchor",
    "paper_note_text",
    "parse_note",
    "plain_note_text",
    "read_snapshot",
    "remove_abandoned",
    "resolve_note_link",
    "scan_notes",
    "section_links",
    "write_note_atomic",
]
