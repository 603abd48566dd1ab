"""rank_inbox on a real workspace: history from the store and notes/, the cached model, mute rules."""

from __future__ import annotations

import dataclasses
import json
import os
from datetime import UTC, datetime
from pathlib import Path

from kb.library import Library
from kb.library.ranking.cache import CACHE_NAME, workspace_ranker
from kb.library.ranking.scores import SCORES_NAME
from kb.models import ItemFilter, Status
from tests.ranking.helpers import day, liked_and_disliked, paper
from tests.support.inside import store_of


def inbox(library: Library) -> list[str]:
    ranked = library.rank(library.list_items(ItemFilter(status=Status.NEW)))
    return [item.id for item, _, _ in ranked]


def arrive(library: Library) -> tuple[str, str]:
    """A new security paper, then a new diffusion paper by Jonathan Ho (newer): ids (disliked, liked)."""
    disliked = paper(901, "Malware detection survey", categories=("cs.CR",), authors=("Dee Evans",), published=40)
    liked = paper(900, "Latent diffusion models", authors=("Jonathan Ho",), categories=("cs.CV",), published=39)
    store_of(library).upsert_items([liked, disliked], "test", now=day(41))
    return disliked.id, liked.id


def test_an_empty_workspace_ranks_newest_first(library: Library) -> None:
    disliked, liked = arrive(library)
    assert inbox(library) == [disliked, liked]
    assert not (library.workspace.state / CACHE_NAME).exists() or workspace_ranker(library).learned is False


def test_ranks_the_inbox_by_the_history_and_says_why(library: Library) -> None:
    liked_and_disliked(store_of(library))
    disliked, liked = arrive(library)
    ranked = library.rank(library.items([disliked, liked]))
    assert [item.id for item, _, _ in ranked] == [liked, disliked]
    (_, best, why), (_, worst, _) = ranked
    assert best > 0.5 > worst
    assert "+ author Ho J." in why and "+ diffusion" in why


def test_the_model_is_cached_until_the_triage_changes(library: Library) -> None:
    liked_and_disliked(store_of(library))
    _, liked = arrive(library)
    cache = library.workspace.state / CACHE_NAME
    inbox(library)
    first = json.loads(cache.read_text())
    os.utime(cache, (1, 1))
    inbox(library)
    assert cache.stat().st_mtime == 1, "an unchanged history must not retrain"
    store_of(library).set_starred(liked, True, now=day(42))
    inbox(library)
    assert json.loads(cache.read_text())["fingerprint"] != first["fingerprint"]


def test_a_new_version_of_a_judged_paper_retrains(library: Library) -> None:
    """The cached model is found from narrow store columns, not the items: a judged paper's new content
    (a new version, as a fetch stores it) must still change the fingerprint."""
    history = liked_and_disliked(store_of(library))
    arrive(library)
    cache = library.workspace.state / CACHE_NAME
    inbox(library)
    first = json.loads(cache.read_text())["fingerprint"]
    inbox(library)
    assert json.loads(cache.read_text())["fingerprint"] == first
    judged = history[0]
    revised = dataclasses.replace(judged, version=(judged.version or 1) + 1, title="Diffusion models, revised")
    store_of(library).upsert_items([revised], "test", now=day(43))
    inbox(library)
    assert json.loads(cache.read_text())["fingerprint"] != first


def test_scores_are_remembered_per_model_and_content(library: Library) -> None:
    """A list without reasons reuses the scores the same model gave the same content; a changed item is
    scored anew, and the remembered scores are the ranker's own."""
    liked_and_disliked(store_of(library))
    disliked, liked = arrive(library)
    remembered = library.workspace.state / SCORES_NAME
    explained = {item.id: score for item, score, _ in library.rank(library.items([disliked, liked]))}
    first = {item.id: score for item, score, _ in library.rank(library.items([disliked, liked]), explain=False)}
    assert first == explained and remembered.exists()
    again = {item.id: score for item, score, _ in library.rank(library.items([disliked, liked]), explain=False)}
    assert again == first
    stored = store_of(library).get_items([liked])[0]
    revised = paper(900, "Malware detection survey", categories=("cs.CR",), authors=("Dee Evans",), published=39)
    store_of(library).upsert_items([dataclasses.replace(revised, version=2)], "test", now=day(42))
    changed = library.items([liked])[0]
    assert changed.title != stored.title
    [(_, score, _)] = library.rank([changed], explain=False)
    assert score == workspace_ranker(library).score(changed) and score < first[liked]


