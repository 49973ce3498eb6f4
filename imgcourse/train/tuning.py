"""Hyperparameter search with KerasTuner: grid, random, Hyperband and Bayesian search, as
tables.

Thin helpers around ``keras_tuner`` (package ``keras-tuner``): :func:`search` runs one strategy
quietly in a temporary folder and returns its trials as a pandas table, one row per trial in
the order run, with the best score found so far; :func:`compare_searches` runs several
strategies over the same space with the same number of trials. Grid and random search are
introduced in ``04_training_and_tuning``; Hyperband (successive halving of the epochs given to
random candidates) and Bayesian optimisation (a Gaussian-process model of the score proposes
the next trial) in ``16_architecture_search``, which compares them by epochs trained and
seconds; :func:`replay_hyperband` replays Hyperband's schedule on the learning curves that
a random search recorded, so that both are compared on the same candidates.

Example::

    def build(hp):
        units = hp.Choice("units", [16, 32, 64])
        ...
        return model  # compiled, with an "accuracy" metric

    results = compare_searches(build, train, val, max_trials=8, epochs=10)
    results["random"].trials  # trial, units, ..., score, best_so_far, seconds
"""

from __future__ import annotations

import contextlib
import gc
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import keras
import numpy as np

from imgcourse.data.dataset import ImageSet
from imgcourse.train.callbacks import ThroughputLogger

if TYPE_CHECKING:
    import pandas as pd

#: The strategies :func:`search` knows, by name.
STRATEGIES = ("grid", "random", "hyperband", "bayesian")
#: The strategies :func:`compare_searches` runs unless told otherwise (``04``'s comparison).
DEFAULT_COMPARISON = ("grid", "random")


class _QuietThroughput(ThroughputLogger):
    """Times each epoch like :class:`ThroughputLogger` without printing."""

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        end = self._train_end or time.perf_counter()
        self.epoch_seconds.append(end - self._start)


