"""The small Vision Transformer, attention maps and attention rollout (imgcourse.models.vit)."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from imgcourse import models
from imgcourse.models import vit


def test_registered_with_small_defaults_and_the_model_contract():
    model = models.build("small_vit")
    assert model.input_shape == (None, 32, 32, 3)
    assert 20_000 < model.count_params() < 300_000
    assert model.get_layer("features").output.shape == (None, 32)
    assert model.layers[-1].name == "head"
    assert model.get_layer("positions").output.shape == (None, 65, 32)


def test_forward_pass_gives_probabilities_and_one_step_trains():
    model = vit.small_vit((16, 16, 3), 4, patch_size=4, dim=16, depth=1, heads=2, mlp_dim=16)
    x = np.random.default_rng(0).random((6, 16, 16, 3), dtype=np.float32)
    probs = np.asarray(model(x, training=False))
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", run_eagerly=True)
    before = [np.array(w) for w in model.trainable_weights]
    model.train_on_batch(x, np.array([0, 1, 2, 3, 0, 1]))
    moved = [not np.allclose(b, np.array(w)) for b, w in zip(before, model.trainable_weights)]
    assert all(moved), "every weight (class token and positions too) should move"


def test_position_embedding_makes_the_model_order_aware():
    """Without positions, attention is permutation-equivariant: swapping two patches would
    not change the class token; with them it does."""
    model = vit.small_vit((8, 8, 1), 2, patch_size=4, dim=8, depth=1, heads=1, mlp_dim=8)
    positions = model.get_layer("positions")
    positions.set_weights([np.random.default_rng(1).normal(size=(1, 5, 8))])
    x = np.zeros((1, 8, 8, 1), np.float32)
    x[0, :4, :4] = 1.0
    swapped = x[:, ::-1]  # the bright patch moves from the top to the bottom
    a, b = np.asarray(model(x)), np.asarray(model(swapped))
    assert not np.allclose(a, b)
    positions.set_weights([np.zeros((1, 5, 8))])
    flipped = np.concatenate([x[:, 4:], x[:, :4]], axis=1)  # patches reordered
    np.testing.assert_allclose(np.asarray(model(x)), np.asarray(model(flipped)), atol=1e-6)


def test_attention_maps_are_the_layers_own_weights():
    model = vit.small_vit((8, 8, 1), 2, patch_size=2, dim=8, depth=2, heads=2, mlp_dim=8)
    x = np.random.default_rng(2).random((3, 8, 8, 1), dtype=np.float32)
    maps = vit.attention_maps(model, x, batch_size=2)
    assert maps.shape == (3, 2, 2, 17, 17)
    np.testing.assert_allclose(maps.sum(axis=-1), 1.0, rtol=1e-5)
    h = keras.Model(model.input, model.get_layer("block1_norm1").output)(x)
    _, want = model.get_layer("block1_attn")(h, h, return_attention_scores=True)
    np.testing.assert_allclose(maps[:, 0], np.asarray(want), atol=1e-6)


def test_rollout_matches_the_recursive_definition():
    rng = np.random.default_rng(3)
    att = rng.random((2, 3, 2, 5, 5))
    att /= att.sum(axis=-1, keepdims=True)
    out = vit.attention_rollout(att, residual=0.5)
    assert out.shape == (2, 2, 2)
    np.testing.assert_allclose(out.sum(axis=(1, 2)), 1.0, rtol=1e-6)
    for n in range(2):  # Abnar and Zuidema: R = A_L' ... A_1', A' = (A + I) / 2
        r = np.eye(5)
        for d in range(3):
            a = 0.5 * att[n, d].mean(axis=0) + 0.5 * np.eye(5)
            r = (a / a.sum(axis=-1, keepdims=True)) @ r
        want = r[0, 1:] / r[0, 1:].sum()
        np.testing.assert_allclose(out[n].ravel(), want, rtol=1e-5)


def test_uniform_attention_rolls_out_to_a_uniform_map():
    att = np.full((1, 2, 1, 10, 10), 0.1)
    np.testing.assert_allclose(vit.attention_rollout(att), 1 / 9, rtol=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"input_shape": (30, 30, 3), "patch_size": 4}, "multiples of patch_size"),
        ({"dim": 30, "heads": 4}, "multiple of heads"),
        ({"depth": 0}, "at least 1"),
        ({"num_classes": 1}, "num_classes"),
    ],
)
def test_bad_arguments_say_what_to_do(kwargs, words):
    args = {"input_shape": (32, 32, 3), "num_classes": 3, **kwargs}
    with pytest.raises(ValueError, match=words):
        vit.small_vit(**args)


def test_bad_inputs_to_the_attention_helpers():
    model = vit.small_vit((8, 8, 1), 2, patch_size=2, dim=8, depth=1, heads=1, mlp_dim=8)
    with pytest.raises(ValueError, match="images must be"):
        vit.attention_maps(model, np.zeros((2, 16, 16, 1)))
    with pytest.raises(ValueError, match="square grid"):
        vit.attention_rollout(np.full((1, 1, 1, 6, 6), 1 / 6))
    with pytest.raises(ValueError, match="attentions must be"):
        vit.attention_rollout(np.zeros((5, 5)))


def test_saves_and_loads_without_unsafe_layers(tmp_path):
    model = vit.small_vit((8, 8, 1), 2, patch_size=4, dim=8, depth=1, heads=1, mlp_dim=8)
    path = tmp_path / "vit.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)  # safe mode: no Lambda layers
    x = np.random.default_rng(4).random((2, 8, 8, 1), dtype=np.float32)
    np.testing.assert_allclose(np.asarray(loaded(x)), np.asarray(model(x)), atol=1e-6)
