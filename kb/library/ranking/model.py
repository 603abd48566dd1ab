"""L2-regularised logistic regression on sparse dict vectors, trained by a few epochs of SGD, in pure Python.

The person's history is hundreds to a few thousand labelled items of ~150 features each: pure Python
trains that in well under a second (benchmarks/ranking.py measures it), so kb needs no numpy.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

EPOCHS = 5  # more changes the benchmark's AUC by < 0.005 and costs time
L2 = 1e-3  # per example: keeps a word seen once on one starred paper from dominating
LEARNING_RATE = 0.5
SEED = 7  # the shuffling is seeded: the same history always gives the same model


@dataclass(frozen=True)
class Example:
    """One labelled item: its features, whether the person wanted it, and how much that choice counts."""

    features: Mapping[str, float]
    wanted: bool
    weight: float = 1.0


@dataclass(frozen=True)
class LinearModel:
    """A trained model: a weight per feature and a bias. ``logit`` is the score before the sigmoid."""

    weights: Mapping[str, float]
    bias: float

    def logit(self, features: Mapping[str, float]) -> float:
        weights = self.weights
        return self.bias + sum(value * weights.get(key, 0.0) for key, value in features.items())

    def probability(self, features: Mapping[str, float]) -> float:
        """How likely the person wants an item with these features (0..1)."""
        return sigmoid(self.logit(features))


def sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def balanced(examples: Sequence[Example]) -> list[Example]:
    """The examples reweighted so both classes weigh the same in total, and the mean weight is 1.

    Most people skip far more than they star; without this the model mostly learns that base rate.
    """
    totals = {True: 0.0, False: 0.0}
    for example in examples:
        totals[example.wanted] += example.weight
    if not totals[True] or not totals[False]:
        return list(examples)
    scale = {wanted: len(examples) / (2 * total) for wanted, total in totals.items()}
    return [Example(e.features, e.wanted, e.weight * scale[e.wanted]) for e in examples]


def train(
    examples: Sequence[Example], epochs: int = EPOCHS, l2: float = L2, learning_rate: float = LEARNING_RATE
) -> LinearModel:
    """Fit a logistic regression by SGD on the (class-balanced) weighted log loss plus ``l2``/2 |w|^2.

    The weight vector is kept as ``scale * v`` so the L2 shrinking of every weight at every step costs O(1)
    (Bottou's trick for sparse SGD); the step size decays as 1 / (1 + lr * l2 * t). Features are numbered
    first so the inner loops index a list instead of hashing strings (about twice as fast).
    """
    data = balanced(examples)
    numbers: dict[str, int] = {}
    rows = []
    for example in data:
        keys = [numbers.setdefault(key, len(numbers)) for key in example.features]
        target = 1.0 if example.wanted else 0.0
        rows.append((keys, list(example.features.values()), target, example.weight))
    v = [0.0] * len(numbers)
    order = list(range(len(rows)))
    rng = random.Random(SEED)
    scale, bias, step = 1.0, 0.0, 0
    for _ in range(epochs):
        rng.shuffle(order)
        for index in order:
            keys, values, target, weight = rows[index]
            rate = learning_rate / (1.0 + learning_rate * l2 * step)
            step += 1
            z = bias + scale * sum([v[k] * x for k, x in zip(keys, values, strict=True)])
            gradient = (sigmoid(z) - target) * weight
            scale *= 1.0 - rate * l2
            if scale < 1e-9:  # fold the scale back into the weights before it underflows
                v = [value * scale for value in v]
                scale = 1.0
            if gradient:
                change = rate * gradient / scale
                for k, x in zip(keys, values, strict=True):
                    v[k] -= change * x
                bias -= rate * gradient * 0.1  # the bias learns slower: it is shared by every example
    weights = {key: v[k] * scale for key, k in numbers.items() if abs(v[k] * scale) > 1e-6}
    return LinearModel(weights, bias)
