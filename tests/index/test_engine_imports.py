"""Each engine is imported only when it is used: `import kb.index` loads neither, tantivy never loads Whoosh.

Proved in a fresh interpreter (this test process has both engines loaded already). kb's own analysis, which
both engines share, stems with Whoosh's Porter2 module (``whoosh.lang.porter2``, pure Python, importing
nothing else of Whoosh): that module alone does not count as loading Whoosh.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import DOCS

REPO = Path(__file__).resolve().parents[2]

# Runs the statements given, then prints which engines' packages are loaded (beyond the stemmer).
PROBE = """
import json, sys
exec(sys.argv[1])
stemmer = {'whoosh', 'whoosh.lang', 'whoosh.lang.porter2'}
loaded = {name.split('.')[0] for name in sys.modules if name not in stemmer}
print(json.dumps(sorted(loaded & {'whoosh', 'tantivy'})))
"""


def engines_loaded_by(code: str) -> set[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, code], capture_output=True, text=True, env=env, timeout=120, check=True
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_importing_kb_index_loads_no_engine() -> None:
    assert engines_loaded_by("import kb.index; from kb.index import SearchIndex, validate_query") == set()


@pytest.mark.parametrize("engine", ["whoosh", "tantivy"])
def test_an_engine_loads_only_itself(tmp_path: Path, engine: str) -> None:
    from kb.index import SearchIndex

    with SearchIndex.open(tmp_path / "index", procs=1, engine=engine) as ix:
        ix.rebuild([DOCS])
    code = (
        "from pathlib import Path; from kb.index import SearchIndex\n"
        f"ix = SearchIndex.open(Path({str(tmp_path / 'index')!r}), engine={engine!r})\n"
        "assert ix.search('graph networks').total > 0 and ix.doc_count() > 0\n"
        "ix.update([]); ix.close()"
    )
    assert engines_loaded_by(code) == {engine}
