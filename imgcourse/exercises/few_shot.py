"""Checks for the exercises of ``15_few_and_zero_shot``: how accuracy moves with the number of
ways (predict, then run), the 95% interval over episodes, and which attribute the zero-shot
model gets wrong most often on unseen combinations.

Each check prints what is wrong and a hint at the likely cause and returns a
:class:`~imgcourse.exercises.Feedback`; the interval is compared with
:func:`imgcourse.metrics.episode_interval`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from imgcourse.exercises.kit import Feedback, NotYet, call, check, read_choice, verdict
from imgcourse.metrics.fewshot import episode_interval

DIRECTIONS = ("higher", "lower", "same")


@check
def check_way_prediction(prediction: Any, n_way: int = 5, more_ways: int = 20) -> Feedback:
    """Check a prediction ("higher", "lower" or "same") of how accuracy on unseen classes
    changes from ``n_way``- to ``more_ways``-way episodes with the same shots (Exercise 1)."""
    answer = read_choice(
        prediction, DIRECTIONS, f"store one of {DIRECTIONS} as a string; got {prediction!r}."
    )
    return verdict(
        answer,
        right=answer == "lower",
        correct=f"with {more_ways} prototypes instead of {n_way}, each query has more "
        f"classes to be confused with, and guessing falls from "
        f"1/{n_way} = {1 / n_way:.0%} to 1/{more_ways} = {1 / more_ways:.0%}. "
        "Papers report each N-way setting separately for this reason.",
        wrong="{value!r} is not it. Hint: {hint}",
        hint="the embedding does not change, but the task does: how many wrong prototypes can "
        "a query land nearer to, and what does a random guess score, in each case?",
    )


def _interval_cases() -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    return [
        rng.binomial(75, 0.6, 400) / 75,  # 400 episodes of 75 queries
        rng.binomial(25, 0.9, 1000) / 25,
        np.array([0.6, 0.8, 0.7, 0.9, 0.75] * 60),
    ]


@check
def check_interval(fn: Callable[[np.ndarray], Any]) -> Feedback:
    """Check ``fn(accuracies) -> (mean, half_width)``, the 95% normal-approximation interval
    over episodes (Exercise 2), against :func:`imgcourse.metrics.episode_interval`.

    Either standard deviation (divided by n or by n - 1) is accepted: with hundreds of
    episodes they agree to well under the tolerance.
    """
    for i, acc in enumerate(_interval_cases(), start=1):
        mean, half = call(
            fn,
            acc.copy(),
            shown=f"case {i}",
            raised="raised or returned something other than two numbers:",
            then=lambda answer: [float(v) for v in answer],
        )
        want = episode_interval(acc)
        want_half = want.high - want.value
        sd, n = acc.std(ddof=1), acc.size
        if not np.isclose(mean, want.value, atol=1e-6):
            raise NotYet(
                f"case {i}: mean {mean:.4f}; expected "
                f"{want.value:.4f}, the mean accuracy over episodes."
            )
        if np.isclose(half, want_half, rtol=5e-3):
            continue
        if np.isclose(half, 1.96 * sd, rtol=5e-3):
            hint = (
                "that is 1.96 standard deviations of one episode's accuracy; the interval "
                "is for the mean of n episodes, whose spread is sd / sqrt(n)."
            )
        elif np.isclose(half, sd / np.sqrt(n), rtol=5e-3):
            hint = (
                "that is one standard error; a 95% interval reaches 1.96 standard errors each side."
            )
        elif np.isclose(half, 2 * want_half, rtol=5e-3):
            hint = "that is the full width; return the half-width (mean +- half-width)."
        else:
            hint = "half-width = 1.96 * (standard deviation of the accuracies) / sqrt(n)."
        raise NotYet(
            f"case {i} ({n} episodes): half-width {half:.4f}; expected {want_half:.4f}. {hint}"
        )
    return (
        "mean +- 1.96 sd / sqrt(n): the interval shrinks with the "
        "square root of the number of episodes, so 4 times the "
        "episodes halve it."
    )


def wrong_attribute_counts(
    truth: np.ndarray, predicted: np.ndarray, names: Sequence[str]
) -> dict[str, int]:
    """How many images have each attribute wrong: (n, a) true and predicted attribute
    indices -> {attribute name: count}."""
    truth, predicted = np.asarray(truth), np.asarray(predicted)
    if truth.shape != predicted.shape or truth.ndim != 2 or truth.shape[1] != len(names):
        raise ValueError(
            f"truth and predicted must both be (n, {len(names)}); got "
            f"{truth.shape} and {predicted.shape}"
        )
    return {name: int((truth[:, j] != predicted[:, j]).sum()) for j, name in enumerate(names)}


@check
def check_worst_attribute(
    answer: Any, truth: np.ndarray, predicted: np.ndarray, names: Sequence[str]
) -> Feedback:
    """Check the name of the attribute most often wrong on the unseen combinations
    (Exercise 3)."""
    counts = wrong_attribute_counts(truth, predicted, names)
    worst = max(counts, key=counts.get)
    if not isinstance(answer, str) or answer not in counts:
        raise NotYet(f"store one of {list(counts)} as a string; got {answer!r}.")
    n = len(np.asarray(truth))
    if counts[answer] == counts[worst]:
        why = (
            "In training each colour came with only some shapes, so colour was a cheap "
            "clue to the shape; the shape head learned that clue, and on a combination it "
            "never saw, the clue points at a wrong shape."
            if answer == "shape"
            else "Look at the failures figure for what these images have in common."
        )
        return (
            f"{answer} is wrong on {counts[answer] / n:.1%} of the {n:,} "
            f"unseen-combination images. {why}"
        )
    raise NotYet(
        f"{answer} is wrong on {counts[answer] / n:.1%} of the images; another "
        "attribute is wrong "
        "more often. Hint: compare the predicted and true index of each attribute, "
        "column by column, on the unseen-combination images, and count the mismatches."
    )
