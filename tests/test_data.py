"""Tests for imgcourse.data: the shapes generator, ImageSet and split, the built-in loaders and
the input pipelines."""

from __future__ import annotations

import numpy as np
import pytest

from imgcourse.data import (
    ImageSet,
    load_digits,
    load_lfw_faces,
    load_photo,
    load_photos,
    load_textures,
    make_shapes,
    python_batches,
    split,
    tf_dataset,
)
from imgcourse.data.builtin import PHOTO_NAMES, TEXTURE_NAMES
from imgcourse.data.shapes import GROUP_NAMES, SHAPE_NAMES

# --- make_shapes ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scenes() -> ImageSet:
    return make_shapes(120, image_size=32, max_shapes=3, difficulty=0.5, seed=5)


def test_shapes_are_deterministic_by_seed():
    a = make_shapes(20, image_size=24, max_shapes=2, seed=1)
    b = make_shapes(20, image_size=24, max_shapes=2, seed=1)
    c = make_shapes(20, image_size=24, max_shapes=2, seed=2)
    np.testing.assert_array_equal(a.images, b.images)
    np.testing.assert_array_equal(a.labels, b.labels)
    np.testing.assert_array_equal(a.extras["masks"], b.extras["masks"])
    np.testing.assert_array_equal(a.extras["groups"], b.extras["groups"])
    assert a.extras["captions"] == b.extras["captions"]
    for box_a, box_b in zip(a.extras["boxes"], b.extras["boxes"]):
        np.testing.assert_array_equal(box_a, box_b)
    assert not np.array_equal(a.images, c.images)
    assert a.extras["captions"] != c.extras["captions"]


def test_shapes_have_the_documented_shapes_dtypes_and_ranges(scenes):
    n, s = 120, 32
    assert scenes.images.shape == (n, s, s, 3)
    assert scenes.images.dtype == np.float32
    assert scenes.images.min() >= 0.0 and scenes.images.max() <= 1.0
    assert scenes.labels.shape == (n,)
    assert np.issubdtype(scenes.labels.dtype, np.integer)
    assert set(np.unique(scenes.labels)) <= {0, 1, 2}
    assert scenes.class_names == ["circle", "square", "triangle"]
    groups = scenes.extras["groups"]
    assert groups.shape == (n,) and np.issubdtype(groups.dtype, np.integer)
    assert set(np.unique(groups)) == {0, 1}
    masks = scenes.extras["masks"]
    assert masks.shape == (n, s, s) and np.issubdtype(masks.dtype, np.integer)
    assert set(np.unique(masks)) <= {0, 1, 2, 3}
    for key in ("boxes", "box_labels", "captions"):
        assert isinstance(scenes.extras[key], list) and len(scenes.extras[key]) == n
    for boxes, labels in zip(scenes.extras["boxes"], scenes.extras["box_labels"]):
        assert boxes.dtype == np.float32 and boxes.ndim == 2 and boxes.shape[1] == 4
        assert 1 <= len(boxes) <= 3 and labels.shape == (len(boxes),)
        ymin, xmin, ymax, xmax = boxes.T
        assert np.all((0 <= ymin) & (ymin < ymax) & (ymax <= s))
        assert np.all((0 <= xmin) & (xmin < xmax) & (xmax <= s))
    assert all(isinstance(c, str) for c in scenes.extras["captions"])


def test_default_scenes_have_one_shape_each():
    data = make_shapes(30, seed=0)
    assert data.images.shape == (30, 32, 32, 3)
    assert all(len(b) == 1 for b in data.extras["boxes"])


def test_some_scenes_have_several_shapes(scenes):
    counts = [len(b) for b in scenes.extras["boxes"]]
    assert max(counts) > 1 and min(counts) == 1


def test_masks_agree_with_boxes(scenes):
    """Each box is the tight frame of its class's pixels, and every shape pixel is in a box."""
    for mask, boxes, labels in zip(
        scenes.extras["masks"], scenes.extras["boxes"], scenes.extras["box_labels"]
    ):
        covered = np.zeros_like(mask, dtype=bool)
        for (ymin, xmin, ymax, xmax), k in zip(boxes.astype(int), labels):
            inside = mask[ymin:ymax, xmin:xmax] == k + 1
            assert inside.any()
            # tight: the shape touches all four sides of its box
            assert inside[0].any() and inside[-1].any()
            assert inside[:, 0].any() and inside[:, -1].any()
            covered[ymin:ymax, xmin:xmax] |= inside
        assert np.array_equal(covered, mask > 0)


def test_shape_pixels_are_painted_in_the_image(scenes):
    """Shapes are filled with one flat colour: their pixels vary far less than the scene."""
    i = int(np.flatnonzero(scenes.extras["groups"] == 1)[0])
    image, mask = scenes.images[i], scenes.extras["masks"][i]
    k = int(scenes.extras["box_labels"][i][0]) + 1
    assert scenes.images[i][mask == k].std(axis=0).max() < 0.1
    assert image[mask == 0].std(axis=0).max() > scenes.images[i][mask == k].std(axis=0).max()


