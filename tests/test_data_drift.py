"""Tests for imgcourse.data.drift: phases, lighting and the stream (18_continuous_learning)."""

import numpy as np
import pytest

from imgcourse.data import ImageSet
from imgcourse.data.drift import (
    PHASE_NAMES,
    make_stream,
    registry_phases,
    shapes_phases,
    shift_lighting,
)


def test_shift_lighting_formula_and_clip():
    x = np.array([0.0, 0.5, 1.0], np.float32).reshape(1, 1, 3, 1)
    out = shift_lighting(x, brightness=-0.2, contrast=0.6)
    assert np.allclose(out.ravel(), [0.0, 0.3, 0.6])
    assert out.dtype == np.float32
    with pytest.raises(ValueError, match="contrast"):
        shift_lighting(x, brightness=0.0, contrast=0.0)


def test_shapes_phases_differ_as_described():
    before, look, new = shapes_phases(60, image_size=16, seed=1)
    assert [p.name for p in (before, look, new)] == list(PHASE_NAMES)
    assert before.class_names == look.class_names == new.class_names
    assert before.labels.max() <= 2 and look.labels.max() <= 2
    assert new.labels.max() == 3  # the new class appears only in the last phase
    assert look.images.mean() < before.images.mean()  # darker after the shift
    with pytest.raises(ValueError, match="new_class"):
        shapes_phases(10, new_class="circle")


def test_registry_phases_split_old_and_new_classes():
    rng = np.random.default_rng(0)
    data = ImageSet(
        images=rng.random((90, 8, 8, 1), dtype=np.float32),
        labels=np.repeat(np.arange(3), 30),
        class_names=["a", "b", "c"],
    )
    phases = registry_phases(data, old_classes=2, brightness=0.2, contrast=0.5, seed=0)
    assert sum(len(p) for p in phases) == 90
    assert phases[0].labels.max() < 2 and phases[1].labels.max() < 2
    assert (phases[2].labels == 2).sum() == 30
    with pytest.raises(ValueError, match="old_classes"):
        registry_phases(data, old_classes=3)


def test_make_stream_cuts_batches_and_keeps_the_rest_apart():
    phases = shapes_phases(40, image_size=16, seed=2)
    stream, rest = make_stream(phases, [2, 3, 1], batch_size=8)
    assert stream.images.shape == (6, 8, 16, 16, 3)
    assert stream.change_points == (2, 5)
    assert stream.phases.tolist() == [0, 0, 1, 1, 1, 2]
    assert [len(r) for r in rest] == [24, 16, 32]
    assert np.array_equal(stream.images[2, 0], phases[1].images[0])
    assert np.array_equal(rest[1].images[0], phases[1].images[24])
    with pytest.raises(ValueError, match="need"):
        make_stream(phases, [6, 1, 1], batch_size=8)
