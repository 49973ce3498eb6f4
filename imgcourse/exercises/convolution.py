"""Checks for the exercises of ``02_cnn_basics``: output sizes, 'same' convolution, parameters,
a predicted edge response, and the head's size for larger images.

Each check runs the learner's answer, prints what is wrong and a hint at the likely cause
(the common slips: a missing +1, the 'valid' formula used for 'same', a flipped kernel, a
forgotten bias), and returns a :class:`~imgcourse.exercises.Feedback`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from imgcourse.exercises.kit import (
    WIDTH,
    Feedback,
    NotYet,
    as_array,
    call,
    check,
    compare_arrays,
    compare_number,
    is_number,
)

#: (size, kernel_size, stride, padding) cases for :func:`check_conv_output_size`, simplest first.
OUTPUT_SIZE_CASES: tuple[tuple[int, int, int, str], ...] = (
    (32, 3, 1, "valid"),
    (28, 5, 1, "valid"),
    (32, 3, 1, "same"),
    (28, 5, 1, "same"),
    (32, 3, 2, "valid"),
    (7, 3, 2, "valid"),
    (10, 4, 3, "valid"),
    (32, 5, 2, "same"),
    (7, 3, 2, "same"),
)


def expected_output_size(
    size: int, kernel_size: int, stride: int = 1, padding: str = "valid"
) -> int:
    """Output length of a convolution or pooling along one axis, as Keras computes it.

    'valid' (no padding): floor((size - kernel_size) / stride) + 1.
    'same' (zero padding as needed): ceil(size / stride), whatever the kernel size.
    """
    if padding == "valid":
        return (size - kernel_size) // stride + 1
    if padding == "same":
        return math.ceil(size / stride)
    raise ValueError(f"padding must be 'valid' or 'same'; got {padding!r}")


def _output_size_hint(answer: int, size: int, k: int, stride: int, padding: str) -> str:
    valid = (size - k) // stride + 1
    same = math.ceil(size / stride)
    if padding == "valid":
        if answer == size - k and stride == 1:
            return (
                "Off by one: the window's left edge can sit at 0, 1, ..., size - kernel_size, "
                "which is size - kernel_size + 1 positions."
            )
        if stride > 1 and answer == size - k + 1:
            return (
                "The stride is ignored: the window jumps `stride` pixels at a time, so divide "
                "the room it has to move, (size - kernel_size), by the stride."
            )
        if stride > 1 and answer == math.ceil((size - k) / stride) + 1:
            return (
                "Rounded up: with 'valid' padding a window that would run past the edge is "
                "dropped, so use floor division `//`."
            )
        if answer == same:
            return (
                "That is the 'same' size. 'valid' means no padding: the kernel must fit "
                "inside the image, so the output shrinks by kernel_size - 1 (at stride 1)."
            )
        return "For 'valid': (size - kernel_size) // stride + 1."
    if stride > 1 and answer == size // stride:
        return (
            "Rounded down: 'same' keeps the last, partial window (it is padded), so the size is "
            "ceil(size / stride), which is (size + stride - 1) // stride."
        )
    if stride > 1 and answer == size:
        return "The stride is ignored: 'same' with stride s keeps one output per s input pixels."
    if answer == valid:
        return (
            "That is the 'valid' formula. 'same' pads the border with zeros so that, at "
            "stride 1, the output keeps the input's size whatever the kernel size."
        )
    return "For 'same': ceil(size / stride), whatever the kernel size."


@check(wrap=True)
def check_conv_output_size(fn: Callable[..., Any]) -> Feedback:
    """Check ``fn(size, kernel_size, stride=1, padding="valid") -> int`` on several cases.

    The learner writes the output size of a convolution (or pooling) along one axis for
    'valid' and 'same' padding and any stride. The first failing case is reported with a hint.
    """
    for size, k, stride, padding in OUTPUT_SIZE_CASES:
        shown = (
            f"{getattr(fn, '__name__', 'fn')}({size}, {k}, stride={stride}, padding={padding!r})"
        )
        answer = call(
            fn,
            size,
            k,
            stride=stride,
            padding=padding,
            shown=shown,
            none=f"{shown} returned None. Did the function forget to `return`?",
        )
        expected = expected_output_size(size, k, stride, padding)
        if not is_number(answer):
            raise NotYet(f"{shown} returned a {type(answer).__name__}; expected an int.")
        if not isinstance(answer, (int, np.integer)):
            hint = (
                "Sizes are whole numbers: use floor division `//` (or math.ceil for 'same') "
                "rather than `/`."
            )
            if answer == expected:
                raise NotYet(
                    f"{shown} returned {answer!r}, a float; expected the int {expected}. {hint}"
                )
            raise NotYet(f"{shown} returned {answer!r}; expected {expected}. {hint}")
        if answer != expected:
            hint = _output_size_hint(int(answer), size, k, stride, padding)
            raise NotYet(f"{shown} returned {answer}; expected {expected}. {hint}")
    return f"all {len(OUTPUT_SIZE_CASES)} cases match ('valid' and 'same' padding, strides 1 to 3)."


def _correlate_2d(image: np.ndarray, kernel: np.ndarray, pad_mode: str = "constant") -> np.ndarray:
    """Reference: 'same'-size cross-correlation of a 2-D image, padded with ``pad_mode``."""
    kh, kw = kernel.shape
    padded = np.pad(image, ((kh // 2, kh // 2), (kw // 2, kw // 2)), mode=pad_mode)
    height, width = image.shape
    out = np.zeros((height, width))
    for i in range(kh):
        for j in range(kw):
            out += kernel[i, j] * padded[i : i + height, j : j + width]
    return out


def _conv_same_cases() -> list[tuple[np.ndarray, np.ndarray]]:
    """A non-square image with an asymmetric 3x3 kernel, then a 5x5 kernel."""
    rng = np.random.default_rng(2)
    image = rng.integers(0, 10, (7, 9)).astype(np.float64)
    k3 = np.array([[1.0, 2.0, 0.0], [-1.0, 0.0, 3.0], [0.0, -2.0, 1.0]])
    k5 = rng.integers(-3, 4, (5, 5)).astype(np.float64)
    k5[0, 0], k5[4, 4] = 4.0, -4.0  # make sure the kernel is not symmetric
    return [(image, k3), (image, k5)]


def _conv_same_hint(answer: np.ndarray, image: np.ndarray, kernel: np.ndarray) -> str:
    expected = _correlate_2d(image, kernel)
    kh, kw = kernel.shape

    def close(a: np.ndarray, b: np.ndarray) -> bool:
        return a.shape == b.shape and bool(np.allclose(a, b, atol=1e-6))

    if close(answer, _correlate_2d(image, kernel[::-1, ::-1])):
        return (
            "These are the values of the FLIPPED kernel: you computed the textbook convolution. "
            "Keras (and this course) compute cross-correlation: multiply each weight with the "
            "pixel under it, without flipping the kernel."
        )
    for mode in ("reflect", "edge", "symmetric"):
        if close(answer, _correlate_2d(image, kernel, mode)):
            return (
                f"The border is padded in {mode!r} mode; 'same' in Keras pads with zeros "
                "(np.pad's default mode 'constant')."
            )
    inner = (slice(kh // 2, -(kh // 2)), slice(kw // 2, -(kw // 2)))
    if close(answer[inner], expected[inner]):
        return (
            "The inside is right but the border is not: pad the image with kernel_size // 2 "
            "zeros on every side before sliding the kernel."
        )
    if close(answer, expected.T) or close(answer, _correlate_2d(image.T, kernel).T):
        return "Rows and columns are swapped somewhere: index the image as image[row, column]."
    return (
        "Each output pixel (i, j) is the sum of kernel * the kernel-sized window of the "
        "zero-padded image whose top-left corner is at (i, j)."
    )


@check(wrap=True)
def check_conv2d_same(fn: Callable[[np.ndarray, np.ndarray], Any]) -> Feedback:
    """Check ``fn(image, kernel) -> output``: a 'same' convolution of one grey image.

    ``image`` is (height, width), ``kernel`` is (k, k) with k odd; the output has the
    image's shape, the border is padded with zeros and the kernel is not flipped
    (cross-correlation), as ``keras.layers.Conv2D(..., padding="same")`` computes it.
    """
    name = getattr(fn, "__name__", "fn")
    for image, kernel in _conv_same_cases():
        k = kernel.shape[0]
        shown = f"{name}(image of shape {image.shape}, {k}x{k} kernel)"
        answer = call(fn, image.copy(), kernel.copy(), shown=shown, none=True)
        expected = _correlate_2d(image, kernel)
        arr = as_array(answer)
        if arr is not None and arr.shape == (image.shape[0] - k + 1, image.shape[1] - k + 1):
            raise NotYet(
                f"{shown} returned shape {arr.shape}; expected {image.shape}. That is "
                "'valid' padding (the output shrinks to H - k + 1): pad the image with "
                f"k // 2 = {k // 2} zeros on each side first (np.pad)."
            )
        if arr is not None and arr.shape != image.shape and k == 5:
            raise NotYet(
                f"{shown} returned shape {arr.shape}; expected {image.shape}. It works "
                "for a 3x3 kernel but not a 5x5 one: pad by kernel_size // 2, not by 1."
            )
        hint = ""
        if arr is not None and arr.shape == image.shape:
            hint = _conv_same_hint(arr, image, kernel)
        result = compare_arrays(
            answer, expected, what=f"the output for a {k}x{k} kernel", atol=1e-6, hint=hint
        )
        if not result:
            return result
    return (
        "your 'same' convolution matches for a 3x3 and a 5x5 kernel: zero padding, "
        "no flip, output of the input's size."
    )


@check(wrap=True)
def check_param_count(answer: Any, layer: Any) -> Feedback:
    """Check the learner's parameter count for a ``keras.layers.Conv2D`` layer.

    A conv layer has one (kh, kw, in_channels) kernel per filter plus one bias per filter:
    (kh * kw * in_channels + 1) * filters, independent of the image size.
    """
    kh, kw, cin, cout = (int(s) for s in layer.kernel.shape)
    bias = 1 if getattr(layer, "use_bias", True) else 0
    expected = (kh * kw * cin + bias) * cout
    what = f"the parameter count of {layer.name!r}"
    shape = f"({kh}x{kw} kernels over {cin} input channels, {cout} filters)"
    hints = {
        kh * kw * cin * cout: f"You forgot the biases: each filter has one, so add {cout}.",
        (kh * kw + bias) * cout: "Each filter spans ALL input channels: it has "
        f"{kh}x{kw}x{cin} weights, not {kh}x{kw}.",
        kh * kw * cin + bias: f"That is one filter; the layer has {cout} of them.",
        (kh * kw * cout + bias) * cin: "Input and output channels are swapped: each filter "
        f"spans the {cin} input channels, and there are {cout} filters.",
    }
    output = getattr(layer, "output", None)
    if output is not None and len(output.shape) == 4 and None not in output.shape[1:3]:
        hints[expected * output.shape[1] * output.shape[2]] = (
            "Weights are shared across positions: the same filters slide over the whole "
            "image, so the count does not depend on the image size."
        )
    hint = f"Use (kh * kw * in_channels + 1) * filters {shape}."
    if is_number(answer) and float(answer).is_integer():
        hint = hints.get(int(answer), hint)
    result = compare_number(answer, expected, what=what, hint=hint)
    if not result:
        return result
    return f"{what} is {expected} = ({kh}*{kw}*{cin} + {bias}) * {cout}."


#: The predict-then-run scenario of 02: a reversed, weaker edge under the Sobel x kernel.
EDGE_LEFT, EDGE_RIGHT = 0.5, 0.0
SOBEL_X = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])


def expected_edge_response(left: float = EDGE_LEFT, right: float = EDGE_RIGHT) -> float:
    """Sobel x response where the 3x3 window straddles a vertical step from ``left`` to
    ``right`` brightness: the right column's weights (1, 2, 1) times ``right`` plus the left
    column's (-1, -2, -1) times ``left``, that is 4 * (right - left)."""
    return float(SOBEL_X[:, 2].sum() * right + SOBEL_X[:, 0].sum() * left)


