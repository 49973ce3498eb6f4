"""Tests for imgcourse.data.style_images: built-in names, the packaged paintings, files of
every odd kind a user may bring (issue 26), and clear errors."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from imgcourse.data import style_images
from imgcourse.data.style_images import (
    PAINTING_NAMES,
    ImageReadError,
    load_square_image,
    painting_path,
)


def test_builtin_photo_and_grey_texture():
    photo = load_square_image("chelsea", 40)
    assert photo.shape == (40, 40, 3) and photo.dtype == np.float32
    assert 0.0 <= photo.min() and photo.max() <= 1.0
    texture = load_square_image("gravel", 24)
    assert texture.shape == (24, 24, 3)
    np.testing.assert_allclose(texture[..., 0], texture[..., 2])  # grey in three channels


def test_the_paintings_ship_inside_the_package_with_their_provenance():
    for name in PAINTING_NAMES:
        path = painting_path(name)
        assert path.is_file() and "assets" in path.parts and "paintings" in path.parts
        image = load_square_image(name, 32)
        assert image.shape == (32, 32, 3) and image.dtype == np.float32
        assert image.std() > 0.05  # a picture, not a blank
    provenance = (painting_path("the_scream").parent / "PROVENANCE.md").read_text("utf-8")
    for name in style_images.PAINTINGS.values():
        assert name in provenance
    with pytest.raises(ValueError, match="unknown painting"):
        painting_path("mona_lisa")


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


def test_grey_rgba_palette_and_16_bit_files(tmp_path):
    Image.fromarray(np.full((30, 30), 64, np.uint8)).save(tmp_path / "grey.png")
    grey = load_square_image(tmp_path / "grey.png", 16)
    np.testing.assert_allclose(grey, 64 / 255, atol=1e-3)
    rgba = np.zeros((30, 30, 4), np.uint8)  # fully transparent black: shown as white
    rgba[:, :15] = (255, 0, 0, 255)  # the left half opaque red
    Image.fromarray(rgba).save(tmp_path / "logo.png")
    image = load_square_image(tmp_path / "logo.png", 30)
    assert image[:, :10, 0].min() > 0.95 and image[:, :10, 1].max() < 0.05
    assert image[:, 20:].min() > 0.95  # transparent -> white, not black
    palette = Image.fromarray(rgba).convert("P")
    palette.save(tmp_path / "palette.gif")
    assert load_square_image(tmp_path / "palette.gif", 16).shape == (16, 16, 3)
    wide = np.full((20, 20), 40000, np.uint16)  # 16-bit: above 8-bit white, kept in range
    Image.fromarray(wide).save(tmp_path / "deep.tif")
    assert abs(float(load_square_image(tmp_path / "deep.tif", 16).mean()) - 40000 / 65535) < 0.01


def test_huge_files_are_reduced_before_they_become_arrays(tmp_path):
    big = np.zeros((2400, 3600, 3), np.uint8)
    big[:, 1800:] = 255  # right half white: the centre square is half black, half white
    Image.fromarray(big).save(tmp_path / "panorama.png")
    square = style_images.read_square_file(tmp_path / "panorama.png", 64)
    assert square.shape[0] == square.shape[1] and 128 <= square.shape[0] < 256
    image = load_square_image(tmp_path / "panorama.png", 64)
    assert image.shape == (64, 64, 3)
    assert image[:, :20].max() < 0.05 and image[:, 44:].min() > 0.95


def test_tiny_files_are_refused_or_enlarged_with_a_warning(tmp_path):
    Image.new("RGB", (4, 4)).save(tmp_path / "icon.png")
    with pytest.raises(ImageReadError, match=r"icon\.png is only 4x4 pixels"):
        load_square_image(tmp_path / "icon.png", 32)
    Image.new("RGB", (20, 12), (10, 200, 30)).save(tmp_path / "thumb.png")
    with pytest.warns(UserWarning, match=r"thumb\.png.*12 pixels.*blurred"):
        image = load_square_image(tmp_path / "thumb.png", 32)
    assert image.shape == (32, 32, 3)


def test_a_decompression_bomb_is_refused_with_the_file_named(tmp_path, monkeypatch):
    Image.new("RGB", (100, 100)).save(tmp_path / "scan.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # 100x100 > twice this
    with pytest.raises(ImageReadError, match=r"scan\.png is too large.*shrink it"):
        load_square_image(tmp_path / "scan.png", 16)


def test_unreadable_and_missing_files_are_named(tmp_path):
    fake = tmp_path / "holiday.jpg"
    fake.write_text("not a picture")
    with pytest.raises(ImageReadError, match=r"cannot read .*holiday\.jpg as an image"):
        load_square_image(fake, 16)
    truncated = tmp_path / "cut.png"
    Image.new("RGB", (64, 64), (200, 10, 10)).save(tmp_path / "whole.png")
    truncated.write_bytes((tmp_path / "whole.png").read_bytes()[:60])
    with pytest.raises(ImageReadError, match=r"cut\.png"):
        load_square_image(truncated, 16)
    with pytest.raises(ImageReadError, match=r"no image file at .*missing\.png.*built-in"):
        load_square_image(tmp_path / "missing.png", 16)
    with pytest.raises(ValueError, match="at least 8 pixels"):
        load_square_image("chelsea", 4)


def test_twelve_bit_data_in_a_sixteen_bit_file_warns_that_it_is_dark(tmp_path):
    twelve = np.full((20, 20), 4000, np.uint16)  # 12-bit data: at most 4095 of 65535
    Image.fromarray(twelve).save(tmp_path / "xray.tif")
    with pytest.warns(UserWarning, match=r"4000 of 65535.*nearly black"):
        image = load_square_image(tmp_path / "xray.tif", 16)
    assert float(image.max()) < 0.07
