"""Tests for imgcourse.train.seeds (over_seeds and SeedRuns)."""

from __future__ import annotations

import numpy as np
import pytest

from imgcourse.train import SeedRuns, over_seeds


def test_values_per_seed_in_order_with_mean_and_sample_std():
    runs = over_seeds(lambda seed: {"acc": seed / 10, "loss": 1.0}, seeds=(1, 2, 3))
    assert runs.seeds == (1, 2, 3)
    np.testing.assert_allclose(runs.values["acc"], [0.1, 0.2, 0.3])
    assert runs.mean("acc") == pytest.approx(0.2)
    assert runs.std("acc") == pytest.approx(np.std([0.1, 0.2, 0.3], ddof=1))
    assert runs.std("loss") == 0.0
    assert runs.describe("acc") == "20.0% ± 10.0% (3 seeds)"
    assert len(runs.seconds) == 3


def test_a_float_result_is_recorded_as_value():
    runs = over_seeds(lambda seed: float(seed), seeds=[4, 6])
    assert runs.mean() == 5.0
    assert runs.describe(fmt=".2f") == "5.00 ± 1.41 (2 seeds)"


def test_each_run_is_seeded_so_randomness_repeats():
    first = over_seeds(lambda seed: float(np.random.rand()), seeds=(0, 1))
    second = over_seeds(lambda seed: float(np.random.rand()), seeds=(0, 1))
    np.testing.assert_array_equal(first.values["value"], second.values["value"])
    assert first.values["value"][0] != first.values["value"][1]


def test_one_seed_has_zero_spread():
    assert over_seeds(lambda seed: 0.5, seeds=(3,)).std() == 0.0


@pytest.mark.parametrize(("seeds", "message"), [((), "at least one seed"), ((1, 1), "distinct")])
def test_bad_seeds_say_what_is_wrong(seeds, message):
    with pytest.raises(ValueError, match=message):
        over_seeds(lambda seed: 0.0, seeds=seeds)


def test_runs_must_return_the_same_metrics():
    with pytest.raises(ValueError, match="every run must return the same names"):
        over_seeds(lambda seed: {"a": 1.0} if seed == 0 else {"b": 1.0}, seeds=(0, 1))


def test_an_unknown_metric_lists_the_recorded_ones():
    runs = SeedRuns(seeds=(0,), values={"acc": np.array([0.5])})
    with pytest.raises(KeyError, match="recorded: \\['acc'\\]"):
        runs.mean("loss")
