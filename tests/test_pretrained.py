"""Tests for imgcourse.models.pretrained and the course-weights entries of the registry.

Every test works on a temporary copy of the committed weights file; none modifies it.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from imgcourse.data.registry import WeightsEntry, get_weights, list_weights
from imgcourse.models.pretrained import (
    REPO_ROOT,
    WeightsFileError,
    check_weights,
    course_backbone,
    load_course_backbone,
    sha256_file,
    weights_path,
)

ENTRY = get_weights("shapes_backbone")
COMMITTED = REPO_ROOT / ENTRY.path


@pytest.fixture
def copy(tmp_path):
    if not COMMITTED.is_file():
        pytest.skip(f"{ENTRY.path} is not in this checkout")
    target = tmp_path / "backbone.weights.h5"
    shutil.copyfile(COMMITTED, target)
    return target


def test_the_registry_lists_the_course_backbone():
    assert "shapes_backbone" in list_weights()
    assert weights_path() == COMMITTED
    assert ENTRY.script == "datasets/pretrain_backbone.py"
    assert (REPO_ROOT / ENTRY.script).is_file()


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


def test_an_unknown_weights_name_lists_the_known_ones():
    with pytest.raises(KeyError, match="shapes_backbone"):
        get_weights("imagenet_backbone")


def test_weights_entries_reject_a_bad_checksum_and_an_absolute_path():
    fields = dict(
        name="x",
        path="datasets/weights/x.weights.h5",
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
