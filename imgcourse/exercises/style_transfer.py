"""Checks for the exercises of ``13_style_transfer``: what shuffling positions does to a
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
def check_shuffle_prediction(prediction: Any) -> Feedback:
    """Exercise 1: does shuffling a feature map's positions change its Gram matrix?
    ``prediction`` is True for "the Gram matrix stays the same"."""
    if not isinstance(prediction, (bool, np.bool_)):
        raise NotYet(f"store True or False; got {prediction!r}.")
    return verdict(
        prediction,
        right=bool(prediction),
        correct="the Gram matrix sums products of channels over all positions, and a sum does "
        "not depend on the order of its terms; shuffling keeps the style and destroys "
        "the content.",
        wrong="{hint}",
        hint="write G[c, d] as a sum over positions p of F[p, c] * F[p, d]. A shuffle changes "
        "which p holds which pixel; does it change the set of terms being added?",
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
    """The first step t with ``history[t] <= fraction * history[0]`` (-1 if none)."""
    values = np.asarray(history, np.float64)
    below = np.flatnonzero(values <= fraction * values[0])
    return int(below[0]) if below.size else -1


@check
def check_steps_to_tenth(answer: Any, history: Sequence[float]) -> Feedback:
    """Exercise 3: the first step at which the style loss is at most a tenth of its start."""
    want = steps_to_fraction(history, 0.1)
    value = read(answer, int, f"store a whole number (a step index); got {answer!r}.")
    if value == want == -1:
        return "the style loss never fell to a tenth in the steps run."
    if value == want:
        share = want / max(len(history) - 1, 1)
        return (
            f"the style loss is down to a tenth after {share:.1%} of the "
            f"{len(history) - 1} steps: most of the drop comes early, the rest of the "
            "steps polish."
        )
    if value == want + 1:
        hint = "count steps from 0: history[0] is the loss before any update."
    elif 0 <= value < want:
        hint = (
            f"at step {value} the loss is {history[value] / history[0]:.2f} of its start, "
            "still above 0.1; find the first index where the ratio is at most 0.1."
        )
    else:
        hint = (
            "compare each value of history['style'] with 0.1 * history['style'][0] and "
            "take the first index where it is at or below (np.flatnonzero or argmax)."
        )
    raise NotYet(f"{value} is not it. {hint}")


__all__ = [
    "check_gram_by_loops",
    "check_shuffle_prediction",
    "check_steps_to_tenth",
    "reference_gram",
    "steps_to_fraction",
]
