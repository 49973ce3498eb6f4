"""Tests for imgcourse.train.continual: the reservoir buffer and the three update strategies
(18_continuous_learning)."""

import keras
import numpy as np
import pytest
from keras import layers

from imgcourse.train.continual import (
    STRATEGIES,
    ReservoirBuffer,
    compile_classifier,
    update_model,
)


def test_reservoir_keeps_capacity_and_is_uniform():
    counts = np.zeros(200)
    for seed in range(300):
        buf = ReservoirBuffer(20, seed=seed)
        items = np.arange(200)
        for start in range(0, 200, 16):
            chunk = items[start : start + 16]
            buf.add(chunk[:, None, None, None].astype(np.float32), chunk)
        assert len(buf) == 20 and buf.seen == 200
        assert np.array_equal(buf.images[:, 0, 0, 0], buf.labels)  # pairs stay together
        counts[buf.labels] += 1
    share = counts / 300  # each item should be kept with probability 20 / 200
    assert abs(share[:100].mean() - 0.1) < 0.02 and abs(share[100:].mean() - 0.1) < 0.02


def test_reservoir_bad_input():
    with pytest.raises(ValueError, match="capacity"):
        ReservoirBuffer(0)
    with pytest.raises(ValueError, match="labels"):
        ReservoirBuffer(3).add(np.zeros((2, 1, 1, 1)), np.zeros(3))


def _build():
    inputs = keras.Input((8, 8, 1))
    x = layers.Flatten()(inputs)
    return keras.Model(inputs, layers.Dense(3, activation="softmax")(x))


def _data(n, classes, seed):
    rng = np.random.default_rng(seed)
    y = rng.choice(classes, n)
    x = rng.normal(0, 0.3, (n, 8, 8, 1)).astype(np.float32)
    x[np.arange(n), y, 0, 0] += 2.0  # the label is written in one pixel
    return x, y


def test_strategies_train_copies_and_leave_the_deployed_model_alone():
    old, new = _data(200, [0, 1], 0), _data(200, [0, 1, 2], 1)
    deployed = compile_classifier(_build(), 0.05)
    deployed.fit(*old, epochs=3, verbose=0)
    weights = [w.copy() for w in deployed.get_weights()]
    buf = ReservoirBuffer(20, seed=0)
    buf.add(*old)
    for strategy in STRATEGIES:
        up = update_model(
            strategy,
            deployed=deployed,
            build=_build,
            old=old,
            new=new,
            buffer=buf,
            epochs=4,
            learning_rate=0.05,
            seed=0,
        )
        assert up.model is not deployed and up.seconds > 0
        assert (
            up.num_images
            == {"fine-tune only": 200, "full retrain": 400, "rehearsal": 220}[strategy]
        )
        acc = np.mean(up.model.predict(new[0], verbose=0).argmax(1) == new[1])
        assert acc > 0.8, f"{strategy} should learn the new data"
    for a, b in zip(weights, deployed.get_weights()):
        assert np.array_equal(a, b)


def test_update_model_bad_input():
    x = _data(10, [0], 0)
    with pytest.raises(ValueError, match="unknown strategy"):
        update_model("replay", deployed=_build(), build=_build, old=x, new=x)
    with pytest.raises(ValueError, match="ReservoirBuffer"):
        update_model("rehearsal", deployed=_build(), build=_build, old=x, new=x)