@check(wrap=True)
def check_edge_prediction(prediction: Any) -> Feedback:
    """Check a prediction, made before running it, of the Sobel x response on the edge.

    The image is dark-to-bright reversed and weakened: its left half is ``EDGE_LEFT`` (0.5),
    its right half ``EDGE_RIGHT`` (0). The wrong answers that come from a missed sign, a
    missed scale or a forgotten weight get their own hint.
    """
    expected = expected_edge_response()
    step = EDGE_RIGHT - EDGE_LEFT
    what = "your predicted response on the edge"
    hints = {
        -expected: "The size is right but the sign is not: the kernel computes right column "
        "minus left column, and here the bright side is on the LEFT.",
        expected_edge_response(0.0, 1.0): "That is the answer for section 1's edge. Here the "
        f"step goes from {EDGE_LEFT:g} to {EDGE_RIGHT:g}: both its direction and its height "
        "changed.",
        -expected_edge_response(0.0, 1.0): "The sign is right, but the step is only "
        f"{abs(step):g} high: a convolution is linear, so the response scales with the step.",
        0.0: "Zero is the answer on flat ground; on the edge the window's left column sees "
        f"{EDGE_LEFT:g} and its right column {EDGE_RIGHT:g}.",
        step: "Each column of the kernel holds three weights (1, 2, 1): the middle row "
        "counts twice, so the column sums to 4, not 1.",
        3 * step: "The middle row's weight is 2, not 1: the column weights sum to 4.",
    }
    hint = (
        "Multiply each weight by the pixel under it and add: the left column (-1, -2, -1) "
        f"sees {EDGE_LEFT:g}, the middle column weighs 0, the right column (1, 2, 1) sees "
        f"{EDGE_RIGHT:g}."
    )
    if is_number(prediction):
        hint = next((t for v, t in hints.items() if np.isclose(float(prediction), v)), hint)
    result = compare_number(prediction, expected, what=what, atol=1e-6, hint=hint)
    if not result:
        return result
    return (
        f"{what} is {expected:g}: 4 x (right - left) = 4 x ({EDGE_RIGHT:g} - "
        f"{EDGE_LEFT:g}). The sign gives the edge's direction, the size its contrast."
    )


