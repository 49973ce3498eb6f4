"""Checks for the exercises of ``05_cnn_architectures`` (the multiply-adds of a convolution,
a predicted bottleneck saving, reading the architecture comparison table) and of
``05b_depth_and_scaling`` (a predicted compound-scaling cost, a verdict with its spread).

Each check runs or reads the learner's answer against a reference (Keras layers counted by
:func:`imgcourse.models.flops.count_flops`, the comparison table itself), prints what is wrong
with a hint at the likely slip, and returns a :class:`~imgcourse.exercises.Feedback`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from imgcourse.exercises.kit import (
    Feedback,
    NotYet,
    call,
    check,
    compare_number,
    read,
    read_choice,
    verdict,
)

#: (height, width, kernel, channels_in, filters, stride) cases, simplest first.
FLOP_CASES: tuple[tuple[int, int, int, int, int, int], ...] = (
    (8, 8, 3, 1, 1, 1),
    (32, 32, 3, 3, 16, 1),
    (16, 16, 1, 64, 32, 1),
    (32, 32, 3, 16, 32, 2),
    (15, 15, 5, 8, 8, 2),
)


def reference_conv_multiply_adds(
    height: int, width: int, kernel: int, channels_in: int, filters: int, stride: int = 1
) -> int:
    """Multiply-adds of one ``Conv2D(filters, kernel, strides=stride, padding="same")`` on a
    (height, width, channels_in) input, counted by
    :func:`~imgcourse.models.flops.count_flops` on a real Keras layer."""
    import keras

    from imgcourse.models.flops import count_flops

    model = keras.Sequential(
        [
            keras.Input((height, width, channels_in)),
            keras.layers.Conv2D(filters, kernel, strides=stride, padding="same"),
        ]
    )
    return count_flops(model)


def _flops_hint(answer: float, case: tuple[int, int, int, int, int, int]) -> str:
    h, w, k, c, f, s = case
    out = -(-h // s) * -(-w // s)  # ceil(h / s) * ceil(w / s) positions
    if answer == h * w * k * k * c * f and s > 1:
        return (
            "The stride is ignored: with stride 2 the kernel visits only every other position, "
            "so count the output's positions, ceil(height / stride) per axis."
        )
    if answer == out * k * k * f or answer == out * k * c * f:
        return "Each filter's kernel spans every input channel: k * k * channels_in weights."
    if answer == out * k * k * c:
        return "That is one filter; the layer has `filters` of them."
    if answer == k * k * c * f:
        return "That is the number of weights; each is used once at every output position."
    return "Count one multiply-add per kernel weight at every output position."


@check
def check_conv_multiply_adds(fn: Callable[..., Any]) -> Feedback:
    """Check ``fn(height, width, kernel, channels_in, filters, stride)`` against Keras layers
    counted by ``count_flops`` on the cases of :data:`FLOP_CASES`."""
    for case in FLOP_CASES:
        shown = f"conv_multiply_adds{case}"
        answer = call(fn, *case, shown=shown)
        expected = reference_conv_multiply_adds(*case)
        feedback = compare_number(answer, expected, what=shown, rtol=0, atol=0.5)
        if "should be a number" in feedback.message:
            return feedback
        if not feedback:
            raise NotYet(
                f"{shown} returned {answer}; expected {expected:,}. {_flops_hint(answer, case)}"
            )
    return f"all {len(FLOP_CASES)} cases match count_flops on Keras layers."


def bottleneck_ratio(channels: int = 256, reduced: int = 64) -> float:
    """Weights of one 3x3 convolution from ``channels`` to ``channels``, divided by the
    weights of a bottleneck (1x1 down to ``reduced``, 3x3, 1x1 back up), biases left out."""
    plain = 3 * 3 * channels * channels
    bottleneck = channels * reduced + 3 * 3 * reduced * reduced + reduced * channels
    return plain / bottleneck


@check
def check_bottleneck_prediction(prediction: Any, *, rtol: float = 0.15) -> Feedback:
    """Accept a predicted :func:`bottleneck_ratio` (256 channels, reduced to 64) within
    ``rtol`` (relative)."""
    expected = bottleneck_ratio()
    feedback = compare_number(prediction, expected, what="predicted_ratio", rtol=rtol)
    if "should be a number" in feedback.message:
        return feedback
    return verdict(
        prediction,
        right=feedback.passed,
        correct=f"the ratio is {expected:.2f}; yours {prediction:.2f}.",
        wrong=f"predicted_ratio is {{value}}; not within {rtol:.0%}. {{hint}}",
        hints=[
            (prediction < 1, "The bottleneck is the cheaper one, so the ratio is above 1."),
            (
                abs(prediction - 16) < 1.5,
                "Reducing 256 channels to 64 makes the 3x3 sixteen times cheaper, but the two "
                "1x1 convolutions cost weights too.",
            ),
        ],
        hint="Count the weights of each convolution as kernel height x width x channels in x "
        "channels out, and add the bottleneck's three.",
    )


@check
def check_most_efficient(
    answer: Any, accuracy: Mapping[str, float], multiply_adds: Mapping[str, float]
) -> Feedback:
    """Check that ``answer`` names the model with the highest test accuracy per million
    multiply-adds, given each model's accuracy and multiply-adds (from the comparison table)."""
    names = sorted(accuracy)
    if set(names) != set(multiply_adds):
        raise ValueError(
            f"accuracy and multiply_adds must name the same models; got {names} and "
            f"{sorted(multiply_adds)}"
        )
    score = {name: accuracy[name] / (multiply_adds[name] / 1e6) for name in names}
    best = max(score, key=score.get)
    if not isinstance(answer, str) or answer not in score:
        raise NotYet(f"most_efficient should be one of {names}; got {answer!r}.")
    if answer != best:
        if accuracy[answer] == max(accuracy.values()):
            hint = "That is the most accurate model; divide by its cost too."
        elif multiply_adds[answer] == min(multiply_adds.values()):
            hint = "That is the cheapest model; check how much accuracy it buys."
        else:
            hint = "Divide each model's test accuracy by its multiply-adds in millions."
        raise NotYet(
            f"{answer!r} gives {score[answer]:.2f} accuracy per million multiply-adds; "
            f"another model gives more. {hint}"
        )
    return f"{best!r}: {score[best]:.2f} accuracy per million multiply-adds."


