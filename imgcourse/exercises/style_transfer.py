"""Checks for the exercises of ``13_style_transfer``: what flipping the image does to a
Gram matrix (predict, then run), a Gram matrix with loops, and reading the optimisation's
style-loss curve.

Each check prints what is wrong and a hint at the likely cause and returns a
:class:`~imgcourse.exercises.Feedback`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from imgcourse.exercises.kit import Feedback, NotYet, call, check, read, verdict


@check
def check_flip_prediction(prediction: Any) -> Feedback:
    """Exercise 1: does flipping the style image upside down keep the Gram matrix of the course
    backbone's first layer? ``prediction`` is True for "it stays the same"."""
    if not isinstance(prediction, (bool, np.bool_)):
        raise NotYet(f"store True or False; got {prediction!r}.")
    return verdict(
        prediction,
        right=not bool(prediction),
        correct="it changes. The Gram matrix forgets where a pattern is, not which way it "
        "points: a filter that answers to an edge dark above and light below answers to "
        "the flipped edge no more, so other channels fire together. Only a shuffle of the "
        "feature maps themselves, not of the image, leaves it exactly the same.",
        wrong="{hint}",
        hint="the sum over positions forgets where, but the flip happens before the network. "
        "Are a first layer's 3x3 filters the same upside down? Compare the maps of the "
        "image and of the flipped image, position by position.",
    )


def reference_gram(features: np.ndarray) -> np.ndarray:
    """(h, w, c) -> (c, c): sum over positions of F[p, c] F[p, d], divided by h * w."""
    flat = np.asarray(features, np.float64).reshape(-1, features.shape[-1])
    return flat.T @ flat / flat.shape[0]


def _gram_cases() -> list[np.ndarray]:
    rng = np.random.default_rng(0)
    small = rng.random((3, 5, 4))
    return [small, np.tile(small, (2, 2, 1)), rng.normal(size=(6, 2, 3))]


@check
def check_gram_by_loops(fn: Callable[[np.ndarray], Any]) -> Feedback:
    """Exercise 2: ``fn(features (h, w, c)) -> (c, c)`` Gram matrix, divided by h * w."""
    for i, features in enumerate(_gram_cases(), start=1):
        answer = call(
            fn,
            features.copy(),
            shown=f"case {i}",
            none="the function returned None; `return` the matrix.",
        )
        want = reference_gram(features)
        arr = np.asarray(answer, dtype=np.float64)
        if arr.shape != want.shape:
            raise NotYet(
                f"case {i}: features of shape {features.shape} have {features.shape[-1]} "
                f"channels, so the Gram matrix is {want.shape}; got {arr.shape}. Loop over "
                "pairs of channels, not over positions."
            )
        if np.allclose(arr, want, atol=1e-6):
            continue
        positions = features.shape[0] * features.shape[1]
        if np.allclose(arr, want * positions, atol=1e-5):
            hint = (
                "the values are h * w times too large: divide the sum by the number of "
                "positions, so that a bigger image of the same texture has the same Gram "
                "matrix (case 2 is case 1 tiled 2x2)."
            )
        elif np.allclose(arr, want * positions / features.shape[-1], atol=1e-5):
            hint = "divide by the number of positions (h * w), not by the channels."
        else:
            hint = (
                "G[c, d] is the sum over every position of F[..., c] * F[..., d] (both "
                "channels at the same pixel), divided by h * w."
            )
        raise NotYet(f"case {i}: the values differ. {hint}")
    return (
        "a Gram matrix by loops; the tiled case shows the division by h * w makes it "
        "independent of the image's size."
    )


def steps_to_fraction(history: Sequence[float], fraction: float = 0.1) -> int:
    """The first step t after which the loss stays low: ``history[u] <= fraction *
    history[0]`` for every u >= t (-1 if the last value is above)."""
    values = np.asarray(history, np.float64)
    above = np.flatnonzero(values > fraction * values[0])
    if above.size == 0:
        return 0
    return -1 if above[-1] == len(values) - 1 else int(above[-1]) + 1


@check
def check_steps_to_tenth(answer: Any, history: Sequence[float]) -> Feedback:
    """Exercise 3: the first step from which the style loss stays at or below a tenth of its
    start."""
    values = np.asarray(history, np.float64)
    want = steps_to_fraction(values, 0.1)
    value = read(answer, int, f"store a whole number (a step index); got {answer!r}.")
    if value == want == -1:
        return "the style loss does not stay below a tenth by the last step."
    if value == want:
        share = want / max(len(values) - 1, 1)
        further = values[want] / max(values[-1], 1e-12)
        return (
            f"the style loss stays below a tenth from step {want}, {share:.1%} of the "
            f"{len(values) - 1} steps; it is still {further:.1f} times its last value "
            "there, so the later steps keep lowering it."
        )
    first = np.flatnonzero(values <= 0.1 * values[0])
    if first.size and value == int(first[0]) and value < want:
        hint = (
            f"the loss first reaches a tenth at step {value}, but it climbs above a tenth "
            f"again (step {want - 1} is above); find the step from which it stays below."
        )
    elif value == want + 1:
        hint = "count steps from 0: history[0] is the loss before any update."
    elif 0 <= value < want:
        hint = (
            f"step {want - 1} is still above a tenth of the start "
            f"({values[want - 1] / values[0]:.2f}); every later step must be at or below."
        )
    else:
        hint = (
            "mark the steps above 0.1 * history['style'][0]; the answer is one after the "
            "last of them (np.flatnonzero)."
        )
    raise NotYet(f"{value} is not it. {hint}")


__all__ = [
    "check_gram_by_loops",
    "check_flip_prediction",
    "check_steps_to_tenth",
    "reference_gram",
    "steps_to_fraction",
]
