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
    assert "(3*3*8 + 1) * 32" in " ".join(capsys.readouterr().out.split())


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


# --- predicted edge response -------------------------------------------------------------
def test_edge_prediction_matches_keras():
    import keras

    toy = np.full((1, 6, 6, 1), ex.EDGE_RIGHT, np.float32)
    toy[:, :, :3] = ex.EDGE_LEFT
    layer = keras.layers.Conv2D(1, 3, use_bias=False)
    layer.build(toy.shape)
    layer.set_weights([ex.SOBEL_X[:, :, None, None].astype(np.float32)])
    out = keras.ops.convert_to_numpy(layer(toy))[0, :, :, 0]
    strongest = out.flat[np.argmax(np.abs(out))]
    assert strongest == pytest.approx(ex.expected_edge_response())
    assert ex.expected_edge_response() == pytest.approx(-2.0)
    assert ex.expected_edge_response(0.0, 1.0) == pytest.approx(4.0)


def test_edge_prediction_right_answer_passes(capsys):
    feedback = ex.check_edge_prediction(-2)
    assert feedback.passed
    assert "4 x (right - left)" in " ".join(capsys.readouterr().out.split())
    assert ex.check_edge_prediction(np.float32(-2.0)).passed


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        (2, "sign is not"),
        (4, "section 1's edge"),
        (-4, "only 0.5 high"),
        (0, "flat ground"),
        (-0.5, "sums to 4, not 1"),
        (-1.5, "middle row's weight is 2"),
        (7, "left column (-1, -2, -1)"),
        ("-2", "should be a number"),
        (None, "should be a number"),
    ],
)
def test_edge_prediction_wrong_answers_get_specific_hints(answer, words):
    feedback = ex.check_edge_prediction(answer)
    assert not feedback.passed
    assert words in feedback.message


# --- the head for larger images ----------------------------------------------------------
@pytest.fixture(scope="module")
def small_model():
    from imgcourse.models import build

    return build("small_cnn", input_shape=(32, 32, 3), num_classes=5, dropout=0.3)


def test_head_params_match_a_model_built_for_64(small_model):
    from imgcourse.models import build

    big = build("small_cnn", input_shape=(64, 64, 3), num_classes=5, dropout=0.3)
    assert ex.expected_head_params(small_model, 64) == big.get_layer("head").count_params()
    assert ex.expected_head_params(small_model, 32) == small_model.get_layer("head").count_params()


def test_head_params_right_answer_passes(small_model, capsys):
    feedback = ex.check_head_params((8 * 8 * 64 + 1) * 5, small_model)
    assert feedback.passed
    out = " ".join(capsys.readouterr().out.split())
    assert "20,485" in out and "5,125 for 32x32" in out and "Flatten ties" in out


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        ((4 * 4 * 64 + 1) * 5, "model as built"),
        (8 * 8 * 64 * 5, "forgot the biases"),
        (8 * 8 * 64 + 1, "one class's weights"),
        ((8 * 8 + 1) * 5, "every channel"),
        ((64 * 64 * 64 + 1) * 5, "Count the poolings"),
        ((16 * 16 * 64 + 1) * 5, "Count the poolings"),
        (99, "Follow the side"),
        ("20485", "should be a number"),
    ],
)
def test_head_params_wrong_answers_get_specific_hints(small_model, answer, words):
    feedback = ex.check_head_params(answer, small_model)
    assert not feedback.passed
    assert words in feedback.message


def test_head_params_rejects_other_models():
    import keras

    inputs = keras.Input((8, 8, 1))
    x = keras.layers.AveragePooling2D(2)(inputs)
    x = keras.layers.Flatten(name="features")(x)
    outputs = keras.layers.Dense(2, name="head")(x)
    with pytest.raises(ValueError, match="not a stack of Conv2D"):
        ex.check_head_params(10, keras.Model(inputs, outputs))


def test_printed_feedback_fits_the_book_column(small_model, capsys):
    ex.check_conv2d_same(right_conv)
    ex.check_head_params(1, small_model)
    ex.check_edge_prediction(4)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) > 3 and max(len(line) for line in lines) <= ex.WIDTH
