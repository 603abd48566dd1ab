"""Promise 3 as a scenario: `kb fetch`, `kb reindex`, note saves, triage, `kb backfill`, `kb fulltext`,
`kb import-bib` and `kb citations --refresh` killed with SIGKILL at seeded random moments.

Shared by tests/reliability/test_crash_safety.py and benchmarks/reliability.py. After every kill the lab
checks what a person would lose: the store's integrity, duplicated items, the triage state set before the
trials, the notes (each file one complete version, never older than before), and that the index opens and
holds no duplicate. Then the next ordinary command (a search) runs, and the index must hold exactly the
store's items and the notes on disk, with the store's status, star and tags, without any full rebuild having
run: a crash costs re-indexing the few ids the store's queue names, never a rebuild. At the end one ordinary
`kb fetch` and `kb search` must leave everything in place.
"""

from __future__ import annotations

import contextlib
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kb.config import load_config
from kb.errors import ConfigError
from kb.library import Library, init_workspace
from kb.models import Status
from tests.reliability.helpers import (
    index_ids,
    kb,
    kb_env,
    kb_popen,
    note_ids,
    reap_group,
    store_facts,
    write_config,
)
from tests.reliability.note_driver import note_text, version_of
from tests.reliability.triage_driver import STATUSES
from tests.support.arxiv_fulltext import Paper, seed_papers, serve_paper_texts
from tests.support.arxiv_ids import IdListApi
from tests.support.httpserver import HttpServer
from tests.support.oai_server import OaiRepository, corpus_records
from tests.support.s2_server import S2Api, s2_api
from tests.support.workspace import FIXTURES

NOTES = ("alpha", "beta", "gamma")
#: The recorded blogs the lab serves: ~670 posts in 12 feeds (mixed formats, a malformed one, ISO-8859-1).
BLOGS = (
    "olshansk_feedgen_rss2_the_batch.xml",
    "olshansk_feedgen_rss2_meta_ai.xml",
    "lilianweng_lil-log_hugo_rss2_index.xml",
    "yanub_blogger_atom_platform-sample.xml",
    "ai-news-direct_atom_aibase_daily.xml",
    "yuxi-liu_quarto_rss2.xml",
    "ai-news-direct_atom_bytedance_seed_research.xml",
    "sebastianraschka_2014_handwritten_rss2_MALFORMED.xml",
    "olshansk_feedgen_rss2_anthropic_research.xml",
    "davidbau_movabletype_rss1_iso-8859-1.xml",
    "ai-news-direct_atom_huggingface_daily_papers.xml",
    "adam-scherlis_wordpress_rss2.xml",
)
RSS = "application/rss+xml"
#: The backfill the lab kills and resumes (served from the corpus's API papers, 8 records a page).
BACKFILL = ("backfill", "cs", "--since", "2000-01-01", "-q")
#: Papers whose full texts `kb fulltext` trials fetch (the corpus's HTML and PDFs, served under these ids).
FULLTEXT_PAPERS = tuple(Paper(f"2612.{number:05d}", 1) for number in range(1, 41))
#: Papers one `kb fulltext` trial asks for.
FULLTEXT_BATCH = 6
#: Papers in each BibTeX file an import-bib trial imports (each trial a new file: a finished import does nothing).
BIB_PAPERS = 20


@dataclass
class Trial:
    """One kill: what was killed, when, and what the checks found (empty: nothing lost)."""

    kind: str
    delay: float
    problems: list[str] = field(default_factory=list)
    killed: bool = False  # False: the process had finished before its moment came

    @property
    def passed(self) -> bool:
        return not self.problems


@dataclass
class KillReport:
    """Every trial, and how the workspace stood after the final ordinary fetch."""

    trials: list[Trial] = field(default_factory=list)
    items_lost: int = 0
    final_problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return sum(trial.passed for trial in self.trials)

    @property
    def killed(self) -> int:
        """Trials whose process was still at work when the kill came."""
        return sum(trial.killed for trial in self.trials)


