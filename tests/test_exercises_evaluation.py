"""Tests for imgcourse.exercises.evaluation."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from imgcourse.exercises import evaluation as checks
from imgcourse.metrics import expected_calibration_error


def _prf(cm):
    cm = np.asarray(cm, dtype=float)
    tp = np.diag(cm)
    predicted, actual = cm.sum(axis=0), cm.sum(axis=1)
    p = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    r = np.divide(tp, actual, out=np.zeros_like(tp), where=actual > 0)
    f = np.divide(2 * p * r, p + r, out=np.zeros_like(tp), where=p + r > 0)
    return p, r, f


def test_precision_recall_f1_accepts_a_right_answer(capsys):
    assert checks.check_precision_recall_f1(_prf)
    assert "Correct" in capsys.readouterr().out


def test_precision_recall_f1_explains_wrong_answers(capsys):
    def swapped(cm):
        p, r, f = _prf(cm)
        return r, p, f

    assert not checks.check_precision_recall_f1(swapped)
    assert "column sums" in capsys.readouterr().out

    def arithmetic_mean(cm):
        p, r, _ = _prf(cm)
        return p, r, (p + r) / 2

    assert not checks.check_precision_recall_f1(arithmetic_mean)
    assert "harmonic" in capsys.readouterr().out

    def unguarded(cm):
        cm = np.asarray(cm, dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            p = np.diag(cm) / cm.sum(axis=0)
        r = np.diag(cm) / cm.sum(axis=1)
        return p, r, 2 * p * r / (p + r)

    assert not checks.check_precision_recall_f1(unguarded)
    assert "NaN" in capsys.readouterr().out
    assert not checks.check_precision_recall_f1(lambda cm: 1 / 0)
    assert not checks.check_precision_recall_f1(lambda cm: None)
    assert not checks.check_precision_recall_f1(lambda cm: (np.zeros(2),) * 3)


def test_uniform_ece_prediction_matches_the_metric():
    labels = np.array([0] * 30 + [1] * 35 + [2] * 35)
    uniform = np.full((len(labels), 3), 1 / 3)
    want = expected_calibration_error(labels, uniform)
    assert abs(checks.expected_uniform_ece(labels, 3) - want) < 1e-9
    assert checks.check_uniform_ece_prediction(0.0, labels, 3)
    assert not checks.check_uniform_ece_prediction(2 / 3, labels, 3)
    assert not checks.check_uniform_ece_prediction(0.2, labels, 3)
    assert not checks.check_uniform_ece_prediction("zero", labels, 3)


def test_confidence_threshold():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, 500)
    confidence = rng.uniform(0.4, 1.0, 500)
    right = rng.random(500) < confidence  # more confident, more often right
    predicted = np.where(right, labels, (labels + 1) % 3)
    probs = np.full((500, 3), 0.0)
    probs[np.arange(500), predicted] = confidence
    probs[np.arange(500), (predicted + 1) % 3] = 1 - confidence
    best = checks.reference_threshold(probs, labels, 0.95)
    accuracy, coverage = checks.selective_accuracy(probs, labels, best)
    assert accuracy >= 0.95 and 0 < coverage < 1
    assert checks.check_confidence_threshold(best, probs, labels, target=0.95)
    assert not checks.check_confidence_threshold(0.5, probs, labels, target=0.95)  # too low
    assert not checks.check_confidence_threshold(0.9999, probs, labels, target=0.95)
    assert not checks.check_confidence_threshold(1.5, probs, labels, target=0.95)
    assert not checks.check_confidence_threshold("high", probs, labels, target=0.95)


def test_confidence_threshold_when_no_threshold_reaches_the_target():
    probs = np.array([[0.9, 0.1], [0.6, 0.4], [0.7, 0.3]])
    labels = np.array([1, 0, 1])  # the most confident prediction is wrong
    assert checks.reference_threshold(probs, labels, 0.99) > 1
    assert checks.check_confidence_threshold(1.0, probs, labels, target=0.99)
    assert not checks.check_confidence_threshold(0.6, probs, labels, target=0.99)


def test_lesson_code_does_not_hold_exercise_1s_answer():
    """Exercise 1 asks for precision and recall from a confusion matrix; the lesson
    cells outside the solution must not already compute them from its sums."""
    path = Path(__file__).parents[1] / "notebooks" / "07_evaluation_and_fairness.ipynb"
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    lesson = [
        "".join(c["source"])
        for c in cells
        if c["cell_type"] == "code" and "solution" not in c["metadata"].get("tags", [])
    ]
    for source in lesson:
        assert "cm.sum(axis=0)" not in source and "cm.sum(axis=1)" not in source