def _head_layout(model: Any) -> tuple[int, int, int]:
    """(number of 2x2 poolings, channels of the last conv layer, classes) of a small CNN."""
    pools = [layer for layer in model.layers if type(layer).__name__ == "MaxPooling2D"]
    convs = [layer for layer in model.layers if type(layer).__name__ == "Conv2D"]
    if not convs or any(tuple(p.pool_size) != (2, 2) for p in pools):
        raise ValueError(
            f"{model.name!r} is not a stack of Conv2D and 2x2 MaxPooling2D layers; pass the "
            "small CNN of 02_cnn_basics"
        )
    return len(pools), int(convs[-1].filters), int(model.get_layer("head").units)


def expected_head_params(model: Any, image_size: int) -> int:
    """Parameters of ``model``'s Dense ``head`` if it were built for square images of
    ``image_size`` pixels: (flattened length + 1 bias) * classes."""
    pools, channels, classes = _head_layout(model)
    side = image_size // 2**pools
    return (side * side * channels + 1) * classes


@check(wrap=True)
def check_head_params(answer: Any, model: Any, image_size: int = 64) -> Feedback:
    """Check the learner's count of the head's parameters for ``image_size`` inputs.

    ``model`` is the small CNN of 02 (conv/pool blocks, ``features`` = Flatten, ``head`` =
    Dense). The convolutions do not change with the image size; the head does, because
    Flatten's output grows with the area of the last feature maps.
    """
    pools, channels, classes = _head_layout(model)
    side = image_size // 2**pools
    expected = expected_head_params(model, image_size)
    built = f"{model.input.shape[1]}x{model.input.shape[2]}"
    what = f"the head's parameter count for {image_size}x{image_size} images"
    hints = {
        int(model.get_layer("head").count_params()): "That is the head of the model as built, "
        f"for its own input size. A {image_size}x{image_size} image gives larger last "
        "feature maps, and Flatten passes every value of them to the head.",
        side * side * channels * classes: f"You forgot the biases: one per class, {classes}.",
        side * side * channels + 1: f"That is one class's weights; the head has {classes}.",
        (side * side + 1) * classes: f"Flatten keeps every channel: multiply by the {channels} "
        "channels of the last block.",
    }
    for wrong_pools in range(pools):
        s = image_size // 2**wrong_pools
        hints.setdefault(
            (s * s * channels + 1) * classes,
            f"Count the poolings: there are {pools}, each halves the side, so the last maps "
            f"are {image_size} / {2**pools} = {side} pixels on a side.",
        )
    hint = (
        f"Follow the side through the {pools} poolings, multiply the last maps' area by their "
        f"{channels} channels (that is Flatten's length), add one bias and multiply by the "
        f"{classes} classes."
    )
    if is_number(answer) and float(answer).is_integer():
        hint = hints.get(int(answer), hint)
    result = compare_number(answer, expected, what=what, hint=hint)
    if not result:
        return result
    return (
        f"{what} is {expected:,} = ({side}*{side}*{channels} + 1) * {classes}, against "
        f"{int(model.get_layer('head').count_params()):,} for {built} images. The "
        "convolutions would not change, but the head "
        "would: Flatten ties the model to the input size it was built for."
    )


__all__ = [
    "WIDTH",
    "EDGE_LEFT",
    "EDGE_RIGHT",
    "OUTPUT_SIZE_CASES",
    "SOBEL_X",
    "check_conv2d_same",
    "check_conv_output_size",
    "check_edge_prediction",
    "check_head_params",
    "check_param_count",
    "expected_edge_response",
    "expected_head_params",
    "expected_output_size",
]
