"""Checks for the exercises of ``11_autoencoders``: the PSNR of noisy images (predict, then
run), PSNR by hand, and the class the trained autoencoder reconstructs worst.

Each check prints what is wrong and a hint at the likely cause and returns a
:class:`~imgcourse.exercises.Feedback`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from imgcourse.exercises.kit import Feedback, NotYet, call, check, read, verdict
from imgcourse.metrics.image_quality import psnr


def expected_noisy_psnr(sigma: float) -> float:
    """PSNR in dB of an image in [0, 1] with Gaussian noise of standard deviation ``sigma``
    added (before clipping): 10 log10(1 / sigma**2) = -20 log10(sigma)."""
    return float(-20.0 * np.log10(sigma))


@check(wrap=True)
def check_noisy_psnr_prediction(prediction: Any, sigma: float) -> Feedback:
    """Check a predicted PSNR (dB) of images with noise of std ``sigma`` (Exercise 1).

    Within 1.5 dB of -20 log10(sigma) passes: clipping to [0, 1] removes a little of the
    noise, so the measured value is slightly higher than the formula's.
    """
    value = read(prediction, float, f"store a number of decibels; got {prediction!r}.")
    want = expected_noisy_psnr(sigma)
    return verdict(
        value,
        right=abs(value - want) <= 1.5,
        correct=f"MSE = sigma^2 = {sigma**2:g}, so PSNR = 10 log10(1 / {sigma**2:g}) = "
        f"{want:.1f} dB (clipping to [0, 1] removes a little noise, so the measured "
        "value is a bit higher).",
        wrong="{value:.1f} dB is not it. Hint: {hint}",
        hints=[
            (
                abs(value - (-10.0 * np.log10(sigma))) <= 1.5,
                "that is 10 log10(1 / sigma): PSNR divides by the mean *squared* error, and "
                "the mean squared error of noise of standard deviation sigma is sigma squared.",
            ),
            (
                value < 0,
                "PSNR of a noisy image is positive when the noise is smaller than the range (1).",
            ),
        ],
        hint="the mean squared error of zero-mean noise is its variance; put it into "
        "10 log10(peak^2 / MSE) with peak 1.",
    )


def _psnr_cases() -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(0)
    a = rng.random((3, 6, 5, 3))
    b = np.clip(a + rng.normal(0, 0.1, a.shape), 0, 1)
    c = b.copy()
    c[1] += 0.3  # one image much worse than the others (no image is exact: no log of 0)
    grey = rng.random((2, 4, 4))
    return [(a, b), (a, c), (grey, grey * 0.5)]


@check(wrap=True)
def check_psnr_function(fn: Callable[..., Any]) -> Feedback:
    """Check ``fn(true, pred) -> (n,)`` PSNR per image, data in [0, 1] (Exercise 2), against
    :func:`imgcourse.metrics.psnr`."""
    for i, (t, p) in enumerate(_psnr_cases(), start=1):
        answer = call(
            fn, t, p, shown=f"case {i}", none="the function returned None: `return` the scores."
        )
        want = psnr(t, p)
        arr = np.asarray(answer, dtype=np.float64)
        if arr.shape != want.shape:
            hint = ""
            if arr.ndim == 0:
                hint = (
                    " One number for the whole batch: average the squared error over each "
                    "image's own axes (axis=(1, 2, 3) for colour), not over everything."
                )
            raise NotYet(
                f"case {i}: expected one PSNR per image, shape {want.shape}; got shape "
                f"{arr.shape}.{hint}"
            )
        if not np.allclose(arr, want, atol=1e-4):
            hint = "PSNR = 10 log10(1 / MSE), with the MSE of each image on its own."
            if np.allclose(arr, want / 2, atol=1e-4):
                hint = "yours is half the answer: 10 log10 of a ratio of squares, or 20 log10."
            elif np.allclose(arr, -want, atol=1e-4):
                hint = "the sign is flipped: the peak squared goes on top, the MSE below."
            raise NotYet(
                f"case {i}: expected {np.round(want, 2).tolist()} dB; got "
                f"{np.round(arr, 2).tolist()}. Hint: {hint}"
            )
    return "one PSNR per image, as imgcourse.metrics.psnr computes it."


def class_mean_scores(scores: np.ndarray, labels: np.ndarray, num_classes: int) -> np.ndarray:
    """Mean of per-image ``scores`` (n,) for each class of ``labels`` (n,) -> (num_classes,),
    NaN for a class with no image."""
    scores, labels = np.asarray(scores, np.float64), np.asarray(labels)
    total = np.bincount(labels, weights=scores, minlength=num_classes)
    count = np.bincount(labels, minlength=num_classes)
    with np.errstate(invalid="ignore"):
        return total / count


def class_mean_spreads(scores: np.ndarray, labels: np.ndarray, num_classes: int) -> np.ndarray:
    """Twice the standard error of each class's mean score -> (num_classes,), NaN for a class
    with fewer than two images."""
    scores, labels = np.asarray(scores, np.float64), np.asarray(labels)
    out = np.full(num_classes, np.nan)
    for k in range(num_classes):
        group = scores[labels == k]
        if len(group) > 1:
            out[k] = 2 * group.std(ddof=1) / np.sqrt(len(group))
    return out


@check(wrap=True)
def check_worst_class(
    answer: Any, scores: np.ndarray, labels: np.ndarray, class_names: Sequence[str]
) -> Feedback:
    """Check that ``answer`` names the class with the lowest mean score (Exercise 3).

    Args:
        answer: a class name from ``class_names``.
        scores: (n,) PSNR of each test image's reconstruction.
        labels: (n,) class index of each test image.
        class_names: the names of the classes, in index order.
    """
    names = list(class_names)
    means = class_mean_scores(scores, labels, len(names))
    worst = int(np.nanargmin(means))
    table = ", ".join(
        f"{n} {m:.1f} dB +- {s:.1f}"
        for n, m, s in zip(names, means, class_mean_spreads(scores, labels, len(names)))
    )
    if answer not in names:
        raise NotYet(f"store one of the class names {names}; got {answer!r}.")
    if answer == names[worst]:
        return (
            f"{answer} has the lowest mean PSNR ({table}; +- twice the standard error of "
            "each mean). Means whose +- ranges overlap are level: the data cannot rank them."
        )
    hint = "group the per-image PSNRs by label and average each group, then take the smallest"
    if answer == names[int(np.nanargmax(means))]:
        hint = "that class is reconstructed best: look for the smallest mean, not the largest"
    raise NotYet(f"{answer} is not the class with the lowest mean. Hint: {hint}.")
