"""Tests for imgcourse.metrics.classification, against scikit-learn and SciPy on the same
inputs where a reference exists."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from scipy.special import softmax
from sklearn.calibration import calibration_curve
from sklearn.metrics import accuracy_score, log_loss

from imgcourse.metrics import (
    bootstrap_ci,
    expected_calibration_error,
    fit_temperature,
    group_accuracy,
    reliability_bins,
    softmax_with_temperature,
)


def _predictions(n: int = 600, k: int = 4, sharpness: float = 3.0, seed: int = 0):
    """Random labels and probabilities that are right more often than chance."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, k, n)
    logits = rng.normal(0, 1, (n, k))
    logits[np.arange(n), labels] += 1.0
    return labels, softmax(sharpness * logits, axis=1)


@pytest.mark.parametrize("n_bins", [5, 10, 15])
def test_ece_matches_a_computation_from_calibration_curve_bins(n_bins):
    labels, probs = _predictions()
    confidence = probs.max(axis=1)
    correct = (probs.argmax(axis=1) == labels).astype(int)
    acc, conf = calibration_curve(correct, confidence, n_bins=n_bins, strategy="uniform")
    # calibration_curve returns the non-empty bins only; count them with its own rule
    edges = np.linspace(0, 1, n_bins + 1)
    counts = np.bincount(np.searchsorted(edges[1:-1], confidence), minlength=n_bins)
    counts = counts[counts > 0]
    reference = np.sum(counts / counts.sum() * np.abs(acc - conf))
    assert expected_calibration_error(labels, probs, n_bins) == pytest.approx(reference)
    bins = reliability_bins(labels, probs, n_bins)
    seen = bins.counts > 0
    np.testing.assert_allclose(bins.accuracy[seen], acc)
    np.testing.assert_allclose(bins.confidence[seen], conf)
    assert bins.counts.sum() == len(labels)
    assert np.isnan(bins.accuracy[~seen]).all()


def test_reliability_bins_put_a_value_on_an_edge_in_the_lower_bin():
    # two classes, confidences exactly 0.6 and 0.8: with 5 bins they are bin edges
    probs = np.array([[0.6, 0.4], [0.2, 0.8], [0.2, 0.8]])
    bins = reliability_bins(np.array([0, 1, 0]), probs, n_bins=5)
    assert bins.counts.tolist() == [0, 0, 1, 2, 0]  # (0.4, 0.6] and (0.6, 0.8]
    np.testing.assert_allclose(bins.accuracy[2:4], [1.0, 0.5])
    # ECE by hand: 1/3 * |1 - 0.6| + 2/3 * |0.5 - 0.8|
    assert bins.ece == pytest.approx(1 / 3 * 0.4 + 2 / 3 * 0.3)


def test_ece_is_zero_for_perfectly_calibrated_bins_and_large_for_overconfidence():
    labels = np.array([0, 0, 0, 1])  # confidence 0.75 for class 0, right 3 times out of 4
    probs = np.tile([0.75, 0.25], (4, 1))
    assert expected_calibration_error(labels, probs) == pytest.approx(0.0)
    sure = np.tile([0.999, 0.001], (4, 1))
    assert expected_calibration_error(labels, sure) == pytest.approx(0.249)


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match="num_classes"):
        expected_calibration_error(np.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match="3 labels for 2"):
        reliability_bins(np.zeros(3, int), np.full((2, 2), 0.5))
    with pytest.raises(ValueError, match="n_bins"):
        reliability_bins(np.zeros(2, int), np.full((2, 2), 0.5), n_bins=0)
    with pytest.raises(ValueError, match="temperature"):
        softmax_with_temperature(np.zeros((2, 2)), 0.0)
    with pytest.raises(ValueError, match="class indices"):
        fit_temperature(np.zeros((2, 2)), np.array([0, 2]))
    with pytest.raises(ValueError, match="infinite"):
        fit_temperature(np.array([[-np.inf, 0.0]]), np.array([1]))
    with pytest.raises(ValueError, match="level"):
        bootstrap_ci(np.mean, np.ones(3), level=95)
    with pytest.raises(ValueError, match="one length"):
        bootstrap_ci(accuracy_score, np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="one length"):
        group_accuracy(np.ones(3), np.ones(3), np.ones(2))


def test_softmax_with_temperature_matches_scipy():
    logits = np.random.default_rng(1).normal(0, 3, (20, 5))
    for t in (0.5, 1.0, 2.0):
        np.testing.assert_allclose(
            softmax_with_temperature(logits, t), softmax(logits / t, axis=1), atol=1e-12
        )


def test_temperature_scaling_lowers_nll_on_an_overconfident_model():
    labels, calibrated = _predictions(n=2000, sharpness=1.0, seed=3)
    logits = 4.0 * np.log(calibrated)  # the same ranking, four times too sharp
    t = fit_temperature(logits, labels)
    assert 2.5 < t < 6.0, t  # it finds roughly the factor that was applied
    before = log_loss(labels, softmax_with_temperature(logits, 1.0))
    after = log_loss(labels, softmax_with_temperature(logits, t))
    assert after < before - 0.1
    # the minimiser beats its neighbours (scikit-learn's log loss as the reference)
    for other in (0.8 * t, 1.25 * t):
        assert after <= log_loss(labels, softmax_with_temperature(logits, other))
    scaled = softmax_with_temperature(logits, t)
    assert (scaled.argmax(1) == logits.argmax(1)).all()  # accuracy cannot change
    ece_before = expected_calibration_error(labels, softmax_with_temperature(logits, 1.0))
    assert expected_calibration_error(labels, scaled) < ece_before / 2