def test_label_is_the_class_of_the_first_largest_shape(scenes):
    firsts = np.array([labels[0] for labels in scenes.extras["box_labels"]])
    np.testing.assert_array_equal(scenes.labels, firsts)
    # the first shape is the one drawn with the largest radius: its box is never the smallest
    # by much (a star of the same radius fills less of its box than a square)
    for boxes in scenes.extras["boxes"]:
        sides = np.maximum(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1])
        assert sides[0] >= sides.max() - 3


def test_captions_name_the_shapes_and_the_background(scenes):
    names = scenes.class_names
    for caption, labels, group in zip(
        scenes.extras["captions"], scenes.extras["box_labels"], scenes.extras["groups"]
    ):
        assert caption.endswith(f"on a {GROUP_NAMES[group]} background")
        for k in labels:
            assert names[k] in caption
        assert caption.count(" a ") + caption.startswith("a ") == len(labels) + 1


def test_classes_pick_the_shapes_and_order_the_labels():
    data = make_shapes(60, classes=("star", "cross"), seed=3)
    assert data.class_names == ["star", "cross"]
    assert set(np.unique(data.labels)) == {0, 1}
    for caption, label in zip(data.extras["captions"], data.labels):
        assert ("star" if label == 0 else "cross") in caption


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9])
def test_textured_fraction_sets_the_group_share(fraction):
    data = make_shapes(400, image_size=16, textured_fraction=fraction, seed=0)
    share = data.extras["groups"].mean()
    assert abs(share - fraction) < 0.06


def test_textured_backgrounds_are_rougher_than_plain_ones():
    data = make_shapes(100, image_size=32, textured_fraction=0.5, seed=4)
    rough = np.abs(np.diff(data.images, axis=2)).mean(axis=(1, 2, 3))
    groups = data.extras["groups"]
    assert rough[groups == 1].mean() > 2 * rough[groups == 0].mean()


def test_textured_fraction_zero_and_one():
    assert make_shapes(30, image_size=16, textured_fraction=0.0).extras["groups"].sum() == 0
    assert make_shapes(30, image_size=16, textured_fraction=1.0).extras["groups"].min() == 1


def test_difficulty_makes_shapes_smaller():
    def mean_area(difficulty: float) -> float:
        data = make_shapes(80, image_size=32, difficulty=difficulty, seed=0)
        return float((data.extras["masks"] > 0).sum(axis=(1, 2)).mean())

    assert mean_area(1.0) < 0.8 * mean_area(0.0)


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"image_size": 8}, "image_size"),
        ({"difficulty": 1.5}, "difficulty"),
        ({"difficulty": -0.1}, "difficulty"),
        ({"max_shapes": 0}, "max_shapes"),
        ({"classes": ("circle", "hexagon")}, "hexagon"),
    ],
)
def test_bad_arguments_raise_value_error_naming_them(kwargs, argument):
    with pytest.raises(ValueError, match=argument):
        make_shapes(4, **kwargs)


def test_unknown_class_message_lists_the_choices():
    with pytest.raises(ValueError) as err:
        make_shapes(4, classes=("hexagon",))
    for name in SHAPE_NAMES:
        assert name in str(err.value)


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"n": -1}, "n must"),
        ({"textured_fraction": 1.5}, "textured_fraction"),
        ({"textured_fraction": -0.2}, "textured_fraction"),
        ({"classes": ()}, "classes"),
    ],
)
def test_unchecked_arguments_raise_value_error_naming_them(kwargs, argument):
    kwargs = {"n": 4, **kwargs}
    with pytest.raises(ValueError, match=argument):
        make_shapes(**kwargs)


# --- ImageSet ------------------------------------------------------------------------------------


def _toy(n: int = 10, num_classes: int = 2) -> ImageSet:
    images = np.arange(n, dtype=np.float32)[:, None, None, None] * np.ones((1, 2, 2, 1), np.float32)
    return ImageSet(
        images=images / n,
        labels=np.arange(n) % num_classes,
        class_names=[f"c{k}" for k in range(num_classes)],
        extras={"ids": np.arange(n), "names": [f"img{i}" for i in range(n)]},
    )


def test_image_set_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="5 images but 4 labels"):
        ImageSet(np.zeros((5, 2, 2, 1), np.float32), np.zeros(4, np.int64), ["a"])


def test_image_set_rejects_wrong_ndim():
    with pytest.raises(ValueError, match=r"\(n, height, width, channels\).*\(5, 2, 2\)"):
        ImageSet(np.zeros((5, 2, 2), np.float32), np.zeros(5, np.int64), ["a"])


