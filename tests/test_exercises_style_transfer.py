"""Tests for imgcourse.exercises.style_transfer."""

from __future__ import annotations

import numpy as np

from imgcourse.exercises import style_transfer as checks


def test_flip_prediction(capsys):
    assert checks.check_flip_prediction(False)
    assert "which way it points" in capsys.readouterr().out
    assert not checks.check_flip_prediction(True)
    assert "3x3 filters" in capsys.readouterr().out
    assert not checks.check_flip_prediction("yes")


def test_gram_by_loops_accepts_a_right_answer_and_explains_wrong_ones(capsys):
    assert checks.check_gram_by_loops(checks.reference_gram)

    def not_divided(f):
        flat = f.reshape(-1, f.shape[-1])
        return flat.T @ flat

    assert not checks.check_gram_by_loops(not_divided)
    assert "h * w times too large" in capsys.readouterr().out

    def by_channels(f):
        flat = f.reshape(-1, f.shape[-1])
        return flat.T @ flat / f.shape[-1]

    assert not checks.check_gram_by_loops(by_channels)
    assert "not by the channels" in capsys.readouterr().out

    def positions(f):
        flat = f.reshape(-1, f.shape[-1])
        return flat @ flat.T / flat.shape[0]

    assert not checks.check_gram_by_loops(positions)
    assert "pairs of channels" in capsys.readouterr().out
    assert not checks.check_gram_by_loops(lambda f: 1 / 0)
    assert not checks.check_gram_by_loops(lambda f: None)


def test_steps_to_tenth_is_where_the_loss_stays_below(capsys):
    history = [1.0, 0.5, 0.08, 0.2, 0.1, 0.05, 0.04]  # an overshoot at step 2
    assert checks.steps_to_fraction(history) == 4
    assert checks.steps_to_fraction([1.0, 0.9]) == -1
    assert checks.steps_to_fraction([1.0, 0.05, 0.2]) == -1
    assert checks.check_steps_to_tenth(4, history)
    assert "from step 4" in capsys.readouterr().out
    assert checks.check_steps_to_tenth(-1, [1.0, 0.9])
    assert not checks.check_steps_to_tenth(2, history)
    assert "climbs above a tenth again" in capsys.readouterr().out
    assert not checks.check_steps_to_tenth(5, history)
    assert not checks.check_steps_to_tenth(3, history)
    assert not checks.check_steps_to_tenth("three", history)
    assert np.isclose(checks.reference_gram(np.ones((2, 2, 1)))[0, 0], 1.0)
