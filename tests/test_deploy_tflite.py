"""The TFLite wrapper of ``imgcourse.deploy`` (``17_deployment_and_on_device``): quantisation
arithmetic, input checks, and which interpreter is used."""

from __future__ import annotations

import numpy as np
import pytest

from imgcourse.deploy import TFLiteModel, dequantize, interpreter_class, quantize


def test_quantize_rounds_shifts_and_clips():
    x = np.array([0.0, 0.4, 1.0, 2.0, -1.0], np.float32)
    q = quantize(x, 1 / 255, -128)
    assert q.dtype == np.int8
    np.testing.assert_array_equal(q, [-128, -26, 127, 127, -128])  # 0.4 * 255 = 102
    np.testing.assert_allclose(dequantize(q[:3], 1 / 255, -128), [0, 0.4, 1], atol=1e-6)
    assert quantize(np.array([0.0149]), 0.01, 0)[0] == 1  # rounds, not truncates
    assert quantize(np.array([300.0]), 1.0, 0, np.uint8)[0] == 255


def test_round_trip_error_is_at_most_half_a_step():
    x = np.random.default_rng(0).random(1000).astype(np.float32)
    scale = 1 / 255
    back = dequantize(quantize(x, scale, -128), scale, -128)
    assert np.abs(back - x).max() <= scale / 2 + 1e-6


def test_interpreter_is_litert_when_installed():
    cls, name = interpreter_class()
    assert name in ("ai_edge_litert", "tensorflow.lite")
    try:
        import ai_edge_litert  # noqa: F401
    except ImportError:
        assert name == "tensorflow.lite"
    else:
        assert name == "ai_edge_litert"


def test_bad_input_is_explained(tmp_path):
    with pytest.raises(FileNotFoundError, match="no TFLite model"):
        TFLiteModel(tmp_path / "none.tflite")
    with pytest.raises(ValueError, match="num_threads"):
        TFLiteModel(b"", num_threads=0)


def test_shape_checks():
    import keras

    from imgcourse.deploy import tf_convert_tflite

    model = keras.Sequential(
        [keras.Input((8, 8, 3)), keras.layers.Flatten(), keras.layers.Dense(2, "softmax")]
    )
    tfl = TFLiteModel(tf_convert_tflite(model, "float32"))
    assert tfl.input_shape == (1, 8, 8, 3)
    with pytest.raises(ValueError, match="one image of shape"):
        tfl.invoke(np.zeros((8, 8, 3), np.float32))
    with pytest.raises(ValueError, match="a batch"):
        tfl.predict(np.zeros((8, 8, 3), np.float32))
    assert tfl.predict(np.zeros((3, 8, 8, 3), np.float32)).shape == (3, 2)
