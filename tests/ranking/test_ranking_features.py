"""The features the ranking learns from: words, word pairs, authors, categories, feeds."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from kb.library.ranking.features import Vectorizer, cosine, item_words, short_author, words
from kb.models import Author, Item, Kind


def item(title: str = "", summary: str = "", **fields: object) -> Item:
    return Item(id="arxiv:2611.00001", kind=Kind.PAPER, title=title, summary=summary, url="", **fields)  # type: ignore[arg-type]


def test_words_drop_stop_words_and_plurals_and_pair_neighbours() -> None:
    assert words("We propose Diffusion Models for the images") == [
        "diffusion",
        "model",
        "diffusion model",
        "image",
    ]


def test_a_stop_word_breaks_a_pair() -> None:
    assert "learning representation" not in words("learning of representations")
    assert words("loss bias analysis") == ["loss", "bias", "loss bias", "analysis", "bias analysis"]


def test_numbers_and_short_words_are_not_features() -> None:
    assert words("3D GPT-4 at 2026 is ok") == ["gpt-4"]


def test_title_words_count_double() -> None:
    counts = item_words(item("Diffusion", "diffusion and transformers"))
    assert counts["diffusion"] == 3
    assert counts["transformer"] == 1


def test_authors_are_named_by_surname_and_initials() -> None:
    assert short_author("Jonathan Ho") == "Ho J."
    assert short_author("Vincent Y. F. Tan") == "Tan V.Y.F."
    assert short_author("Plato") == "Plato"


def test_vector_parts() -> None:
    one = item("Diffusion models", "Denoising.", authors=(Author("Jonathan Ho"), Author("Ann Lee")),
               categories=("cs.CV", "cs.LG"))  # fmt: skip
    vector = Vectorizer.build([item_words(one)]).vector(one)
    word_norm = math.sqrt(sum(v * v for k, v in vector.items() if k.startswith("w:")))
    assert math.isclose(word_norm, 1.0)
    assert vector["a:jonathan ho"] == vector["a:ann lee"] < 0.5  # the authors share one weight
    assert vector["c:cs.CV"] == 2 * vector["c:cs.LG"]  # the primary category counts double
    assert "k:paper" in vector


def test_a_post_has_its_feed() -> None:
    blog = Item(id="post:1", kind=Kind.POST, title="On attention", summary="", url="", feed="Lil'Log")
    assert "f:lil'log" in Vectorizer(1, {}).vector(blog)


def test_rare_words_weigh_more_than_common_ones() -> None:
    docs = [item("attention transformers"), item("attention kernels"), item("attention graphs")]
    vectorizer = Vectorizer.build(item_words(d) for d in docs)
    vector = vectorizer.vector(docs[0])
    assert vector["w:transformer"] > vector["w:attention"]


def test_cosine() -> None:
    assert cosine({"a": 1.0}, {"a": 2.0}) == 1.0
    assert cosine({"a": 1.0}, {"b": 1.0}) == 0.0
    assert cosine({}, {"a": 1.0}) == 0.0


@given(st.text(), st.text(), st.lists(st.text(max_size=30), max_size=5), st.lists(st.text(max_size=8), max_size=4))
def test_any_item_gives_a_finite_vector(title: str, summary: str, names: list[str], categories: list[str]) -> None:
    one = item(title, summary, authors=tuple(Author(n) for n in names), categories=tuple(categories))
    vector = Vectorizer.build([item_words(one)]).vector(one)
    assert all(math.isfinite(value) and value >= 0 for value in vector.values())
    assert all(len(feature.split(" ")) in (1, 2) and feature == feature.lower() for feature in words(title))
