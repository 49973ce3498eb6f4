"""Checks for the exercises of ``17_deployment_and_on_device``: what a bad calibration set does
to a full-integer model (predict, then run), quantising an input by hand, and which test images
the int8 model labels differently from the float32 one.

Each check prints what is wrong and a hint and returns a :class:`~imgcourse.exercises.Feedback`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from imgcourse.deploy.tflite import quantize
from imgcourse.exercises.kit import Feedback, NotYet, call, check, read, read_choice, verdict

CALIBRATION_ANSWERS = ("same", "lower")


@check
def check_calibration_prediction(prediction: Any) -> Feedback:
    """Check a prediction ("same" or "lower") of the int8 model's test accuracy when it is
    calibrated on dark images (every pixel at most a tenth of full brightness) instead of
    training images (Exercise 1)."""
    answer = read_choice(
        prediction,
        CALIBRATION_ANSWERS,
        f"store one of {CALIBRATION_ANSWERS} as a string; got {prediction!r}.",
    )
    return verdict(
        answer,
        right=answer == "lower",
        correct="the converter sets each tensor's int8 range from the values it saw during "
        "calibration. Dark images give the input a range of about [0, 0.1], so every "
        "brighter pixel of a real image is clipped to the top of the range, and the "
        "layers after it were calibrated for small activations too: the model sees a "
        "washed-out image. Calibrate on images like the ones the app will meet.",
        wrong="{value!r} is not it. Hint: {hint}",
        hint="after conversion, what is the largest input value an int8 tensor with the "
        "calibrated scale can represent, and how bright are real images?",
    )


def _quantize_cases() -> list[tuple[np.ndarray, float, int]]:
    rng = np.random.default_rng(0)
    return [
        (rng.random((2, 4, 4, 3)).astype(np.float32), 1 / 255, -128),
        (np.array([0.0, 0.5, 1.0, 1.5, -0.2], np.float32), 1 / 255, -128),  # needs clipping
        (np.array([0.013, 0.0129, -0.3, 0.31], np.float32), 0.01, 3),  # needs rounding
    ]


@check
def check_quantize(fn: Callable[[np.ndarray, float, int], Any]) -> Feedback:
    """Check ``fn(x, scale, zero_point) -> int8 array``: round(x / scale) + zero_point,
    clipped to [-128, 127] (Exercise 2)."""
    for i, (x, scale, zero) in enumerate(_quantize_cases(), start=1):
        want = quantize(x, scale, zero, np.int8)
        got = call(fn, x.copy(), scale, zero, shown=f"case {i}", then=np.asarray)
        if got.shape != want.shape:
            raise NotYet(f"case {i}: shape {got.shape}; expected {want.shape}, as x.")
        if got.dtype != np.int8:
            raise NotYet(
                f"case {i}: dtype {got.dtype}; the interpreter's int8 input needs "
                "np.int8 (clip first, then .astype(np.int8))."
            )
        if np.array_equal(got, want):
            continue
        unclipped = np.round(x / scale) + zero
        truncated = np.clip(np.trunc(x / scale) + zero, -128, 127)
        if np.array_equal(got, unclipped.astype(np.int8)):
            hint = (
                "values beyond the range wrapped around (1.5 became a negative number): clip "
                "to [-128, 127] before casting to int8."
            )
        elif np.array_equal(got, truncated.astype(np.int8)):
            hint = "astype truncates towards zero; round to the nearest integer first."
        elif np.array_equal(got, np.clip(np.round(x / scale), -128, 127).astype(np.int8)):
            hint = "the zero point is missing: q = round(x / scale) + zero_point."
        else:
            hint = "q = round(x / scale) + zero_point, then clip to [-128, 127], then int8."
        raise NotYet(f"case {i}: {got.ravel()[:5]} ...; {hint}")
    return (
        "q = round(x / scale) + zero_point, clipped to int8. With scale 1/255 and zero "
        "point -128, the pixel range [0, 1] maps onto all 256 int8 values, so the input "
        "loses nothing an 8-bit image had."
    )


@check
def check_disagreements(answer: Any, float_probs: np.ndarray, int8_probs: np.ndarray) -> Feedback:
    """Check the indices of the test images whose int8 label differs from the float32 one
    (Exercise 3), then say how confident the float32 model was on them."""
    float_probs, int8_probs = np.asarray(float_probs), np.asarray(int8_probs)
    want = np.flatnonzero(float_probs.argmax(1) != int8_probs.argmax(1))
    got = read(
        answer,
        lambda indices: np.sort(np.asarray(indices, dtype=np.int64).ravel()),
        f"store an array of image indices; got {answer!r}.",
    )
    if got.size and (got.min() < 0 or got.max() >= len(float_probs)):
        raise NotYet(
            f"indices must lie in 0..{len(float_probs) - 1}; got {got.min()}, {got.max()}."
        )
    if not np.array_equal(got, want):
        if got.size and np.isin(got, want).all():
            hint = "some images are missing; compare every test image's two labels."
        else:
            hint = (
                "compare the predicted labels (argmax over classes), not the probabilities, "
                "and keep the indices where they differ."
            )
        raise NotYet(f"that is not the set of disagreeing images. Hint: {hint}")
    n = len(float_probs)
    confidence = float_probs.max(1)
    if not want.size:
        return f"the two models agree on all {n:,} test images: quantisation moved no label."
    lower = confidence[want].mean() < confidence.mean()
    why = (
        "quantisation noise flips images near a decision boundary, where two classes were "
        "almost tied."
        if lower
        else "here the flipped images were not less certain than the rest, so look at them: "
        "quantisation may have hit one class's features harder than the others'."
    )
    return (
        f"they disagree on {want.size / n:.1%} of the test images. The float32 model's "
        f"mean confidence was {confidence[want].mean():.1%} on those images and "
        f"{confidence.mean():.1%} on all: {why}"
    )
