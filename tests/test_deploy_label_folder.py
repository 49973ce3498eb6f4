"""The app example ``python -m imgcourse.deploy.label_folder`` (``17_deployment_and_on_device``):
labels readable images, reports unreadable ones by name, exit statuses."""

from __future__ import annotations

import subprocess
import sys

import keras
import numpy as np
import pytest
from PIL import Image

from imgcourse.deploy import tf_convert_tflite
from imgcourse.deploy.label_folder import label_folder, main, read_labels, write_labels


@pytest.fixture(scope="module")
def model_file(tmp_path_factory):
    """A model that calls bright images class 1 ("bright") and dark ones class 0 ("dark")."""
    keras.utils.set_random_seed(0)
    inputs = keras.Input((8, 8, 3))
    mean = keras.layers.GlobalAveragePooling2D()(inputs)
    logit = keras.layers.Dense(1)(mean)
    outputs = keras.layers.Concatenate()([-logit, logit])
    model = keras.Model(inputs, keras.layers.Softmax()(outputs))
    dense = model.layers[2]
    dense.set_weights([np.full((3, 1), 10 / 3, np.float32), np.array([-5.0], np.float32)])
    folder = tmp_path_factory.mktemp("model")
    path = folder / "model.tflite"
    tf_convert_tflite(model, "float32", path=path)
    write_labels(folder / "labels.txt", ["dark", "bright"])
    return path


@pytest.fixture
def images(tmp_path):
    folder = tmp_path / "images"
    folder.mkdir()
    Image.new("RGB", (20, 30), (250, 250, 250)).save(folder / "a_white.png")
    Image.new("L", (16, 16), 10).save(folder / "b_black.jpg")
    (folder / "c_broken.png").write_bytes(b"not an image")
    (folder / "notes.txt").write_text("ignored")
    return folder


def test_label_folder_in_python(model_file, images):
    rows = label_folder(model_file, images, read_labels(model_file.with_name("labels.txt")))
    assert [r.file for r in rows] == ["a_white.png", "b_black.jpg", "c_broken.png"]
    assert [r.label for r in rows[:2]] == ["bright", "dark"]
    assert all(0.5 < r.confidence <= 1 for r in rows[:2])
    assert rows[2].error and "unreadable" in rows[2].error and rows[2].label is None
    assert rows[0].line().split("\t")[:2] == ["a_white.png", "bright"]


def test_command_line(model_file, images, capsys):
    assert main([str(model_file), str(images)]) == 1  # one file could not be read
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("a_white.png\tbright\t")
    assert out[2].startswith("c_broken.png\tERROR\t")
    (images / "c_broken.png").unlink()
    assert main([str(model_file), str(images)]) == 0
    assert main([str(model_file.with_name("none.tflite")), str(images)]) == 2
    assert "no model file" in capsys.readouterr().err
    assert main([str(model_file), str(images / "missing")]) == 2


def test_class_numbers_without_labels(model_file, images, tmp_path):
    bare = tmp_path / "bare.tflite"
    bare.write_bytes(model_file.read_bytes())
    rows = label_folder(bare, images)
    assert [r.label for r in rows[:2]] == ["1", "0"]


def test_runs_as_a_module_without_tensorflow(model_file, images):
    code = (
        "import sys, runpy; sys.argv = ['x', sys.argv[1], sys.argv[2]];\n"
        "try:\n    runpy.run_module('imgcourse.deploy.label_folder', run_name='__main__')\n"
        "except SystemExit as e:\n    code = e.code\n"
        "print('tensorflow' in sys.modules, code)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(model_file), str(images)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = done.stdout.splitlines()
    assert lines[0].startswith("a_white.png\tbright")
    try:
        import ai_edge_litert  # noqa: F401
    except ImportError:
        return  # the fallback interpreter is TensorFlow's
    assert lines[-1] == "False 1", done.stderr
