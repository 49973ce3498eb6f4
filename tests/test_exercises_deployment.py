"""Checks of the exercises of ``17_deployment_and_on_device``: right answers pass, the usual
slips fail with a message that names them."""

from __future__ import annotations

import numpy as np

from imgcourse.exercises import deployment as checks


def test_calibration_prediction():
    assert checks.check_calibration_prediction("lower").passed
    assert checks.check_calibration_prediction(" Lower ").passed
    wrong = checks.check_calibration_prediction("same")
    assert not wrong.passed and "scale" in wrong.message
    assert not checks.check_calibration_prediction(0.5).passed


def test_quantize_right_answer_passes():
    def good(x, scale, zero_point):
        return np.clip(np.round(x / scale) + zero_point, -128, 127).astype(np.int8)

    assert checks.check_quantize(good).passed


def test_quantize_slips_are_named():
    def no_clip(x, s, z):
        return (np.round(x / s) + z).astype(np.int8)

    def truncates(x, s, z):
        return np.clip(x / s + z, -128, 127).astype(np.int8)

    def no_zero(x, s, z):
        return np.clip(np.round(x / s), -128, 127).astype(np.int8)

    def wrong_dtype(x, s, z):
        return np.clip(np.round(x / s) + z, -128, 127)

    assert "clip" in checks.check_quantize(no_clip).message
    assert "round" in checks.check_quantize(truncates).message
    assert "zero point" in checks.check_quantize(no_zero).message
    assert "int8" in checks.check_quantize(wrong_dtype).message
    assert "raised" in checks.check_quantize(lambda x, s, z: 1 / 0).message


def test_disagreements():
    rng = np.random.default_rng(0)
    a = rng.dirichlet(np.ones(3), 50)
    b = a.copy()
    b[[3, 7]] = np.roll(a[[3, 7]], 1, axis=1)  # moves the largest probability
    want = np.flatnonzero(a.argmax(1) != b.argmax(1))
    assert list(want) == [3, 7]
    assert checks.check_disagreements(want, a, b).passed
    assert checks.check_disagreements(list(want[::-1]), a, b).passed
    assert not checks.check_disagreements(want[:1], a, b).passed
    assert not checks.check_disagreements([60], a, b).passed
    assert not checks.check_disagreements("x", a, b).passed
    same = checks.check_disagreements(np.array([], int), a, a)
    assert same.passed and "agree on all" in same.message
    # the message's explanation follows the confidences, whichever way they go
    c = a.copy()
    c[:, 0] = 0.99  # confident everywhere
    c[[3, 7]] = [0.34, 0.33, 0.33]  # near ties on the flipped images
    d = c.copy()
    d[[3, 7]] = [0.33, 0.34, 0.33]
    assert "near a decision boundary" in checks.check_disagreements([3, 7], c, d).message
