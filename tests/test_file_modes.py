"""Every file and folder ``imgcourse run`` leaves in ``--out`` has the mode a plain open() or
mkdir() gives: 0644 and 0755 under umask 022, never mkstemp's private 0600 (the TFLite models
and the clip of 17 were 0600 before the package's writers shared imgcourse.atomic).

One tiny notebook in a temporary course folder calls the writers a course notebook uses:
the Keras, SavedModel and four TFLite exports, a GIF, COCO boxes, class labels, results and a
claim; the run adds the executed notebook, its HTML report, the report assets and the
summary.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.slow

WRITERS = """\
import numpy as np
import keras
from imgcourse import deploy, results
from imgcourse.data.coco import write_coco
from imgcourse.deploy.label_folder import write_labels
from imgcourse.deploy.video import write_gif

out = results.output_dir()
model = keras.Sequential(
    [keras.Input((8, 8, 1)), keras.layers.Conv2D(2, 3), keras.layers.Flatten(),
     keras.layers.Dense(2)]
)
images = np.random.default_rng(0).random((4, 8, 8, 1)).astype("float32")
deploy.save_keras(model, out / "model.keras")
saved = deploy.tf_export_saved_model(model, out / "saved_model")
for mode in deploy.TFLITE_MODES:
    deploy.tf_convert_tflite(
        saved, mode, representative=images if mode == "int8" else None,
        path=out / f"model_{mode}.tflite",
    )
write_gif(np.zeros((3, 8, 8, 3), np.uint8), out / "clip.gif", fps=10)
write_coco(out / "boxes.json", [{"file_name": "a.png", "height": 8, "width": 8}],
           [np.array([[0, 0, 4, 4]])], [np.array([0])], ["square"])
write_labels(out / "labels.txt", ["circle", "square"])
results.record(test_accuracy=0.5)
results.claim("the probe ran", True)
print("wrote", len(list(out.iterdir())), "entries")
"""


def _course(folder: Path) -> Path:
    folder.mkdir(parents=True)
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell('PROFILE = "default"', metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell(WRITERS),
        ]
    )
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, folder / "01_probe.ipynb")
    return folder


def test_everything_imgcourse_run_writes_has_ordinary_modes(tmp_path: Path) -> None:
    course = _course(tmp_path / "course")
    out = tmp_path / "reports"
    env = dict(os.environ, IMGCOURSE_NOTEBOOKS=str(course))
    run = subprocess.run(
        [sys.executable, "-m", "imgcourse", "run", "01", "--out", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        preexec_fn=lambda: os.umask(0o022),
    )
    assert run.returncode == 0, run.stdout + run.stderr

    modes = {
        str(p.relative_to(out)): stat.S_IMODE(p.lstat().st_mode) for p in sorted(out.rglob("*"))
    }
    made = {name.split("/")[0] for name in modes}
    assert {
        "01_probe.ipynb",
        "01_probe.html",
        "summary.json",
        "_report_assets",
        "model.keras",
        "saved_model",
        "model_float32.tflite",
        "model_float16.tflite",
        "model_dynamic.tflite",
        "model_int8.tflite",
        "clip.gif",
        "boxes.json",
        "labels.txt",
    } <= made, sorted(made)
    wrong = {
        name: oct(m)
        for name, m in modes.items()
        if m != (0o755 if (out / name).is_dir() else 0o644) and not (out / name).is_symlink()
    }
    assert not wrong, f"not 0644 (files) or 0755 (folders) under umask 022: {wrong}"
    leftovers = [name for name in modes if Path(name).name.startswith(".") and "lock" not in name]
    assert not leftovers, f"temporary files left behind: {leftovers}"
