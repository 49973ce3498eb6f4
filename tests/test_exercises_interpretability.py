"""Checks for 08's exercises: right answers pass; each kind of wrong answer gets its hint."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from keras import layers

from imgcourse import explain
from imgcourse.exercises import interpretability as ex


# --- exercise 1: integrated gradients by the trapezoidal rule ----------------------------
def right_trapezoid(image, baseline, grads):
    m = len(grads) - 1
    return (image - baseline) * (grads[0] / 2 + grads[1:-1].sum(axis=0) + grads[-1] / 2) / m


def test_trapezoid_attributions_right_answer_passes(capsys):
    assert ex.check_trapezoid_attributions(right_trapezoid).passed
    assert capsys.readouterr().out.startswith("Correct:")


def test_trapezoid_attributions_approach_explain():
    """With many points the trapezoidal rule and explain's midpoint sum give one integral."""
    inputs = keras.Input((4, 4, 1))
    x = layers.Flatten()(inputs)
    model = keras.Model(inputs, layers.Dense(2, activation="tanh")(x))
    image = np.random.default_rng(0).random((1, 4, 4, 1)).astype(np.float32)
    baseline = np.full_like(image, 0.25)
    m = 64
    t = np.arange(m + 1) / m
    path = baseline + t[:, None, None, None] * (image - baseline)
    grads = explain.input_gradients(model, path.astype(np.float32), 1)
    by_hand = ex.expected_trapezoid_attributions(image[0], baseline[0], grads)
    ig = explain.integrated_gradients(model, image, 1, baseline=0.25, steps=m)[0]
    np.testing.assert_allclose(by_hand, ig, atol=1e-3 * np.abs(ig).max())


def test_trapezoid_is_exact_for_a_linear_gradient():
    image, baseline = np.ones((2, 2, 1)), np.zeros((2, 2, 1))
    grads = np.linspace(0.0, 1.0, 5)[:, None, None, None] * np.ones((5, 2, 2, 1))
    np.testing.assert_allclose(ex.expected_trapezoid_attributions(image, baseline, grads), 0.5)


@pytest.mark.parametrize(
    ("fn", "words"),
    [
        (lambda x, b, g: (x - b) * g.mean(axis=0), "half the weight"),
        (lambda x, b, g: x * right_trapezoid(x, 0 * b, g) / x, "not by (image - baseline)"),
        (lambda x, b, g: right_trapezoid(x, b, g) * (len(g) - 1), "Divide the weighted sum"),
        (lambda x, b, g: right_trapezoid(x, b, g) / (x - b), "integral of the gradient alone"),
        (lambda x, b, g: (x - b) * g, "first axis"),
        (lambda x, b, g: None, "forget to `return`"),
        (lambda x, b: x, "raised TypeError"),
    ],
)
def test_trapezoid_attributions_wrong_answers_get_hints(fn, words, capsys):
    feedback = ex.check_trapezoid_attributions(fn)
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
