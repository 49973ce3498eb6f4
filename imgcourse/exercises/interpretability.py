"""Checks for the exercises of ``08_interpretability``: integrated gradients by the
trapezoidal rule, a prediction about the shortcut model, and the share of a map in a corner.

Each check runs the learner's answer, prints what is wrong and a hint at the likely cause,
and returns a :class:`~imgcourse.exercises.Feedback`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from imgcourse.exercises.kit import (
    Feedback,
    as_array,
    call,
    check,
    compare_arrays,
    read_choice,
    verdict,
)

#: The answers :func:`check_swap_prediction` accepts, and the right one.
SWAP_CHOICES = ("above chance", "near chance", "below chance")
SWAP_ANSWER = "below chance"


# ------------------------------------------------------------------ exercise 1
def expected_trapezoid_attributions(
    image: np.ndarray, baseline: np.ndarray, path_gradients: np.ndarray
) -> np.ndarray:
    """Integrated gradients by the trapezoidal rule, (h, w, c).

    ``path_gradients`` is (m + 1, h, w, c): the gradient at t = 0, 1/m, ..., 1 on the path
    from ``baseline`` to ``image``; the two end points weigh half as much as the others.
    """
    g = np.asarray(path_gradients, np.float64)
    m = len(g) - 1
    integral = (g[0] / 2 + g[1:-1].sum(axis=0) + g[-1] / 2) / m
    return (image - baseline) * integral


def expected_riemann_attributions(
    image: np.ndarray, baseline: np.ndarray, path_gradients: np.ndarray
) -> np.ndarray:
    """(image - baseline) * mean of the gradients over the path's steps: (h, w, c)."""
    return (image - baseline) * path_gradients.mean(axis=0)


def _ig_case(seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    image = rng.random((5, 6, 3))
    baseline = np.full((5, 6, 3), 0.5)  # not 0: forgetting it must show
    grads = rng.normal(0, 1, (7, 5, 6, 3))  # m = 6 intervals, 7 points
    return image, baseline, grads


@check(wrap=True)
def check_trapezoid_attributions(fn: Callable[..., Any]) -> Feedback:
    """Check ``fn(image, baseline, path_gradients) -> (h, w, c)`` integrated gradients by the
    trapezoidal rule; ``path_gradients`` is (m + 1, h, w, c), both end points included.
    """
    image, baseline, grads = _ig_case()
    answer = call(fn, image, baseline, grads)
    expected = expected_trapezoid_attributions(image, baseline, grads)
    m = len(grads) - 1
    hint = ""
    arr = as_array(answer)
    if arr is None:
        pass
    elif arr.shape == expected.shape:
        integral = expected / (image - baseline)
        if np.allclose(arr, expected_riemann_attributions(image, baseline, grads)):
            hint = (
                "You averaged all the points alike: the trapezoidal rule gives the two end "
                "points (t = 0 and t = 1) half the weight of the others."
            )
        elif np.allclose(arr, image * integral):
            hint = (
                "You multiplied by the image, not by (image - baseline): the path starts "
                "at the baseline, so only the change from it is attributed."
            )
        elif np.allclose(arr, (image - baseline) * integral * m):
            hint = (
                "Divide the weighted sum by m, the number of intervals (points minus one): "
                "each trapezoid is 1/m wide."
            )
        elif np.allclose(arr, integral):
            hint = "That is the integral of the gradient alone; multiply it by (image - baseline)."
    elif arr.shape == grads.shape:
        hint = "Combine the points along the first axis (the path) into one (h, w, c) map."
    feedback = compare_arrays(answer, expected, what="your attributions", atol=1e-6, hint=hint)
    if not feedback:
        return feedback
    return (
        "your attributions match the trapezoidal rule: the same integral as section 2's "
        "midpoint sum, with the gradients taken at the ends of each interval."
    )


# ------------------------------------------------------------------ exercise 2
@check(wrap=True)
def check_swap_prediction(prediction: Any) -> Feedback:
    """Check the prediction for the shortcut model's accuracy on images with a swapped mark."""
    answer = read_choice(
        prediction,
        SWAP_CHOICES,
        f"store one of {SWAP_CHOICES} in the variable; got {prediction!r}.",
    )
    return verdict(
        prediction,
        right=answer == SWAP_ANSWER,
        correct="'below chance': a model that reads the mark follows it, so a mark of another "
        "class's colour makes it answer that class, wrong on nearly every image.",
        wrong="{value!r} is not what the maps of the shortcut model suggest. Where do its maps "
        "put most of the attribution, and what does that part of a swapped image say about "
        "the class?",
    )


# ------------------------------------------------------------------ exercise 3
def expected_corner_share(maps: np.ndarray, size: int) -> np.ndarray:
    """Share of each map's total |value| in its top-left size x size corner, (n,)."""
    a = np.abs(np.asarray(maps, np.float64))
    total = a.sum(axis=(1, 2))
    corner = a[:, :size, :size].sum(axis=(1, 2))
    return np.where(total > 0, corner / np.maximum(total, 1e-30), 0.0)


@check(wrap=True)
def check_corner_share(
    fn: Callable[..., Any], maps: np.ndarray | None = None, size: int = 4
) -> Feedback:
    """Check ``fn(maps, size) -> (n,)`` shares; with ``maps`` (n, h, w), the notebook's, also
    print the mean share the learner's function finds in their top-left ``size`` corner."""
    rng = np.random.default_rng(1)
    case = rng.normal(0, 1, (4, 9, 9))  # signed: the absolute value must be taken
    answer = call(fn, case, 3)
    expected = expected_corner_share(case, 3)
    hint = ""
    arr = as_array(answer)
    if arr is not None and arr.shape == expected.shape:
        signed = case[:, :3, :3].sum(axis=(1, 2)) / case.sum(axis=(1, 2))
        if np.allclose(arr, signed):
            hint = (
                "Take absolute values first: attributions can be negative, and a negative "
                "value is as much 'attention' as a positive one."
            )
        elif np.allclose(arr, np.abs(case)[:, :3, :3].sum(axis=(1, 2))):
            hint = "Divide by each map's total |value| to get a share between 0 and 1."
    feedback = compare_arrays(answer, expected, what="your corner shares", atol=1e-6, hint=hint)
    if not feedback:
        return feedback
    if maps is None:
        return "your shares match the expected ones."
    shares = call(fn, maps, size)
    area = size * size / (maps.shape[1] * maps.shape[2])
    return (
        f"your shares match. On the maps given, the top-left {size}x{size} corner holds "
        f"{float(np.mean(shares)):.1%} of the attribution on average, for {area:.1%} of "
        "the pixels."
    )
