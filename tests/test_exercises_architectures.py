"""Tests for imgcourse.exercises.architectures: right answers pass, the common slips get a
specific hint."""

from __future__ import annotations

import math

import keras
import pytest

from imgcourse.exercises import architectures as checks


def right(height, width, kernel, channels_in, filters, stride=1):
    return (
        math.ceil(height / stride) * math.ceil(width / stride) * kernel**2 * (channels_in * filters)
    )


def test_reference_matches_keras_count():
    # 8x8 output positions, 3*3*3 weights per filter, 4 filters
    assert checks.reference_conv_multiply_adds(8, 8, 3, 3, 4) == 8 * 8 * 27 * 4
    assert checks.reference_conv_multiply_adds(7, 7, 3, 2, 2, stride=2) == 16 * 9 * 2 * 2


def test_conv_multiply_adds_right_and_wrong(capsys):
    assert checks.check_conv_multiply_adds(right).passed
    no_stride = checks.check_conv_multiply_adds(lambda h, w, k, c, f, s=1: h * w * k * k * c * f)
    assert not no_stride.passed and "stride" in no_stride.message
    weights_only = checks.check_conv_multiply_adds(lambda h, w, k, c, f, s=1: k * k * c * f)
    assert not weights_only.passed and "number of weights" in weights_only.message
    crashing = checks.check_conv_multiply_adds(lambda *args: 1 / 0)
    assert not crashing.passed and "ZeroDivisionError" in crashing.message
    assert "Not yet" in capsys.readouterr().out


def test_bottleneck_ratio_matches_keras_layers():
    def weights(convs, channels):
        net = keras.Sequential(
            [keras.Input((4, 4, channels))]
            + [keras.layers.Conv2D(f, k, padding="same", use_bias=False) for f, k in convs]
        )
        return net.count_params()

    expected = weights([(256, 3)], 256) / weights([(64, 1), (64, 3), (256, 1)], 256)
    assert checks.bottleneck_ratio() == pytest.approx(expected)


def test_bottleneck_prediction():
    assert checks.check_bottleneck_prediction(8.5).passed
    sixteen = checks.check_bottleneck_prediction(16)
    assert not sixteen.passed and "1x1" in sixteen.message
    assert "above 1" in checks.check_bottleneck_prediction(0.2).message
    assert not checks.check_bottleneck_prediction("eight").passed


def test_most_efficient():
    accuracy = {"vgg": 0.9, "resnet": 0.95, "efficientnet": 0.85}
    flops = {"vgg": 2e6, "resnet": 10e6, "efficientnet": 1e6}
    assert checks.check_most_efficient("efficientnet", accuracy, flops).passed
    most_accurate = checks.check_most_efficient("resnet", accuracy, flops)
    assert not most_accurate.passed and "most accurate" in most_accurate.message
    assert not checks.check_most_efficient("alexnet", accuracy, flops).passed
    with pytest.raises(ValueError, match="same models"):
        checks.check_most_efficient("vgg", accuracy, {"vgg": 1.0})


def test_compound_cost_is_the_rule():
    assert checks.compound_cost(0) == 1.0
    assert checks.compound_cost(1) == pytest.approx(1.2 * 1.1**2 * 1.15**2)
    assert checks.compound_cost(2) == pytest.approx(checks.compound_cost(1) ** 2)


def test_cost_prediction():
    assert checks.check_cost_prediction(3.7).passed
    linear = checks.check_cost_prediction(1.2**2 * 1.1**2 * 1.15**2)
    assert not linear.passed and "twice" in linear.message
    assert "above 1" in checks.check_cost_prediction(0.5).message
    assert not checks.check_cost_prediction("four").passed


def test_level_or_not():
    width, depth = [0.80, 0.78, 0.79], [0.66, 0.62, 0.70]
    assert checks.check_level_or_not("higher", width, depth).passed
    level = checks.check_level_or_not("level", width, depth)
    assert not level.passed and "spread" in level.message
    assert checks.check_level_or_not("lower", depth, width).passed
    noisy = [0.80, 0.60, 0.75]
    assert checks.check_level_or_not("level", noisy, depth).passed
    wrong = checks.check_level_or_not("higher", noisy, depth)
    assert not wrong.passed and "twice its spread" in wrong.message
    assert not checks.check_level_or_not("maybe", width, depth).passed
    with pytest.raises(ValueError, match="equal length"):
        checks.check_level_or_not("level", width, depth[:2])
