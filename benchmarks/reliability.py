"""Reliability figures: faults injected and survived, kill trials run and passed, hostile inputs tried, items lost.

Runs the scenarios of tests/reliability (the same code the tests assert on) and counts:

- network faults: one `kb fetch` over a workspace with a source per fault and good sources, timed against
  the same good sources alone (the baseline, measured in the same run);
- crash safety: `kb fetch`, `kb reindex` and note saves killed with SIGKILL at seeded random moments;
- hostile content: feeds of escapes, markup, control and bidi characters, a 1 MB title, entity bombs and
  deep nesting, plus seeded random mixes, fetched and printed by every text command.

    python benchmarks/reliability.py [--kills 50] [--seed 20261122] [--random-titles 200]

Items lost must be 0. Needs the recorded corpus (KB_CORPUS or ../shared/corpus).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from click.testing import CliRunner  # noqa: E402

from benchmarks.corpus import corpus_dir  # noqa: E402
from kb.cli.main import main  # noqa: E402
from kb.library import init_workspace  # noqa: E402
from tests.reliability.crashes import CrashLab  # noqa: E402
from tests.reliability.faults import FAULTS, run_fault_scenario  # noqa: E402
from tests.reliability.helpers import inert_problems, kb, kb_command, kb_env, store_facts, write_config  # noqa: E402
from tests.reliability.hostile import (  # noqa: E402
    HOSTILE,
    hostile_announcements,
    hostile_blog,
    huge_title_blog,
    inputs_tried,
    laughs_api,
    laughs_blog,
    nested_blog,
    rss,
)
from tests.support.httpserver import HttpServer, Response, static  # noqa: E402


def faults(base: Path, corpus: Path) -> dict[str, float]:
    run = run_fault_scenario(base, corpus)
    # Baseline: the good sources alone, fetched the same way.
    with HttpServer() as server:
        from tests.reliability.faults import ATTENTION_API, COLAH, LILLOG
        from tests.support.workspace import FIXTURES, all_of_arxiv, arxiv_api

        server.add_file("/rss/cs.CL", FIXTURES / "rss_attention_v7.xml")
        server.add_handler("/api/query", arxiv_api(corpus, {"attention": ATTENTION_API}))
        server.add_file("/l.xml", corpus / LILLOG, "application/rss+xml")
        server.add_file("/c.xml", corpus / COLAH, "application/rss+xml")
        root = base / "clean"
        init_workspace(root)
        write_config(
            root,
            {
                "arxiv": {
                    "categories": ["cs.CL"],
                    "queries": [{"name": "attention", "query": "attention", "first_run_days": all_of_arxiv()}],
                    "api_url": server.url("/api/query"),
                    "rss_url": server.url("/rss/"),
                    "delay_seconds": 0,
                },
                "feeds": [
                    {"name": "Lil'Log", "url": server.url("/l.xml")},
                    {"name": "colah", "url": server.url("/c.xml")},
                ],
            },
        )
        started = time.monotonic()
        kb("fetch", "-q", root=root)
        clean = time.monotonic() - started
    return {
        "injected": len(FAULTS),
        "survived": len(run.survived),
        "good_lost": run.good_lost,
        "seconds": run.seconds,
        "baseline": clean,
        "exit": run.returncode,
        "by_fault": [(fault.name, fault.name in run.survived) for fault in FAULTS],
    }


def kills(base: Path, corpus: Path, total: int, seed: int) -> dict[str, float]:
    lab = CrashLab(base, corpus, seed)
    # The mix of tests/reliability/test_crash_safety.py (12, 12, 16, 10, 6 of 56), scaled to ``total``.
    fetches = reindexes = round(total * 12 / 56)
    triages, backfills = round(total * 10 / 56), round(total * 6 / 56)
    saves = total - fetches - reindexes - triages - backfills
    with lab.running():
        lab.prepare()
        trials = lab.run(fetches, reindexes, saves, triages, backfills)
        report = lab.finish()
        facts = store_facts(lab.root)
        triage_lost = sum(facts.triage.get(item) != state for item, state in lab.triage.items())
        notes_lost = len(lab.check_notes())  # partial, unreadable or gone back to an older version
    report.trials = trials
    for trial in trials:
        if not trial.passed:
            print(f"  FAILED {trial.kind} killed at {trial.delay} s: {trial.problems}")
    for problem in report.final_problems:
        print(f"  FINAL {problem}")
    return {
        "run": len(trials),
        "passed": report.passed,
        "mid_work": report.killed,
        "lost": report.items_lost,
        "final_ok": not report.final_problems,
        "fetch_s": lab.fetch_seconds,
        "triage_checked": len(lab.triage),
        "triage_lost": triage_lost,
        "notes_checked": len(lab.note_versions),
        "notes_lost": notes_lost,
        "kinds": ", ".join(f"{n} {kind}" for kind, n in Counter(trial.kind for trial in trials).items()),
    }


def hostile(base: Path, titles: int, seed: int) -> dict[str, float]:
    rng = random.Random(seed)
    mixes = [
        "".join(rng.choice([*HOSTILE, "word ", " ", "é", "\t"]) for _ in range(rng.randint(1, 8))) + f" mix{n}"
        for n in range(titles)
    ]
    with HttpServer() as server:
        feeds = {
            "hostile": hostile_blog(),
            "huge": huge_title_blog(),
            "laughs": laughs_blog(),
            "nested": nested_blog(),
            "mixes": rss([{"title": t, "guid": f"m{n}", "author": t} for n, t in enumerate(mixes)]),
        }
        for name, body in feeds.items():
            server.add(f"/{name}.xml", body, headers={"Content-Type": "application/rss+xml"})
        server.add("/rss/cs.CL", hostile_announcements(), headers={"Content-Type": "application/rss+xml"})
        server.add_handler("/api/query", static(Response(laughs_api(), 200)))
        root = base / "hostile"
        init_workspace(root)
        write_config(
            root,
            {
                "arxiv": {
                    "categories": ["cs.CL"],
                    "queries": [{"name": "api", "query": "all:lol"}],
                    "api_url": server.url("/api/query"),
                    "rss_url": server.url("/rss/"),
                    "delay_seconds": 0,
                    "retries": 0,
                },
                "feeds": [{"name": name, "url": server.url(f"/{name}.xml")} for name in feeds],
            },
        )
        started = time.monotonic()
        fetched = subprocess.run(kb_command(root, "fetch"), capture_output=True, env=kb_env(), check=False)
        seconds = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    outputs = unsafe = 0
    runner = CliRunner()
    commands = [["list"], ["status"], ["notes"], ["search", "mix*", "--limit", "500"], ["search", "hostile*"]]
    commands += [["show", item_id] for item_id in store_facts(root).ids]
    for args in commands:
        result = runner.invoke(main, ["--root", str(root), *args], color=True)
        outputs += 1
        unsafe += bool(inert_problems(result.stdout + result.stderr))
    stored = {title for title in _titles(root)}
    faithful = sum(" ".join(t.split()) in stored for t in mixes)
    return {
        "inputs": inputs_tried() + titles,
        "outputs": outputs,
        "unsafe": unsafe + bool(inert_problems(fetched.stderr.decode("utf-8", "replace"))),
        "faithful": faithful,
        "titles": titles,
        "seconds": seconds,
        "peak_mb": peak,
    }


def _titles(root: Path) -> list[str]:
    import sqlite3

    conn = sqlite3.connect(root / ".kb" / "kb.sqlite")
    try:
        return [row[0] for row in conn.execute("SELECT title FROM item")]
    finally:
        conn.close()


ONE_HOST_FEEDS = 20
ONE_HOST_FETCH = {"connect_timeout": 1, "read_timeout": 1, "total_timeout": 10, "retries": 1, "backoff_seconds": 0.05}


#: Issue 13's machine-state trials: the test files that make each state for real, by kind.
TRIALS = {
    "unwritable log, read-only workspace, full disk": "tests/reliability/test_machine_state.py",
    "missing store, WAL only, corruption (kb doctor)": "tests/reliability/test_store_way_out.py",
    "proxies (HTTP, SOCKS5, dead, unusable values)": "tests/reliability/test_proxies.py",
    "one host down, 429 host, run_timeout": "tests/reliability/test_one_host.py",
    "import limits (deep JSON, huge tags, paths, future)": "tests/reliability/test_import_limits.py",
    "notes at scale (size cap, one-pass rebuild)": "tests/reliability/test_notes_at_scale.py",
}


def trials() -> list[tuple[str, int, int, int]]:
    """Each kind of trial: (kind, run, passed, skipped), run by pytest on the test file that makes the state."""
    rows = []
    for kind, path in TRIALS.items():
        command = [sys.executable, "-m", "pytest", "-q", "-rA", "-p", "no:cacheprovider", path]
        out = subprocess.run(command, cwd=REPO, capture_output=True, text=True, env=kb_env()).stdout
        outcomes = Counter(
            line.split()[0]
            for line in out.splitlines()
            if line.startswith(("PASSED ", "FAILED ", "SKIPPED ", "ERROR "))
        )
        rows.append((kind, sum(outcomes.values()), outcomes["PASSED"], outcomes["SKIPPED"]))
    return rows


def many_feeds(base: Path, repo: Path, feeds: int = 10_000) -> dict[str, float]:
    """`kb opml import` of ``feeds`` feeds, then `kb list` and `kb status`, by the code at ``repo``: wall and CPU s."""
    root = base / f"feeds-{repo.name}"
    init_workspace(root)
    opml = base / "feeds.opml"
    outlines = [
        f'<outline type="rss" text="Blog {n}" xmlUrl="https://blog{n}.example.org/f.xml"/>' for n in range(feeds)
    ]
    opml.write_text('<?xml version="1.0"?><opml version="2.0"><head/><body>' + "\n".join(outlines) + "</body></opml>")
    figures: dict[str, float] = {}
    env = {**os.environ, "PYTHONPATH": str(repo)}
    for name, args in (("import", ("opml", "import", str(opml))), ("list", ("list",)), ("status", ("status",))):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()
        command = [sys.executable, "-m", "kb.cli.main", "--root", str(root), *args]
        subprocess.run(command, env=env, cwd=root, capture_output=True, timeout=3600, check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        figures[name] = time.monotonic() - started
        figures[name + "_cpu"] = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return figures


def one_host(base: Path, repo: Path) -> dict[str, float]:
    """20 feeds on one hanging host, 20 on one host answering 429 + Retry-After: 2: seconds and requests.

    Run through `kb fetch -q` of the code at ``repo`` (this checkout, or --baseline-repo for "before").
    """
    from tests.support.httpserver import hang

    figures: dict[str, float] = {}
    for name, handler in (("hang", hang(60)), ("429", static(Response(b"", 429, {"Retry-After": "2"})))):
        with HttpServer() as server:
            root = base / f"{name}-{repo.name}"
            init_workspace(root)
            feeds = []
            for n in range(ONE_HOST_FEEDS):
                server.add_handler(f"/f/{n}", handler)
                feeds.append({"name": f"Feed {n}", "url": server.url(f"/f/{n}")})
            write_config(root, {"arxiv": {"categories": []}, "feeds": feeds, "fetch": ONE_HOST_FETCH})
            env = {**os.environ, "PYTHONPATH": str(repo)}
            started = time.monotonic()
            command = [sys.executable, "-m", "kb.cli.main", "--root", str(root), "fetch", "-q"]
            subprocess.run(command, env=env, cwd=root, capture_output=True, timeout=3600)  # cwd: not this checkout
            figures[f"{name}_s"] = time.monotonic() - started
            figures[f"{name}_requests"] = len(server.requests)
    return figures


def main_() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=50, help="kill trials (default 50)")
    parser.add_argument("--seed", type=int, default=20261122)
    parser.add_argument("--random-titles", type=int, default=200, help="seeded random hostile titles")
    parser.add_argument("--baseline-repo", type=Path, help="a kb checkout to time the one-host cases against")
    parser.add_argument("--only-one-host", action="store_true", help="run only the one-host cases")
    parser.add_argument("--only-many-feeds", action="store_true", help="run only the 10,000-feed list/status case")
    args = parser.parse_args()
    if args.only_one_host or args.only_many_feeds:
        with tempfile.TemporaryDirectory() as temp:
            if args.only_one_host:
                _print_one_host(Path(temp), args.baseline_repo)
            if args.only_many_feeds:
                _print_many_feeds(Path(temp), args.baseline_repo)
        return
    corpus = corpus_dir()
    with tempfile.TemporaryDirectory() as temp:
        base = Path(temp)
        started = time.monotonic()
        h = hostile(base / "h", args.random_titles, args.seed)  # first: its peak memory is the children's so far
        f = faults(base / "f", corpus)
        k = kills(base / "k", corpus, args.kills, args.seed)
        lost = int(f["good_lost"] + k["lost"])
        print(f"reliability figures (seed {args.seed}, {time.monotonic() - started:.0f} s in all)")
        print(
            f"  network faults injected      {f['injected']:.0f}, survived {f['survived']:.0f} "
            f"(one `kb fetch`: {f['seconds']:.1f} s, exit {f['exit']:.0f}; good sources alone {f['baseline']:.1f} s, "
            f"ratio {f['seconds'] / f['baseline']:.1f}x)"
        )
        print(
            f"  kill trials run              {k['run']:.0f}, passed {k['passed']:.0f} "
            f"({k['mid_work']:.0f} killed mid-work; full fetch {k['fetch_s']:.1f} s); "
            f"next fetch and search complete: {'yes' if k['final_ok'] else 'NO'}"
        )
        print(
            f"  hostile inputs tried         {h['inputs']:.0f} ({h['titles']:.0f} seeded random titles, "
            f"{h['faithful']:.0f} stored faithfully); text outputs checked {h['outputs']:.0f}, "
            f"with a raw control character {h['unsafe']:.0f}; fetch {h['seconds']:.1f} s, peak {h['peak_mb']:.0f} MB"
        )
        print(f"  kill trials by kind          {k['kinds']}")
        for fault, ok in f["by_fault"]:
            print(f"    fault {fault:<28} {'survived' if ok else 'NOT SURVIVED'}")
        _print_one_host(base / "o", args.baseline_repo)
        failed_trials = 0
        for kind, run, passed, skipped in trials():
            print(f"  trials: {kind:<52} run {run}, passed {passed}" + (f", skipped {skipped}" if skipped else ""))
            failed_trials += run - passed - skipped
        print(f"  items lost                   {lost}")
        checked = f"(of {k['triage_checked']:.0f} items' triage checked)"
        print(f"  triage changes lost          {k['triage_lost']:.0f} {checked}")
        print(f"  notes lost                   {k['notes_lost']:.0f} (of {k['notes_checked']:.0f} notes checked)")
        if lost or k["triage_lost"] or k["notes_lost"] or failed_trials:
            sys.exit(1)
        if h["unsafe"] or k["passed"] < k["run"] or f["survived"] < f["injected"]:
            sys.exit(1)


def _print_one_host(base: Path, baseline: Path | None) -> None:
    after = one_host(base, REPO)
    before = one_host(base, baseline) if baseline else None
    for case, label in (("hang", "hanging host"), ("429", "429 host")):
        line = f"  {ONE_HOST_FEEDS} feeds on one {label:<13} {after[case + '_s']:.1f} s, "
        line += f"{after[case + '_requests']:.0f} requests"
        if before:
            line += f" (before: {before[case + '_s']:.1f} s, {before[case + '_requests']:.0f} requests)"
        print(line)


def _print_many_feeds(base: Path, baseline: Path | None) -> None:
    after = many_feeds(base, REPO)
    before = many_feeds(base, baseline) if baseline else None
    for case in ("import", "list", "status"):
        line = f"  10,000 feeds: kb {case:<12} {after[case]:5.1f} s wall, {after[case + '_cpu']:4.1f} s CPU"
        if before:
            line += f" (before: {before[case]:5.1f} s wall, {before[case + '_cpu']:4.1f} s CPU)"
        print(line, flush=True)


if __name__ == "__main__":
    main_()
