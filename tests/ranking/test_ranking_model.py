"""The logistic regression: it learns what separates wanted from unwanted, the same way every time."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from kb.library.ranking.model import Example, LinearModel, balanced, sigmoid, train


def toy() -> list[Example]:
    wanted = [Example({"w:diffusion": 1.0, f"w:x{n}": 0.5}, True) for n in range(20)]
    unwanted = [Example({"w:survey": 1.0, f"w:y{n}": 0.5}, False) for n in range(60)]
    return wanted + unwanted


def test_learns_the_words_that_separate() -> None:
    model = train(toy())
    assert model.weights["w:diffusion"] > 0 > model.weights["w:survey"]
    assert model.probability({"w:diffusion": 1.0}) > 0.8 > 0.2 > model.probability({"w:survey": 1.0})


def test_the_same_history_gives_the_same_model() -> None:
    assert train(toy()) == train(toy())


def test_classes_are_balanced_and_weights_kept() -> None:
    examples = [Example({}, True, 3.0), Example({}, False, 1.0), Example({}, False, 1.0)]
    out = balanced(examples)
    assert math.isclose(sum(e.weight for e in out if e.wanted), sum(e.weight for e in out if not e.wanted))
    assert math.isclose(sum(e.weight for e in out), len(examples))
    assert out[1].weight == out[2].weight


def test_one_class_alone_trains_without_error() -> None:
    model = train([Example({"w:a": 1.0}, True)] * 5)
    assert model.probability({"w:a": 1.0}) > 0.5


def test_sigmoid_never_overflows() -> None:
    assert sigmoid(-1000.0) == 0.0
    assert sigmoid(1000.0) == 1.0


@given(
    st.lists(
        st.tuples(st.dictionaries(st.sampled_from("abcdefgh"), st.floats(0, 10), max_size=5), st.booleans()),
        min_size=1,
        max_size=30,
    ),
    st.dictionaries(st.sampled_from("abcdefghij"), st.floats(0, 100), max_size=8),
)
def test_probabilities_stay_between_0_and_1(rows: list[tuple[dict[str, float], bool]], query: dict[str, float]) -> None:
    model = train([Example(features, wanted) for features, wanted in rows])
    assert all(math.isfinite(w) for w in model.weights.values())
    assert 0.0 <= model.probability(query) <= 1.0


def test_unknown_features_count_nothing() -> None:
    model = LinearModel({"w:a": 2.0}, 0.5)
    assert model.logit({"w:a": 1.0, "w:zzz": 9.0}) == 2.5
