"""Tests for imgcourse.models.pretrained and the course-weights entries of the registry.

Every test works on a temporary copy of the weights file the package ships; none modifies it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from imgcourse.data import make_glyphs, paint_scans
from imgcourse.data.registry import WeightsEntry, get_weights, list_weights
from imgcourse.models.pretrained import (
    WeightsFileError,
    check_weights,
    course_backbone,
    imagenet_backbone,
    load_course_backbone,
    weights_path,
)
from imgcourse.packaged import package_file, sha256_file

REPO = Path(__file__).resolve().parent.parent
ENTRY = get_weights("shapes_backbone")
COMMITTED = REPO / "imgcourse" / ENTRY.path  # package data, committed in the clone


@pytest.fixture
def copy(tmp_path):
    assert COMMITTED.is_file(), (
        f"{ENTRY.path} is missing from the package: it is committed package data (restore it "
        "with git, or rebuild it with datasets/pretrain_backbone.py)"
    )
    target = tmp_path / "backbone.weights.h5"
    shutil.copyfile(COMMITTED, target)
    return target


def test_the_registry_lists_the_course_backbone():
    assert "shapes_backbone" in list_weights()
    assert weights_path() == package_file(ENTRY.path) == COMMITTED
    assert ENTRY.path == "assets/weights/shapes_backbone.weights.h5"
    assert ENTRY.script == "datasets/pretrain_backbone.py"
    assert (REPO / ENTRY.script).is_file()


def test_the_committed_file_matches_its_pinned_sha256(copy):
    assert sha256_file(copy) == ENTRY.sha256
    assert copy.stat().st_size < 1_000_000  # "a few MB at most"


def test_load_course_backbone_loads_the_weights(copy):
    model = load_course_backbone(path=copy)
    assert model.output_shape == (None, ENTRY.filters[-1])
    fresh = course_backbone(ENTRY.input_shape, filters=ENTRY.filters)
    kernel = model.get_layer("block1_conv").kernel.numpy()
    assert not np.allclose(kernel, fresh.get_layer("block1_conv").kernel.numpy())
    images = np.random.default_rng(0).random((2, *ENTRY.input_shape), dtype=np.float32)
    assert np.all(np.isfinite(model.predict(images, verbose=0)))


def test_an_altered_file_is_refused_with_both_checksums_and_the_script(copy):
    with open(copy, "ab") as f:
        f.write(b"\0")
    actual = sha256_file(copy)
    with pytest.raises(WeightsFileError) as err:
        load_course_backbone(path=copy)
    message = str(err.value)
    assert ENTRY.sha256 in message and actual in message
    assert "python datasets/pretrain_backbone.py" in message
    assert str(copy) in message


def test_a_missing_file_names_the_script_that_rebuilds_it(tmp_path):
    missing = tmp_path / "nowhere.weights.h5"
    with pytest.raises(WeightsFileError, match="python datasets/pretrain_backbone.py") as err:
        check_weights(missing)
    assert str(missing) in str(err.value)
    assert "imgcourse/assets/weights/shapes_backbone.weights.h5" in str(err.value)
    assert "Reinstall the package" in str(err.value)


def test_load_course_backbone_reads_the_packaged_file_by_default():
    model = load_course_backbone()
    fresh = load_course_backbone(path=COMMITTED)
    np.testing.assert_array_equal(
        model.get_layer("block1_conv").kernel.numpy(), fresh.get_layer("block1_conv").kernel.numpy()
    )


def test_an_unknown_weights_name_lists_the_known_ones():
    with pytest.raises(KeyError, match="shapes_backbone"):
        get_weights("imagenet_backbone")


def test_weights_entries_reject_a_bad_checksum_and_an_absolute_path():
    fields = dict(
        name="x",
        path="assets/weights/x.weights.h5",
        sha256="0" * 64,
        script="s.py",
        description="d",
        licence="MIT",
        input_shape=(32, 32, 3),
        filters=(8,),
        seed=0,
    )
    WeightsEntry(**fields)
    with pytest.raises(ValueError, match="64 lower-case hex"):
        WeightsEntry(**{**fields, "sha256": "ABC"})
    with pytest.raises(ValueError, match="relative"):
        WeightsEntry(**{**fields, "path": "/etc/x.h5"})


def test_course_backbone_shapes_and_bad_input():
    model = course_backbone((32, 32, 3), filters=(4, 8))
    assert model.output_shape == (None, 8)
    assert [layer.name for layer in model.layers][-1] == "features"
    with pytest.raises(ValueError, match="too small"):
        course_backbone((4, 4, 3), filters=(4, 8, 16))
    with pytest.raises(ValueError, match="height, width, channels"):
        course_backbone((32, 32))


def test_make_glyphs_is_seeded_and_in_range():
    images, labels = make_glyphs(40, num_classes=7, image_size=12, seed=3)
    assert images.shape == (40, 12, 12, 3) and images.dtype == np.float32
    assert labels.shape == (40,) and labels.dtype == np.int64
    assert 0.0 <= images.min() and images.max() <= 1.0
    assert set(labels) <= set(range(7))
    again, same = make_glyphs(40, num_classes=7, image_size=12, seed=3)
    np.testing.assert_array_equal(images, again)
    np.testing.assert_array_equal(labels, same)
    other, _ = make_glyphs(40, num_classes=7, image_size=12, seed=4)
    assert not np.allclose(images, other)
    # every image has a stroke: its brightest and darkest pixels differ clearly
    spread = images.max(axis=(1, 2, 3)) - images.min(axis=(1, 2, 3))
    assert spread.min() > 0.2


def test_make_glyphs_bad_input():
    with pytest.raises(ValueError, match="at least 8 pixels"):
        make_glyphs(2, image_size=4)
    with pytest.raises(ValueError, match="num_classes"):
        make_glyphs(2, num_classes=0)


def test_paint_scans_keeps_the_strokes_and_varies_the_colours():
    scans = np.zeros((200, 8, 8, 1), np.float32)
    scans[:, 2:6, 3:5] = 1.0  # a bright stroke on dark paper
    painted = paint_scans(scans, seed=1)
    assert painted.shape == (200, 8, 8, 3) and painted.dtype == np.float32
    assert 0.0 <= painted.min() and painted.max() <= 1.0
    stroke, paper = painted[:, 3, 3].mean(-1), painted[:, 0, 0].mean(-1)
    assert np.all(np.abs(stroke - paper) > 0.15)  # the stroke stays visible
    dark_ink = np.mean(stroke < paper)
    assert 0.1 < dark_ink < 0.3  # one image in five: dark ink on light paper
    colour = np.ptp(painted[:, 0, 0], axis=-1) > 0.05
    assert 0.15 < colour.mean() < 0.45  # most paper is grey, about 30% coloured
    np.testing.assert_array_equal(painted, paint_scans(scans[..., 0], seed=1))
    assert not np.allclose(painted, paint_scans(scans, seed=2))


def test_paint_scans_bad_input():
    with pytest.raises(ValueError, match="grey images"):
        paint_scans(np.zeros((2, 8, 8, 3)))
    with pytest.raises(ValueError, match="divide by 255"):
        paint_scans(np.full((2, 8, 8), 255.0))


def test_imagenet_backbone_unknown_name_and_missing_file(tmp_path):
    with pytest.raises(ValueError, match="MobileNetV2"):
        imagenet_backbone("AlexNet")
    missing = tmp_path / "mobilenet_notop.h5"
    with pytest.raises(WeightsFileError, match="WEIGHTS_PATH") as err:
        imagenet_backbone("MobileNetV2", (32, 32, 3), weights=missing)
    assert str(missing) in str(err.value) and "cache" in str(err.value)


def test_imagenet_backbone_random_weights_and_a_local_file(tmp_path):
    model, preprocess = imagenet_backbone("MobileNetV2", (32, 32, 3), weights=None)
    assert model.output_shape == (None, 1280)
    np.testing.assert_allclose(preprocess(np.array([0.0, 255.0])), [-1.0, 1.0])
    path = tmp_path / "local.weights.h5"
    model.save_weights(path)
    loaded, _ = imagenet_backbone("MobileNetV2", (32, 32, 3), weights=path)
    np.testing.assert_array_equal(
        loaded.layers[1].get_weights()[0], model.layers[1].get_weights()[0]
    )
