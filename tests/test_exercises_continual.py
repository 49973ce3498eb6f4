"""Tests for imgcourse.exercises.continual: right answers pass, typical mistakes fail with
specific feedback (18_continuous_learning)."""

import numpy as np

from imgcourse.exercises import continual as checks
from imgcourse.metrics.drift import detection_delay


def test_threshold_prediction():
    assert checks.check_threshold_prediction("later").passed
    wrong = checks.check_threshold_prediction("sooner")
    assert not wrong.passed and "Hint" in wrong.message
    assert not checks.check_threshold_prediction(3).passed


def test_detection_delay_right_and_wrong():
    assert checks.check_detection_delay(detection_delay).passed

    def counts_false_alarms(alarms, cps, length):  # takes any alarm, even before the change
        return np.array([float(min(alarms) - cp) if alarms else np.nan for cp in cps])

    fb = checks.check_detection_delay(counts_false_alarms)
    assert not fb.passed and "expected" in fb.message

    def never_nan(alarms, cps, length):  # a missed change reported as delay -1
        return np.nan_to_num(detection_delay(alarms, cps, length), nan=-1.0)

    fb = checks.check_detection_delay(never_nan)
    assert not fb.passed and "NaN" in fb.message

    def crashes(alarms, cps, length):
        raise RuntimeError("boom")

    assert "boom" in checks.check_detection_delay(crashes).message


def test_spare_share():
    labels = np.array([0, 1, 3, 3, 3, 3])
    preds = np.array([0, 1, 3, 0, 1, 2])
    assert checks.check_spare_share(0.25, preds, labels, 3).passed
    fb = checks.check_spare_share(1 / 6, preds, labels, 3)  # share of all images
    assert not fb.passed and "only the images" in fb.message
    assert not checks.check_spare_share("x", preds, labels, 3).passed
    assert not checks.check_spare_share(0.0, preds, np.zeros(6, int), 3).passed