def test_image_set_rejects_extras_of_the_wrong_length():
    with pytest.raises(ValueError, match="extra 'masks' has 3 entries for 5 images"):
        ImageSet(
            np.zeros((5, 2, 2, 1), np.float32),
            np.zeros(5, np.int64),
            ["a"],
            extras={"masks": np.zeros((3, 2, 2))},
        )


def test_image_set_properties():
    data = _toy(10, 3)
    assert len(data) == 10
    assert data.image_shape == (2, 2, 1)
    assert data.num_classes == 3
    assert data.class_counts() == {"c0": 4, "c1": 3, "c2": 3}


def test_image_set_repr_is_a_short_summary_not_the_pixels():
    data = make_shapes(300, image_size=32, seed=0)
    text = repr(data)
    assert len(text) < 300 and str(data) == text
    head = f"ImageSet({data.name!r}, 300 images of (32, 32, 3) float32, classes {{"
    assert text.startswith(head)
    assert "circle: " in text and "extras: " in text and "masks" in text
    assert repr(_toy(10, 3)) == (
        "ImageSet(10 images of (2, 2, 1) float32, classes {c0: 4, c1: 3, c2: 3}, "
        "extras: ids, names)"
    )


@pytest.mark.parametrize(
    "index",
    [np.array([7, 2, 5]), np.arange(10) % 3 == 0, slice(2, 6)],
    ids=["index array", "boolean mask", "slice"],
)
def test_subset_slices_images_labels_and_extras_together(index):
    data = _toy()
    part = data.subset(index)
    expected = np.arange(10)[index]
    np.testing.assert_array_equal(part.extras["ids"], expected)
    assert isinstance(part.extras["names"], list)
    assert part.extras["names"] == [f"img{i}" for i in expected]
    np.testing.assert_array_equal(part.labels, expected % 2)
    np.testing.assert_allclose(part.images[:, 0, 0, 0], expected / 10)
    assert part.class_names == data.class_names
    assert len(data) == 10  # the original is untouched


# --- split ---------------------------------------------------------------------------------------


def test_split_is_stratified_disjoint_and_complete():
    data = make_shapes(300, image_size=16, seed=2)
    data = data.subset(np.arange(300))  # keep extras
    data.extras["ids"] = np.arange(300)
    train, val, test = split(data, (0.7, 0.15, 0.15), seed=1)
    ids = [set(part.extras["ids"].tolist()) for part in (train, val, test)]
    assert not (ids[0] & ids[1]) and not (ids[0] & ids[2]) and not (ids[1] & ids[2])
    assert ids[0] | ids[1] | ids[2] == set(range(300))
    assert len(train) + len(val) + len(test) == 300
    full_counts = np.bincount(data.labels, minlength=3)
    for part, fraction in ((train, 0.7), (val, 0.15), (test, 0.15)):
        counts = np.bincount(part.labels, minlength=3)
        np.testing.assert_allclose(counts, full_counts * fraction, atol=1)
        # images, labels and extras still belong together after the split
        np.testing.assert_array_equal(part.labels, data.labels[part.extras["ids"]])
        np.testing.assert_array_equal(part.images, data.images[part.extras["ids"]])
        assert part.extras["captions"] == [data.extras["captions"][i] for i in part.extras["ids"]]


def test_split_is_shuffled_and_deterministic_by_seed():
    data = _toy(40)
    a, _ = split(data, seed=3)
    b, _ = split(data, seed=3)
    c, _ = split(data, seed=4)
    np.testing.assert_array_equal(a.extras["ids"], b.extras["ids"])
    assert not np.array_equal(a.extras["ids"], c.extras["ids"])
    assert not np.array_equal(a.extras["ids"], np.sort(a.extras["ids"]))  # classes mixed


@pytest.mark.parametrize("fractions", [(0.8, 0.3), (0.5, 0.4), (1.2, -0.2), (1.0, 0.0)])
def test_split_rejects_fractions_that_are_not_positive_or_do_not_sum_to_one(fractions):
    with pytest.raises(ValueError, match="fractions must be positive and sum to 1"):
        split(_toy(), fractions)


# --- built-in loaders ----------------------------------------------------------------------------


def _check_range(data: ImageSet) -> None:
    assert data.images.dtype == np.float32
    assert data.images.min() >= 0.0 and data.images.max() <= 1.0
    assert data.labels.dtype == np.int64
    assert data.labels.min() >= 0 and data.labels.max() < data.num_classes


def test_load_digits():
    data = load_digits()
    assert data.images.shape == (1797, 8, 8, 1)
    assert data.class_names == [str(d) for d in range(10)]
    assert set(np.unique(data.labels)) == set(range(10))
    assert data.images.max() == 1.0  # 16 grey levels scaled to [0, 1]
    _check_range(data)


