"""The few-shot interval of ``15_few_and_zero_shot``, against SciPy and the bootstrap."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from imgcourse.metrics import bootstrap_ci, episode_interval


def test_matches_scipy_normal_interval():
    acc = np.random.default_rng(0).binomial(75, 0.6, 600) / 75
    ci = episode_interval(acc)
    low, high = stats.norm.interval(0.95, loc=acc.mean(), scale=stats.sem(acc))
    assert ci.value == pytest.approx(acc.mean())
    assert (ci.low, ci.high) == pytest.approx((low, high))
    assert ci.high - ci.value == pytest.approx(1.96 * acc.std(ddof=1) / np.sqrt(600), rel=1e-3)


def test_other_levels_and_agreement_with_the_bootstrap():
    acc = np.random.default_rng(1).binomial(25, 0.8, 500) / 25
    assert episode_interval(acc, 0.99).width > episode_interval(acc, 0.9).width
    boot = bootstrap_ci(np.mean, acc, n_boot=2000, seed=0)
    ci = episode_interval(acc)
    assert boot.low == pytest.approx(ci.low, abs=0.004)
    assert boot.high == pytest.approx(ci.high, abs=0.004)


@pytest.mark.parametrize(
    ("acc", "level", "words"),
    [([0.5], 0.95, "at least 2"), ([0.5, np.nan], 0.95, "NaN"), ([0.5, 0.6], 1.5, "level")],
)
def test_bad_input_says_what_was_received(acc, level, words):
    with pytest.raises(ValueError, match=words):
        episode_interval(np.array(acc), level)