def compound_cost(phi: float, alpha: float = 1.2, beta: float = 1.1, gamma: float = 1.15) -> float:
    """Multiply-adds of a network scaled by the compound rule (depth ``alpha ** phi``, width
    ``beta ** phi``, resolution ``gamma ** phi``), relative to the base, before rounding:
    ``(alpha * beta ** 2 * gamma ** 2) ** phi`` (a convolution's cost grows with its depth,
    the square of its width and the square of its resolution)."""
    return float((alpha * beta**2 * gamma**2) ** phi)


@check
def check_cost_prediction(prediction: Any, *, phi: float = 2.0, rtol: float = 0.2) -> Feedback:
    """Accept a predicted :func:`compound_cost` at ``phi`` within ``rtol`` (relative)."""
    value = read(prediction, float, f"predicted_cost should be a number; got {prediction!r}.")
    expected = compound_cost(phi)
    linear = 1.2**phi * 1.1**phi * 1.15**phi
    return verdict(
        value,
        right=abs(value - expected) <= rtol * expected,
        correct=f"the rule gives {expected:.2f} times the base's multiply-adds at phi = "
        f"{phi:g}; yours {value:.2f}.",
        wrong=f"predicted_cost is {{value:.2f}}; not within {rtol:.0%}. {{hint}}",
        hints=[
            (
                abs(value - linear) <= 0.1 * linear,
                "Width and resolution each act twice: a convolution's cost grows with the "
                "channels in times the channels out, and with height times width.",
            ),
            (value < 1, "A larger network costs more than the base: the ratio is above 1."),
        ],
        hint="Multiply how each of depth, width and resolution changes the cost of one "
        "convolution, then raise that per-step factor to the power phi.",
    )


@check(wrap=True)
def check_level_or_not(
    answer: Any, first: Sequence[float], second: Sequence[float], *, names: str = "width, depth"
) -> Feedback:
    """Check a verdict ("higher", "lower" or "level") on ``first`` against ``second``: per-seed
    test accuracies of two networks trained on the same seeds. "higher" when the mean of the
    per-seed differences exceeds twice their sample standard deviation, "lower" when it is
    below minus twice that, else "level"."""
    a, b = np.asarray(first, dtype=float), np.asarray(second, dtype=float)
    if a.shape != b.shape or a.ndim != 1 or len(a) < 2:
        raise ValueError(
            f"first and second must be per-seed values of equal length (at least 2); got "
            f"shapes {a.shape} and {b.shape}"
        )
    choice = read_choice(
        answer,
        ("higher", "lower", "level"),
        f"the verdict should be 'higher', 'lower' or 'level'; got {answer!r}.",
    )
    diff = a - b
    gain, spread = float(diff.mean()), float(diff.std(ddof=1))
    right = "higher" if gain > 2 * spread else "lower" if gain < -2 * spread else "level"
    shown = f"mean difference {gain:+.3f}, spread {spread:.3f} over {len(diff)} seeds"
    if choice != right:
        if choice != "level" and right == "level":
            hint = "The difference has a direction, but is it larger than twice its spread?"
        elif choice == "level":
            hint = "Compare the mean difference with twice the spread of the differences."
        else:
            hint = "Check the sign: first minus second, seed by seed."
        raise NotYet(f"'{choice}' is not what the runs show ({names}). {hint}")
    return f"'{right}': {shown} ({names})."
