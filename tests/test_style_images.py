"""Tests for imgcourse.data.style_images: built-in names, files, and clear errors."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from imgcourse.data.style_images import ImageReadError, load_square_image


def test_builtin_photo_and_grey_texture():
    photo = load_square_image("chelsea", 40)
    assert photo.shape == (40, 40, 3) and photo.dtype == np.float32
    assert 0.0 <= photo.min() and photo.max() <= 1.0
    texture = load_square_image("gravel", 24)
    assert texture.shape == (24, 24, 3)
    np.testing.assert_allclose(texture[..., 0], texture[..., 2])  # grey in three channels


def test_a_file_is_cropped_to_its_centre_square(tmp_path):
    array = np.zeros((20, 60, 3), np.uint8)
    array[:, 20:40] = 255  # the centre square is white, the sides black
    Image.fromarray(array).save(tmp_path / "wide.png")
    image = load_square_image(tmp_path / "wide.png", 10)
    assert image.shape == (10, 10, 3)
    assert image.min() > 0.95
    grey16 = np.full((16, 16), 65535 // 2, np.uint16)
    Image.fromarray(grey16).save(tmp_path / "deep.png")
    assert abs(float(load_square_image(tmp_path / "deep.png", 8).mean()) - 0.5) < 0.01


def test_unreadable_and_missing_files_are_named(tmp_path):
    fake = tmp_path / "holiday.jpg"
    fake.write_text("not a picture")
    with pytest.raises(ImageReadError, match=r"cannot read .*holiday\.jpg as an image"):
        load_square_image(fake, 16)
    with pytest.raises(ImageReadError, match=r"no image file at .*missing\.png.*built-in"):
        load_square_image(tmp_path / "missing.png", 16)
    with pytest.raises(ValueError, match="at least 8 pixels"):
        load_square_image("chelsea", 4)
