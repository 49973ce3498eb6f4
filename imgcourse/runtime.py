"""Runtime set-up shared by every notebook: seeds, determinism, quiet start-up, devices.

Introduced in ``00_welcome``; every notebook calls :func:`setup` in its third cell.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import random
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: Compute capability from which mixed float16 precision pays off (Volta and newer).
MIXED_PRECISION_MIN_CAPABILITY = (7, 0)


@contextlib.contextmanager
def muted_stderr_fd(replay_on_error: bool = False) -> Iterator[None]:
    """Hold back what C++ code writes to the process's stderr (file descriptor 2).

    TensorFlow's start-up lines, and the TFLite converter's and interpreter's log lines
    (``Created TensorFlow Lite XNNPACK delegate``, ...), bypass ``sys.stderr`` and are written
    to the raw file descriptor, so redirecting the Python object is not enough to keep
    notebook outputs stable. They are caught in a temporary file and dropped; with
    ``replay_on_error``, a block that raises first writes them to ``sys.stderr``, since they
    may explain the error.
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real fd 2 (some embedded interpreters)
        yield
        return
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        except BaseException:
            os.dup2(saved, 2)
            if replay_on_error:
                sink.seek(0)
                sys.stderr.write(sink.read().decode("utf-8", "replace"))
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def quiet_import_keras() -> Any:
    """Import Keras (and TensorFlow when it is the backend) with start-up noise muted."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    with muted_stderr_fd():
        if os.environ["KERAS_BACKEND"] == "tensorflow":
            tf = importlib.import_module("tensorflow")
            tf.get_logger().setLevel("ERROR")
        keras = importlib.import_module("keras")
    return keras


@dataclass
class RuntimeInfo:
    """What :func:`setup` found and chose."""

    seed: int
    backend: str
    keras_version: str
    tensorflow_version: str | None
    device: str
    gpus: list[str] = field(default_factory=list)
    precision: str = "float32"
    deterministic: bool = False
    strategy: Any = None

    def summary(self) -> str:
        from imgcourse import __version__

        tf = f" | TensorFlow {self.tensorflow_version}" if self.tensorflow_version else ""
        det = ", deterministic" if self.deterministic else ""
        return (
            f"imgcourse {__version__} | Keras {self.keras_version} ({self.backend}){tf} | "
            f"{self.device} | {self.precision}{det} | seed {self.seed}"
        )


def _gpu_capability(tf: Any, gpu: Any) -> tuple[int, int]:
    details = tf.config.experimental.get_device_details(gpu)
    return tuple(details.get("compute_capability") or (0, 0))  # type: ignore[return-value]


def _configure_tensorflow_devices(tf: Any, info: RuntimeInfo, mixed_precision: bool | None) -> None:
    """Memory growth, precision policy and distribution strategy on TensorFlow."""
    import keras

    gpus = tf.config.list_physical_devices("GPU")
    info.gpus = [g.name for g in gpus]
    for gpu in gpus:
        try:
            tf.config.experimental.set_memory_growth(gpu, True)
        except RuntimeError:  # already initialised: growth must be set before first use
            pass
    precision = "float32"
    if gpus:
        caps = [_gpu_capability(tf, g) for g in gpus]
        info.device = f"{len(gpus)} GPU(s), compute capability {min(caps)[0]}.{min(caps)[1]}"
        capable = min(caps) >= MIXED_PRECISION_MIN_CAPABILITY
        if mixed_precision if mixed_precision is not None else capable:
            precision = "mixed_float16"
    # set it every time: a second setup() must undo the policy an earlier one chose
    keras.mixed_precision.set_global_policy(precision)
    info.precision = precision
    if os.environ.get("TF_CONFIG"):
        cluster = json.loads(os.environ["TF_CONFIG"]).get("cluster", {})
        workers = len(cluster.get("worker", []))
        info.strategy = tf.distribute.MultiWorkerMirroredStrategy()
        info.device += f", {workers} workers"
    elif len(gpus) > 1:
        info.strategy = tf.distribute.MirroredStrategy()


def setup(
    seed: int = 42,
    *,
    deterministic: bool = True,
    mixed_precision: bool | None = None,
    verbose: bool = True,
) -> RuntimeInfo:
    """Prepare the runtime for a notebook and print one line describing it.

    Seeds Python, NumPy and Keras; turns on op determinism (TensorFlow backend); mutes
    TensorFlow's C++ start-up lines; on GPUs of compute capability >= 7.0 turns on memory
    growth and mixed float16 precision; with several GPUs, or a ``TF_CONFIG`` cluster, builds a
    ``tf.distribute`` strategy (``info.strategy``; build models under ``info.strategy.scope()``).

    Args:
        seed: seed for every random generator.
        deterministic: ask the backend for deterministic ops (slower on some GPU kernels).
        mixed_precision: force mixed precision on (True) or off (False); None decides by device.
        verbose: print the one-line summary.

    Returns:
        A :class:`RuntimeInfo` describing versions, device, precision and strategy.
    """
    keras = quiet_import_keras()
    backend = keras.backend.backend()
    random.seed(seed)
    np.random.seed(seed)
    keras.utils.set_random_seed(seed)
    info = RuntimeInfo(
        seed=seed,
        backend=backend,
        keras_version=keras.__version__,
        tensorflow_version=None,
        device="CPU",
    )
    if backend == "tensorflow":
        import tensorflow as tf

        info.tensorflow_version = tf.__version__
        with muted_stderr_fd():
            _configure_tensorflow_devices(tf, info, mixed_precision)
            if deterministic:
                tf.config.experimental.enable_op_determinism()
                info.deterministic = True
    elif backend == "jax":
        import jax

        devices = jax.devices()
        info.device = f"{len(devices)} {devices[0].platform.upper()} device(s)"
        if devices[0].platform == "gpu" and mixed_precision is not False:
            keras.mixed_precision.set_global_policy("mixed_float16")
            info.precision = "mixed_float16"
    if verbose:
        print(info.summary())
    return info