class CrashLab:
    """A workspace over a served corpus (every recorded blog, arXiv announcements), and the kills."""

    def __init__(self, base: Path, corpus: Path, seed: int) -> None:
        self.base = base
        self.corpus = corpus
        self.random = random.Random(seed)
        self.servers: list[HttpServer] = []
        self.root = base / "crash"
        self.triage: dict[str, tuple[str, bool, tuple[str, ...]]] = {}
        self.driven: list[str] = []  # the items the triage trials change (never those of self.triage)
        self.note_versions: dict[str, int] = {}
        self.reference: set[str] = set()
        self.fetch_seconds = 1.0
        self.reindex_seconds = 1.0
        self.log_start = 0  # kb.log lines written before the trials
        self.backfill_seconds = 1.0
        self.fulltext_seconds = 1.0
        self.import_seconds = 1.0
        self.bib_files: list[Path] = []  # one per import-bib trial, each naming papers no other file names
        self.api: IdListApi | None = None
        self.done: list[str] = []  # the kinds of the trials run so far
        self.citations_seconds = 1.0
        self.s2: S2Api | None = None
        self.cited = ""  # the starred paper whose 1,881 recorded citing papers the citation trials refresh
        self.follow_seconds = 0.5
        self.followed: list[str] = []  # the people `kb follow` trials added (a killed one may not have)
        self.follow_random = random.Random(seed + 1)

    # --- set up -----------------------------------------------------------------------------------

    @contextlib.contextmanager
    def running(self) -> Iterator[CrashLab]:
        """Serve the corpus for the duration of the lab."""
        with contextlib.ExitStack() as stack:
            self.servers = [stack.enter_context(HttpServer()) for _ in range(2)]
            yield self

    def config(self) -> dict[str, object]:
        """feeds.yaml: each recorded blog once, spread over two hosts, and the arXiv announcements."""
        first = self.servers[0]
        first.add_file("/rss/cs.CL", FIXTURES / "rss_attention_v7.xml")
        first.add_handler("/oai", OaiRepository(corpus_records(self.corpus), page_size=8).handle)
        self.api = IdListApi(self.corpus)
        first.add_handler("/api/query", self.api)
        self.s2 = self.s2 or s2_api(first, self.corpus)
        feeds = []
        for number, name in enumerate(BLOGS):
            path = self.corpus / "blogs" / name
            server = self.servers[number % 2]
            feeds.append({"name": path.stem, "url": server.add_file(f"/{path.name}", path, RSS)})
        return {
            "arxiv": {
                "categories": ["cs.CL"],
                "rss_url": first.url("/rss/"),
                "oai_url": first.url("/oai"),
                "html_url": first.url("/html/"),
                "pdf_url": first.url("/pdf/"),
                "api_url": first.url("/api/query"),
                "delay_seconds": 0,
            },
            "fulltext": {"for": []},  # the `kb fulltext` trials write full texts
            "feeds": feeds,
            "fetch": {"connect_timeout": 2, "read_timeout": 2, "total_timeout": 10, "retries": 1},
            "citations": {"api_url": first.url("/graph/v1"), "delay_seconds": 0, "max_links": 5000},
        }

    def prepare(self) -> None:
        """A reference fetch in a separate workspace, then the lab's workspace with triage and notes."""
        config = self.config()
        reference = self.base / "reference"
        init_workspace(reference)
        write_config(reference, config)
        started = time.monotonic()
        result = kb("fetch", "-q", root=reference)
        self.fetch_seconds = time.monotonic() - started
        assert result.returncode == 0, result.stderr
        started = time.monotonic()
        result = kb(*BACKFILL, root=reference)
        self.backfill_seconds = time.monotonic() - started
        assert result.returncode == 0, result.stderr
        self.reference = set(store_facts(reference).ids)
        serve_paper_texts(self.servers[0], self.corpus, FULLTEXT_PAPERS)
        with Library.open(reference) as library:
            seed_papers(library, list(FULLTEXT_PAPERS))
        started = time.monotonic()
        result = kb("fulltext", *(p.number for p in FULLTEXT_PAPERS[:FULLTEXT_BATCH]), root=reference)
        self.fulltext_seconds = time.monotonic() - started
        started = time.monotonic()
        result = kb("follow", "Reference Person", "--blog", self.servers[0].url(f"/{BLOGS[0]}"), "-q", root=reference)
        self.follow_seconds = time.monotonic() - started
        assert result.returncode == 0, result.stderr

        init_workspace(self.root)
        write_config(self.root, config)
        first = kb("fetch", "-q", "--source", "arxiv", "--source", "lilianweng_lil-log_hugo_rss2_index", root=self.root)
        assert first.returncode == 0, first.stderr
        # The papers the imports bring are none of those the trials triage (the reference holds them all).
        self.write_bib_files(self.base / "bib", exclude=set(store_facts(self.root).ids))
        started = time.monotonic()
        result = kb("import-bib", str(self.bib_files[0]), "-q", root=reference)
        self.import_seconds = time.monotonic() - started
        assert result.returncode == 0, result.stderr
        with Library.open(self.root) as library:
            seed_papers(library, list(FULLTEXT_PAPERS))
            for name in NOTES:
                library.save_note(f"{name}.md", note_text(name, 0), None)
            items = sorted(set(store_facts(self.root).ids) - {p.id for p in FULLTEXT_PAPERS})
            for number, item_id in enumerate(items[:12]):
                library.set_status(item_id, (Status.READ, Status.SKIPPED, Status.NEW)[number % 3])
                library.set_starred(item_id, number % 2 == 0)
                library.set_tags(item_id, [f"tag{number}", "kept"])
        self.triage = dict(store_facts(self.root).triage)
        self.cited = items[0]  # starred above
        assert self.s2 is not None
        recorded = ("s2_test_get_paper_references.yaml", "s2_test_get_paper_citations.yaml")
        self.s2.add_recorded(self.cited.removeprefix("arxiv:"), *recorded)
        started = time.monotonic()
        assert kb(*self.citations_command(), root=self.root).returncode == 0
        self.citations_seconds = time.monotonic() - started
        self.driven = items[12:60]
        self.note_versions = dict.fromkeys(NOTES, 0)
        started = time.monotonic()
        assert kb("reindex", root=self.root).returncode == 0
        self.reindex_seconds = time.monotonic() - started
        self.log_start = len(self.log_lines())  # the first fetch built the new workspace's index: not a recovery

    # --- trials -----------------------------------------------------------------------------------

    def kill_after(self, process: subprocess.Popen[bytes], delay: float) -> bool:
        """SIGKILL the process (only it: its children are orphaned as a real kill leaves them) after ``delay``."""
        killed = False
        try:
            process.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            killed = True
        process.wait()
        reap_group(process)  # the test's own clean-up of orphaned helpers (parser pools, index writers)
        return killed

    def fetch_trial(self) -> Trial:
        trial = Trial("kb fetch", round(self.random.uniform(0.5, self.fetch_seconds * 1.05), 3))
        trial.killed = self.kill_after(kb_popen("fetch", "-q", root=self.root), trial.delay)
        trial.problems = self.check()
        return trial

    def reindex_trial(self) -> Trial:
        trial = Trial("kb reindex", round(self.random.uniform(0.5, self.reindex_seconds * 1.05), 3))
        trial.killed = self.kill_after(kb_popen("reindex", root=self.root), trial.delay)
        trial.problems = self.check()
        return trial

    def backfill_trial(self) -> Trial:
        """A backfill killed anywhere: the next one resumes (a complete one catches up from its last datestamp)."""
        trial = Trial("kb backfill", round(self.random.uniform(0.5, self.backfill_seconds * 1.05), 3))
        trial.killed = self.kill_after(kb_popen(*BACKFILL, root=self.root), trial.delay)
        trial.problems = self.check()
        return trial

    def fulltext_trial(self) -> Trial:
        """`kb fulltext` killed while it fetches and stores papers' texts (those not held yet, while any are left)."""
        trial = Trial("kb fulltext", round(self.random.uniform(0.3, self.fulltext_seconds * 1.05), 3))
        held = set(fulltext_ids(self.root))
        left = [p.number for p in FULLTEXT_PAPERS if p.id not in held] or [p.number for p in FULLTEXT_PAPERS]
        chosen = self.random.sample(left, min(FULLTEXT_BATCH, len(left)))
        trial.killed = self.kill_after(kb_popen("fulltext", *chosen, root=self.root), trial.delay)
        trial.problems = self.check()
        return trial

    def write_bib_files(self, folder: Path, exclude: set[str]) -> None:
        """BibTeX files of recorded papers the fetches never store, BIB_PAPERS each, as Better BibTeX writes them."""
        assert self.api is not None
        folder.mkdir()
        ids = [i for i in sorted(self.api.entries) if f"arxiv:{i}" not in exclude]
        for number in range(len(ids) // BIB_PAPERS):
            chunk = ids[number * BIB_PAPERS : (number + 1) * BIB_PAPERS]
            entries = [
                f"@misc{{p{number}_{n},\n  title = {{Paper {n}}},\n  eprint = {{{i}}},\n  archiveprefix = {{arXiv}},\n"
                f"  keywords = {{crash-import, batch{number}}},\n}}\n"
                for n, i in enumerate(chunk)
            ]
            path = folder / f"library-{number}.bib"
            path.write_text("\n".join(entries), encoding="utf-8")
            self.bib_files.append(path)

    def import_trial(self) -> Trial:
        """An import killed anywhere: the next import of the same file finishes it; nothing else changes."""
        trial = Trial("kb import-bib", round(self.random.uniform(0.3, self.import_seconds * 1.05), 3))
        path = self.bib_files[1 + sum(1 for t in self.done if t == "import")]  # the reference imported file 0
        self.done.append("import")
        trial.killed = self.kill_after(kb_popen("import-bib", str(path), "-q", root=self.root), trial.delay)
        trial.problems = self.check()
        return trial

    def citations_command(self) -> tuple[str, ...]:
        return ("citations", self.cited, "--refresh", "-q")

    def citations_trial(self) -> Trial:
        """`kb citations --refresh` killed while paging through 1,881 citing papers: the old lists or the new."""
        trial = Trial("kb citations", round(self.random.uniform(0.3, self.citations_seconds * 1.05), 3))
        trial.killed = self.kill_after(kb_popen(*self.citations_command(), root=self.root), trial.delay)
        trial.problems = self.check()
        return trial

    def follow_trial(self) -> Trial:
        """`kb follow` killed: feeds.yaml is the file before or the file after (the person whole), never part."""
        name = f"Crash Person {len(self.followed) + 1}"
        trial = Trial("kb follow", round(self.follow_random.uniform(0.0, self.follow_seconds * 1.05), 3))
        before = (self.root / "feeds.yaml").read_bytes()
        url = self.servers[0].url(f"/{BLOGS[0]}")  # a served blog: the next fetch fetches it under their name
        trial.killed = self.kill_after(kb_popen("follow", name, "--blog", url, "-q", root=self.root), trial.delay)
        trial.problems = self.check_followed(before, name) + self.check()
        return trial

    def check_followed(self, before: bytes, name: str) -> list[str]:
        after = (self.root / "feeds.yaml").read_bytes()
        if after == before:
            return []
        try:
            people = [person.name for person in load_config(self.root / "feeds.yaml").people]
        except ConfigError as error:
            return [f"feeds.yaml unreadable after a killed follow: {error}"]
        problems = [] if after.startswith(before) else ["a killed follow changed what feeds.yaml held before"]
        if people != [*self.followed, name]:
            problems.append(f"people after a killed follow: {people}, expected {[*self.followed, name]}")
        self.followed.append(name)
        return problems

    def note_trial(self) -> Trial:
        trial = Trial("note save", round(self.random.uniform(0.0, 0.6), 3))
        command = [sys.executable, "-m", "tests.reliability.note_driver", str(self.root), *NOTES]
        trial.killed, problems = self.drive(command, trial.delay)
        trial.problems += problems + self.check()
        return trial

    def triage_trial(self) -> Trial:
        trial = Trial("triage", round(self.random.uniform(0.0, 0.6), 3))
        command = [sys.executable, "-m", "tests.reliability.triage_driver", str(self.root), *self.driven]
        trial.killed, problems = self.drive(command, trial.delay)
        # What the driver committed is the person's triage from now on: later trials must not change it.
        stored = store_facts(self.root).triage
        self.triage.update({item_id: stored[item_id] for item_id in self.driven})
        trial.problems += problems + self.check()
        return trial

    def drive(self, command: list[str], delay: float) -> tuple[bool, list[str]]:
        """Start a driver, wait for its "ready", kill it ``delay`` seconds later; (killed, problems)."""
        driver = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=kb_env(), start_new_session=True
        )
        assert driver.stdout is not None and driver.stderr is not None
        ready = driver.stdout.readline().strip()
        if ready != b"ready":
            driver.wait()
            return False, [f"driver did not start: {ready!r} {driver.stderr.read()[-500:]!r}"]
        killed = self.kill_after(driver, delay)
        return killed, [] if killed else [f"driver ended by itself: {driver.stderr.read()[-500:]!r}"]

    def run(
        self,
        fetches: int,
        reindexes: int,
        saves: int,
        triages: int = 0,
        backfills: int = 0,
        fulltexts: int = 0,
        imports: int = 0,
        citations: int = 0,
        follows: int = 0,
    ) -> list[Trial]:
        """The trials, in a seeded random order."""
        kinds = ["fetch"] * fetches + ["reindex"] * reindexes + ["note"] * saves + ["triage"] * triages
        kinds += ["backfill"] * backfills + ["fulltext"] * fulltexts + ["import"] * imports + ["citations"] * citations
        assert imports < len(self.bib_files), "not enough recorded papers for a new file per import trial"
        self.random.shuffle(kinds)
        for _ in range(follows):  # drawn apart, so the other trials keep the order and moments the seed gave them
            kinds.insert(self.follow_random.randrange(len(kinds) + 1), "follow")
        by_kind = {
            "fetch": self.fetch_trial,
            "reindex": self.reindex_trial,
            "note": self.note_trial,
            "triage": self.triage_trial,
            "backfill": self.backfill_trial,
            "fulltext": self.fulltext_trial,
            "import": self.import_trial,
            "citations": self.citations_trial,
            "follow": self.follow_trial,
        }
        return [by_kind[kind]() for kind in kinds]

    # --- checks -----------------------------------------------------------------------------------

    def check(self) -> list[str]:
        """What a kill lost or damaged (empty when nothing)."""
        problems = []
        facts = store_facts(self.root)
        if facts.integrity != "ok":
            problems.append(f"integrity_check: {facts.integrity}")
        if facts.duplicates:
            problems.append(f"{facts.duplicates} duplicated items")
        changed = {i: (state, facts.triage.get(i)) for i, state in self.triage.items() if facts.triage.get(i) != state}
        if changed:
            problems.append(f"triage changed: {changed}")
        problems += self.check_notes() + self.check_citations()
        try:
            count, ids = index_ids(self.root)
            if count != len(ids):
                problems.append(f"index holds {count} documents for {len(ids)} ids")
        except Exception as error:  # the next command must be able to open it
            problems.append(f"index cannot be opened: {type(error).__name__}: {error}")
            return problems
        return problems + self.check_caught_up()

    def check_citations(self) -> list[str]:
        """Each paper's stored lists agree with its fetch row (a kill leaves the old lists or the new, whole)."""
        conn = sqlite3.connect(f"file:{self.root / '.kb' / 'kb.sqlite'}?mode=ro", uri=True)
        try:
            rows = conn.execute(
                'SELECT f.paper_id, f."references" + f.citations, '
                "(SELECT count(*) FROM citation_link l WHERE l.paper_id = f.paper_id) FROM citation_fetch f"
            ).fetchall()
            orphans = conn.execute(
                "SELECT count(*) FROM citation_link WHERE paper_id NOT IN (SELECT paper_id FROM citation_fetch)"
            ).fetchone()[0]
        finally:
            conn.close()
        problems = [
            f"citations of {paper}: {stored} links for {said}" for paper, said, stored in rows if said != stored
        ]
        return problems + ([f"{orphans} citation links without a fetch row"] if orphans else [])

    def check_caught_up(self) -> list[str]:
        """After the next ordinary command (a search, in this process), the index agrees with the store."""
        try:
            with Library.open(self.root) as library:
                library.search("crashnote")  # what `kb search` does: sync notes, open the index, catch up
                return (
                    index_problems(self.root, library) + fulltext_problems(self.root, library) + self.check_no_rebuild()
                )
        except Exception as error:
            return [f"the next search failed: {type(error).__name__}: {error}"]

    def check_no_rebuild(self) -> list[str]:
        """No library rebuilt the index by itself (the trials' own `kb reindex` runs are asked for)."""
        lines = self.log_lines()[self.log_start :]
        automatic = [line for line in lines if "rebuild start" in line and "(asked)" not in line]
        return [f"{len(automatic)} full rebuilds ran unasked: {automatic[-1][-120:]}"] if automatic else []

    def log_lines(self) -> list[str]:
        return (self.root / ".kb" / "kb.log").read_text(encoding="utf-8", errors="replace").splitlines()

    def check_notes(self) -> list[str]:
        problems = []
        for name in NOTES:
            path = self.root / "notes" / f"{name}.md"
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                problems.append(f"note {name} unreadable: {error}")
                continue
            version = version_of(name, text)
            if version is None:
                problems.append(f"note {name} is partial ({len(text)} chars)")
            elif version < self.note_versions[name]:
                problems.append(f"note {name} went back from version {self.note_versions[name]} to {version}")
            else:
                self.note_versions[name] = version
        return problems

    def finish(self) -> KillReport:
        """One ordinary fetch and search after all the kills: everything must be there and findable."""
        report = KillReport()
        backfilled = kb(*BACKFILL, root=self.root)  # resumes a killed harvest; must then hold every paper
        if backfilled.returncode != 0 or backfilled.stderr:
            report.final_problems.append(f"the next backfill: exit {backfilled.returncode}: {backfilled.stderr[-500:]}")
        imported = [path for number, path in enumerate(self.bib_files) if 0 < number <= self.done.count("import")]
        for path in imported:  # each killed import, run again, completes: every paper stored and read
            again = kb("import-bib", str(path), "-q", root=self.root)
            if again.returncode != 0 or again.stderr:
                report.final_problems.append(f"the next import-bib: exit {again.returncode}: {again.stderr[-300:]}")
        fetched = kb("fetch", "-q", root=self.root)
        if fetched.returncode != 0 or fetched.stderr:
            report.final_problems.append(f"the next fetch: exit {fetched.returncode}: {fetched.stderr[-500:]}")
        searched = kb("search", "crashnotealphav" + str(self.note_versions["alpha"]), root=self.root)
        if searched.returncode != 0 or "note:alpha.md" not in searched.stdout:
            report.final_problems.append(f"the next search: exit {searched.returncode}: {searched.stderr[-300:]}")
        facts = store_facts(self.root)
        report.items_lost = len(self.reference - set(facts.ids))
        unread = [i for p in imported for i in _bib_ids(p) if facts.triage.get(i, ("new",))[0] != "read"]
        if unread:
            report.final_problems.append(f"{len(unread)} imported papers not stored and read: {unread[:3]}")
        report.final_problems += self.check()
        leftovers = sorted(p.name for p in (self.root / "notes").glob(".kb-*.tmp"))
        if leftovers:
            report.final_problems.append(f"temporary files left in notes/: {leftovers[:3]}")
        return report


