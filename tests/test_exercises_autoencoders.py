"""Tests for imgcourse.exercises.autoencoders."""

from __future__ import annotations

import numpy as np

from imgcourse.exercises import autoencoders as checks
from imgcourse.metrics import psnr


def test_noisy_psnr_prediction(capsys):
    assert checks.check_noisy_psnr_prediction(20.0, sigma=0.1)
    assert checks.check_noisy_psnr_prediction(20.8, sigma=0.1)
    assert abs(checks.expected_noisy_psnr(0.2) - 13.98) < 0.01
    assert not checks.check_noisy_psnr_prediction(10.0, sigma=0.1)
    assert "squared" in capsys.readouterr().out
    assert not checks.check_noisy_psnr_prediction(-20.0, sigma=0.1)
    assert not checks.check_noisy_psnr_prediction(35.0, sigma=0.1)
    assert not checks.check_noisy_psnr_prediction("twenty", sigma=0.1)


def test_psnr_function_accepts_a_right_answer_and_explains_wrong_ones(capsys):
    assert checks.check_psnr_function(psnr)

    def over_whole_batch(t, p):
        return 10 * np.log10(1 / np.mean((t - p) ** 2))

    assert not checks.check_psnr_function(over_whole_batch)
    assert "own axes" in capsys.readouterr().out

    def half(t, p):
        return psnr(t, p) / 2

    assert not checks.check_psnr_function(half)
    assert "20 log10" in capsys.readouterr().out
    assert not checks.check_psnr_function(lambda t, p: -psnr(t, p))
    assert not checks.check_psnr_function(lambda t, p: None)
    assert not checks.check_psnr_function(lambda t, p: 1 / 0)


def test_worst_class(capsys):
    scores = np.array([20.0, 21.0, 30.0, 31.0, 25.0, 26.0])
    labels = np.array([0, 0, 1, 1, 2, 2])
    names = ["circle", "square", "triangle"]
    np.testing.assert_allclose(checks.class_mean_scores(scores, labels, 3), [20.5, 30.5, 25.5])
    np.testing.assert_allclose(
        checks.class_mean_spreads(scores, labels, 3), [2 * 0.5**0.5 / 2**0.5] * 3
    )
    assert checks.check_worst_class("circle", scores, labels, names)
    assert "20.5 dB +- 1.0" in capsys.readouterr().out
    assert not checks.check_worst_class("square", scores, labels, names)
    assert "smallest" in capsys.readouterr().out
    assert not checks.check_worst_class("triangle", scores, labels, names)
    assert not checks.check_worst_class(0, scores, labels, names)