def test_load_digits_resized():
    small, big = load_digits(), load_digits(image_size=16)
    assert big.images.shape == (1797, 16, 16, 1)
    _check_range(big)
    np.testing.assert_array_equal(big.labels, small.labels)
    # the same digits, bigger: the mean ink is about the same
    assert abs(big.images.mean() - small.images.mean()) < 0.02


def test_load_lfw_faces():
    data = load_lfw_faces()
    assert data.images.shape == (200, 25, 25, 1)
    assert data.class_names == ["not face", "face"]
    np.testing.assert_array_equal(np.bincount(data.labels), [100, 100])
    _check_range(data)


def test_load_textures():
    data = load_textures(patch_size=16, patches_per_texture=12, seed=1)
    assert data.images.shape == (36, 16, 16, 1)
    assert data.class_names == list(TEXTURE_NAMES)
    np.testing.assert_array_equal(np.bincount(data.labels), [12, 12, 12])
    _check_range(data)
    again = load_textures(patch_size=16, patches_per_texture=12, seed=1)
    np.testing.assert_array_equal(data.images, again.images)
    other = load_textures(patch_size=16, patches_per_texture=12, seed=2)
    assert not np.array_equal(data.images, other.images)


def test_load_photos():
    photos = load_photos()
    assert list(photos) == list(PHOTO_NAMES)
    for name, image in photos.items():
        assert image.dtype == np.float32, name
        assert image.ndim in (2, 3) and (image.ndim == 2 or image.shape[-1] == 3), name
        assert 0.0 <= image.min() and image.max() <= 1.0, name
    assert photos["camera"].ndim == 2 and photos["astronaut"].shape == (512, 512, 3)


def test_load_photo_rejects_an_unknown_name():
    with pytest.raises(ValueError, match="unknown photo 'lena'.*astronaut"):
        load_photo("lena")


# --- pipelines -----------------------------------------------------------------------------------


def test_tf_dataset_batches_and_keeps_the_last_partial_batch():
    data = _toy(70, 3)
    batches = list(tf_dataset(data, batch_size=32).as_numpy_iterator())
    assert [len(x) for x, _ in batches] == [32, 32, 6]
    assert batches[0][0].shape == (32, 2, 2, 1) and batches[0][1].shape == (32,)
    assert batches[0][0].dtype == np.float32


def test_tf_dataset_and_python_batches_give_the_same_batches_without_shuffle():
    data = make_shapes(50, image_size=16, seed=0)
    tf_batches = list(tf_dataset(data, batch_size=16).as_numpy_iterator())
    py_batches = list(python_batches(data, batch_size=16))
    assert len(tf_batches) == len(py_batches) == 4
    for (tx, ty), (px, py) in zip(tf_batches, py_batches):
        np.testing.assert_array_equal(tx, px)
        np.testing.assert_array_equal(ty, py)


def test_pipelines_accept_an_images_labels_pair():
    x, y = np.random.default_rng(0).random((10, 4, 4, 3)).astype(np.float32), np.arange(10)
    tf_batches = list(tf_dataset((x, y), batch_size=4).as_numpy_iterator())
    py_batches = list(python_batches((x, y), batch_size=4))
    np.testing.assert_array_equal(np.concatenate([b[0] for b in tf_batches]), x)
    np.testing.assert_array_equal(np.concatenate([b[1] for b in py_batches]), y)


def test_shuffled_pipelines_keep_every_image_once_in_a_new_order():
    data = _toy(40)
    ds = tf_dataset(data, batch_size=8, shuffle=True, seed=1)
    epoch1 = np.concatenate([y for _, y in ds.as_numpy_iterator()])
    epoch2 = np.concatenate([y for _, y in ds.as_numpy_iterator()])
    ids1 = np.concatenate([x[:, 0, 0, 0] for x, _ in ds.as_numpy_iterator()])
    assert sorted(np.round(ids1 * 40).astype(int)) == list(range(40))
    assert len(epoch1) == len(epoch2) == 40
    py = np.concatenate(
        [x[:, 0, 0, 0] for x, _ in python_batches(data, batch_size=8, shuffle=True, seed=1)]
    )
    assert sorted(np.round(py * 40).astype(int)) == list(range(40))
    assert not np.array_equal(py, np.sort(py))


def test_tf_dataset_applies_augment_to_each_batch():
    data = _toy(10)
    batches = list(tf_dataset(data, batch_size=4, augment=lambda x: 1.0 - x).as_numpy_iterator())
    np.testing.assert_allclose(np.concatenate([b[0] for b in batches]), 1.0 - data.images)


def test_tf_dataset_rejects_mismatched_pair():
    with pytest.raises(ValueError, match="10 images but 9 labels"):
        tf_dataset((np.zeros((10, 2, 2, 1), np.float32), np.zeros(9)))
