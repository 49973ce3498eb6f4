"""Checks for the exercises of ``03_data_and_augmentation``.

Which augmentations keep a label (a prediction), padding a photograph to a square, and
normalising with the training set's statistics. Each check runs the learner's answer, prints
what is wrong and why, and returns a :class:`~imgcourse.exercises.Feedback`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from imgcourse.exercises.kit import Feedback, NotYet, as_array, call, check, compare_arrays

#: The augmentation steps of ``imgcourse.data.augment``.
STEPS = ("flip", "rotation", "translation", "zoom", "contrast")

#: Why each step keeps, or breaks, the label of a handwritten digit (small settings).
_DIGIT_REASONS = {
    "flip": "a mirrored digit is often another symbol or no digit at all (a mirrored 2 looks "
    "like a 5, a mirrored 3 or 7 is no digit), so a flip changes what the image shows",
    "rotation": "a turn of a few degrees is how people slant their handwriting; the digit "
    "stays the same (only large turns confuse 6 and 9)",
    "translation": "a digit shifted a little in its box is still the same digit",
    "zoom": "a digit written a little larger or smaller is still the same digit",
    "contrast": "darker or lighter ink does not change which digit was written",
}


@check
def check_label_keeping(prediction: Any) -> Feedback:
    """Exercise 1: the set of steps that keep a handwritten digit's label.

    ``prediction`` is a set (or list) of names from :data:`STEPS`.
    """
    if isinstance(prediction, str) or not isinstance(prediction, (set, frozenset, list, tuple)):
        raise NotYet(
            f"the prediction should be a set of step names such as "
            f"{{'zoom', 'contrast'}}; got {type(prediction).__name__}."
        )
    chosen = {str(p).strip().lower() for p in prediction}
    unknown = sorted(chosen - set(STEPS))
    if unknown:
        raise NotYet(f"unknown step name(s) {unknown}; choose from {list(STEPS)}.")
    expected = set(STEPS) - {"flip"}
    wrong_in = sorted(chosen - expected)
    missing = sorted(expected - chosen)
    if wrong_in or missing:
        lines = [f"'{s}' does not keep the label: {_DIGIT_REASONS[s]}." for s in wrong_in]
        lines += [f"'{s}' keeps the label: {_DIGIT_REASONS[s]}." for s in missing]
        raise NotYet(" ".join(lines))
    return (
        "every step but the flip keeps a digit's label: "
        f"{_DIGIT_REASONS['flip']}. For photographs of cats the "
        "flip is safe; what keeps a label depends on the data."
    )


def expected_pad_to_square(image: np.ndarray) -> np.ndarray:
    """The reference: zeros around ``image`` (h, w, c) to a (s, s, c) square, s = max(h, w).

    The image sits in the middle; when the padding is odd the extra row or column goes at
    the bottom or right.
    """
    h, w = image.shape[:2]
    s = max(h, w)
    top, left = (s - h) // 2, (s - w) // 2
    out = np.zeros((s, s, *image.shape[2:]), dtype=np.float64)
    out[top : top + h, left : left + w] = image
    return out


#: (height, width, channels) of the test images for :func:`check_pad_to_square`.
PAD_CASES = ((3, 5, 3), (6, 4, 1), (5, 5, 3), (2, 7, 3), (8, 3, 3))


@check
def check_pad_to_square(fn: Callable[[np.ndarray], Any]) -> Feedback:
    """Exercise 2: ``pad_to_square(image)`` against :func:`expected_pad_to_square`."""
    rng = np.random.default_rng(0)
    for shape in PAD_CASES:
        image = 0.1 + 0.9 * rng.random(shape)  # no zeros inside: padding is easy to tell
        answer = call(
            fn, image.copy(), shown=f"for an image of shape {shape} your function", end="."
        )
        expected = expected_pad_to_square(image)
        got = np.asarray(answer) if answer is not None else None
        if (
            got is not None
            and shape[0] != shape[1]
            and got.shape == (min(shape[:2]),) * 2 + shape[2:]
        ):
            raise NotYet(
                f"an image of shape {shape} became {got.shape}: "
                "that square is the smaller side, which crops. "
                "Padding grows the shorter side up to the longer."
            )
        if got is not None and got.shape == expected.shape:
            h, w = shape[:2]
            if np.allclose(got[:h, :w], image) and not np.allclose(got, expected):
                raise NotYet(
                    f"for shape {shape} the image sits in the "
                    "top-left corner: put half the padding "
                    "before it, (size - h) // 2 rows on top and "
                    "(size - w) // 2 columns on the left."
                )
            if np.allclose(got[expected > 0], image.ravel()) and not np.allclose(got, expected):
                raise NotYet(
                    f"for shape {shape} the image is in place but "
                    "the border is not 0: pad with zeros."
                )
        feedback = compare_arrays(
            answer,
            expected,
            what=f"the padded {shape} image",
            hint="Centre the image; the extra row or column of an odd "
            "padding goes at the bottom or right.",
        )
        if not feedback:
            return feedback
    return (
        f"all {len(PAD_CASES)} images padded to centred squares "
        "with zero borders, the original pixels untouched."
    )


def expected_standardise(train_images: np.ndarray, images: np.ndarray) -> np.ndarray:
    """The reference: ``images`` standardised per channel with the training set's mean/std."""
    mean = train_images.mean(axis=(0, 1, 2))
    std = train_images.std(axis=(0, 1, 2))
    return (images - mean) / std


@check
def check_standardise(fn: Callable[[np.ndarray, np.ndarray], Any]) -> Feedback:
    """Exercise 3: ``standardise(train_images, images)`` with the training statistics."""
    rng = np.random.default_rng(1)
    offsets = np.array([0.2, 0.5, 0.7])
    train = np.clip(offsets + rng.normal(0, [0.05, 0.1, 0.2], (20, 6, 6, 3)), 0, 1)
    other = np.clip(offsets[::-1] + rng.normal(0, 0.15, (7, 6, 6, 3)), 0, 1)
    answer = call(fn, train.copy(), other.copy(), end=".")
    expected = expected_standardise(train, other)
    got = as_array(answer)
    if got is not None and got.shape == expected.shape:
        own = (other - other.mean(axis=(0, 1, 2))) / other.std(axis=(0, 1, 2))
        if np.allclose(got, own, atol=1e-4):
            raise NotYet(
                "you used the mean and spread of the images being "
                "normalised, not of the training set. A test image "
                "must be scaled exactly as the training images were "
                "(and a single test image has no useful statistics "
                "of its own): compute them from train_images."
            )
        overall = (other - train.mean()) / train.std()
        if np.allclose(got, overall, atol=1e-4):
            raise NotYet(
                "one mean and one spread for all channels: compute "
                "them per channel (axis=(0, 1, 2)), so that red, "
                "green and blue each end up centred on 0 with a "
                "spread of 1."
            )
        if np.allclose(got, other - train.mean(axis=(0, 1, 2)), atol=1e-4):
            raise NotYet(
                "the mean is subtracted but the result is not "
                "divided by the training standard deviation."
            )
    return compare_arrays(
        answer,
        expected,
        what="the standardised images",
        atol=1e-4,
        hint="(images - mean) / std with the training set's per-channel mean and std.",
    )