def test_temperature_below_one_for_an_underconfident_model():
    labels, calibrated = _predictions(n=2000, sharpness=1.0, seed=4)
    t = fit_temperature(0.5 * np.log(calibrated), labels)
    assert 0.3 < t < 0.8, t


def test_bootstrap_interval_covers_the_truth_on_a_simulation():
    rng = np.random.default_rng(0)
    truth, n, covered, widths = 0.8, 300, 0, []
    for trial in range(200):
        correct = rng.random(n) < truth
        ci = bootstrap_ci(np.mean, correct, n_boot=300, seed=trial)
        covered += ci.low <= truth <= ci.high
        widths.append(ci.width)
    assert 0.90 <= covered / 200 <= 0.99  # a 95% interval, give or take the simulation
    expected = 2 * 1.96 * np.sqrt(truth * (1 - truth) / n)  # the normal approximation
    assert np.mean(widths) == pytest.approx(expected, rel=0.1)


def test_bootstrap_uses_rows_jointly_and_reports_the_point_estimate():
    labels = np.array([0, 1, 1, 0, 1, 1, 0, 1])
    preds = np.array([0, 1, 0, 0, 1, 1, 1, 1])
    ci = bootstrap_ci(accuracy_score, labels, preds, n_boot=200)
    assert ci.value == accuracy_score(labels, preds)
    assert ci.low <= ci.value <= ci.high
    same = bootstrap_ci(accuracy_score, labels, labels, n_boot=50)  # always right
    assert same == (1.0, 1.0, 1.0)


def test_group_accuracy_matches_accuracy_score_per_group():
    rng = np.random.default_rng(5)
    groups = (rng.random(1000) < 0.2).astype(int)
    labels = rng.integers(0, 3, 1000)
    right = rng.random(1000) < np.where(groups == 1, 0.6, 0.9)
    preds = np.where(right, labels, (labels + 1) % 3)
    report = group_accuracy(labels, preds, groups, n_boot=500)
    assert report.groups.tolist() == [0, 1]
    assert report.counts.tolist() == [(groups == 0).sum(), (groups == 1).sum()]
    for g, acc in zip((0, 1), report.accuracy):
        assert acc.value == pytest.approx(accuracy_score(labels[groups == g], preds[groups == g]))
        assert acc.low < acc.value < acc.high
    gap = report.accuracy[0].value - report.accuracy[1].value
    assert report.gap.value == pytest.approx(gap)
    assert report.gap.low < 0.3 < report.gap.high  # the simulated gap is 0.9 - 0.6
    # the smaller group's interval is the wider one
    assert report.accuracy[1].width > report.accuracy[0].width
    text = report.table(["plain", "textured"])
    assert "textured" in text and "gap" in text


def test_the_module_does_not_import_tensorflow():
    import subprocess

    code = (
        "import sys, imgcourse.metrics.classification; "
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_group_rates_match_confusion_matrix_per_group():
    from sklearn.metrics import confusion_matrix

    from imgcourse.metrics.classification import group_rates

    rng = np.random.default_rng(0)
    y, flag, groups = rng.integers(0, 2, 300), rng.integers(0, 2, 300), rng.integers(0, 2, 300)
    rates = group_rates(y, flag, groups)
    assert rates.shape == (2, 3)
    for g in (0, 1):
        tn, fp, fn, tp = confusion_matrix(y[groups == g], flag[groups == g]).ravel()
        expected = [tp / (tp + fn), fp / (fp + tn), (tp + fp) / (tn + fp + fn + tp)]
        np.testing.assert_allclose(rates[g], expected)


def test_group_rates_bootstrap_weights_equal_resampling():
    from imgcourse.metrics.classification import group_rates

    rng = np.random.default_rng(1)
    y, flag, groups = rng.integers(0, 2, 50), rng.integers(0, 2, 50), rng.integers(0, 2, 50)
    draws = rng.integers(0, 50, (4, 50))
    counts = np.stack([np.bincount(d, minlength=50) for d in draws])
    batched = group_rates(y, flag, groups, weights=counts, n_groups=2)
    assert batched.shape == (4, 2, 3)
    for b, d in enumerate(draws):
        np.testing.assert_allclose(batched[b], group_rates(y[d], flag[d], groups[d], n_groups=2))


def test_group_rates_nan_without_positives_and_bad_weights():
    from imgcourse.metrics.classification import group_rates

    rates = group_rates([0, 0, 1], [1, 0, 1], [0, 0, 1], n_groups=2)
    assert np.isnan(rates[0, 0]) and rates[0, 1] == 0.5 and np.isnan(rates[1, 1])
    with pytest.raises(ValueError, match="weights"):
        group_rates([0, 1], [0, 1], [0, 1], weights=np.ones(3))
    with pytest.raises(ValueError, match="one length"):
        group_rates([0, 1], [0], [0, 1])
