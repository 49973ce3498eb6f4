"""Tests for imgcourse.train.search_space: networks of the space, its KerasTuner build function
and the Pareto front."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("keras_tuner")

import keras  # noqa: E402
import keras_tuner as kt  # noqa: E402

from imgcourse.train import search_space  # noqa: E402


@pytest.mark.parametrize("block", search_space.SPACE["block"])
def test_every_block_type_builds_and_predicts(block):
    net = search_space.network((16, 16, 3), 5, block=block, stages=2, blocks=2, width=8)
    assert net.output.shape == (None, 5)
    assert net.get_layer("stage2_pool").output.shape[1:3] == (4, 4)
    probs = net.predict(np.zeros((2, 16, 16, 3), np.float32), verbose=0)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)


def test_width_doubles_per_stage_and_inception_channels_add_up():
    net = search_space.network((16, 16, 3), 5, block="inception", stages=3, blocks=1, width=16)
    channels = [net.get_layer(f"stage{s}_pool").output.shape[-1] for s in (1, 2, 3)]
    assert channels == [16, 32, 64]
    for width in (8, 16, 24, 40):
        assert sum(np.take(search_space.inception_channels(width), [0, 2, 4, 5])) == width


def test_the_hand_designed_vgg_bn_of_05_is_a_point_of_the_space():
    net = search_space.network((16, 16, 3), 5, block="vgg", stages=3, blocks=2, width=16)
    assert net.count_params() == 73_077  # 05's table: vgg_bn on 16x16 shapes


def test_kernel_is_used_by_vgg_and_mbconv_only():
    def params(block, kernel):
        net = search_space.network((16, 16, 3), 5, block=block, stages=2, blocks=1, width=8,
                                   kernel=kernel)  # fmt: skip
        return net.count_params()

    for block in ("vgg", "mbconv"):
        assert params(block, 5) > params(block, 3)
    for block in ("residual", "inception"):
        assert params(block, 5) == params(block, 3)


def test_hypermodel_asks_for_the_space_with_a_conditional_kernel():
    hp = kt.HyperParameters()
    model = search_space.hypermodel((16, 16, 3), 5)(hp)
    assert {p.name for p in hp.space} == set(search_space.SPACE)
    assert list(hp.get_config()["space"][0]["config"]["values"]) == list(
        search_space.SPACE["block"]
    )
    kernel = next(p for p in hp.space if p.name == "kernel")
    assert kernel.conditions and kernel.conditions[0].values == list(search_space.KERNEL_BLOCKS)
    assert model.compiled and model.loss == "sparse_categorical_crossentropy"
    fixed = kt.HyperParameters()
    fixed.Fixed("block", "residual")
    search_space.hypermodel((16, 16, 3), 5)(fixed)
    assert not fixed.is_active(kernel)  # residual blocks fix their kernel


def test_describe():
    values = {"block": "vgg", "stages": 3, "blocks": 2, "width": 16, "kernel": 3.0}
    assert search_space.describe(values) == "vgg 3x2 w16 k3"
    values["block"] = "residual"
    assert search_space.describe(values) == "residual 3x2 w16"


def test_pareto_front():
    cost = [1, 2, 3, 4, 2]
    score = [0.5, 0.7, 0.6, 0.9, 0.7]
    np.testing.assert_array_equal(
        search_space.pareto_front(cost, score), [True, True, False, True, True]
    )
    np.testing.assert_array_equal(search_space.pareto_front([1, 1], [0.5, 0.6]), [False, True])


def test_pareto_front_agrees_with_brute_force():
    rng = np.random.default_rng(0)
    cost, score = rng.integers(0, 5, 40).astype(float), rng.integers(0, 5, 40).astype(float)
    mask = search_space.pareto_front(cost, score)
    for i in range(40):
        beaten = any(
            cost[j] <= cost[i]
            and score[j] >= score[i]
            and (cost[j] < cost[i] or score[j] > score[i])
            for j in range(40)
        )
        assert mask[i] == (not beaten)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"block": "dense"}, "block must be one of"),
        ({"stages": 0}, "at least 1"),
        ({"stages": 5}, "too small"),
    ],
)
def test_bad_networks_are_explained(kwargs, match):
    args = {"block": "vgg", "stages": 2, "blocks": 1, "width": 8, **kwargs}
    with pytest.raises(ValueError, match=match):
        search_space.network((16, 16, 3), 5, **args)


def test_bad_pareto_input_is_explained():
    with pytest.raises(ValueError, match="one length"):
        search_space.pareto_front([1, 2], [0.5])
    with pytest.raises(ValueError, match="NaN"):
        search_space.pareto_front([1, np.nan], [0.5, 0.6])


@pytest.mark.skipif(keras.backend.backend() != "tensorflow", reason="tf.function tracing")
def test_compile_for_search_builds_the_training_state_so_the_step_is_traced_once():
    net = search_space.network((8, 8, 3), 3, block="vgg", stages=1, blocks=1, width=4)
    search_space.compile_for_search(net, 0.01)
    assert net.optimizer.built
    traced = []
    step = net.train_step
    net.train_step = lambda data: (traced.append(1), step(data))[1]
    images = np.random.default_rng(0).uniform(size=(8, 8, 8, 3)).astype("float32")
    net.fit(images, np.arange(8) % 3, epochs=2, batch_size=4, verbose=0)
    assert len(traced) == 1  # a step that creates variables is traced twice