@contextlib.contextmanager
def _frozen_garbage() -> Iterator[None]:
    """Leave the objects that exist now out of garbage collection until the block ends.

    Before every trial KerasTuner clears the Keras session and collects garbage, two full
    passes over the half a million objects TensorFlow and Keras hold once imported (about
    0.4 s each on the course's 2-core CPU, seconds per search). Frozen (:func:`gc.freeze`),
    those objects are skipped and each pass covers only what the trials made; the previous
    trial's model is still freed.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _save_once(callback: Any) -> Any:
    """KerasTuner's checkpoint of a trial's best epoch, written once when the trial ends.

    KerasTuner writes the weights to disk at every epoch that improves the score, about a
    tenth of a second each for this course's small networks; keeping the best epoch's weights
    in memory and writing them once leaves the same file for half the writes or fewer.
    """
    from keras_tuner.src.engine.tuner_utils import SaveBestEpoch

    if type(callback) is not SaveBestEpoch:
        return callback

    class SaveBestOnce(SaveBestEpoch):
        def _save_model(self) -> None:
            self.best_weights = self.model.get_weights()

        def on_train_end(self, logs: dict | None = None) -> None:
            best = getattr(self, "best_weights", None)
            if best is not None:
                self.model.set_weights(best)
                super()._save_model()

    return SaveBestOnce(callback.objective, callback.filepath)


def _tuner_class(strategy: str) -> type:
    """The KerasTuner class for ``strategy``, extended to time each trial."""
    import keras_tuner as kt

    base = {
        "grid": kt.GridSearch,
        "random": kt.RandomSearch,
        "hyperband": kt.Hyperband,
        "bayesian": kt.BayesianOptimization,
    }[strategy]

    class Timed(base):  # type: ignore[misc, valid-type]
        def __init__(self, *args: Any, num_images: int | None = None, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.num_images = num_images
            self.timings: dict[str, tuple[float, float]] = {}
            self.histories: dict[str, dict[str, list[float]]] = {}

        def search(self, *args: Any, **kwargs: Any) -> Any:
            with _frozen_garbage():
                return super().search(*args, **kwargs)

        def get_best_models(self, num_models: int = 1) -> list:
            with warnings.catch_warnings():  # the checkpoint holds no optimizer state
                warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
                return super().get_best_models(num_models)

        def _build_and_fit_model(self, trial: Any, *args: Any, **kwargs: Any) -> Any:
            if self.num_images is None:  # count the training images once
                self.num_images = _count(args[0] if args else kwargs["x"])
            logger = _QuietThroughput(self.num_images)
            callbacks = [_save_once(c) for c in kwargs.get("callbacks", [])]
            kwargs["callbacks"] = [*callbacks, logger]
            start = time.perf_counter()
            result = super()._build_and_fit_model(trial, *args, **kwargs)
            self.timings[trial.trial_id] = (
                time.perf_counter() - start,
                logger.images_per_second,
            )
            history = getattr(result, "history", None)
            if isinstance(history, dict):
                self.histories[trial.trial_id] = {
                    key: [float(v) for v in values] for key, values in history.items()
                }
            return result

        def _configure_tensorboard_dir(
            self, callbacks: list, trial: Any, execution: int = 0
        ) -> None:
            # KerasTuner imports tensorboard here on the TensorFlow backend even when no
            # TensorBoard callback is used; tensorboard is not a dependency of TensorFlow 2.21.
            if any(type(c).__name__ == "TensorBoard" for c in callbacks):
                super()._configure_tensorboard_dir(callbacks, trial, execution)

    Timed.__name__ = f"Timed{base.__name__}"
    return Timed


def tuner_class(strategy: str) -> type:
    """KerasTuner's tuner class for ``strategy``, ready to build and ``search`` by hand.

    ``"grid"`` gives a subclass of ``keras_tuner.GridSearch``, ``"random"`` of
    ``RandomSearch``, ``"hyperband"`` of ``Hyperband`` and ``"bayesian"`` of
    ``BayesianOptimization``: same arguments and methods (``search``,
    ``get_best_hyperparameters``, ``get_best_models``), plus ``timings`` (trial id -> (seconds,
    images/s)) and ``histories`` (trial id -> the trial's Keras history) for
    :func:`trials_table`. It also skips KerasTuner's import of TensorBoard (not installed
    with TensorFlow 2.21), writes a trial's best weights once instead of at every better
    epoch, and keeps the objects that exist before ``search`` out of garbage collection.
    The optional ``num_images`` (training images per epoch, for images/s) is counted from
    the training data if left out. :func:`search` builds one; ``04_training_and_tuning``
    builds one in the notebook.
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {STRATEGIES}; got {strategy!r}")
    return _tuner_class(strategy)


def _as_dataset(data: Any, batch_size: int, *, shuffle: bool, seed: int) -> Any:
    """An ImageSet or (images, labels) pair as a cached, batched tf.data pipeline."""
    if isinstance(data, (ImageSet, tuple)):
        from imgcourse.data.pipeline import tf_dataset

        return tf_dataset(data, batch_size=batch_size, shuffle=shuffle, seed=seed)
    return data  # already a tf.data.Dataset (or another iterable Keras accepts)


def _count(data: Any) -> int:
    if isinstance(data, ImageSet):
        return len(data)
    if isinstance(data, tuple):
        return len(data[0])
    return int(sum(int(x.shape[0]) for x, *_ in data))


