"""What an alert says: the change between two states of a paper, and alerts merged while none was seen."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from kb.library.sources.alerts import describe_change, merge_alerts
from kb.models import Item, Kind

PAPER = Item(id="arxiv:1706.03762", kind=Kind.PAPER, title="Attention", summary="", url="", version=2)


def test_a_new_version_says_from_which_to_which() -> None:
    assert describe_change(PAPER, replace(PAPER, version=3)) == "v2 -> v3"


def test_a_journal_reference_appearing_names_the_journal_even_with_a_doi() -> None:
    after = replace(PAPER, journal_ref="NeurIPS 2017", doi="10.5555/3295222")
    assert describe_change(PAPER, after) == "now published in NeurIPS 2017"


def test_a_doi_alone_is_named_when_no_journal_reference_came() -> None:
    assert describe_change(PAPER, replace(PAPER, doi="10.5555/3295222")) == "now published in 10.5555/3295222"


def test_a_version_and_a_publication_at_once_say_both() -> None:
    after = replace(PAPER, version=3, journal_ref="Nature 1")
    assert describe_change(PAPER, after) == "v2 -> v3; now published in Nature 1"


def test_nothing_worth_an_alert() -> None:
    published = replace(PAPER, journal_ref="Nature 1", doi="10.1/x")
    assert describe_change(PAPER, replace(PAPER, comment="15 pages")) is None
    assert describe_change(published, replace(published, journal_ref="Nature 2")) is None  # corrected, not new
    assert describe_change(replace(PAPER, version=3), PAPER) is None
    assert describe_change(replace(PAPER, version=None), PAPER) is None


def test_merging_keeps_the_first_version_and_adds_what_is_new() -> None:
    assert merge_alerts(None, "v2 -> v3") == "v2 -> v3"
    assert merge_alerts("v2 -> v3", "v3 -> v4") == "v2 -> v4"
    assert merge_alerts("now published in X", "v2 -> v3") == "now published in X; v2 -> v3"
    assert merge_alerts("v2 -> v3; now published in X", "v3 -> v5; now published in X") == (
        "v2 -> v5; now published in X"
    )


@given(st.lists(st.integers(min_value=1, max_value=5), min_size=1, max_size=8), st.integers(1, 50))
def test_a_chain_of_versions_unseen_reads_first_to_last(steps: list[int], first: int) -> None:
    pending: str | None = None
    version = first
    for step in steps:
        pending = merge_alerts(pending, f"v{version} -> v{version + step}")
        version += step
    assert pending == f"v{first} -> v{version}"
