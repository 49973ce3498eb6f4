"""Tests for imgcourse.train: fit's compact log with images/s, TrainResult and ThroughputLogger."""

from __future__ import annotations

import re

import keras
import numpy as np
import pytest
import tensorflow as tf

from imgcourse.data import ImageSet, tf_dataset
from imgcourse.train import ThroughputLogger, TrainResult, fit, format_metrics

EPOCH_LINE = re.compile(r"^epoch +(\d+)/(\d+)  ((?:\w+ -?\d+\.\d{4}(?:  )?)+)  \| [\d,]+ images/s$")
SUMMARY_LINE = re.compile(r"^trained (\d+) epochs on ([\d,]+) images in \d+\.\d s; [\d,]+ images/s")


@pytest.fixture(scope="module")
def tiny() -> ImageSet:
    """64 images 8x8: class 1 is bright, class 0 dark (learnable in a couple of epochs)."""
    rng = np.random.default_rng(0)
    labels = np.arange(64) % 2
    images = (
        rng.uniform(0.0, 0.5, (64, 8, 8, 1)).astype(np.float32) + 0.5 * labels[:, None, None, None]
    )
    return ImageSet(
        images=images.astype(np.float32),
        labels=labels.astype(np.int64),
        class_names=["dark", "bright"],
    )