@dataclass
class SearchResult:
    """What one search found.

    Attributes:
        strategy: one of :data:`STRATEGIES`.
        trials: one row per trial in the order run: ``trial`` (1, 2, ...), one column per
            hyperparameter, ``score`` (the objective: the best value over the trial's epochs,
            KerasTuner's rule), ``best_so_far`` (the best score of trials 1..n),
            ``seconds`` (wall time of the trial, model building included) and
            ``images_per_second`` (median training epoch, the first left out). Hyperband
            adds its own columns ``tuner/epochs``, ``tuner/initial_epoch``,
            ``tuner/bracket``, ``tuner/round`` and, for a promoted trial, ``tuner/trial_id``.
        objective: the metric searched, for example ``"val_accuracy"``.
        seconds: wall time of the whole search.
        tuner: the KerasTuner object (its trials, best hyperparameters, saved models).
    """

    strategy: str
    trials: pd.DataFrame
    objective: str
    seconds: float
    tuner: Any = field(repr=False)
    _folder: Any = field(default=None, repr=False)

    @property
    def epochs_trained(self) -> np.ndarray:
        """Epochs each trial of :attr:`trials` trained, in its order (ints).

        ``epochs`` for every grid, random and Bayesian trial; for Hyperband, the epochs a trial
        added (a promoted trial starts from its parent's weights at ``tuner/initial_epoch``).
        """
        return _epochs_trained(self.trials, self.tuner)

    @property
    def total_epochs(self) -> int:
        """Epochs trained by the whole search: the budget two strategies are matched on."""
        return int(self.epochs_trained.sum())

    @property
    def learning_curves(self) -> pd.DataFrame:
        """The objective after each epoch of every trial: one row per row of :attr:`trials`
        (same index), one column per epoch (1, 2, ...), NaN where the trial did not train.

        A promoted Hyperband trial continues from its parent's weights, so its row starts
        with the parent's epochs: the whole training run the promoted model went through.
        A trial's ``score`` is the best value of its row (for a minimised objective, the
        lowest), and the score Hyperband's first round ranks by is the best of the first
        columns: ``curves.iloc[:, :2].max(axis=1)`` after two epochs
        (``16_architecture_search``).
        """
        return _learning_curves(self.trials, self.tuner, self.objective)

    @property
    def best(self) -> pd.Series:
        """The row of the best trial (the first one, on a tie)."""
        return self.trials.loc[self.trials["score"].idxmax()]

    def best_hyperparameters(self) -> dict[str, Any]:
        """The best trial's hyperparameter values, by name."""
        return dict(self.tuner.get_best_hyperparameters(1)[0].values)

    def best_model(self) -> keras.Model:
        """The best trial's model, with the weights of its best epoch (no retraining)."""
        with warnings.catch_warnings():  # the checkpoint's optimizer state is not needed
            warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
            return self.tuner.get_best_models(1)[0]


def _learning_curves(table: pd.DataFrame, tuner: Any, objective: str) -> pd.DataFrame:
    import pandas as pd

    histories = getattr(tuner, "histories", {})
    order = [t for t in _trial_order(tuner) if tuner.oracle.trials[t].score is not None]

    def curve(trial_id: str) -> list[float]:
        values = list(histories.get(trial_id, {}).get(objective, []))
        hp = tuner.oracle.trials[trial_id].hyperparameters.values
        parent = hp.get("tuner/trial_id")
        if parent is not None and parent in tuner.oracle.trials:
            start = int(hp.get("tuner/initial_epoch", 0))
            values = (curve(parent)[:start] + [float("nan")] * start)[:start] + values
        return values

    curves = [curve(trial_id) for trial_id in order]
    width = max((len(c) for c in curves), default=0)
    rows = [c + [float("nan")] * (width - len(c)) for c in curves]
    frame = pd.DataFrame(rows, columns=range(1, width + 1), index=table.index[: len(rows)])
    frame.columns.name = "epoch"
    return frame


def _trial_order(tuner: Any) -> list[str]:
    oracle = tuner.oracle
    return list(getattr(oracle, "start_order", None) or oracle.trials)


def _epochs_trained(table: pd.DataFrame, tuner: Any) -> np.ndarray:
    if "tuner/epochs" in table.columns:
        return (table["tuner/epochs"] - table["tuner/initial_epoch"]).to_numpy(dtype=int)
    return np.full(len(table), int(tuner.fit_epochs), dtype=int)


