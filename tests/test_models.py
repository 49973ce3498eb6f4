"""The model registry and the small CNN of 02."""

from __future__ import annotations

import numpy as np
import pytest

from imgcourse import models
from imgcourse.models.cnn import small_cnn


def test_small_cnn_is_registered():
    assert "small_cnn" in models.list_models()
    assert models.list_models() == sorted(models.list_models())


def test_build_uses_defaults_and_overrides():
    model = models.build("small_cnn")
    assert model.input_shape == (None, 32, 32, 3)
    assert model.output_shape == (None, 3)
    model = models.build("small_cnn", input_shape=(64, 48, 1), num_classes=7, filters=(8, 16))
    assert model.input_shape == (None, 64, 48, 1)
    assert model.output_shape == (None, 7)
    assert model.get_layer("features").output.shape[1:] == (16 * 12 * 16,)


def test_small_cnn_named_layers_and_parameter_count():
    model = small_cnn((32, 32, 3), 5)
    names = [layer.name for layer in model.layers]
    assert names == [
        "image",
        "conv1",
        "pool1",
        "conv2",
        "pool2",
        "conv3",
        "pool3",
        "features",
        "head",
    ]
    conv_params = (3 * 3 * 3 + 1) * 16 + (3 * 3 * 16 + 1) * 32 + (3 * 3 * 32 + 1) * 64
    head_params = (4 * 4 * 64 + 1) * 5
    assert model.count_params() == conv_params + head_params
    assert model.get_layer("conv3").output.shape[1:] == (8, 8, 64)


def test_small_cnn_dropout_layer_and_probabilities():
    model = small_cnn((16, 16, 1), 4, filters=(4, 8), dropout=0.5, name="tiny")
    assert model.name == "tiny"
    assert "dropout" in [layer.name for layer in model.layers]
    probs = np.asarray(model(np.zeros((2, 16, 16, 1), np.float32)))
    assert probs.shape == (2, 4)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)


def test_small_cnn_trains_on_a_tiny_batch():
    import keras

    rng = np.random.default_rng(0)
    x = rng.random((32, 16, 16, 3)).astype(np.float32)
    y = (x[:, :, :8].mean(axis=(1, 2, 3)) > x[:, :, 8:].mean(axis=(1, 2, 3))).astype(int)
    model = small_cnn((16, 16, 3), 2, filters=(8, 8))
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy")
    before = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=15, verbose=0)
    assert model.evaluate(x, y, verbose=0) < before


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"input_shape": (32, 32), "num_classes": 3}, "(height, width, channels)"),
        ({"input_shape": (32, 32, 3), "num_classes": 1}, "at least 2"),
        ({"input_shape": (32, 32, 3), "num_classes": 3, "filters": ()}, "positive"),
        ({"input_shape": (8, 8, 1), "num_classes": 3, "filters": (4, 4, 4, 4)}, "too small"),
        ({"input_shape": (32, 32, 3), "num_classes": 3, "dropout": 1.0}, "dropout"),
    ],
)
def test_small_cnn_rejects_bad_arguments(kwargs, words):
    with pytest.raises(ValueError, match=None) as info:
        small_cnn(**kwargs)
    assert words in str(info.value)


def test_build_unknown_name_lists_known_ones():
    with pytest.raises(ValueError, match="small_cnn"):
        models.build("tiny_cnn")


def test_build_unknown_option_is_named():
    with pytest.raises(ValueError, match="kernel_size"):
        models.build("small_cnn", kernel_size=5)


def test_register_duplicate_name_is_an_error():
    with pytest.raises(ValueError, match="already registered"):

        @models.register_model("small_cnn")
        def another(input_shape, num_classes):  # pragma: no cover - never built
            return None

    assert models.build("small_cnn").name == "small_cnn"


def test_register_and_build_a_new_model(monkeypatch):
    monkeypatch.setattr(models, "_REGISTRY", dict(models._REGISTRY))

    @models.register_model("tiny_test_model", width=2)
    def tiny(width, depth=1):
        return ("tiny", width, depth)

    assert models.build("tiny_test_model") == ("tiny", 2, 1)
    assert models.build("tiny_test_model", depth=3) == ("tiny", 2, 3)
    assert "tiny_test_model" in models.list_models()


def test_register_rejects_defaults_the_builder_does_not_take(monkeypatch):
    monkeypatch.setattr(models, "_REGISTRY", dict(models._REGISTRY))
    with pytest.raises(ValueError, match="no option"):

        @models.register_model("bad_defaults", colour="red")
        def builder(width):  # pragma: no cover - never built
            return width
