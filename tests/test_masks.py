"""Tests for imgcourse.data.masks: image and mask folders, checked before training."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from imgcourse.data import MaskFolderError, load_mask_folders, read_mask


def _grey16(path: Path, size: tuple[int, int] = (24, 24)) -> None:
    ramp = np.linspace(0, 65535, size[0] * size[1]).reshape(size).astype(np.uint16)
    Image.fromarray(ramp).save(path)


def _mask(path: Path, values: np.ndarray) -> None:
    Image.fromarray(values.astype(np.uint8)).save(path)


def _disk(size: int = 24, value: int = 255) -> np.ndarray:
    yy, xx = np.mgrid[:size, :size]
    return np.where((yy - size / 2) ** 2 + (xx - size / 2) ** 2 < (size / 4) ** 2, value, 0)


@pytest.fixture
def binary_pair(tmp_path: Path) -> tuple[Path, Path]:
    """3 grey 16-bit images (TIFF and PNG) with 0/255 PNG masks."""
    images, masks = tmp_path / "images", tmp_path / "masks"
    images.mkdir()
    masks.mkdir()
    for i, ext in enumerate((".png", ".png", ".tif")):
        _grey16(images / f"cell{i}{ext}")
        _mask(masks / f"cell{i}.png", _disk())
    return images, masks


def test_binary_0_255_masks_are_two_classes_and_16_bit_keeps_its_range(binary_pair):
    data = load_mask_folders(*binary_pair, image_size=16)
    assert data.images.shape == (3, 16, 16, 3)
    assert data.extras["masks"].shape == (3, 16, 16)
    assert set(np.unique(data.extras["masks"])) == {0, 1}
    assert data.class_names == ["background", "class 1"]
    assert 0.45 < data.images.mean() < 0.55  # 0..65535 ramp: not clipped to white
    assert data.images.min() < 0.05 and data.images.max() > 0.95
    assert [Path(p).stem for p in data.extras["paths"]] == ["cell0", "cell1", "cell2"]
    assert data.labels.tolist() == [1, 1, 1]


def test_masks_are_resized_with_nearest_neighbour(tmp_path):
    images, masks = tmp_path / "i", tmp_path / "m"
    images.mkdir()
    masks.mkdir()
    Image.new("RGB", (30, 30), (10, 200, 30)).save(images / "a.jpg")
    values = np.zeros((30, 30), np.uint8)
    values[:10], values[10:20] = 1, 2
    _mask(masks / "a.png", values)
    data = load_mask_folders(images, masks, image_size=12)
    assert set(np.unique(data.extras["masks"])) == {0, 1, 2}  # no blended values
    assert data.class_names == ["background", "class 1", "class 2"]


def test_every_problem_is_reported_by_name_at_once(binary_pair):
    images, masks = binary_pair
    _grey16(images / "orphan.png")  # no mask
    _mask(masks / "lonely.png", _disk())  # no image
    _grey16(images / "big.png", size=(24, 24))
    _mask(masks / "big.png", np.zeros((20, 24)))  # another size
    (images / "broken.png").write_bytes(b"not a png")
    _mask(masks / "broken.png", _disk())
    with pytest.raises(MaskFolderError) as err:
        load_mask_folders(images, masks, image_size=16)
    text = str(err.value)
    for name in ("orphan.png", "lonely.png", "big.png", "broken.png", "before training"):
        assert name in text
    assert "mask is 24x20 pixels but big.png is 24x24" in text
    assert text.startswith("4 problem(s)")


def test_unexpected_label_values_are_reported(tmp_path):
    images, masks = tmp_path / "i", tmp_path / "m"
    images.mkdir()
    masks.mkdir()
    for stem, top in (("a", 2), ("b", 5)):
        Image.new("L", (8, 8), 100).save(images / f"{stem}.png")
        _mask(masks / f"{stem}.png", np.full((8, 8), top))
    with pytest.raises(MaskFolderError, match=r"b\.png: label value\(s\) \[5\]"):
        load_mask_folders(images, masks, image_size=8, num_classes=3)
    # a 255 'ignore' value among class indices is flagged, not read as a class
    _mask(masks / "b.png", np.where(_disk(8) > 0, 255, 1))
    with pytest.raises(MaskFolderError, match=r"b\.png: value 255 among class indices"):
        load_mask_folders(images, masks, image_size=8)


def test_mask_suffix_and_colour_masks(tmp_path):
    images, masks = tmp_path / "i", tmp_path / "m"
    images.mkdir()
    masks.mkdir()
    Image.new("RGB", (8, 8)).save(images / "x.png")
    Image.new("RGB", (8, 8), (255, 255, 255)).save(masks / "x_mask.png")  # grey in RGB
    data = load_mask_folders(images, masks, image_size=8, mask_suffix="_mask")
    assert data.extras["masks"].max() == 1
    Image.new("RGB", (8, 8), (255, 0, 0)).save(masks / "x_mask.png")
    with pytest.raises(MaskFolderError, match="colour mask"):
        load_mask_folders(images, masks, image_size=8, mask_suffix="_mask")


def test_read_mask_palette_and_bad_folders(tmp_path):
    values = np.arange(16, dtype=np.uint8).reshape(4, 4) % 3
    pal = Image.fromarray(values, mode="P")
    pal.putpalette([0, 0, 0, 255, 0, 0, 0, 255, 0] + [0] * 759)
    pal.save(tmp_path / "p.png")
    np.testing.assert_array_equal(read_mask(tmp_path / "p.png"), values)
    with pytest.raises(MaskFolderError, match="does not exist"):
        load_mask_folders(tmp_path / "nope", tmp_path)
    with pytest.raises(ValueError, match="num_classes must be at least 2"):
        load_mask_folders(tmp_path, tmp_path, num_classes=1)


def test_binary_masks_flag_other_values_by_name(tmp_path):
    images, masks = tmp_path / "i", tmp_path / "m"
    images.mkdir()
    masks.mkdir()
    for stem, mask in (("ok", _disk(8)), ("one", _disk(8, value=1)), ("bad", _disk(8, 3))):
        Image.new("L", (8, 8), 100).save(images / f"{stem}.png")
        _mask(masks / f"{stem}.png", mask)
    with pytest.raises(MaskFolderError, match=r"bad\.png: label value\(s\) \[3\] in a binary"):
        load_mask_folders(images, masks, image_size=8, num_classes=2)
    (masks / "bad.png").unlink()
    (images / "bad.png").unlink()
    data = load_mask_folders(images, masks, image_size=8, num_classes=2)
    assert data.extras["masks"].max() == 1 and data.num_classes == 2


#: Overrides that make notebook 10 train on a user's folders in seconds.
USER_RUN = {"IMAGE_SIZE": 16, "EPOCHS": 1, "BASE_FILTERS": 4, "DEPTH": 2, "BATCH_SIZE": 8}


@pytest.mark.slow
def test_notebook_10_trains_on_a_users_folders(tmp_path):
    """``imgcourse run 10 -p IMAGES_DIR ... -p MASKS_DIR ...`` on grey 16-bit microscopy-like
    images with 0/255 masks: the notebook loads them, trains and finishes."""
    from imgcourse import course
    from imgcourse.course import runner

    images, masks = tmp_path / "cells" / "images", tmp_path / "cells" / "masks"
    images.mkdir(parents=True)
    masks.mkdir()
    rng = np.random.default_rng(0)
    for i in range(20):
        mask = _disk(24) > 0
        mask = np.roll(mask, rng.integers(-4, 5, 2), axis=(0, 1))
        signal = 8000 + 30000 * mask + rng.normal(0, 2000, mask.shape)
        Image.fromarray(signal.clip(0, 65535).astype(np.uint16)).save(images / f"c{i:02d}.png")
        _mask(masks / f"c{i:02d}.png", mask * 255)
    info = course.find_notebooks(["10"])[0]
    overrides = [("IMAGES_DIR", str(images)), ("MASKS_DIR", str(masks))]
    overrides += [(key, str(value)) for key, value in USER_RUN.items()]
    params = course.resolve_parameters(info, overrides)
    result = runner.run_notebook(info, params, tmp_path / "out", cell_timeout=300)
    assert result.status == "ok", f"notebook 10 failed on a user's folders: {result.error}"