def _model() -> keras.Model:
    keras.utils.set_random_seed(0)
    inputs = keras.Input((8, 8, 1))
    x = keras.layers.Flatten()(inputs)
    outputs = keras.layers.Dense(2, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    model.compile(
        optimizer=keras.optimizers.Adam(0.05),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def _lines(out: str) -> tuple[list[re.Match], list[re.Match]]:
    lines = out.strip().splitlines()
    epochs = [m for m in map(EPOCH_LINE.match, lines) if m]
    for m in epochs:
        assert re.search(r"\bloss \d", m.group(3)) and re.search(r"\baccuracy \d", m.group(3))
    summaries = [m for m in map(SUMMARY_LINE.match, lines) if m]
    assert len(epochs) + len(summaries) == len(lines), out
    return epochs, summaries


def test_fit_prints_one_line_per_epoch_and_a_summary(tiny, capsys):
    result = fit(_model(), tiny, epochs=2, batch_size=16)
    epochs, summaries = _lines(capsys.readouterr().out)
    assert [(m.group(1), m.group(2)) for m in epochs] == [("1", "2"), ("2", "2")]
    assert len(summaries) == 1
    assert summaries[0].group(1) == "2" and summaries[0].group(2) == "64"
    assert isinstance(result, TrainResult)
    assert result.epochs == 2 and result.num_images == 64
    assert set(result.history) == {"loss", "accuracy"}
    assert all(len(v) == 2 for v in result.history.values())
    assert result.seconds > 0 and result.images_per_second > 0


def test_early_stopping_reports_the_epochs_that_ran(tiny, capsys):
    import keras

    stop_at_once = keras.callbacks.EarlyStopping(monitor="loss", patience=0, min_delta=1e9)
    result = fit(_model(), tiny, epochs=10, batch_size=16, callbacks=[stop_at_once])
    _, summaries = _lines(capsys.readouterr().out)
    assert result.epochs == 2 == len(result.history["loss"])
    assert summaries[0].group(1) == "2"


def test_fit_logs_validation_metrics(tiny, capsys):
    result = fit(_model(), tiny, epochs=2, validation_data=tiny, batch_size=16)
    out = capsys.readouterr().out
    assert "val_accuracy" in out and "val_loss" in out
    assert {"val_loss", "val_accuracy"} <= set(result.history)
    # the last printed val_accuracy is the one in the history
    last = re.findall(r"val_accuracy (\d\.\d{4})", out)[-1]
    assert float(last) == pytest.approx(result.final("val_accuracy"), abs=1e-4)


def test_train_result_final_returns_the_last_value():
    result = TrainResult(
        history={"loss": [0.9, 0.5, 0.25], "accuracy": [0.4, 0.7, 0.8]},
        seconds=1.0,
        images_per_second=100.0,
        epochs=3,
        num_images=10,
    )
    assert result.final("loss") == 0.25
    assert result.final("accuracy") == 0.8


def test_train_result_final_of_an_unknown_metric_lists_the_logged_ones(tiny):
    result = TrainResult(
        history={"loss": [0.5], "accuracy": [0.7]},
        seconds=1.0,
        images_per_second=1.0,
        epochs=1,
        num_images=1,
    )
    with pytest.raises(KeyError) as err:
        result.final("val_accuracy")
    message = str(err.value)
    assert "val_accuracy" in message and "['accuracy', 'loss']" in message


def test_fit_learns_and_final_reports_it(tiny, capsys):
    result = fit(_model(), tiny, epochs=6, batch_size=16)
    capsys.readouterr()
    assert result.final("accuracy") == result.history["accuracy"][-1]
    assert result.final("accuracy") > 0.9
    assert result.history["loss"][-1] < result.history["loss"][0]


def test_throughput_logger_every_2_prints_epochs_2_4_and_the_last(tiny, capsys):
    fit(_model(), tiny, epochs=5, every=2, batch_size=32)
    epochs, summaries = _lines(capsys.readouterr().out)
    assert [int(m.group(1)) for m in epochs] == [2, 4, 5]
    assert all(m.group(2) == "5" for m in epochs)
    assert len(summaries) == 1


def test_throughput_logger_counts_epoch_seconds_and_rate(tiny, capsys):
    logger = ThroughputLogger(len(tiny), every=1)
    model = _model()
    model.fit(tiny.images, tiny.labels, epochs=3, batch_size=16, verbose=0, callbacks=[logger])
    assert len(logger.epoch_seconds) == 3 and all(s > 0 for s in logger.epoch_seconds)
    expected = 64 / float(np.median(logger.epoch_seconds[1:]))
    assert logger.images_per_second == pytest.approx(expected)
    assert len(capsys.readouterr().out.strip().splitlines()) == 3


def test_images_per_second_is_nan_before_training():
    assert np.isnan(ThroughputLogger(10).images_per_second)


def test_fit_accepts_an_xy_tuple(tiny, capsys):
    result = fit(_model(), (tiny.images, tiny.labels), epochs=2, batch_size=16)
    epochs, summaries = _lines(capsys.readouterr().out)
    assert len(epochs) == 2 and summaries[0].group(2) == "64"
    assert result.num_images == 64


def test_fit_accepts_a_batched_tf_dataset(tiny, capsys):
    ds = tf_dataset(tiny.subset(slice(0, 50)), batch_size=16)
    val = tf_dataset(tiny.subset(slice(50, 64)), batch_size=16)
    result = fit(_model(), ds, epochs=2, validation_data=val)
    epochs, summaries = _lines(capsys.readouterr().out)
    assert len(epochs) == 2
    assert summaries[0].group(2) == "50"  # counted from the batches, last one partial
    assert result.num_images == 50
    assert "val_loss" in result.history


def test_fit_num_images_overrides_the_count(tiny, capsys):
    ds = tf.data.Dataset.from_tensor_slices((tiny.images, tiny.labels)).batch(16)
    result = fit(_model(), ds, epochs=1, num_images=1000)
    capsys.readouterr()
    assert result.num_images == 1000


def test_fit_from_a_generator_needs_num_images(tiny):
    def batches():
        yield tiny.images[:16], tiny.labels[:16]

    with pytest.raises(ValueError, match="num_images="):
        fit(_model(), batches(), epochs=1)


def test_fit_on_a_repeated_dataset_asks_for_num_images_instead_of_looping(tiny):
    ds = tf.data.Dataset.from_tensor_slices((tiny.images, tiny.labels)).batch(16).repeat()
    with pytest.raises(ValueError, match="repeated or filtered"):
        fit(_model(), ds, epochs=1)


def test_format_metrics_keeps_order_and_four_decimals():
    assert format_metrics({"loss": 0.123456, "accuracy": 1}) == "loss 0.1235  accuracy 1.0000"
    assert format_metrics({}) == ""


def test_out_of_memory_names_batch_size_and_image_size(tiny, monkeypatch):
    """TensorFlow's ResourceExhaustedError, raised mid-fit, becomes a message naming the knobs."""
    import tensorflow as tf

    from imgcourse.train.fit import TrainingOutOfMemoryError

    model = _model()

    def exhausted(*args, **kwargs):
        raise tf.errors.ResourceExhaustedError(None, None, "OOM when allocating tensor")

    monkeypatch.setattr(model, "fit", exhausted)
    with pytest.raises(TrainingOutOfMemoryError) as info:
        fit(model, (tiny.images, tiny.labels), epochs=1, batch_size=32)
    message = str(info.value)
    assert "batch_size=32" in message and "8x8x1 per image" in message
    assert "IMAGE_SIZE" in message and isinstance(info.value, MemoryError)
    assert isinstance(info.value.__cause__, tf.errors.ResourceExhaustedError)


def test_other_errors_in_fit_are_not_relabelled(tiny, monkeypatch):
    model = _model()

    def broken(*args, **kwargs):
        raise ValueError("shapes do not match")

    monkeypatch.setattr(model, "fit", broken)
    with pytest.raises(ValueError, match="shapes do not match"):
        fit(model, (tiny.images, tiny.labels), epochs=1)


def test_two_runs_with_the_same_seed_give_the_same_metrics(capsys):
    """What nbval strict relies on: ``imgcourse.setup(seed)`` then the same training gives the
    same losses and accuracies, bit for bit, on CPU (a shuffled, batched CNN with dropout)."""
    import imgcourse
    from imgcourse.data import make_shapes

    def run(seed: int) -> dict[str, list[float]]:
        imgcourse.setup(seed=seed, verbose=False)
        data = make_shapes(200, image_size=16, seed=seed)
        model = keras.Sequential(
            [
                keras.Input((16, 16, 3)),
                keras.layers.Conv2D(8, 3, activation="relu"),
                keras.layers.MaxPooling2D(),
                keras.layers.Dropout(0.3),
                keras.layers.Flatten(),
                keras.layers.Dense(len(data.class_names), activation="softmax"),
            ]
        )
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
        return fit(model, data, epochs=3, batch_size=32).history

    first, again, other = run(5), run(5), run(6)
    assert first == again
    assert first != other, "a different seed should change something"


def test_build_first_builds_before_training_and_changes_nothing(tiny, capsys):
    """``build_first`` (05) creates the optimizer's and metrics' variables before Keras
    traces the training step, and the training is the same, bit for bit."""

    class Seen(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.built = self.model.optimizer.built

    histories = {}
    for build_first in (False, True):
        seen = Seen()
        histories[build_first] = fit(
            _model(), tiny, epochs=2, batch_size=16, callbacks=[seen], build_first=build_first
        ).history
        assert seen.built is build_first
    assert histories[True] == histories[False]
