"""Tests for imgcourse.train.tuning.replay_hyperband: Hyperband's schedule replayed on
recorded learning curves (16_architecture_search)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("keras_tuner")

from imgcourse.train import tuning  # noqa: E402


def curves_of(rows: dict[str, list[float]]) -> pd.DataFrame:
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.columns = range(1, frame.shape[1] + 1)
    return frame


#: Six candidates of four epochs; "late" learns late, "dip" peaks at epoch 2.
CURVES = curves_of(
    {
        "a": [0.2, 0.5, 0.6, 0.7],
        "late": [0.2, 0.3, 0.7, 0.9],
        "c": [0.2, 0.4, 0.5, 0.5],
        "d": [0.3, 0.4, 0.5, 0.6],
        "dip": [0.2, 0.8, 0.6, 0.6],
        "f": [0.2, 0.3, 0.4, 0.5],
        "spare": [0.9, 0.9, 0.9, 0.9],
    }
)
SCHEDULE = tuning.hyperband_schedule(4, 2, min_epochs=2)  # 3 at 2 -> 2 at 4; 3 at 4


def test_one_replay_by_hand():
    table = tuning.replay_hyperband(CURVES, SCHEDULE)
    # bracket 1: a, late, c to 2 epochs (0.5, 0.3, 0.4): a and c go on, late is dropped;
    # bracket 0: d, dip, f the full 4 epochs; spare is never drawn.
    assert list(table["candidate"]) == ["a", "late", "c", "a", "c", "d", "dip", "f"]
    assert list(table["round"]) == [0, 0, 0, 1, 1, 0, 0, 0]
    np.testing.assert_allclose(table["score"], [0.5, 0.3, 0.4, 0.7, 0.5, 0.6, 0.8, 0.5])
    np.testing.assert_allclose(table["best_so_far"], np.maximum.accumulate(table["score"]))
    assert table["epochs"].sum() == tuning.hyperband_budget(4, 2, min_epochs=2)[1] == 22
    assert table["score"].max() == pytest.approx(0.8)  # dip's best epoch counts


def test_the_order_decides_which_candidates_meet():
    table = tuning.replay_hyperband(CURVES, SCHEDULE, ["late", "a", "d", "spare", "c", "f"])
    # late ranks last after 2 epochs and is dropped although its full run is the best of
    # the first three; spare, drawn into the cautious bracket, wins.
    assert "late" not in set(table.loc[table["round"] == 1, "candidate"])
    assert table["score"].max() == pytest.approx(0.9)
    assert table.loc[table["score"].idxmax(), "candidate"] == "spare"


def test_ties_promote_the_earlier_candidate():
    tied = curves_of({"x": [0.5, 0.5, 0.6, 0.6], "y": [0.5, 0.5, 0.9, 0.9]})
    schedule = tuning.hyperband_schedule(2, 2)  # 2 at 1 -> 1 at 2; 2 at 2
    table = tuning.replay_hyperband(tied.iloc[:, :2], schedule, ["y", "x", "x", "y"])
    assert list(table["candidate"])[:3] == ["y", "x", "y"]


def test_a_loss_is_minimised():
    losses = -CURVES
    table = tuning.replay_hyperband(losses, SCHEDULE, direction="min")
    np.testing.assert_allclose(table["score"], -tuning.replay_hyperband(CURVES, SCHEDULE)["score"])
    np.testing.assert_allclose(table["best_so_far"], np.minimum.accumulate(table["score"]))


def test_never_better_than_full_runs_of_the_same_candidates():
    """On the same candidates, Hyperband's best cannot pass the best of their full runs."""
    rng = np.random.default_rng(0)
    curves = pd.DataFrame(np.maximum.accumulate(rng.uniform(0, 1, (9, 4)), axis=1))
    curves.columns = range(1, 5)
    for _ in range(50):
        order = list(rng.permutation(curves.index))
        table = tuning.replay_hyperband(curves, SCHEDULE, order)
        drawn = order[:6]
        assert table["score"].max() <= curves.loc[drawn].max(axis=1).max() + 1e-12
        assert set(table["candidate"]) == set(drawn)


def test_bad_input_is_explained():
    with pytest.raises(ValueError, match="starts 6 new candidates; order holds only 5"):
        tuning.replay_hyperband(CURVES, SCHEDULE, list(CURVES.index[:5]))
    with pytest.raises(ValueError, match="curves stop at 2"):
        tuning.replay_hyperband(CURVES.iloc[:, :2], SCHEDULE)
    with pytest.raises(ValueError, match="one column per epoch"):
        tuning.replay_hyperband(CURVES.set_axis([0, 1, 2, 3], axis=1), SCHEDULE)
    short = CURVES.copy()
    short.loc["d", 4] = np.nan
    with pytest.raises(ValueError, match="'d' has no score at epoch 4"):
        tuning.replay_hyperband(short, SCHEDULE)
    with pytest.raises(ValueError, match="direction"):
        tuning.replay_hyperband(CURVES, SCHEDULE, direction="up")