def set_min_epochs(oracle: Any, min_epochs: int) -> Any:
    """Give a KerasTuner ``HyperbandOracle`` a shortest first round of ``min_epochs`` epochs.

    KerasTuner counts its brackets down from ``max_epochs``, dividing by ``factor`` while the
    result is at least the oracle's ``min_epochs``, which it fixes at 1: the most aggressive
    bracket then trains its first round for ``ceil(max_epochs / factor ** k)`` epochs, 1 when
    ``max_epochs`` is a power of ``factor``. A larger ``min_epochs`` drops the brackets whose
    first round would be shorter, before any trial runs; the sizes and epochs of the brackets
    left are KerasTuner's own. Returns the oracle (``16_architecture_search``).
    """
    if int(min_epochs) < 1 or int(min_epochs) > int(oracle.max_epochs):
        raise ValueError(
            f"min_epochs must be between 1 and max_epochs ({oracle.max_epochs}); got {min_epochs}"
        )
    if oracle.trials:
        raise RuntimeError("set min_epochs before the search starts: trials already ran")
    oracle.min_epochs = int(min_epochs)
    oracle._current_iteration = 0
    oracle._current_bracket = oracle._get_num_brackets() - 1
    oracle._brackets = []
    oracle._start_new_bracket()
    return oracle


def hyperband_schedule(max_epochs: int, factor: int = 3, min_epochs: int = 1) -> pd.DataFrame:
    """One Hyperband iteration as KerasTuner schedules it: one row per round of each bracket.

    Columns: ``bracket`` (the most aggressive first, as KerasTuner runs them), ``round``,
    ``trials`` (models trained in the round: random new ones in round 0, the best of the
    previous round after it), ``epochs_from`` and ``epochs_to`` (a promoted model continues
    from its parent's weights), ``epochs`` (``trials * (epochs_to - epochs_from)``, trained
    in the round). ``min_epochs`` drops the brackets whose first round would train fewer
    epochs (see :func:`set_min_epochs`; KerasTuner's own is 1). Introduced in
    ``16_architecture_search``.
    """
    import pandas as pd
    from keras_tuner.src.tuners.hyperband import HyperbandOracle

    if int(max_epochs) < 1 or int(factor) < 2:
        raise ValueError(
            f"max_epochs must be >= 1 and factor >= 2; got max_epochs={max_epochs}, factor={factor}"
        )
    oracle = HyperbandOracle(objective="val_accuracy", max_epochs=int(max_epochs), factor=factor)
    set_min_epochs(oracle, min_epochs)
    rows = []
    for bracket in reversed(range(oracle._get_num_brackets())):
        for round_num in range(oracle._get_num_rounds(bracket)):
            size = oracle._get_size(bracket, round_num)
            start = oracle._get_epochs(bracket, round_num - 1) if round_num else 0
            stop = oracle._get_epochs(bracket, round_num)
            rows.append(
                {
                    "bracket": bracket,
                    "round": round_num,
                    "trials": size,
                    "epochs_from": start,
                    "epochs_to": stop,
                    "epochs": size * (stop - start),
                }
            )
    return pd.DataFrame(rows)


def hyperband_budget(max_epochs: int, factor: int = 3, min_epochs: int = 1) -> tuple[int, int]:
    """(trials, epochs in all) of one Hyperband iteration, the sums of
    :func:`hyperband_schedule`.

    KerasTuner's Hyperband has no ``max_trials``: ``max_epochs`` and ``factor`` (and
    ``min_epochs``) fix how many random candidates each bracket starts and how many epochs
    each round gives the survivors. Use it to give another strategy the same number of
    epochs (``16_architecture_search``). For example ``hyperband_budget(4, 3) == (10, 26)``
    and ``hyperband_budget(4, 2, min_epochs=2) == (8, 22)``.
    """
    schedule = hyperband_schedule(max_epochs, factor, min_epochs)
    return int(schedule["trials"].sum()), int(schedule["epochs"].sum())


