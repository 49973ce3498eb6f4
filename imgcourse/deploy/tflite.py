"""Running a TFLite model the way an app does: one interpreter, images in, probabilities out
(``17_deployment_and_on_device``).

The interpreter comes from the ``ai-edge-litert`` package (LiteRT, TFLite's new name, a small
runtime without TensorFlow) where it is installed, else from ``tf.lite``. A full-integer model
takes and returns int8: :class:`TFLiteModel` quantises the float32 images with the input's
scale and zero point, ``q = round(x / scale) + zero_point`` clipped to [-128, 127], and turns
the int8 output back into floats, ``x = scale * (q - zero_point)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from imgcourse.deploy.export import quiet_native_stderr


def interpreter_class() -> tuple[type, str]:
    """The TFLite interpreter class and the name of the package it came from."""
    try:
        from ai_edge_litert.interpreter import Interpreter

        return Interpreter, "ai_edge_litert"
    except ImportError:  # no wheel for this platform: TensorFlow's copy
        import tensorflow as tf

        return tf.lite.Interpreter, "tensorflow.lite"


def quantize(x: np.ndarray, scale: float, zero_point: int, dtype: Any = np.int8) -> np.ndarray:
    """Float values to integers of ``dtype``: round(x / scale) + zero_point, clipped."""
    info = np.iinfo(dtype)
    q = np.round(np.asarray(x, np.float32) / scale) + zero_point
    return np.clip(q, info.min, info.max).astype(dtype)


def dequantize(q: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    """Integers back to float32: scale * (q - zero_point)."""
    return (scale * (np.asarray(q, np.float32) - zero_point)).astype(np.float32)


class TFLiteModel:
    """A TFLite classifier at batch 1, with int8 input and output handled.

    Args:
        model: a ``.tflite`` file or the flatbuffer's bytes.
        num_threads: CPU threads the interpreter may use (1 = one core, as on a phone's
            single big core; more threads help only models with large layers).

    Example::

        tfl = TFLiteModel("model_int8.tflite", num_threads=1)
        probs = tfl.predict(test.images)  # (n, classes) float32
    """

    def __init__(self, model: str | Path | bytes, num_threads: int = 1) -> None:
        if num_threads < 1:
            raise ValueError(f"num_threads must be 1 or more; got {num_threads}")
        cls, self.interpreter_name = interpreter_class()
        if isinstance(model, (bytes, bytearray)):
            source = {"model_content": bytes(model)}
        else:
            path = Path(model)
            if not path.is_file():
                raise FileNotFoundError(
                    f"no TFLite model at {path}; pass the .tflite file that the export wrote"
                )
            source = {"model_path": str(path)}
        with quiet_native_stderr():  # the runtime's log line about its CPU delegate
            self.interpreter = cls(**source, num_threads=num_threads)
            self.interpreter.allocate_tensors()
        self.num_threads = num_threads
        self._input = self.interpreter.get_input_details()[0]
        self._output = self.interpreter.get_output_details()[0]

    @property
    def input_shape(self) -> tuple[int, ...]:
        """(1, height, width, channels): the shape one call takes."""
        return tuple(int(s) for s in self._input["shape"])

    @property
    def input_dtype(self) -> type:
        """numpy dtype of the input tensor (float32, or int8 for a full-integer model)."""
        return self._input["dtype"]

    @property
    def input_quantization(self) -> tuple[float, int]:
        """(scale, zero_point) of the input; (0.0, 0) for a float input."""
        scale, zero = self._input["quantization"]
        return float(scale), int(zero)

    def _prepare(self, image: np.ndarray) -> np.ndarray:
        if self.input_dtype == np.float32:
            return np.asarray(image, np.float32)
        scale, zero = self.input_quantization
        return quantize(image, scale, zero, self.input_dtype)

    def invoke(self, image: np.ndarray) -> np.ndarray:
        """One image (1, height, width, channels) float32 in [0, 1] -> (classes,) float32."""
        if tuple(image.shape) != self.input_shape:
            raise ValueError(
                f"the model takes one image of shape {self.input_shape}; got {image.shape}. "
                "Resize it and add a batch axis (image[None])."
            )
        self.interpreter.set_tensor(self._input["index"], self._prepare(image))
        self.interpreter.invoke()
        out = self.interpreter.get_tensor(self._output["index"])[0]
        if self._output["dtype"] == np.float32:
            return out.astype(np.float32)
        scale, zero = self._output["quantization"]
        return dequantize(out, scale, zero)

    def predict(self, images: np.ndarray) -> np.ndarray:
        """(n, height, width, channels) float32 in [0, 1] -> (n, classes) float32, one by one."""
        images = np.asarray(images)
        if images.ndim != 4:
            raise ValueError(
                f"predict takes a batch (n, height, width, channels); got shape {images.shape}"
            )
        return np.stack([self.invoke(images[i : i + 1]) for i in range(len(images))])
