"""Checks for the exercises of ``12_gans``: the discriminator's loss at the equilibrium
(predict, then run), a latent interpolation by hand, and the class the trained conditional
GAN draws least convincingly (alone, or against the classifier's accuracy on real images).

Each check prints what is wrong and a hint at the likely cause and returns a
:class:`~imgcourse.exercises.Feedback`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from imgcourse.exercises.kit import Feedback, NotYet, call, check, read, verdict


@check(wrap=True)
def check_equilibrium_loss(prediction: Any) -> Feedback:
    """Exercise 1: the discriminator's loss when it says 0.5 to every image is 2 ln 2 = ln 4."""
    value = read(prediction, float, f"store a number (nats); got {prediction!r}.")
    want = float(np.log(4.0))
    return verdict(
        value,
        right=abs(value - want) < 0.01,
        correct="-ln 0.5 on the real batch plus -ln 0.5 on the generated one: "
        f"ln 4 = {want:.3f}. A discriminator loss near it means the discriminator "
        "cannot tell, not that the images are good.",
        wrong="{value:.3f} is not it. {hint}",
        hints=[
            (
                abs(value - np.log(2.0)) < 0.01,
                "ln 2 is one of the two terms. The discriminator's loss adds the cross-entropy "
                "on the real batch and on the generated batch.",
            ),
            (
                abs(value) < 0.01,
                "0 would be a discriminator that is certain and right. Saying 0.5 costs "
                "-ln 0.5 per term.",
            ),
            (
                abs(value - 1.0) < 0.01 or abs(value - 0.5) < 0.01,
                "Cross-entropy is a log: the cost of probability p on the right answer is -ln p.",
            ),
        ],
        hint="Write the cross-entropy of probability 0.5 for each of the two terms.",
    )


def reference_interpolation(z0: np.ndarray, z1: np.ndarray, steps: int) -> np.ndarray:
    """(steps, latent_dim): z0 + t (z1 - z0) for t evenly spaced from 0 to 1 inclusive."""
    t = np.linspace(0.0, 1.0, int(steps))[:, None]
    return np.asarray(z0, np.float64)[None] * (1 - t) + np.asarray(z1, np.float64)[None] * t


@check(wrap=True)
def check_interpolation(fn: Callable[..., Any]) -> Feedback:
    """Exercise 2: ``fn(z0, z1, steps) -> (steps, latent_dim)`` from z0 to z1, both ends in."""
    rng = np.random.default_rng(0)
    for steps, dim in ((5, 3), (2, 8), (11, 32)):
        z0, z1 = rng.normal(size=dim), rng.normal(size=dim)
        answer = call(fn, z0, z1, steps, shown=f"fn(z0, z1, {steps})")
        want = reference_interpolation(z0, z1, steps)
        arr = None if answer is None else np.asarray(answer, np.float64)
        if arr is None or arr.shape != want.shape:
            got = None if arr is None else arr.shape
            raise NotYet(
                f"with steps={steps} and vectors of {dim} numbers, expected shape "
                f"{want.shape} (one row per step); got {got}."
            )
        if not np.allclose(arr[0], z0) or not np.allclose(arr[-1], z1):
            raise NotYet(
                "the first row must be z0 and the last z1: t runs from 0 to 1 with "
                "both ends included (np.linspace includes its end point; np.arange "
                "does not)."
            )
        if not np.allclose(arr, want, atol=1e-6):
            raise NotYet(
                "the ends are right but the steps between are not evenly spaced: row i "
                "should be z0 + t_i (z1 - z0) with t_i = i / (steps - 1)."
            )
    return "evenly spaced points from z0 to z1, both ends included."


def per_class_agreement(predicted: Any, requested: Any, num_classes: int) -> np.ndarray:
    """(num_classes,) share of the samples asked for each class that the classifier agrees
    with (NaN for a class never asked for)."""
    p, r = np.asarray(predicted), np.asarray(requested)
    out = np.full(num_classes, np.nan)
    for c in range(num_classes):
        if np.any(r == c):
            out[c] = np.mean(p[r == c] == c)
    return out


@check(wrap=True)
def check_weakest_class(answer: Any, predicted: Any, requested: Any, num_classes: int) -> Feedback:
    """Exercise 3: the class whose generated samples the classifier recognises least often."""
    shares = per_class_agreement(predicted, requested, num_classes)
    want = int(np.nanargmin(shares))
    value = read(answer, int, f"store a class index (an int); got {answer!r}.")
    if value == want:
        return (
            f"class {want}: the classifier recognises {shares[want]:.0%} of the "
            f"samples asked for it, against {np.nanmean(shares):.0%} on average."
        )
    if not 0 <= value < num_classes:
        raise NotYet(f"{value} is not a class; classes are 0 to {num_classes - 1}.")
    raise NotYet(
        f"class {value} is recognised in {shares[value]:.0%} of its samples; another class "
        "does worse. Group the samples by the class they were asked for (not by the class "
        "predicted) and take the share predicted correctly in each group."
    )


@check(wrap=True)
def check_largest_shortfall(
    answer: Any,
    predicted: Any,
    requested: Any,
    real_predicted: Any,
    real_labels: Any,
    num_classes: int,
) -> Feedback:
    """Exercise 3: the class whose generated samples fall furthest below the classifier's
    accuracy on real images of that class (real share minus generated share)."""
    gen = per_class_agreement(predicted, requested, num_classes)
    real = per_class_agreement(real_predicted, real_labels, num_classes)
    gap = real - gen
    want = int(np.nanargmax(gap))
    value = read(answer, int, f"store a class index (an int); got {answer!r}.")
    if value == want:
        return (
            f"class {want}: the classifier recognises {real[want]:.0%} of the real images of "
            f"it and {gen[want]:.0%} of the samples asked for it, a shortfall of "
            f"{gap[want]:.0%}: that part is the generator's, not the classifier's."
        )
    if not 0 <= value < num_classes:
        raise NotYet(f"{value} is not a class; classes are 0 to {num_classes - 1}.")
    raise NotYet(
        f"class {value} falls {gap[value]:.0%} short (real {real[value]:.0%}, generated "
        f"{gen[value]:.0%}); another class falls further. Take the share right per class on "
        "the real images (grouped by their true label) and on the samples (grouped by the "
        "class asked for), and subtract."
    )


__all__ = [
    "check_equilibrium_loss",
    "check_interpolation",
    "check_largest_shortfall",
    "check_weakest_class",
    "per_class_agreement",
    "reference_interpolation",
]
