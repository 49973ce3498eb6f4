"""Checks of the exercises of ``16_architecture_search``: right answers pass, the usual slips
fail with a message that names them."""

from __future__ import annotations

import numpy as np
import pandas as pd

from imgcourse.exercises import search as checks


def loops(costs, scores):
    n = len(costs)
    mask = np.ones(n, dtype=bool)
    for i in range(n):
        for j in range(n):
            no_worse = costs[j] <= costs[i] and scores[j] >= scores[i]
            better = costs[j] < costs[i] or scores[j] > scores[i]
            mask[i] &= not (no_worse and better)
    return mask


def test_pareto_right_answer_passes():
    assert checks.check_pareto(loops).passed


def test_pareto_slips_are_named():
    def strict(costs, scores):  # forgets that ties can dominate
        return np.array(
            [
                not any(c < costs[i] and s > scores[i] for c, s in zip(costs, scores))
                for i in range(len(costs))
            ]
        )

    wrong = checks.check_pareto(strict)
    assert (
        not wrong.passed and "a tie in cost" in wrong.message and "off the front" in wrong.message
    )

    def drops_duplicates(costs, scores):  # a point equal to another counts as beaten
        return np.array(
            [
                not any(
                    j != i and costs[j] <= costs[i] and scores[j] >= scores[i]
                    for j in range(len(costs))
                )
                for i in range(len(costs))
            ]
        )

    dup = checks.check_pareto(drops_duplicates)
    assert not dup.passed and "duplicate" in dup.message and "on the front" in dup.message
    shape = checks.check_pareto(lambda c, s: np.ones(2, bool))
    assert not shape.passed and "shape" in shape.message
    broken = checks.check_pareto(lambda c, s: 1 / 0)
    assert not broken.passed and "ZeroDivisionError" in broken.message


def test_hyperband_prediction():
    assert checks.check_hyperband_prediction(75, 9, 3).passed
    assert checks.check_hyperband_prediction(80, 9, 3).passed  # within 25%
    high = checks.check_hyperband_prediction(23 * 9, 9, 3)  # every trial at full length
    assert not high.passed and "too high" in high.message
    assert "too low" in checks.check_hyperband_prediction(20, 9, 3).message
    assert not checks.check_hyperband_prediction("many", 9, 3).passed


def test_deploy_choice():
    table = pd.DataFrame(
        {"val_accuracy": [0.9, 0.8, 0.7, 0.85], "latency_ms": [5.0, 1.0, 0.5, 2.0]},
        index=["big", "small", "tiny", "mid"],
    )
    assert checks.check_deploy_choice("mid", table, 2.0).passed
    slow = checks.check_deploy_choice("big", table, 2.0)
    assert not slow.passed and "over the" in slow.message
    worse = checks.check_deploy_choice("small", table, 2.0)
    assert not worse.passed and "scores higher" in worse.message
    assert not checks.check_deploy_choice("nope", table, 2.0).passed
    assert not checks.check_deploy_choice("tiny", table, 0.1).passed
