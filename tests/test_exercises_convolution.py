"""Checks for 02's exercises: right answers pass; each kind of wrong answer gets its hint."""

from __future__ import annotations

import math

import numpy as np
import pytest

from imgcourse.exercises import convolution as ex


# --- output size -------------------------------------------------------------------------
def right_size(size, kernel_size, stride=1, padding="valid"):
    if padding == "same":
        return math.ceil(size / stride)
    return (size - kernel_size) // stride + 1


def test_output_size_right_answer_passes(capsys):
    feedback = ex.check_conv_output_size(right_size)
    assert feedback.passed
    assert capsys.readouterr().out.startswith("Correct:")


def test_output_size_matches_keras():
    import keras

    for size, k, stride, padding in ex.OUTPUT_SIZE_CASES:
        layer = keras.layers.Conv2D(1, k, strides=stride, padding=padding)
        out = layer.compute_output_shape((1, size, size, 1))
        assert out[1] == ex.expected_output_size(size, k, stride, padding)


@pytest.mark.parametrize(
    ("fn", "words"),
    [
        (lambda n, k, stride=1, padding="valid": n - k, "Off by one"),
        (
            lambda n, k, stride=1, padding="valid": n - k + 1 if padding == "valid" else n,
            "stride is ignored",
        ),
        (
            lambda n, k, stride=1, padding="valid": (
                math.ceil((n - k) / stride) + 1 if padding == "valid" else math.ceil(n / stride)
            ),
            "Rounded up",
        ),
        (lambda n, k, stride=1, padding="valid": (n - k) // stride + 1, "'valid' formula"),
        (
            lambda n, k, stride=1, padding="valid": (
                (n - k) // stride + 1 if padding == "valid" else n // stride
            ),
            "Rounded down",
        ),
        (lambda n, k, stride=1, padding="valid": (n - k) / stride + 1, "a float"),
        (lambda n, k, stride=1, padding="valid": None, "forget to `return`"),
        (lambda n, k, stride=1, padding="valid": str(n - k + 1), "returned a str"),
        (lambda n, k: n - k + 1, "raised TypeError"),
    ],
)
def test_output_size_wrong_answers_get_specific_hints(fn, words, capsys):
    feedback = ex.check_conv_output_size(fn)
    assert not feedback.passed
    assert words in feedback.message
    assert capsys.readouterr().out.startswith("Not yet:")


def test_output_size_same_for_valid_is_named():
    feedback = ex.check_conv_output_size(lambda n, k, stride=1, padding="valid": n)
    assert not feedback.passed
    assert "'same' size" in feedback.message


# --- 'same' convolution ------------------------------------------------------------------
def right_conv(image, kernel):
    k = kernel.shape[0]
    padded = np.pad(image, k // 2)
    out = np.zeros(image.shape)
    for i in range(image.shape[0]):
        for j in range(image.shape[1]):
            out[i, j] = np.sum(padded[i : i + k, j : j + k] * kernel)
    return out


def test_conv_same_right_answer_passes():
    assert ex.check_conv2d_same(right_conv).passed


def test_conv_same_reference_matches_keras():
    import keras

    for image, kernel in ex._conv_same_cases():
        layer = keras.layers.Conv2D(1, kernel.shape[0], padding="same", use_bias=False)
        layer.build((1, *image.shape, 1))
        layer.set_weights([kernel[:, :, None, None]])
        out = keras.ops.convert_to_numpy(layer(image[None, :, :, None].astype("float32")))
        np.testing.assert_allclose(out[0, :, :, 0], ex._correlate_2d(image, kernel), atol=1e-4)


def valid_conv(image, kernel):
    k = kernel.shape[0]
    h, w = image.shape[0] - k + 1, image.shape[1] - k + 1
    return np.array(
        [[np.sum(image[i : i + k, j : j + k] * kernel) for j in range(w)] for i in range(h)]
    )


def pad_by_one(image, kernel):
    k = kernel.shape[0]
    padded = np.pad(image, 1)
    h, w = padded.shape[0] - k + 1, padded.shape[1] - k + 1
    return np.array(
        [[np.sum(padded[i : i + k, j : j + k] * kernel) for j in range(w)] for i in range(h)]
    )


@pytest.mark.parametrize(
    ("fn", "words"),
    [
        (valid_conv, "'valid' padding"),
        (pad_by_one, "not by 1"),
        (lambda image, kernel: right_conv(image, kernel[::-1, ::-1]), "FLIPPED"),
        (
            lambda image, kernel: ex._correlate_2d(image, kernel, "reflect"),
            "padded in 'reflect' mode",
        ),
        (lambda image, kernel: ex._correlate_2d(image, kernel, "edge"), "'edge' mode"),
        (lambda image, kernel: right_conv(image, kernel) * 2, "sum of kernel"),
        (lambda image, kernel: None, "forget to `return`"),
        (lambda image, kernel: image[0, 0, 0], "raised IndexError"),
        (lambda image, kernel: "no idea", "array of numbers"),
    ],
)
def test_conv_same_wrong_answers_get_specific_hints(fn, words):
    feedback = ex.check_conv2d_same(fn)
    assert not feedback.passed
    assert words in feedback.message


def test_conv_same_border_only_wrong():
    def ones_border(image, kernel):
        out = right_conv(image, kernel)
        out[0, :] = 0
        return out

    feedback = ex.check_conv2d_same(ones_border)
    assert not feedback.passed
    assert "border is not" in feedback.message


# --- parameter count ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def conv_layer():
    import keras

    inputs = keras.Input((16, 16, 8))
    outputs = keras.layers.Conv2D(32, 3, padding="same", name="conv2")(inputs)
    model = keras.Model(inputs, outputs)
    return model.get_layer("conv2")


def test_param_count_right_answer_passes(conv_layer, capsys):
    feedback = ex.check_param_count((3 * 3 * 8 + 1) * 32, conv_layer)
    assert feedback.passed
    assert conv_layer.count_params() == (3 * 3 * 8 + 1) * 32
    assert "(3*3*8 + 1) * 32" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (3 * 3 * 8 * 32, "forgot the biases"),
        ((3 * 3 + 1) * 32, "ALL input channels"),
        (3 * 3 * 8 + 1, "one filter"),
        ((3 * 3 * 32 + 1) * 8, "swapped"),
        ((3 * 3 * 8 + 1) * 32 * 16 * 16, "shared across positions"),
        (1234, "(kh * kw * in_channels + 1) * filters"),
        ("2336", "should be a number"),
    ],
)
def test_param_count_wrong_answers_get_specific_hints(conv_layer, answer, words):
    feedback = ex.check_param_count(answer, conv_layer)
    assert not feedback.passed
    assert words in feedback.message
