"""Where the benchmarks find the recorded corpus: ``--corpus``, else $KB_CORPUS, else ../shared/corpus beside
the repository (as the tests do)."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def corpus_dir(given: Path | None = None) -> Path:
    """The corpus folder; exits with one line naming where it looked when there is none."""
    corpus = given or Path(os.environ.get("KB_CORPUS") or REPO.parent / "shared" / "corpus")
    if not corpus.is_dir():
        raise SystemExit(f"recorded corpus not found at {corpus}: set KB_CORPUS (or --corpus)")
    return corpus
