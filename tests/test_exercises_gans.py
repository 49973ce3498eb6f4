"""The checks of ``12_gans``'s exercises: right answers pass, typical mistakes get a hint."""

from __future__ import annotations

import numpy as np

from imgcourse.exercises import gans as checks


def test_equilibrium_loss_right_and_typical_wrong_answers(capsys):
    assert checks.check_equilibrium_loss(np.log(4)).passed
    assert checks.check_equilibrium_loss(1.386).passed
    wrong = checks.check_equilibrium_loss(np.log(2))
    assert not wrong.passed and "two terms" in wrong.message
    assert "log" in checks.check_equilibrium_loss(0.5).message
    assert not checks.check_equilibrium_loss("ln 4").passed
    assert "Correct" in capsys.readouterr().out


def test_interpolation_check_accepts_linspace_and_catches_mistakes():
    def right(z0, z1, steps):
        t = np.linspace(0, 1, steps)[:, None]
        return (1 - t) * z0 + t * z1

    def no_end(z0, z1, steps):
        t = np.arange(steps)[:, None] / steps
        return (1 - t) * z0 + t * z1

    def transposed(z0, z1, steps):
        return right(z0, z1, steps).T

    def uneven(z0, z1, steps):
        t = np.linspace(0, 1, steps)[:, None] ** 2
        return (1 - t) * z0 + t * z1

    assert checks.check_interpolation(right).passed
    assert "both ends" in checks.check_interpolation(no_end).message
    assert "shape" in checks.check_interpolation(transposed).message
    assert "evenly spaced" in checks.check_interpolation(uneven).message
    assert "raised" in checks.check_interpolation(lambda a, b, s: 1 / 0).message
    ref = checks.reference_interpolation(np.zeros(2), np.ones(2), 3)
    assert np.allclose(ref, [[0, 0], [0.5, 0.5], [1, 1]])


def test_weakest_class_check():
    requested = np.repeat(np.arange(3), 10)
    predicted = requested.copy()
    predicted[20:26] = 0  # class 2: 4 of 10 right
    predicted[10:12] = 0  # class 1: 8 of 10 right
    shares = checks.per_class_agreement(predicted, requested, 3)
    assert np.allclose(shares, [1.0, 0.8, 0.4])
    assert checks.check_weakest_class(2, predicted, requested, 3).passed
    wrong = checks.check_weakest_class(0, predicted, requested, 3)
    assert not wrong.passed and "asked for" in wrong.message
    assert "not a class" in checks.check_weakest_class(7, predicted, requested, 3).message
    assert not checks.check_weakest_class(None, predicted, requested, 3).passed


def test_largest_shortfall_check():
    requested = np.repeat(np.arange(3), 10)
    predicted = requested.copy()
    predicted[20:26] = 0  # class 2: 4 of 10 generated right
    predicted[10:13] = 0  # class 1: 7 of 10 generated right
    real_pred = requested.copy()
    real_pred[20:25] = 0  # class 2 is hard on real images too: 5 of 10
    assert checks.check_largest_shortfall(1, predicted, requested, real_pred, requested, 3).passed
    wrong = checks.check_largest_shortfall(2, predicted, requested, real_pred, requested, 3)
    assert not wrong.passed and "short" in wrong.message
    bad = checks.check_largest_shortfall(5, predicted, requested, real_pred, requested, 3)
    assert "not a class" in bad.message
