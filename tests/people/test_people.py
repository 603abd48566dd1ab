"""People: feeds.yaml's `people`, `kb follow`, their sources fetched from a loopback server, `kb person`, person:."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from kb.cli.main import main
from kb.library import Library
from kb.models import Status
from tests.support.httpserver import HttpServer, http_server
from tests.support.workspace import FIXTURES, arxiv_api, make_workspace

__all__ = ["http_server"]

PEOPLE = FIXTURES / "people"
AU_SEARCH = "arxiv-api/api2016_search_au_del_maestro_AND_ti_quantum_criticality.xml"


def run(root: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["--root", str(root), *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def workspace(tmp_path: Path, http_server: HttpServer, corpus: Path) -> Path:
    """A workspace following nobody yet; the server has an author search, a blog, a Mastodon and a Bluesky feed."""
    http_server.add_handler("/api/query", arxiv_api(corpus, {"au:del_maestro": AU_SEARCH}))
    http_server.add_file("/colah.xml", corpus / "blogs" / "colah_blog_handwritten_rss2.xml")
    http_server.add_file("/@ada.rss", PEOPLE / "mastodon_ada.rss")
    http_server.add_file("/profile/ada.bsky.social/rss", PEOPLE / "bluesky_ada.rss")
    return make_workspace(tmp_path / "ws", http_server, extra={"search": {"engine": "whoosh"}})


def follow_everyone(root: Path, server: HttpServer) -> None:
    code, out, err = run(root, "follow", "Adrian Del Maestro", "--arxiv", "del_maestro", "-q")
    assert (code, out, err) == (0, "", "")
    code, out, err = run(
        root,
        "follow",
        "Ada Lovelace",
        "--blog",
        server.url("/colah.xml"),
        "--mastodon",
        server.url("/@ada.rss"),
        "--bluesky",
        server.url("/profile/ada.bsky.social/rss"),
        "--json",
    )
    assert code == 0, err
    sources = json.loads(out)["sources"]
    assert [(s["name"], s["kind"]) for s in sources] == [
        ("Ada Lovelace (blog)", "blog"),
        ("Ada Lovelace (Mastodon)", "mastodon"),
        ("Ada Lovelace (Bluesky)", "bluesky"),
    ]


def test_follow_writes_feeds_yaml_keeping_comments(workspace: Path, http_server: HttpServer) -> None:
    config = workspace / "feeds.yaml"
    config.write_text("# my feeds, by hand\n" + config.read_text(encoding="utf-8") + "# the end\n", encoding="utf-8")
    follow_everyone(workspace, http_server)
    code, out, err = run(
        workspace,
        "follow",
        "Hinton",
        "--arxiv",
        "Hinton_G",
        "--arxiv",
        "Geoffrey Hinton",
        "--exclude",
        "2401.00001v2",
        "--category",
        "cs.LG",
    )
    assert code == 0 and out == "" and err.startswith("kb follow: following Hinton: Hinton (arXiv)")
    text = config.read_text(encoding="utf-8")
    assert text.startswith("# my feeds, by hand\n") and "# the end\n" in text
    people = yaml.safe_load(text)["people"]
    assert [person["name"] for person in people] == ["Adrian Del Maestro", "Ada Lovelace", "Hinton"]
    assert people[2] == {
        "name": "Hinton",
        "arxiv": ["Hinton_G", "Geoffrey Hinton"],
        "exclude": ["2401.00001"],
        "categories": ["cs.LG"],
    }
    with Library.open(workspace) as library:
        query = next(q for q in library.config.arxiv.queries if q.person == "Hinton")
    assert query.name == "Hinton (arXiv)"
    assert query.query == '(au:Hinton_G OR au:"Geoffrey Hinton") AND cat:cs.LG'
    assert query.exclude == ("arxiv:2401.00001",)


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["Ada Lovelace", "--arxiv", "x"], "already following 'Ada Lovelace'"),
        (["Nobody"], "is followed nowhere"),
        (["Bob", "--mastodon", "bob at example"], "is neither @user@instance nor an http(s) URL"),
        (["Bob", "--bluesky", "not a handle"], "is neither a handle"),
        (["Bob", "--arxiv", "Bob_B", "--exclude", "not-an-id"], "is not an arXiv id"),
        (["Bob", "--arxiv", "Bob_B", "--category", "cs.XX"], "is not an arXiv category"),
        (["Bob", "--category", "cs.LG", "--blog", "https://b.example/feed"], "narrow the arXiv search"),
        (["Bob", "--blog", "ftp://b.example/feed"], "is not an http(s) URL"),
    ],
)
def test_follow_refuses_bad_input_in_one_line_writing_nothing(
    workspace: Path, http_server: HttpServer, args: list[str], problem: str
) -> None:
    follow_everyone(workspace, http_server)
    before = (workspace / "feeds.yaml").read_bytes()
    code, out, err = run(workspace, "follow", *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and problem in err, err
    assert (workspace / "feeds.yaml").read_bytes() == before


def test_social_accounts_become_feed_urls(workspace: Path) -> None:
    code, _, err = run(workspace, "follow", "Ada", "--mastodon", "@ada@Sigmoid.social", "--bluesky", "@ada.bsky.social")
    assert code == 0, err
    with Library.open(workspace) as library:
        urls = {feed.name: feed.url for feed in library.config.feeds if feed.person == "Ada"}
    assert urls == {
        "Ada (Mastodon)": "https://sigmoid.social/@ada.rss",
        "Ada (Bluesky)": "https://bsky.app/profile/ada.bsky.social/rss",
    }


@pytest.mark.parametrize(
    ("entry", "line", "problem"),
    [
        ("  - arxiv: Hinton_G\n", 2, "people[0]: missing 'name'"),
        ("  - name: X\n    mastodon: nope\n", 3, "people[0].mastodon: 'nope' is neither"),
        ("  - name: X\n    arxiv: X_Y\n    exclude: [1234]\n", 4, "people[0].exclude[0]: '1234' is not an arXiv id"),
        ("  - name: X\n    twitter: x\n", 3, "people[0].twitter: unknown key"),
        ("  - name: X\n    blog: https://x.ex/f\n  - name: x\n    arxiv: X_Y\n", 4, "people[1].name: 'x' is given"),
        ("  - X\n", 2, "people[0]: expected a mapping"),
        ("  name: X\n", 2, "people: expected a list"),
    ],
)
def test_malformed_people_are_one_line_naming_the_line(tmp_path: Path, entry: str, line: int, problem: str) -> None:
    root = tmp_path / "ws"
    run(tmp_path, "init", str(root))
    (root / "feeds.yaml").write_text("people:\n" + entry, encoding="utf-8")
    for command in (["fetch", "-q"], ["person", "X"], ["follow", "Y", "--arxiv", "Y_Z"]):
        code, out, err = run(root, *command)
        assert code == 2 and out == ""
        assert err.count("\n") == 1 and f"feeds.yaml:{line}: {problem}" in err, err


def test_a_persons_sources_are_fetched_and_their_page_shows_them(workspace: Path, http_server: HttpServer) -> None:
    follow_everyone(workspace, http_server)
    code, _, err = run(workspace, "fetch", "-q")
    assert code == 0, err
    assert http_server.requests_for("/api/query")[0].query["search_query"] == ["au:del_maestro"]

    code, out, _ = run(workspace, "person", "adrian del maestro", "--json")
    assert code == 0
    page = json.loads(out)
    assert [item["id"] for item in page["items"]] == ["arxiv:1111.2011", "arxiv:cond-mat/0607501"]  # newest first
    assert page["counts"]["items"] == 2 and page["counts"]["new"] == 2

    code, out, _ = run(workspace, "person", "Ada", "--json")  # a unique start of the name
    ada = json.loads(out)
    kinds = {source for item in ada["items"] for source in item["sources"]}
    assert kinds == {"Ada Lovelace (blog)", "Ada Lovelace (Mastodon)", "Ada Lovelace (Bluesky)"}
    dates = [item["published"] for item in ada["items"]]
    assert dates == sorted(dates, reverse=True)
    assert any("analytical engine" in item["summary"] for item in ada["items"] if "Bluesky" in item["sources"][0])


def test_the_page_shows_triage_and_notes(workspace: Path, http_server: HttpServer) -> None:
    follow_everyone(workspace, http_server)
    run(workspace, "fetch", "-q")
    assert run(workspace, "star", "1111.2011")[0] == 0
    assert run(workspace, "skip", "cond-mat/0607501")[0] == 0
    (workspace / "notes" / "criticality.md").write_text(
        "---\ntitle: Criticality\npapers: [arxiv:1111.2011]\n---\nBethe lattices.\n", encoding="utf-8"
    )
    code, out, _ = run(workspace, "person", "Adrian Del Maestro", "--json")
    page = json.loads(out)
    first, second = page["items"]
    assert first["starred"] and first["notes"] == ["criticality.md"]
    assert second["status"] == Status.SKIPPED.value and second["notes"] == []
    assert page["counts"] == {
        "items": 2,
        "new": 1,
        "read": 0,
        "skipped": 1,
        "starred": 1,
        "tagged": 0,
        "noted": 1,
    }
    code, text, _ = run(workspace, "person", "Adrian Del Maestro")
    assert code == 0 and "note: criticality.md" in text and "Adrian Del Maestro (arXiv): au:del_maestro" in text


def test_excluded_papers_never_arrive(workspace: Path, http_server: HttpServer) -> None:
    code, _, err = run(workspace, "follow", "Adrian", "--arxiv", "del_maestro", "--exclude", "cond-mat/0607501v1")
    assert code == 0, err
    run(workspace, "fetch", "-q")
    code, out, _ = run(workspace, "person", "Adrian", "--json")
    assert [item["id"] for item in json.loads(out)["items"]] == ["arxiv:1111.2011"]


def test_unknown_person_is_one_line(workspace: Path, http_server: HttpServer) -> None:
    follow_everyone(workspace, http_server)
    code, out, err = run(workspace, "person", "Zed")
    assert code == 1 and out == "" and err.count("\n") == 1 and "no person 'Zed'" in err
    code, _, err = run(workspace, "person", "A")  # Adrian or Ada
    assert code == 2 and "could be" in err


@pytest.mark.parametrize("engine", ["whoosh", "tantivy"])
def test_person_in_the_query_language(workspace: Path, http_server: HttpServer, engine: str) -> None:
    config = yaml.safe_load((workspace / "feeds.yaml").read_text(encoding="utf-8"))
    config["search"] = {"engine": engine}
    (workspace / "feeds.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    follow_everyone(workspace, http_server)
    run(workspace, "fetch", "-q")

    def found(query: str) -> set[str]:
        code, out, err = run(workspace, "search", query, "--json", "--limit", "100")
        assert code in (0, 1), err
        return {hit["id"] for hit in json.loads(out)}

    _, out, _ = run(workspace, "person", "Ada Lovelace", "--json")
    adas = {item["id"] for item in json.loads(out)["items"]}
    assert adas and found('person:"Ada Lovelace"') == adas == found('person:"ada lovelace"')
    adrians = {"arxiv:1111.2011", "arxiv:cond-mat/0607501"}
    assert found('person:"Adrian Del Maestro"') == adrians
    assert found('person:("Adrian Del Maestro" OR "Ada Lovelace")') == adas | adrians
    assert found('quantum person:"Adrian Del Maestro" -lattice') <= adrians
    assert found("person:Nobody") == set()
    code, _, err = run(workspace, "search", "person:ad*")
    assert code == 2 and "not a person's name" in err


def test_opml_import_and_export_live_with_people(workspace: Path, http_server: HttpServer, corpus: Path) -> None:
    follow_everyone(workspace, http_server)
    code, _, err = run(workspace, "opml", "import", str(corpus / "opml" / "rushter_data-science-blogs.opml"))
    assert code == 0, err
    with Library.open(workspace) as library:
        config = library.config
    assert [person.name for person in config.people] == ["Adrian Del Maestro", "Ada Lovelace"]
    assert len([feed for feed in config.feeds if feed.person is None]) > 10
    code, out, _ = run(workspace, "opml", "export")
    assert code == 0 and "Ada Lovelace (Mastodon)" in out  # a person's feeds are feeds like the others


def test_excluded_ids_are_keyed_as_items_are() -> None:
    from kb.config.people import arxiv_id_key
    from kb.models import parse_arxiv_id

    for text in ("2401.01234", "arxiv:2401.01234v3", "hep-th/9901001v2", "math.gt/0309136", "MATH.GT/0309136"):
        parsed = parse_arxiv_id(text)
        assert parsed is not None and arxiv_id_key(text) == parsed.key
    assert arxiv_id_key("1234") is None and arxiv_id_key("post:abc") is None


def test_person_names_complete(workspace: Path, http_server: HttpServer, tmp_path: Path) -> None:
    from tests.cli.test_completion import complete

    follow_everyone(workspace, http_server)
    result = complete(f"kb --root {workspace} person Ad", tmp_path)
    assert result.returncode == 0, result.stderr
    assert [line.split(",", 1)[1] for line in result.stdout.splitlines()] == ["Adrian Del Maestro", "Ada Lovelace"]
