"""Tests for imgcourse.models.autoencoder: the registered convolutional autoencoder, its
named parts, the encoder/decoder split, a training step, and the same on JAX."""

from __future__ import annotations

import textwrap

import keras
import numpy as np
import pytest
from support import run_on_jax

from imgcourse import models
from imgcourse.models.autoencoder import conv_autoencoder, split_autoencoder


def test_registered_with_small_defaults():
    assert "conv_autoencoder" in models.list_models()
    model = models.build("conv_autoencoder")
    assert model.input_shape == (None, 32, 32, 3)
    assert model.output_shape == (None, 32, 32, 3)
    assert model.count_params() < 20_000
    assert model.layers[-1].name == "head"


def test_named_parts_shapes_and_parameter_count():
    model = conv_autoencoder((32, 32, 3), filters=(16, 32), code_channels=4)
    names = [layer.name for layer in model.layers]
    assert names == [
        "image",
        "encoder_conv1",
        "encoder_conv2",
        "features",
        "decoder_up2",
        "decoder_up1",
        "head",
    ]
    assert model.get_layer("encoder_conv1").output.shape[1:] == (16, 16, 16)
    assert model.get_layer("features").output.shape[1:] == (8, 8, 4)
    assert model.get_layer("decoder_up1").output.shape[1:] == (32, 32, 16)
    weights = (
        (3 * 9 + 1) * 16  # encoder_conv1
        + (16 * 9 + 1) * 32  # encoder_conv2
        + (32 + 1) * 4  # features, 1x1
        + (4 * 9 + 1) * 32  # decoder_up2
        + (32 * 9 + 1) * 16  # decoder_up1
        + (16 * 9 + 1) * 3  # head
    )
    assert model.count_params() == weights


def test_outputs_in_unit_range_and_split_reproduces_the_model():
    model = conv_autoencoder((16, 16, 1), filters=(8,), code_channels=2)
    x = np.random.default_rng(0).random((3, 16, 16, 1), dtype=np.float32)
    out = np.asarray(model(x))
    assert out.shape == x.shape and out.min() >= 0 and out.max() <= 1
    encoder, decoder = split_autoencoder(model)
    codes = np.asarray(encoder(x))
    assert codes.shape == (3, 8, 8, 2) and codes.min() >= 0 and codes.max() <= 1
    np.testing.assert_allclose(np.asarray(decoder(codes)), out, atol=1e-6)
    assert decoder.count_params() + encoder.count_params() == model.count_params()


def test_one_training_step_lowers_the_reconstruction_error():
    keras.utils.set_random_seed(0)
    model = conv_autoencoder((16, 16, 3), filters=(8, 16), code_channels=4)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    x = np.random.default_rng(1).random((8, 16, 16, 3), dtype=np.float32)
    first = float(model.train_on_batch(x, x))
    for _ in range(20):
        last = float(model.train_on_batch(x, x))
    assert np.isfinite(first) and last < first


def test_head_computes_in_float32_under_mixed_precision():
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        model = conv_autoencoder((16, 16, 3))
        assert model.get_layer("encoder_conv1").compute_dtype == "float16"
        assert model.get_layer("head").compute_dtype == "float32"
    finally:
        keras.mixed_precision.set_global_policy("float32")


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"input_shape": (30, 30, 3)}, "divisible by 2\\*\\*len\\(filters\\) = 4"),
        ({"input_shape": (32, 32)}, "height, width, channels"),
        ({"input_shape": (32, 32, 3), "filters": ()}, "filters must be"),
        ({"input_shape": (32, 32, 3), "code_channels": 0}, "code_channels"),
    ],
)
def test_bad_arguments_say_what_to_do(kwargs, words):
    with pytest.raises(ValueError, match=words):
        conv_autoencoder(**kwargs)


def test_split_rejects_a_model_without_a_code():
    inputs = keras.Input((4,))
    plain = keras.Model(inputs, keras.layers.Dense(2, name="head")(inputs))
    with pytest.raises(ValueError, match="no layer named 'features'"):
        split_autoencoder(plain)


JAX_SCRIPT = textwrap.dedent(
    """
    import json
    import numpy as np
    import keras
    from imgcourse import models
    from imgcourse.models.autoencoder import split_autoencoder

    assert keras.backend.backend() == "jax", keras.backend.backend()
    x = np.random.default_rng(0).random((4, 16, 16, 3), dtype=np.float32)
    model = models.build("conv_autoencoder", input_shape=(16, 16, 3))
    model.compile(optimizer="adam", loss="mse")
    out = np.asarray(model.predict_on_batch(x))
    loss = float(model.train_on_batch(x, x))
    encoder, decoder = split_autoencoder(model)
    codes = np.asarray(encoder(x))
    print("RESULTS " + json.dumps([list(out.shape), list(codes.shape), loss]))
    """
)


@pytest.mark.slow
def test_runs_and_trains_on_jax():
    out_shape, code_shape, loss = run_on_jax(JAX_SCRIPT)
    assert out_shape == [4, 16, 16, 3] and code_shape == [4, 4, 4, 4]
    assert np.isfinite(loss)
