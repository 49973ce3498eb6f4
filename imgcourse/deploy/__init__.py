"""Putting a trained model to work: export, measurement on this machine, and an app's view.

Introduced in ``17_deployment_and_on_device``; :func:`measure_latency` and
:func:`measure_latencies` are also used by ``16_architecture_search``. The app example is the
module ``imgcourse.deploy.label_folder`` (run it with ``python -m imgcourse.deploy.label_folder
MODEL.tflite FOLDER``).
"""

from imgcourse.deploy.export import (
    TFLITE_MODES,
    file_size,
    quiet_native_stderr,
    save_keras,
    tf_convert_tflite,
    tf_export_saved_model,
    write_bytes_atomic,
)
from imgcourse.deploy.latency import Latency, measure_latencies, measure_latency
from imgcourse.deploy.tflite import TFLiteModel, dequantize, interpreter_class, quantize
from imgcourse.deploy.video import STAGES, StreamTiming, budget_ms, make_clip, run_stream, write_gif

__all__ = [
    "STAGES",
    "TFLITE_MODES",
    "Latency",
    "StreamTiming",
    "TFLiteModel",
    "budget_ms",
    "dequantize",
    "file_size",
    "interpreter_class",
    "make_clip",
    "measure_latencies",
    "measure_latency",
    "quantize",
    "quiet_native_stderr",
    "run_stream",
    "save_keras",
    "tf_convert_tflite",
    "tf_export_saved_model",
    "write_bytes_atomic",
    "write_gif",
]