def fulltext_ids(root: Path) -> list[str]:
    """The papers whose full text the store holds, read with sqlite3 alone."""
    conn = sqlite3.connect(f"file:{root / '.kb' / 'kb.sqlite'}?mode=ro", uri=True, timeout=30)
    try:
        return [str(row[0]) for row in conn.execute("SELECT item_id FROM fulltext")]
    finally:
        conn.close()


def fulltext_problems(root: Path, library: Library) -> list[str]:
    """Every stored full text reads back whole, and no change to one still waits for the index."""
    held = fulltext_ids(root)
    unreadable = [item_id for item_id in held if library.fulltexts.get(item_id) is None]
    problems = [f"{len(unreadable)} full texts unreadable: {unreadable[:3]}"] if unreadable else []
    if library.index_backlog():
        problems.append(f"{library.index_backlog()} changes still wait for the index after a search")
    return problems


def index_problems(root: Path, library: Library) -> list[str]:
    """Where the index differs from the store and notes/: ids, and every item's status, star and tags."""
    facts = store_facts(root)
    _, indexed = index_ids(root)
    expected = set(facts.ids) | note_ids(root)
    if indexed != expected:
        missing, extra = sorted(expected - indexed), sorted(indexed - expected)
        return [f"index: {len(missing)} missing {missing[:3]}, {len(extra)} extra {extra[:3]}"]
    problems = []
    limit = len(expected) + 10
    tags = sorted({tag for _, _, item_tags in facts.triage.values() for tag in item_tags})
    queries = {
        f"status:{status.value}": {i for i, t in facts.triage.items() if t[0] == status.value} for status in STATUSES
    }
    queries["is:starred"] = {i for i, t in facts.triage.items() if t[1]}
    queries.update({f"tag:{tag}": {i for i, t in facts.triage.items() if tag in t[2]} for tag in tags})
    for query, wanted in queries.items():
        got = {hit.id for hit in library.search(query, limit=limit).hits}
        if got != wanted:
            missing, extra = sorted(wanted - got), sorted(got - wanted)
            problems.append(f"index {query}: {len(missing)} missing {missing[:2]}, {len(extra)} extra {extra[:2]}")
    return problems


def _bib_ids(path: Path) -> list[str]:
    """The kb ids of the papers a lab BibTeX file names."""
    text = path.read_text(encoding="utf-8")
    return [f"arxiv:{line.split('{', 1)[1].rstrip('},')}" for line in text.splitlines() if "eprint = {" in line]
