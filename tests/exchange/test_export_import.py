"""`kb export` and `kb import` between two real workspaces: newer changes win, nothing is lost, twice is once."""

from __future__ import annotations

import json
from pathlib import Path

from kb.library import Library
from kb.models import ItemFilter, Status
from tests.exchange.conftest import kb, kb_json

PAPER = "arxiv:1706.03762"


def triage_of(root: Path) -> dict[str, tuple[object, ...]]:
    return {
        item["id"]: (item["status"], item["starred"], tuple(item["tags"])) for item in kb_json(root, "list", "--json")
    }


def export(root: Path, path: Path) -> dict[str, object]:
    result = kb(root, "export", "--output", str(path))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def first_post(root: Path) -> str:
    """The newest post with text (an undated one, filed under when kb first saw it, may have none)."""
    return str(next(post["id"] for post in kb_json(root, "list", "--kind", "post", "--json") if post["summary"]))


def test_export_lists_triaged_items_with_times_and_the_fetch_history(fetched: Path, tmp_path: Path) -> None:
    post = first_post(fetched)
    assert kb(fetched, "read", PAPER).exit_code == 0
    assert kb(fetched, "star", post).exit_code == 0
    assert kb(fetched, "tag", post, "survey").exit_code == 0
    data = export(fetched, tmp_path / "state.json")
    assert data["kb_export"] == 1
    items = {item["id"]: item for item in data["items"]}  # type: ignore[attr-defined]
    assert set(items) == {PAPER, post}  # untouched items carry no triage: not exported
    assert items[PAPER]["status"] == "read" and items[PAPER]["status_changed"]
    assert items[post]["starred"] and items[post]["tags"] == ["survey"] and items[post]["summary"]
    assert items[post]["starred_changed"] and items[post]["tags_changed"] and items[post]["status_changed"] is None
    assert [run["run_id"] for run in data["runs"]] == [1]  # type: ignore[attr-defined]
    assert {entry["source"] for entry in data["source_log"]} == {"arxiv", "Lil'Log"}  # type: ignore[attr-defined]
    assert {state["source"] for state in data["feed_state"]} == {"arxiv", "Lil'Log"}  # type: ignore[attr-defined]
    assert kb(fetched, "export").stdout.startswith("{")  # stdout when no --output


def test_import_into_an_empty_workspace_creates_what_it_lacks_and_twice_is_once(
    fetched: Path, empty: Path, tmp_path: Path
) -> None:
    post = first_post(fetched)
    for args in (("read", PAPER), ("star", PAPER), ("skip", post), ("tag", post, "later")):
        assert kb(fetched, *args).exit_code == 0
    path = tmp_path / "state.json"
    export(fetched, path)
    result = kb(empty, "import", str(path), "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["created_papers"] == [PAPER] and report["created_posts"] == [post]
    assert sorted(report["changed"]) == sorted([PAPER, post])
    shown = kb_json(empty, "show", PAPER, "--json")
    assert (shown["status"], shown["starred"], shown["has_metadata"]) == ("read", True, False)
    shown_post = kb_json(empty, "show", post, "--json")
    source_post = kb_json(fetched, "show", post, "--json")
    assert shown_post["status"] == "skipped" and shown_post["tags"] == ["later"]
    assert (shown_post["title"], shown_post["url"], shown_post["feed"]) == (
        source_post["title"],
        source_post["url"],
        source_post["feed"],
    )
    assert {hit["id"] for hit in kb_json(empty, "search", "is:starred", "--json")} == {PAPER}  # re-indexed
    before = triage_of(empty)
    again = kb(empty, "import", str(path), "--json")
    assert json.loads(again.stdout)["changed"] == [] and triage_of(empty) == before
    # the next fetch fills the placeholder in and keeps the imported triage
    assert kb(empty, "fetch", "-q").exit_code == 0
    with Library.open(empty) as library:
        paper = library.get_item(PAPER)
        assert paper.has_metadata and paper.title == "Attention Is All You Need"
        assert paper.status is Status.READ and paper.starred
        assert library.get_item(post).tags == ("later",)


def test_newer_changes_win_per_field_in_both_directions(fetched: Path, tmp_path: Path, served: object) -> None:
    other = tmp_path / "copy"
    assert kb(fetched, "star", PAPER).exit_code == 0
    export(fetched, tmp_path / "first.json")
    from tests.support.workspace import make_workspace

    make_workspace(other, served, categories=("cs.CL",))  # type: ignore[arg-type]
    assert kb(other, "import", str(tmp_path / "first.json")).exit_code == 0
    # now each side changes a different field of the same paper, the copy later
    assert kb(fetched, "read", PAPER).exit_code == 0
    assert kb(other, "unstar", PAPER).exit_code == 0
    assert kb(other, "tag", PAPER, "transformers").exit_code == 0
    export(fetched, tmp_path / "a.json")
    export(other, tmp_path / "b.json")
    assert kb(fetched, "import", str(tmp_path / "b.json")).exit_code == 0
    assert kb(other, "import", str(tmp_path / "a.json")).exit_code == 0
    want = ("read", False, ("transformers",))
    assert triage_of(fetched)[PAPER] == want
    assert triage_of(other)[PAPER] == want


def test_a_bad_file_is_one_line_and_changes_nothing(fetched: Path, tmp_path: Path) -> None:
    before = triage_of(fetched)
    cases = {
        "not-json.json": ("{items: [", "not JSON (line 1, column 2)"),
        "other.json": ('{"items": []}', "not a kb export file"),
        "newer.json": ('{"kb_export": 2, "items": []}', "export format 2"),
        "status.json": (
            json.dumps({"kb_export": 1, "items": [{"id": PAPER, "status": "done", "status_changed": "2026-01-01"}]}),
            "items[0].status: 'done' is not new, read or skipped",
        ),
        "time.json": (
            json.dumps(
                {"kb_export": 1, "items": [{"id": PAPER, "status": "read"}, {"id": PAPER, "starred_changed": "soon"}]}
            ),
            "items[1].starred_changed: 'soon' is not an ISO 8601 time",
        ),
        "id.json": (json.dumps({"kb_export": 1, "items": [{"id": "note:x.md"}]}), "items[0].id"),
    }
    for name, (text, message) in cases.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        result = kb(fetched, "import", str(tmp_path / name))
        assert result.exit_code == 2, name
        assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1, result.stderr
    missing = kb(fetched, "import", str(tmp_path / "nope.json"))
    assert missing.exit_code == 2 and "cannot read" in missing.stderr
    assert triage_of(fetched) == before


def test_import_reads_standard_input_and_skips_an_unknown_post_without_a_link(fetched: Path) -> None:
    data = {
        "kb_export": 1,
        "items": [
            {"id": PAPER, "status": "read", "status_changed": "2030-01-01T00:00:00+00:00"},
            {"id": "post:abcdefabcdef", "kind": "post", "starred": True, "starred_changed": "2030-01-01T00:00:00"},
        ],
    }
    result = kb(fetched, "import", "-", input=json.dumps(data))
    assert result.exit_code == 0, result.stderr
    assert "skipped post:abcdefabcdef" in result.stderr
    with Library.open(fetched) as library:
        assert library.get_item(PAPER).status is Status.READ
        assert library.count_items(ItemFilter(ids=("post:abcdefabcdef",))) == 0
