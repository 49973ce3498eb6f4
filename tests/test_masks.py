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
