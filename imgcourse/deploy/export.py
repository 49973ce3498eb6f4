"""Exporting a trained Keras model: the ``.keras`` file, a TensorFlow SavedModel, and TFLite
flatbuffers at four precisions (``17_deployment_and_on_device``).

=========== ==================================================================== ============
mode        what is stored                                                       input
=========== ==================================================================== ============
float32     every weight as a 32-bit float                                       float32
float16     weights as 16-bit floats, turned back into float32 when loaded       float32
dynamic     weights as int8 with one scale per output channel; activations stay   float32
            float and are quantised on the fly inside each layer
int8        weights and activations as int8; the activations' ranges come from   int8
            a representative dataset run through the model once at conversion
=========== ==================================================================== ============

Every write goes to a temporary name first and is renamed when complete
(:mod:`imgcourse.atomic`), so an interrupted export never leaves a half-written model behind,
and every file gets an ordinary mode (0644 under the usual umask).
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from imgcourse import atomic
from imgcourse.runtime import muted_stderr_fd

TFLITE_MODES = ("float32", "float16", "dynamic", "int8")


#: Holds back C++ log lines on file descriptor 2 (the converter's, the interpreter's).
quiet_native_stderr = functools.partial(muted_stderr_fd, replay_on_error=True)


def write_bytes_atomic(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder, then rename
    (:func:`imgcourse.atomic.write_bytes`)."""
    return atomic.write_bytes(path, data)


def file_size(path: str | Path) -> int:
    """Bytes on disk of a file, or of every file under a folder (a SavedModel)."""
    path = Path(path)
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist; export the model first")
    return path.stat().st_size


def save_keras(model: Any, path: str | Path) -> Path:
    """Save ``model`` as a ``.keras`` file (architecture, weights, optimizer state), atomically.

    Args:
        model: a ``keras.Model``.
        path: the file to write; must end in ``.keras``.

    Returns:
        ``path``, as a :class:`~pathlib.Path`.
    """
    path = Path(path)
    if path.suffix != ".keras":
        raise ValueError(f"a Keras model file must end in .keras; got {path.name!r}")
    with atomic.atomic_path(path, suffix=".part.keras") as tmp:  # Keras wants the suffix
        model.save(tmp)
    return path


def tf_export_saved_model(model: Any, folder: str | Path) -> Path:
    """Export ``model``'s inference function as a TensorFlow SavedModel folder.

    The SavedModel holds a graph and its weights, with no Python code: TensorFlow Serving,
    TensorFlow.js's converter and the TFLite converter read it. Its signature ``serve`` maps
    (batch, height, width, channels) float32 to the model's output. Written into a temporary
    folder beside ``folder`` and renamed; an existing ``folder`` is replaced.

    Returns:
        ``folder``, as a :class:`~pathlib.Path`.
    """
    folder = Path(folder)
    with atomic.replace_folder(folder) as staging:
        model.export(str(staging), format="tf_saved_model", verbose=False)
    return folder


def tf_convert_tflite(
    model: Any,
    mode: str = "float32",
    *,
    representative: np.ndarray | None = None,
    path: str | Path | None = None,
) -> bytes:
    """Convert a Keras model (or a SavedModel folder) to a TFLite flatbuffer.

    Args:
        model: a ``keras.Model``, or the folder written by :func:`tf_export_saved_model`.
        mode: one of ``TFLITE_MODES``: ``"float32"``, ``"float16"``, ``"dynamic"``
            (dynamic-range: int8 weights, float activations) or ``"int8"`` (full integer:
            int8 weights, activations, input and output).
        representative: for ``"int8"`` only, (n, height, width, channels) float32 images like
            those the model will see (a few hundred training images); the converter runs them
            through the model to choose each activation's int8 scale and zero point.
        path: if given, the flatbuffer is also written there (atomically).

    Returns:
        The flatbuffer's bytes.
    """
    import tensorflow as tf

    if mode not in TFLITE_MODES:
        raise ValueError(f"mode must be one of {TFLITE_MODES}; got {mode!r}")
    if mode == "int8":
        if representative is None or len(representative) == 0:
            raise ValueError(
                "int8 conversion needs representative images to calibrate the activations: "
                "pass representative=train_images[:200] (float32, the model's input shape)"
            )
        representative = np.asarray(representative, dtype=np.float32)
    elif representative is not None:
        raise ValueError(
            f"representative images are used only by mode='int8'; got mode={mode!r}. "
            "Drop the argument or choose int8."
        )
    with tempfile.TemporaryDirectory() as scratch:
        if isinstance(model, (str, Path)):
            saved = Path(model)
            if not (saved / "saved_model.pb").exists():
                raise FileNotFoundError(
                    f"{saved} is not a SavedModel folder (no saved_model.pb); export one "
                    "with tf_export_saved_model(model, folder) or pass the Keras model"
                )
        else:
            saved = tf_export_saved_model(model, Path(scratch) / "saved")
        converter = tf.lite.TFLiteConverter.from_saved_model(str(saved))
        if mode != "float32":
            converter.optimizations = [tf.lite.Optimize.DEFAULT]
        if mode == "float16":
            converter.target_spec.supported_types = [tf.float16]
        if mode == "int8":
            images = representative

            def batches():
                for i in range(len(images)):
                    yield [images[i : i + 1]]

            converter.representative_dataset = batches
            converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
            converter.inference_input_type = tf.int8
            converter.inference_output_type = tf.int8
        with quiet_native_stderr():
            flatbuffer = converter.convert()
    if path is not None:
        write_bytes_atomic(path, flatbuffer)
    return flatbuffer