def replay_hyperband(
    curves: pd.DataFrame,
    schedule: pd.DataFrame,
    order: Sequence[Any] | None = None,
    *,
    direction: str = "max",
) -> pd.DataFrame:
    """Hyperband's schedule replayed on recorded learning curves, as benchmarks of
    schedulers do on tables of learning curves.

    Each bracket of ``schedule`` (:func:`hyperband_schedule`, brackets in its order) takes
    the next ``trials`` candidates of ``order`` for its round 0 and "trains" them to
    ``epochs_to``: a candidate's score is then the best value of its curve up to that epoch
    (KerasTuner's rule). Each later round keeps the best ``trials`` of the previous round
    (on a tie, the one earlier in that round) and reads their curves on to its
    ``epochs_to``. A promoted candidate continues its own recorded run, as if training had
    paused and resumed; KerasTuner's Hyperband instead restarts it from the weights of its
    best epoch with a fresh optimizer, so its later epochs differ a little. Introduced in
    ``16_architecture_search``, which writes the same replay in a few lines.

    Args:
        curves: one row per candidate, one column per epoch ``1 .. max_epochs``
            (:attr:`SearchResult.learning_curves` of a random or grid search, every trial
            trained the schedule's longest round).
        schedule: a table like :func:`hyperband_schedule`'s: ``bracket``, ``round``,
            ``trials``, ``epochs_from``, ``epochs_to``.
        order: row labels of ``curves``, the order in which the candidates are drawn (the
            rows' own order if None); at least as many as the schedule's round-0 trials.
        direction: ``"max"`` for a score such as accuracy, ``"min"`` for a loss.

    Returns:
        One row per model trained, in the order Hyperband trains them: ``bracket``,
        ``round``, ``candidate`` (row label of ``curves``), ``epochs_from``,
        ``epochs_to``, ``epochs`` (trained in the round), ``score`` and ``best_so_far``.
        Hyperband's best found is ``score``'s best, its budget ``epochs.sum()``.
    """
    import pandas as pd

    if direction not in ("max", "min"):
        raise ValueError(f"direction must be 'max' or 'min'; got {direction!r}")
    sign = 1.0 if direction == "max" else -1.0
    values = sign * curves.to_numpy(dtype=float)
    epochs = [int(c) for c in curves.columns]
    if epochs != list(range(1, len(epochs) + 1)):
        raise ValueError(f"curves needs one column per epoch 1, 2, ...; got columns {epochs}")
    best_by = np.fmax.accumulate(values, axis=1)  # best so far after each epoch
    queue = list(curves.index if order is None else order)
    names = ["bracket", "round", "trials", "epochs_from", "epochs_to"]
    steps = np.stack([schedule[key].to_numpy(dtype=int) for key in names], axis=1)
    new = int(steps[steps[:, 1] == 0, 2].sum())
    if len(queue) < new:
        raise ValueError(
            f"the schedule starts {new} new candidates; order holds only {len(queue)}: "
            "record more trials"
        )
    position = {label: i for i, label in enumerate(curves.index)}
    rows: list[tuple[Any, ...]] = []
    alive: list[Any] = []
    scores: dict[Any, float] = {}
    for bracket, round_num, n, start, stop in steps.tolist():
        if round_num == 0:
            alive, queue = queue[:n], queue[n:]
        else:
            alive = sorted(alive, key=lambda c: -scores[c])[:n]
        if stop > len(epochs):
            raise ValueError(f"the schedule trains to epoch {stop}; curves stop at {len(epochs)}")
        scores = {}
        for candidate in alive:
            row = position[candidate]
            if np.isnan(values[row, stop - 1]):
                raise ValueError(f"candidate {candidate!r} has no score at epoch {stop}")
            scores[candidate] = float(best_by[row, stop - 1])
            score = sign * scores[candidate]
            rows.append((bracket, round_num, candidate, start, stop, stop - start, score))
    table = pd.DataFrame.from_records(
        rows,
        columns=["bracket", "round", "candidate", "epochs_from", "epochs_to", "epochs", "score"],
    )
    best = np.maximum.accumulate(sign * np.array([row[-1] for row in rows], dtype=float))
    table["best_so_far"] = sign * best
    return table


