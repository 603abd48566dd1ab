"""How long `kb status` and `kb search` take as whole processes, beside their floors, in one run.

    python benchmarks/process_start.py --status-workspace /work/scale1m --search-workspace /work/h1-100k \
        [--baseline-repo /work/main]

Prints, one per line as ``name: value``: the load average, `python -c pass`, a bare tantivy process searching
the search workspace's index (tantivy's parser, 20 titles), `kb search` (scale.py's 8 queries x 3) and
`kb status` (best and median of 5), each with its peak memory from /usr/bin/time -v; and, with
``--baseline-repo``, the same kb commands run from that checkout (landed code) in the same run. It also says
whether each kb command imported SQLAlchemy (the read-only path of kb.store.peek should not).

Neither command writes on a settled workspace, and `kb status` never rebuilds an index: the status workspace
may hold an index that is mid-rebuild (status reports it as such). Do not point ``--search-workspace`` at a
workspace whose index is missing or stale: `kb search` would rebuild it first.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from scale import BARE_TANTIVY, QUERIES, REPO, kb_env, run, show, tantivy_dir

IMPORTS_PROBE = """
import sys
from kb.cli.main import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print('ORM=' + str(any(name.split('.')[0] in ('sqlalchemy', 'sqlmodel') for name in sys.modules)), file=sys.stderr)
"""


def env_for(repo: Path) -> dict[str, str]:
    env = kb_env()
    env["PYTHONPATH"] = str(repo)
    return env


def kb_process(repo: Path, *args: str) -> tuple[float, float, str]:
    """(wall s, peak MB, stdout) of one kb process run from the checkout ``repo`` (scale.py's ``run``, there)."""
    timer = ["/usr/bin/time", "-v"] if Path("/usr/bin/time").exists() else []
    started = time.perf_counter()
    command = [*timer, sys.executable, "-m", "kb.cli.main", *args]
    done = subprocess.run(command, cwd=repo, env=env_for(repo), capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"kb {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    return seconds, int(found.group(1)) / 1024 if found else float("nan"), done.stdout


def loads_orm(repo: Path, *args: str) -> bool:
    done = subprocess.run(
        [sys.executable, "-c", IMPORTS_PROBE, *args], cwd=repo, env=env_for(repo), capture_output=True, text=True
    )
    return "ORM=True" in done.stderr


def figures(values: Sequence[tuple[float, float, str]]) -> str:
    times = [t for t, _, _ in values]
    return (
        f"best {min(times) * 1000:.0f} ms, median {statistics.median(times) * 1000:.0f} ms, "
        f"max {max(times) * 1000:.0f} ms, peak {max(m for _, m, _ in values):.0f} MB"
    )


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--status-workspace", type=Path, required=True)
    parser.add_argument("--search-workspace", type=Path, required=True, help="a settled tantivy workspace")
    parser.add_argument("--baseline-repo", type=Path, default=None, help="also run kb from this checkout")
    parser.add_argument("--repeat", type=int, default=5, help="kb status runs (and python -c pass)")
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="keep PYTHONDONTWRITEBYTECODE as it is (every process then compiles kb's sources anew)",
    )
    args = parser.parse_args(argv)
    if not args.no_bytecode_cache:
        # As an installed kb runs: from compiled bytecode. Written outside the checkouts, warmed by one run each.
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ.setdefault("PYTHONPYCACHEPREFIX", tempfile.mkdtemp(prefix="kb-pycache-"))
    index = tantivy_dir(args.search_workspace)
    if index is None:
        print(f"{args.search_workspace} has no tantivy index: build it with scale.py and kb reindex", file=sys.stderr)
        return 2
    repos = [("kb", REPO)] + ([("landed kb", args.baseline_repo.resolve())] if args.baseline_repo else [])
    for _, repo in repos:  # warm-up (bytecode, the page cache); not counted
        kb_process(repo, "--root", str(args.search_workspace), "search", QUERIES[0])
        kb_process(repo, "--root", str(args.status_workspace), "status")
    show("bytecode cache", "off (sources compiled by every process)" if args.no_bytecode_cache else "on")
    show("load average at start", load())
    show("python -c pass", figures([run([sys.executable, "-c", "pass"]) for _ in range(args.repeat)]))
    script = Path(tempfile.mkdtemp()) / "bare_tantivy.py"
    script.write_text(BARE_TANTIVY)
    bare = [run([sys.executable, str(script), str(index), q]) for _ in range(3) for q in QUERIES]
    show("bare tantivy search process (8 queries x 3)", figures(bare))
    for name, repo in repos:
        searches = [
            kb_process(repo, "--root", str(args.search_workspace), "search", "--limit", "20", q)
            for _ in range(3)
            for q in QUERIES
        ]
        orm = loads_orm(repo, "--root", str(args.search_workspace), "search", QUERIES[0])
        show(f"{name} search process (8 queries x 3)", f"{figures(searches)}; imports SQLAlchemy: {orm}")
    for name, repo in repos:
        statuses = [kb_process(repo, "--root", str(args.status_workspace), "status") for _ in range(args.repeat)]
        orm = loads_orm(repo, "--root", str(args.status_workspace), "status")
        show(f"{name} status ({args.repeat} runs)", f"{figures(statuses)}; imports SQLAlchemy: {orm}")
    show("load average at end", load())
    return 0


if __name__ == "__main__":
    sys.exit(main())
