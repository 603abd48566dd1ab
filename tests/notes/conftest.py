"""A realistic notes vault on disk, written the way people (and Obsidian) write them."""

from __future__ import annotations

from pathlib import Path

import pytest

ATTENTION = """\
---
title: Attention Is All You Need
papers: [arxiv:1706.03762]
tags: [transformers, "#architecture"]
created: 2026-11-22
aliases: [transformer paper]
---
# Attention

Scaled dot-product attention ... compare [[arxiv:2005.14165]] and [[linear-algebra-strang]].
Later versions: [[1706.03762v2]]; the old-style id [[arxiv:hep-th/9901001|Maldacena]].
"""

GPT3 = """\
---
title: "Language Models are Few-Shot Learners"
papers:
  - 2005.14165v4
  - https://arxiv.org/abs/1810.04805
---
See http://export.arxiv.org/abs/1706.03762v5 and https://www.arxiv.org/pdf/2203.02155v1.pdf, also
arxiv.org/abs/2001.08361 (no scheme) and [[Scaling Laws]].
"""

TRANSFORMERS = """\
# Transformers (topic)

Links: [[attention-is-all-you-need]], [[Linear Algebra|LA]], [[papers/gpt3#Results|GPT-3]],
[[#Links]] (same note), ![[diagram.png]], ![[Linear Algebra]] embedded.

```python
x = table[[0, 1]]  # numpy fancy indexing, not a link
see [[arxiv:9999.99999]]
```

Inline `df[[col]]` is code too.
"""

LINEAR_ALGEBRA = "Strang's book. No front matter, no heading.\n"

BROKEN = """\
---
title: Daily log
tags: [unclosed
created: 2026-11-22
---
# Meeting notes

Discussed [[arxiv:2106.09685]].
"""

HOME = "# My research notes\n\nStart at [[Transformers]].\n"

SAME_A = "---\ntitle: Same Title\n---\nFirst one.\n"
SAME_B = "---\ntitle: Same Title\n---\nSecond one.\n"

LATIN1 = "---\ntitle: Café notes\n---\nCrème brûlée and https://arxiv.org/abs/1412.6980\n".encode("latin-1")

VAULT: dict[str, bytes] = {
    "Home.md": HOME.encode(),
    # kb's guide to the folder (written by `kb init`): not a note. A README.md deeper down is one.
    "README.md": b"# Notes\n\nEvery `.md` file is a note: see [[arxiv:1706.03762]] and [[linear-algebra-strang]].\n",
    "papers/README.md": b"# About this folder\n\nOne note per paper.\n",
    "papers/attention-is-all-you-need.md": ATTENTION.encode(),
    "papers/gpt3.md": GPT3.replace("\n", "\r\n").encode(),  # written on Windows
    "topics/transformers.md": TRANSFORMERS.encode(),
    "topics/Linear Algebra.md": LINEAR_ALGEBRA.encode(),
    "daily/2026-11-22.md": BROKEN.encode(),
    "inbox/latin1.md": LATIN1,
    "duplicates/a/Same Title.md": SAME_A.encode(),
    "duplicates/b/same-title.md": SAME_B.encode(),
    "unicode/注意力机制.md": "# 注意力机制\n\n[[arxiv:1706.03762]]\n".encode(),
    # Not notes: hidden folders, attachments, other extensions.
    ".obsidian/workspace.md": b"# not a note\n",
    ".trash/old.md": b"# deleted in Obsidian\n",
    ".git/notes.md": b"# not a note\n",
    "papers/.hidden.md": b"# hidden file\n",
    "attachments/diagram.png": b"\x89PNG\r\n\x1a\n",
    "papers/references.bib": b"@misc{x, title={x}}\n",
}

NOTE_PATHS = sorted(
    path
    for path in VAULT
    if path.endswith(".md") and path != "README.md" and not any(part.startswith(".") for part in path.split("/"))
)


def write_vault(root: Path, files: dict[str, bytes] = VAULT) -> Path:
    """Write ``files`` under ``root`` and return it."""
    for relative, data in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


@pytest.fixture
def vault(tmp_path: Path) -> Path:
    """A notes folder with nested folders, Obsidian links, broken YAML, latin-1 bytes and hidden folders."""
    return write_vault(tmp_path / "notes")