def test_a_damaged_cache_is_ignored_and_rewritten(library: Library) -> None:
    liked_and_disliked(store_of(library))
    disliked, liked = arrive(library)
    cache = library.workspace.state / CACHE_NAME
    for junk in ("{not json", '{"format": 1, "fingerprint": "x"}', "[]", ""):
        cache.write_text(junk)
        assert inbox(library) == [liked, disliked]
        assert json.loads(cache.read_text())["format"] == 1
    data = json.loads(cache.read_text())
    data["ranker"]["weights"] = "garbage"
    cache.write_text(json.dumps(data))
    assert inbox(library) == [liked, disliked]


def test_a_cache_that_cannot_be_written_costs_only_the_cache(library: Library) -> None:
    liked_and_disliked(store_of(library))
    disliked, liked = arrive(library)
    blocker = library.workspace.state / CACHE_NAME
    blocker.mkdir()  # a folder where the file should be: reading and replacing it both fail
    assert inbox(library) == [liked, disliked]
    assert inbox(library) == [liked, disliked]
    assert blocker.is_dir() and not list(blocker.iterdir())
    assert not list(library.workspace.state.glob(".ranking-*")), "no temporary file left behind"
    assert "cannot write" in library.workspace.log.read_text(encoding="utf-8")


def test_notes_on_disk_count_as_history_and_are_named(library: Library) -> None:
    items = liked_and_disliked(store_of(library))
    noted = items[0]
    note = library.workspace.notes / "diffusion.md"
    note.write_text(f"---\ntitle: Diffusion notes\npapers: [{noted.id}]\n---\nGood.\n", encoding="utf-8")
    disliked, liked = arrive(library)
    ranked = dict((item.id, why) for item, _, why in library.rank(library.items([liked, disliked])))
    assert f'similar to "{noted.title}' in ranked[liked] or "in your notes" in ranked[liked]
    [(_, _, own)] = library.rank(library.items([noted.id]))
    assert "in your notes" in own


def test_skips_by_a_mute_rule_teach_nothing(workspace: Path) -> None:
    with Library.open(workspace) as library:
        liked_and_disliked(store_of(library))
        assert workspace_ranker(library).unwanted == 30
    with (workspace / "feeds.yaml").open("a", encoding="utf-8") as handle:
        handle.write("\nmute:\n  - category: cs.CR\n")
    with Library.open(workspace) as library:
        ranker = workspace_ranker(library)
        assert ranker.unwanted == 0 or not ranker.learned
        assert ranker.wanted == 30


def test_the_digest_lists_each_source_in_the_for_you_order(library: Library) -> None:
    from click.testing import CliRunner

    from kb.cli.main import main

    liked_and_disliked(store_of(library))
    start = datetime.now(UTC)
    disliked = paper(901, "Malware detection survey", categories=("cs.CR",), authors=("Dee Evans",), published=40)
    liked = paper(900, "Latent diffusion models", authors=("Jonathan Ho",), categories=("cs.CV",), published=39)
    store_of(library).upsert_items([liked, disliked], "arrivals")  # arriving now; the disliked one is newer
    since = start.isoformat()
    result = CliRunner().invoke(main, ["--root", str(library.workspace.root), "digest", "--since", since])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "## arrivals (2)" in text
    assert text.index("Latent diffusion models") < text.index("Malware detection survey")


def test_ranking_without_reasons_keeps_the_order_and_scores(library: Library) -> None:
    liked_and_disliked(store_of(library))
    arrive(library)
    items = library.list_items(ItemFilter(status=Status.NEW))
    explained = library.rank(items)
    plain = library.rank(items, explain=False)
    assert [(item.id, score) for item, score, _ in plain] == [(item.id, score) for item, score, _ in explained]
    assert all(why == "" for _, _, why in plain) and any(why for _, _, why in explained)
