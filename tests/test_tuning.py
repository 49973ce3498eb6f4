"""Tests for imgcourse.train.tuning: grid and random search through KerasTuner, as tables."""

from __future__ import annotations

import contextlib
import io
import itertools
import os
import warnings

import numpy as np
import pytest

pytest.importorskip("keras_tuner")

import keras  # noqa: E402
from keras import layers  # noqa: E402

from imgcourse.data import ImageSet  # noqa: E402
from imgcourse.train import tuning  # noqa: E402

RATES = [0.001, 0.01]
UNITS = [4, 8, 16]


def tiny_data(n: int = 48, seed: int = 0) -> ImageSet:
    """Two classes told apart by brightness: learnable in a couple of epochs."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 2
    images = rng.uniform(0, 0.5, (n, 4, 4, 1)) + 0.5 * labels[:, None, None, None]
    return ImageSet(images.astype(np.float32), labels.astype(np.int64), ["dark", "bright"])


def build(hp) -> keras.Model:
    rate = hp.Choice("learning_rate", RATES)
    units = hp.Choice("units", UNITS)
    inputs = keras.Input((4, 4, 1))
    x = layers.Flatten()(inputs)
    x = layers.Dense(units, activation="relu")(x)
    model = keras.Model(inputs, layers.Dense(2, activation="softmax")(x))
    model.compile(
        optimizer=keras.optimizers.Adam(rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


@pytest.fixture(scope="module")
def searches():
    train, val = tiny_data(48, 0), tiny_data(24, 1)
    return tuning.compare_searches(build, train, val, max_trials=4, epochs=2, batch_size=16)


def test_grid_walks_the_space_in_order_last_hyperparameter_fastest(searches):
    grid = searches["grid"].trials
    expected = list(itertools.product(RATES, UNITS))[:4]
    assert list(zip(grid["learning_rate"], grid["units"])) == expected
    assert list(grid["trial"]) == [1, 2, 3, 4]


def test_both_strategies_run_the_same_budget_over_the_same_space(searches):
    assert list(searches) == ["grid", "random"]
    for result in searches.values():
        table = result.trials
        assert len(table) == 4
        assert set(table["learning_rate"]) <= set(RATES)
        assert set(table["units"]) <= set(UNITS)
        assert not table.duplicated(["learning_rate", "units"]).any()  # no trial repeated
        assert {"score", "best_so_far", "seconds", "images_per_second"} <= set(table)
        assert (table["seconds"] > 0).all()


def test_best_so_far_is_the_running_maximum_and_matches_keras_tuner(searches):
    for result in searches.values():
        table = result.trials
        np.testing.assert_allclose(table["best_so_far"], np.maximum.accumulate(table["score"]))
        best_trial = result.tuner.oracle.get_best_trials(1)[0]
        assert result.best["score"] == pytest.approx(best_trial.score)
        assert result.best_hyperparameters() == best_trial.hyperparameters.values


def test_scores_are_the_best_validation_accuracy_of_each_trial(searches):
    for result in searches.values():
        for trial in result.tuner.oracle.trials.values():
            history = trial.metrics.get_history("val_accuracy")
            assert trial.score == pytest.approx(max(h.value[0] for h in history))


def test_best_model_is_trained_and_scores_like_its_trial(searches):
    result = searches["random"]
    model = result.best_model()
    val = tiny_data(24, 1)
    _, accuracy = model.evaluate(val.images, val.labels, verbose=0)
    assert accuracy == pytest.approx(result.best["score"], abs=1e-6)


def test_the_temporary_folder_is_removed_with_the_result():
    train, val = tiny_data(32, 0), tiny_data(16, 1)
    result = tuning.search(
        build, train, val, strategy="grid", max_trials=1, epochs=1, verbose=False
    )
    folder = result._folder.name
    assert os.path.isdir(folder)
    result._folder.cleanup()
    assert not os.path.exists(folder)


def test_search_prints_one_line_with_images_per_second(capsys):
    train, val = tiny_data(32, 0), tiny_data(16, 1)
    tuning.search(
        build,
        (train.images, train.labels),
        (val.images, val.labels),
        strategy="random",
        max_trials=1,
        epochs=1,
        seed=3,
    )
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "random search: 1 trials" in out and "images/s" in out


def test_random_search_is_reproducible_for_a_seed():
    train, val = tiny_data(32, 0), tiny_data(16, 1)
    runs = [
        tuning.search(
            build, train, val, strategy="random", max_trials=3, epochs=1, seed=7, verbose=False
        ).trials[["learning_rate", "units"]]
        for _ in range(2)
    ]
    assert runs[0].equals(runs[1])


def test_distinct_values(searches):
    values = tuning.distinct_values(searches["grid"], "learning_rate")
    np.testing.assert_array_equal(values, [0.001, 0.01])
    with pytest.raises(KeyError, match="no hyperparameter 'depth'"):
        tuning.distinct_values(searches["grid"], "depth")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"strategy": "bayes", "max_trials": 2, "epochs": 1}, "strategy must be one of"),
        ({"strategy": "random", "epochs": 1}, "needs max_trials"),
        ({"strategy": "hyperband", "max_trials": 2, "epochs": 2}, "takes no max_trials"),
        ({"strategy": "grid", "max_trials": 0, "epochs": 1}, "at least 1"),
        ({"strategy": "grid", "max_trials": 2, "epochs": 0}, "at least 1"),
    ],
)
def test_bad_arguments_are_explained(kwargs, match):
    train = tiny_data(8)
    with pytest.raises(ValueError, match=match):
        tuning.search(build, train, train, **kwargs)


def test_compare_needs_a_strategy():
    train = tiny_data(8)
    with pytest.raises(ValueError, match="strategies is empty"):
        tuning.compare_searches(build, train, train, strategies=(), max_trials=1, epochs=1)


def test_a_model_without_the_objective_gets_a_clear_error():
    train = tiny_data(16)

    def no_metric(hp):
        hp.Choice("units", [4])
        model = keras.Sequential([keras.Input((4, 4, 1)), layers.Flatten(), layers.Dense(2)])
        model.compile(optimizer="adam", loss="mse")
        return model

    with pytest.raises(Exception, match="val_accuracy"):
        tuning.search(
            no_metric, train, train, strategy="grid", max_trials=1, epochs=1, verbose=False
        )


@pytest.fixture(scope="module")
def smarter():
    """Hyperband (max 2 epochs, factor 2) and Bayesian optimisation on the tiny space."""
    train, val = tiny_data(48, 0), tiny_data(24, 1)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        hyperband = tuning.search(
            build, train, val, strategy="hyperband", epochs=2, factor=2, batch_size=16, seed=1
        )
    bayesian = tuning.search(
        build, train, val, strategy="bayesian", max_trials=3, num_initial_points=2, epochs=1,
        batch_size=16, seed=1, verbose=False,
    )  # fmt: skip
    return {"hyperband": hyperband, "bayesian": bayesian, "printed": printed.getvalue()}


def test_hyperband_schedule_matches_what_keras_tuner_runs(smarter):
    result = smarter["hyperband"]
    schedule = tuning.hyperband_schedule(2, 2)
    assert list(schedule["bracket"]) == [1, 1, 0]  # the aggressive bracket first
    assert list(schedule["trials"]) == [2, 1, 2] and list(schedule["epochs"]) == [2, 1, 4]
    assert tuning.hyperband_budget(2, 2) == (5, 7)
    table = result.trials
    assert len(table) == 5 and result.total_epochs == 7
    assert list(result.epochs_trained) == [1, 1, 1, 2, 2]
    promoted = table.dropna(subset=["tuner/trial_id"])
    assert len(promoted) == 1 and int(promoted["tuner/initial_epoch"].iloc[0]) == 1
    first_round = table.iloc[:2]
    best_first = first_round.loc[first_round["score"].idxmax()]
    assert promoted[["learning_rate", "units"]].iloc[0].tolist() == [
        best_first["learning_rate"], best_first["units"]
    ]  # fmt: skip


def test_hyperband_prints_its_epochs_in_all(smarter):
    out = smarter["printed"]
    assert out.count("\n") == 1
    assert "hyperband search: 5 trials of up to 2 epochs (7 in all)" in out


def test_budgets_of_other_settings():
    assert tuning.hyperband_budget(4, 3) == (10, 26)
    assert tuning.hyperband_budget(4, 4) == (7, 15)
    assert tuning.hyperband_budget(9, 3) == (23, 75)
    with pytest.raises(ValueError, match="factor >= 2"):
        tuning.hyperband_schedule(4, 1)


def test_bayesian_search_runs_its_trials_in_the_space(smarter):
    result = smarter["bayesian"]
    table = result.trials
    assert len(table) == 3 and result.total_epochs == 3
    assert set(table["learning_rate"]) <= set(RATES) and set(table["units"]) <= set(UNITS)
    np.testing.assert_allclose(table["best_so_far"], np.maximum.accumulate(table["score"]))


def test_compare_searches_default_stays_grid_and_random():
    assert tuning.DEFAULT_COMPARISON == ("grid", "random")
    assert set(tuning.DEFAULT_COMPARISON) < set(tuning.STRATEGIES)


def test_learning_curves_hold_each_trial_and_a_promoted_trial_starts_with_its_parent(smarter):
    result = smarter["hyperband"]
    table, curves = result.trials, result.learning_curves
    assert list(curves.index) == list(table.index) and list(curves.columns) == [1, 2]
    fresh = table["tuner/trial_id"].isna()
    for i in table.index[fresh]:  # a trial's score is the best epoch of its own curve
        assert curves.loc[i].max() == pytest.approx(table.loc[i, "score"])
    (promoted,) = table.index[~fresh]
    parent_id = table.loc[promoted, "tuner/trial_id"]
    order = [t for t in result.tuner.oracle.start_order]
    parent = table.index[order.index(parent_id)]
    assert curves.loc[promoted, 1] == pytest.approx(curves.loc[parent, 1])
    assert curves.loc[promoted, 2] == pytest.approx(table.loc[promoted, "score"])
    assert curves.loc[parent].isna().tolist() == [False, True]  # round 0: one epoch


def test_min_epochs_drops_the_brackets_that_would_start_shorter():
    own = tuning.hyperband_schedule(4, 2)  # KerasTuner's min_epochs of 1
    assert own["epochs_to"].iloc[0] == 1 and list(own["bracket"].unique()) == [2, 1, 0]
    schedule = tuning.hyperband_schedule(4, 2, min_epochs=2)
    assert list(schedule["bracket"]) == [1, 1, 0]
    assert list(schedule["trials"]) == [3, 2, 3] and list(schedule["epochs_to"]) == [2, 4, 4]
    kept = own[own["bracket"] <= 1].reset_index(drop=True)
    assert kept.equals(schedule)  # the brackets left are KerasTuner's own
    assert tuning.hyperband_budget(4, 2, min_epochs=2) == (8, 22)
    assert tuning.hyperband_budget(4, 4, min_epochs=2) == (2, 8)  # one bracket: random search
    with pytest.raises(ValueError, match="min_epochs must be between 1 and max_epochs"):
        tuning.hyperband_schedule(4, 2, min_epochs=5)


def test_hyperband_with_min_epochs_runs_the_shorter_schedule():
    import gc

    train, val = tiny_data(48, 0), tiny_data(24, 1)
    result = tuning.search(
        build, train, val, strategy="hyperband", epochs=4, factor=2, min_epochs=2,
        batch_size=16, seed=2, verbose=False,
    )  # fmt: skip
    table = result.trials
    assert len(table) == 8 and result.total_epochs == 22
    assert list(table["tuner/epochs"]) == [2, 2, 2, 4, 4, 4, 4, 4]
    assert list(table["tuner/initial_epoch"]) == [0, 0, 0, 2, 2, 0, 0, 0]
    assert result.learning_curves.notna().sum(axis=1).tolist() == [2, 2, 2, 4, 4, 4, 4, 4]
    assert gc.get_freeze_count() == 0  # the search unfreezes what it froze
    with pytest.raises(RuntimeError, match="before the search starts"):
        tuning.set_min_epochs(result.tuner.oracle, 1)


def test_tuner_class_builds_keras_tuner_s_own_tuner_and_runs_by_hand(tmp_path):
    import keras_tuner as kt

    train, val = tiny_data(48, 0), tiny_data(24, 1)
    tuner = tuning.tuner_class("random")(
        build,
        objective="val_accuracy",
        max_trials=2,
        seed=0,
        directory=str(tmp_path),
        project_name="by_hand",
    )
    assert isinstance(tuner, kt.RandomSearch)
    train_ds = tuning._as_dataset(train, 16, shuffle=True, seed=0)
    val_ds = tuning._as_dataset(val, 16, shuffle=False, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # no optimizer-loading warning either
        tuner.search(train_ds, validation_data=val_ds, epochs=2, shuffle=False, verbose=0)
        model = tuner.get_best_models(1)[0]
    table = tuning.trials_table(tuner, tuner.timings)
    assert len(table) == 2 and tuner.num_images == 48  # counted from the data
    assert {"seconds", "images_per_second", "best_so_far"} <= set(table.columns)
    assert len(tuner.histories) == 2
    assert model.count_params() > 0
    assert tuner.get_best_hyperparameters(1)[0].values["units"] in UNITS


def test_tuner_class_names_the_strategies():
    with pytest.raises(ValueError, match="strategy must be one of"):
        tuning.tuner_class("exhaustive")
