"""Field lengths read once per segment (kb.index.whoosh_lengths) are Whoosh's own, document by document."""

from __future__ import annotations

import random
from pathlib import Path

from whoosh import fields
from whoosh.filedb.filestore import FileStorage
from whoosh.scoring import BM25F

from kb.index.ranking import KbWeighting
from kb.index.whoosh_lengths import field_lengths

WORDS = ["graph", "neural", "kernel", "sparse", "vision", "model", "energy", "routing"]


def _index(path: Path) -> object:
    """Three segments (no merging), as storage without memory mapping, as kb opens its indexes; the
    ``extra`` field is empty in the first segment, so that segment has no lengths for it."""
    path.mkdir()
    schema = fields.Schema(text=fields.TEXT(), extra=fields.TEXT())
    ix = FileStorage(str(path), supports_mmap=False).create_index(schema)
    rng = random.Random(3)
    for segment in range(3):
        writer = ix.writer()
        for _ in range(200):
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 400)))  # long ones need many length bytes
            extra = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 5))) if segment else ""
            writer.add_document(text=text, extra=extra)
        writer.commit(merge=False)
    return ix


def test_lengths_equal_whooshs_for_every_document_of_every_segment(tmp_path: Path) -> None:
    ix = _index(tmp_path / "ix")
    with ix.searcher() as searcher:  # type: ignore[attr-defined]
        subs = [sub for sub, _ in searcher.leaf_searchers()]
        assert len(subs) == 3
        for sub in subs:
            for fieldname in ("text", "extra"):
                lengths = field_lengths(sub, fieldname)
                for docnum in range(sub.doc_count_all()):
                    expected = sub.doc_field_length(docnum, fieldname, 1)
                    assert lengths(docnum) == (expected or 0), (fieldname, docnum)


def test_scores_equal_bm25f_computed_with_whooshs_own_lengths(tmp_path: Path) -> None:
    ix = _index(tmp_path / "ix")
    with ix.searcher() as searcher:  # type: ignore[attr-defined]
        for sub, _ in searcher.leaf_searchers():
            for word in ("graph", "routing"):
                ours = KbWeighting().scorer(sub, "text", word.encode())
                theirs = BM25F().scorer(sub, "text", word.encode())
                matcher = sub.postings("text", word.encode())
                scored = 0
                while matcher.is_active():
                    assert ours.score(matcher) == theirs.score(matcher)  # the text field's weight is 1
                    scored += 1
                    matcher.next()
                assert scored > 50
