"""Export round trips of ``imgcourse.deploy`` (``17_deployment_and_on_device``): each exported
model answers like the Keras model, within a stated tolerance for float formats and on nearly
all images for int8; writes are atomic; bad arguments say what to do."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from imgcourse import deploy
from imgcourse.deploy import TFLiteModel, tf_convert_tflite

#: float32 TFLite against Keras: largest probability difference
FLOAT32_TOLERANCE = 1e-4
#: float16 weights: largest probability difference
FLOAT16_TOLERANCE = 1e-2
#: dynamic-range and int8: share of images that keep the Keras label
MIN_AGREEMENT = 0.9


@pytest.fixture(scope="module")
def trained():
    """A tiny CNN trained for a few steps on two classes (bright vs dark images), so that its
    outputs are far from uniform and agreement means something."""
    rng = np.random.default_rng(0)
    x = rng.random((256, 16, 16, 3)).astype(np.float32)
    y = (rng.random(256) < 0.5).astype(np.int64)
    x[y == 1] = 0.5 + 0.5 * x[y == 1]
    x[y == 0] = 0.6 * x[y == 0]
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((16, 16, 3)),
            keras.layers.Conv2D(8, 3, padding="same", activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Flatten(),
            keras.layers.Dense(2, activation="softmax"),
        ]
    )
    model.compile(keras.optimizers.Adam(0.01), "sparse_categorical_crossentropy")
    model.fit(x, y, epochs=3, batch_size=32, verbose=0)
    return model, x, y


@pytest.fixture(scope="module")
def saved(trained, tmp_path_factory):
    model, _, _ = trained
    return deploy.tf_export_saved_model(model, tmp_path_factory.mktemp("sm") / "saved")


@pytest.mark.parametrize("mode", deploy.TFLITE_MODES)
def test_round_trip_matches_keras(trained, saved, mode, tmp_path):
    model, x, _ = trained
    ref = model.predict(x, verbose=0)
    path = tmp_path / f"m_{mode}.tflite"
    flat = tf_convert_tflite(
        saved, mode, representative=x[:64] if mode == "int8" else None, path=path
    )
    assert path.read_bytes() == flat
    assert not list(tmp_path.glob(".*")), "a temporary file was left behind"
    tfl = TFLiteModel(path, num_threads=1)
    probs = tfl.predict(x)
    assert probs.shape == ref.shape and probs.dtype == np.float32
    if mode == "float32":
        assert np.abs(probs - ref).max() < FLOAT32_TOLERANCE
    elif mode == "float16":
        assert np.abs(probs - ref).max() < FLOAT16_TOLERANCE
    else:
        assert np.mean(probs.argmax(1) == ref.argmax(1)) > MIN_AGREEMENT
    if mode == "int8":
        assert tfl.input_dtype == np.int8
        scale, zero = tfl.input_quantization
        assert scale == pytest.approx(1 / 255, rel=0.05) and zero == -128


def test_keras_model_converts_directly_and_is_smaller_when_quantised(trained):
    model, x, _ = trained
    f32 = tf_convert_tflite(model, "float32")
    f16 = tf_convert_tflite(model, "float16")
    i8 = tf_convert_tflite(model, "int8", representative=x[:32])
    assert len(i8) < len(f16) < len(f32)


def test_saved_model_and_keras_file(trained, saved, tmp_path):
    import tensorflow as tf

    model, x, _ = trained
    ref = model.predict(x[:8], verbose=0)
    loaded = tf.saved_model.load(str(saved))  # keep it: its variables die with it
    served = loaded.serve(x[:8]).numpy()
    assert np.abs(served - ref).max() < FLOAT32_TOLERANCE
    path = deploy.save_keras(model, tmp_path / "m.keras")
    again = keras.models.load_model(path).predict(x[:8], verbose=0)
    assert np.abs(again - ref).max() < 1e-6
    assert deploy.file_size(path) > 0 and deploy.file_size(saved) > deploy.file_size(path) / 10
    assert [p.name for p in tmp_path.iterdir()] == ["m.keras"]
    # exporting again replaces the folder
    deploy.tf_export_saved_model(model, saved)
    assert (saved / "saved_model.pb").exists()


def test_bad_arguments_say_what_to_do(trained, tmp_path):
    model, x, _ = trained
    with pytest.raises(ValueError, match="mode must be one of"):
        tf_convert_tflite(model, "int4")
    with pytest.raises(ValueError, match="representative images"):
        tf_convert_tflite(model, "int8")
    with pytest.raises(ValueError, match="used only by mode='int8'"):
        tf_convert_tflite(model, "float32", representative=x[:4])
    with pytest.raises(FileNotFoundError, match="not a SavedModel"):
        tf_convert_tflite(tmp_path, "float32")
    with pytest.raises(ValueError, match="end in .keras"):
        deploy.save_keras(model, tmp_path / "m.h5")
    with pytest.raises(FileNotFoundError, match="export the model first"):
        deploy.file_size(tmp_path / "missing.tflite")


def test_atomic_write_keeps_the_old_file_when_interrupted(tmp_path, monkeypatch):
    target = deploy.write_bytes_atomic(tmp_path / "a.bin", b"old")

    def broken(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr("imgcourse.atomic.os.replace", broken)
    with pytest.raises(OSError, match="disk full"):
        deploy.write_bytes_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.bin"]


def test_quiet_native_stderr_replays_on_error(capfd):
    import os

    with deploy.quiet_native_stderr():
        os.write(2, b"held back\n")
    assert "held back" not in capfd.readouterr().err
    with pytest.raises(RuntimeError), deploy.quiet_native_stderr():
        os.write(2, b"explains the error\n")
        raise RuntimeError("boom")
    assert "explains the error" in capfd.readouterr().err
