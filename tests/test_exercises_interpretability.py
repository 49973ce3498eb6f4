"""Checks for 08's exercises: right answers pass; each kind of wrong answer gets its hint."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from keras import layers

from imgcourse import explain
from imgcourse.exercises import interpretability as ex


# --- exercise 1: integrated gradients from the path's gradients ---------------------------
def right_ig(image, baseline, grads):
    return (image - baseline) * grads.mean(axis=0)


def test_riemann_attributions_right_answer_passes(capsys):
    assert ex.check_riemann_attributions(right_ig).passed
    assert capsys.readouterr().out.startswith("Correct:")


def test_riemann_attributions_agree_with_explain():
    """The formula the check expects is what explain.integrated_gradients computes."""
    inputs = keras.Input((4, 4, 1))
    x = layers.Flatten()(inputs)
    model = keras.Model(inputs, layers.Dense(2, activation="tanh")(x))
    image = np.random.default_rng(0).random((1, 4, 4, 1)).astype(np.float32)
    baseline = np.full_like(image, 0.25)
    steps = 8
    alphas = (np.arange(steps) + 0.5) / steps
    path = baseline + alphas[:, None, None, None] * (image - baseline)
    grads = explain.input_gradients(model, path.astype(np.float32), 1)
    by_hand = ex.expected_riemann_attributions(image[0], baseline[0], grads)
    ig = explain.integrated_gradients(model, image, 1, baseline=0.25, steps=steps)[0]
    np.testing.assert_allclose(by_hand, ig, atol=1e-6)


@pytest.mark.parametrize(
    ("fn", "words"),
    [
        (lambda x, b, g: x * g.mean(axis=0), "not by (image - baseline)"),
        (lambda x, b, g: (x - b) * g.sum(axis=0), "summed the gradients"),
        (lambda x, b, g: g.mean(axis=0), "average gradient alone"),
        (lambda x, b, g: (x - b) * g, "Average over the first axis"),
        (lambda x, b, g: None, "forget to `return`"),
        (lambda x, b: x, "raised TypeError"),
    ],
)
def test_riemann_attributions_wrong_answers_get_hints(fn, words, capsys):
    feedback = ex.check_riemann_attributions(fn)
    assert not feedback.passed
    assert words in feedback.message
    assert capsys.readouterr().out.startswith("Not yet:")


# --- exercise 2: the swapped-mark prediction ---------------------------------------------
def test_swap_prediction():
    assert ex.check_swap_prediction("below chance").passed
    assert ex.check_swap_prediction(" Below Chance ").passed
    wrong = ex.check_swap_prediction("near chance")
    assert not wrong.passed and "maps of the shortcut model" in wrong.message
    odd = ex.check_swap_prediction(0.1)
    assert not odd.passed and "store one of" in odd.message


# --- exercise 3: the corner share --------------------------------------------------------
def right_share(maps, size):
    a = np.abs(maps)
    return a[:, :size, :size].sum(axis=(1, 2)) / a.sum(axis=(1, 2))


def test_corner_share_right_answer_reports_the_notebook_maps(capsys):
    maps = np.zeros((2, 32, 32))
    maps[:, 0, 0] = 3.0
    maps[:, 10, 10] = -1.0
    feedback = ex.check_corner_share(right_share, maps, size=3)
    assert feedback.passed and "75.0%" in feedback.message
    np.testing.assert_allclose(ex.expected_corner_share(maps, 3), [0.75, 0.75])
    assert explain.region_share(maps, np.pad(np.ones((3, 3), bool), ((0, 29), (0, 29))))[
        0
    ] == pytest.approx(0.75)
    capsys.readouterr()


@pytest.mark.parametrize(
    ("fn", "words"),
    [
        (lambda m, s: m[:, :s, :s].sum(axis=(1, 2)) / m.sum(axis=(1, 2)), "absolute values"),
        (lambda m, s: np.abs(m)[:, :s, :s].sum(axis=(1, 2)), "Divide by each map's total"),
        (lambda m, s: np.abs(m)[:, :s, :s].sum(), "has shape"),
    ],
)
def test_corner_share_wrong_answers_get_hints(fn, words):
    feedback = ex.check_corner_share(fn)
    assert not feedback.passed
    assert words in feedback.message
