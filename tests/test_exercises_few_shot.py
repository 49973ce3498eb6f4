"""Checks of the exercises of ``15_few_and_zero_shot``: right answers pass, the usual slips
fail with a message that names them."""

from __future__ import annotations

import numpy as np

from imgcourse.exercises import few_shot as checks


def test_way_prediction():
    assert checks.check_way_prediction("lower").passed
    assert checks.check_way_prediction(" Lower ").passed
    wrong = checks.check_way_prediction("higher")
    assert not wrong.passed and "random guess" in wrong.message
    assert not checks.check_way_prediction(0.5).passed


def test_interval_right_answers_pass():
    def good(acc):
        return acc.mean(), 1.96 * acc.std(ddof=1) / np.sqrt(len(acc))

    def good_ddof0(acc):
        return acc.mean(), 1.96 * acc.std() / np.sqrt(len(acc))

    assert checks.check_interval(good).passed
    assert checks.check_interval(good_ddof0).passed


def test_interval_slips_are_named():
    sd_only = checks.check_interval(lambda a: (a.mean(), 1.96 * a.std(ddof=1)))
    assert not sd_only.passed and "sqrt(n)" in sd_only.message
    se_only = checks.check_interval(lambda a: (a.mean(), a.std(ddof=1) / np.sqrt(len(a))))
    assert not se_only.passed and "standard error" in se_only.message
    full = checks.check_interval(lambda a: (a.mean(), 3.92 * a.std(ddof=1) / np.sqrt(len(a))))
    assert not full.passed and "full width" in full.message
    broken = checks.check_interval(lambda a: None)
    assert not broken.passed and "two numbers" in broken.message


def test_worst_attribute():
    truth = np.array([[0, 1, 2], [1, 2, 3], [0, 0, 0], [1, 1, 1]])
    pred = truth.copy()
    pred[:3, 2] += 1  # shape wrong three times
    pred[0, 0] = 1  # size wrong once
    names = ["size", "colour", "shape"]
    assert checks.wrong_attribute_counts(truth, pred, names) == {"size": 1, "colour": 0, "shape": 3}
    ok = checks.check_worst_attribute("shape", truth, pred, names)
    assert ok.passed and "75.0%" in ok.message
    no = checks.check_worst_attribute("size", truth, pred, names)
    assert not no.passed and "more often" in no.message
    assert not checks.check_worst_attribute(2, truth, pred, names).passed