def trials_table(tuner: Any, timings: dict[str, tuple[float, float]] | None = None) -> pd.DataFrame:
    """A finished tuner's trials as a table, one row per trial in the order they started.

    Columns: ``trial`` (1, 2, ...), one per hyperparameter, ``score``, ``best_so_far`` and,
    when ``timings`` (trial id -> (seconds, images/s)) is given, ``seconds`` and
    ``images_per_second``. Trials without a score (failed) are left out.
    """
    import pandas as pd

    oracle = tuner.oracle
    order = _trial_order(tuner)
    rows = []
    for trial_id in order:
        trial = oracle.trials[trial_id]
        if trial.score is None:
            continue
        row = {"trial": len(rows) + 1, **trial.hyperparameters.values, "score": trial.score}
        if timings is not None and trial_id in timings:
            row["seconds"], row["images_per_second"] = timings[trial_id]
        rows.append(row)
    table = pd.DataFrame(rows)
    if len(table):
        direction = oracle.objective.direction
        best = table["score"].cummax() if direction == "max" else table["score"].cummin()
        table.insert(table.columns.get_loc("score") + 1, "best_so_far", best)
    return table


def search(
    build: Callable[[Any], keras.Model],
    train: Any,
    validation: Any,
    *,
    strategy: str,
    max_trials: int | None = None,
    epochs: int,
    batch_size: int = 64,
    objective: str = "val_accuracy",
    seed: int = 0,
    directory: str | None = None,
    verbose: bool = True,
    factor: int = 3,
    min_epochs: int = 1,
    num_initial_points: int | None = None,
) -> SearchResult:
    """Run one KerasTuner search quietly and return its trials as a table.

    Args:
        build: takes a ``keras_tuner.HyperParameters`` and returns a compiled model; the
            search space is what it asks for (``hp.Choice``, ``hp.Int`` with a step, ...).
        train, validation: :class:`ImageSet`, (images, labels) pairs or batched
            ``tf.data.Dataset`` objects; sets and pairs become cached ``tf.data`` pipelines
            (the training one shuffled with ``seed``).
        strategy: ``"grid"`` (every combination in order, the last hyperparameter asked for
            changing fastest, each starting at its default), ``"random"``, ``"hyperband"``
            (random candidates trained a few epochs, the best ``1 / factor`` continued
            longer, round after round) or ``"bayesian"`` (after ``num_initial_points``
            random trials, a Gaussian process fitted to the scores picks the next one).
        max_trials: models to train at most (a grid stops early when it is exhausted);
            required except for Hyperband, whose schedule fixes the number of trials (see
            :func:`hyperband_budget`) and which does not accept it.
        epochs: epochs per trial; for Hyperband, the most epochs any one trial reaches
            (its ``max_epochs``).
        batch_size: images per batch for sets and pairs.
        objective: the logged metric to maximise (``val_...``), or ``"val_loss"``/``"loss"``
            to minimise.
        seed: seeds Keras before the search and the random strategy's sampler.
        directory: where KerasTuner writes its trials and checkpoints; a temporary folder,
            removed when the result is garbage-collected, if None.
        verbose: print one line when the search ends.
        factor: Hyperband's reduction factor: each round keeps ``1 / factor`` of the
            candidates and trains them ``factor`` times longer.
        min_epochs: Hyperband only: the fewest epochs a first round may train; brackets
            that would start shorter are left out (:func:`set_min_epochs`).
        num_initial_points: Bayesian optimisation's random trials before its model takes
            over (KerasTuner's default, three per hyperparameter, if None).

    Returns:
        A :class:`SearchResult`.
    """
    import keras_tuner as kt

    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {STRATEGIES}; got {strategy!r}")
    if strategy == "hyperband":
        if max_trials is not None:
            raise ValueError(
                f"Hyperband takes no max_trials (got {max_trials}): its schedule fixes the "
                "trials from epochs and factor; see hyperband_budget(epochs, factor)"
            )
    elif max_trials is None:
        raise ValueError(f"the {strategy} strategy needs max_trials (models to train)")
    if (max_trials is not None and int(max_trials) < 1) or int(epochs) < 1:
        raise ValueError(
            f"max_trials and epochs must be at least 1; got max_trials={max_trials}, "
            f"epochs={epochs}"
        )
    folder = None
    if directory is None:
        folder = tempfile.TemporaryDirectory(prefix="imgcourse-tuning-")
        directory = folder.name
    train_ds = _as_dataset(train, batch_size, shuffle=True, seed=seed)
    val_ds = _as_dataset(validation, batch_size, shuffle=False, seed=seed)
    direction = "min" if objective.endswith("loss") else "max"
    if strategy == "hyperband":
        budget: dict[str, Any] = {"max_epochs": int(epochs), "factor": int(factor)}
    else:
        budget = {"max_trials": int(max_trials)}  # type: ignore[arg-type]
        if strategy == "bayesian":
            budget["num_initial_points"] = num_initial_points
    tuner = _tuner_class(strategy)(
        hypermodel=build,
        objective=kt.Objective(objective, direction=direction),
        **budget,
        seed=seed,
        directory=directory,
        project_name=strategy,
        overwrite=True,
        num_images=_count(train),
    )
    if strategy == "hyperband" and int(min_epochs) != 1:
        set_min_epochs(tuner.oracle, min_epochs)
    tuner.fit_epochs = int(epochs)
    keras.utils.set_random_seed(seed)
    start = time.perf_counter()
    with warnings.catch_warnings():
        # A promoted Hyperband trial loads its parent's weights, not its optimizer state; the
        # Gaussian process of Bayesian optimisation warns when a length scale hits its bound.
        warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
        warnings.filterwarnings("ignore", message="The optimal value found for dimension")
        tuner.search(train_ds, validation_data=val_ds, epochs=int(epochs), shuffle=False, verbose=0)
    seconds = time.perf_counter() - start
    table = trials_table(tuner, tuner.timings)
    if table.empty:
        raise RuntimeError(
            f"the {strategy} search finished no trial: does the model log {objective!r}? "
            "Compile it with metrics=['accuracy'] and pass validation data."
        )
    result = SearchResult(strategy, table, objective, seconds, tuner, folder)
    if verbose:
        rate = float(np.nanmedian(table["images_per_second"]))
        length = f"{epochs} epochs"
        if strategy == "hyperband":
            length = f"up to {epochs} epochs ({result.total_epochs} in all)"
        print(
            f"{strategy} search: {len(table)} trials of {length} in {seconds:.1f} s "
            f"({rate:,.0f} images/s); best {objective} {result.best['score']:.4f}"
        )
    return result


def compare_searches(
    build: Callable[[Any], keras.Model],
    train: Any,
    validation: Any,
    *,
    strategies: Sequence[str] = DEFAULT_COMPARISON,
    max_trials: int | None = None,
    epochs: int,
    **kwargs: Any,
) -> dict[str, SearchResult]:
    """Run each strategy over the same space with the same budget; see :func:`search`.

    Hyperband, which takes no ``max_trials``, is run with ``epochs`` as its ``max_epochs``.

    Returns:
        strategy name -> :class:`SearchResult`, in the order given.
    """
    if not strategies:
        raise ValueError("strategies is empty: name at least one of " + str(STRATEGIES))
    return {
        name: search(
            build,
            train,
            validation,
            strategy=name,
            max_trials=None if name == "hyperband" else max_trials,
            epochs=epochs,
            **kwargs,
        )
        for name in strategies
    }


def distinct_values(result: SearchResult, name: str) -> np.ndarray:
    """The distinct values a search tried for the hyperparameter ``name``, sorted."""
    if name not in result.trials.columns:
        raise KeyError(f"no hyperparameter {name!r}; the trials table has {list(result.trials)}")
    return np.sort(result.trials[name].unique())
