"""Tests for imgcourse.data.folder: a user's folder of images, with bad files reported by name."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from imgcourse.data import ImageFolderError, load_image_folder, scan_image_folder

RED, BLUE = (220, 20, 20), (20, 20, 220)


def _save(
    path: Path, colour: tuple[int, int, int], size: tuple[int, int] = (20, 12), mode: str = "RGB"
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", size, colour)
    if mode != "RGB":
        image = image.convert(mode)
    image.save(path)


def _jpeg_bytes(colour: tuple[int, int, int]) -> bytes:
    rng = np.random.default_rng(0)
    noise = rng.integers(0, 40, (64, 64, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(np.clip(np.array(colour) + noise, 0, 255).astype(np.uint8)).save(
        buffer, format="JPEG", quality=90
    )
    return buffer.getvalue()


@pytest.fixture
def good_folder(tmp_path: Path) -> Path:
    """photos/cats: 2 PNG + 1 JPEG (red); photos/dogs: 1 PNG, 1 grey PNG, 1 JPEG (blue)."""
    root = tmp_path / "photos"
    _save(root / "cats" / "a.png", RED)
    _save(root / "cats" / "b.png", RED, size=(8, 30))
    (root / "cats" / "c.jpg").write_bytes(_jpeg_bytes(RED))
    _save(root / "dogs" / "d.png", BLUE)
    _save(root / "dogs" / "e.png", BLUE, mode="L")
    (root / "dogs" / "f.jpeg").write_bytes(_jpeg_bytes(BLUE))
    return root


@pytest.fixture
def bad_folder(good_folder: Path) -> Path:
    """The good folder plus a corrupt file, a truncated JPEG and a text file."""
    rng = np.random.default_rng(1)
    (good_folder / "cats" / "corrupt.jpg").write_bytes(rng.bytes(500))
    whole = _jpeg_bytes(BLUE)
    (good_folder / "dogs" / "truncated.jpg").write_bytes(whole[: len(whole) // 2])
    (good_folder / "dogs" / "notes.txt").write_text("not an image")
    return good_folder


def test_scan_finds_classes_and_files(good_folder):
    scan = scan_image_folder(good_folder)
    assert scan.class_names == ["cats", "dogs"]
    assert [p.name for p in scan.files] == ["a.png", "b.png", "c.jpg", "d.png", "e.png", "f.jpeg"]
    assert scan.labels == [0, 0, 0, 1, 1, 1]
    assert scan.problems == []
    report = scan.report()
    assert "6 readable images in 2 classes" in report
    assert "cats: 3" in report and "dogs: 3" in report


def test_scan_reports_each_bad_file_by_name(bad_folder):
    scan = scan_image_folder(bad_folder)
    assert len(scan.problems) == 3
    by_name = {Path(p.split(":")[0]).name: p for p in scan.problems}
    assert set(by_name) == {"corrupt.jpg", "truncated.jpg", "notes.txt"}
    assert by_name["corrupt.jpg"].startswith(str(Path("cats") / "corrupt.jpg"))
    assert "unreadable image" in by_name["corrupt.jpg"]
    assert "unreadable image" in by_name["truncated.jpg"]
    assert "truncated" in by_name["truncated.jpg"].split(":", 1)[1]  # PIL's reason is kept
    assert "not an image file type" in by_name["notes.txt"]
    # the bad files are not among the usable ones
    assert len(scan.files) == 6
    report = scan.report()
    assert "3 problem(s)" in report and "truncated.jpg" in report and "notes.txt" in report


def test_load_lists_every_unreadable_file_before_loading_anything(bad_folder, monkeypatch):
    import PIL.Image

    opened: list[str] = []
    real_open = PIL.Image.open

    def spying_open(fp, *args, **kwargs):
        opened.append(str(fp))
        image = real_open(fp, *args, **kwargs)
        return image

    monkeypatch.setattr(PIL.Image, "open", spying_open)
    with pytest.raises(ImageFolderError) as err:
        load_image_folder(bad_folder, image_size=8)
    message = str(err.value)
    assert "2 file(s)" in message
    assert "corrupt.jpg" in message and "truncated.jpg" in message
    assert "skip_unreadable=True" in message and "Remove or replace" in message
    # every file was opened exactly once, by the scan: nothing was loaded afterwards
    image_files = [p for p in bad_folder.rglob("*") if p.suffix != ".txt" and p.is_file()]
    assert sorted(opened) == sorted(str(p) for p in image_files)


def test_load_skip_unreadable_loads_the_rest(bad_folder, capsys):
    data = load_image_folder(bad_folder, image_size=10, skip_unreadable=True)
    out = capsys.readouterr().out
    assert "Skipping 2 unreadable file(s)" in out
    assert "corrupt.jpg" in out and "truncated.jpg" in out
    assert data.images.shape == (6, 10, 10, 3)
    assert data.class_names == ["cats", "dogs"]
    np.testing.assert_array_equal(data.labels, [0, 0, 0, 1, 1, 1])
    assert [Path(p).name for p in data.extras["paths"]] == [
        "a.png",
        "b.png",
        "c.jpg",
        "d.png",
        "e.png",
        "f.jpeg",
    ]


def test_load_gives_rgb_floats_in_0_1_with_the_right_colours(good_folder):
    data = load_image_folder(good_folder, image_size=6)
    assert data.images.dtype == np.float32
    assert data.images.min() >= 0.0 and data.images.max() <= 1.0
    mean_rgb = data.images.mean(axis=(1, 2))
    red, blue = mean_rgb[data.labels == 0], mean_rgb[data.labels == 1]
    assert np.all(red[:, 0] > red[:, 2] + 0.5)
    # the grey PNG (e.png) becomes three equal channels
    grey = data.images[data.extras["paths"].index(str(good_folder / "dogs" / "e.png"))]
    np.testing.assert_allclose(grey[..., 0], grey[..., 1], atol=1e-6)
    assert np.all(blue[[0, 2], 2] > blue[[0, 2], 0] + 0.5)


def test_text_files_alone_do_not_stop_the_load(good_folder):
    (good_folder / "cats" / "README.txt").write_text("hello")
    data = load_image_folder(good_folder, image_size=4)
    assert len(data) == 6


def test_hidden_files_and_folders_are_ignored(good_folder):
    (good_folder / "cats" / ".DS_Store").write_bytes(b"\x00\x01junk")
    (good_folder / ".ipynb_checkpoints").mkdir()
    scan = scan_image_folder(good_folder)
    assert scan.class_names == ["cats", "dogs"] and scan.problems == []


def test_a_missing_folder_says_what_to_do(tmp_path):
    with pytest.raises(ImageFolderError, match="does not exist.*one sub-folder per class"):
        load_image_folder(tmp_path / "nowhere")


def test_a_folder_without_sub_folders_says_what_to_do(tmp_path):
    _save(tmp_path / "flat" / "a.png", RED)
    with pytest.raises(ImageFolderError, match="no sub-folders.*its own sub-folder"):
        scan_image_folder(tmp_path / "flat")


def test_an_empty_class_folder_says_what_to_do(good_folder):
    (good_folder / "birds").mkdir()
    with pytest.raises(ImageFolderError) as err:
        load_image_folder(good_folder)
    assert "['birds']" in str(err.value)
    assert "add images or remove the folder" in str(err.value)


def test_a_class_left_empty_by_skipping_is_reported(good_folder):
    (good_folder / "fish").mkdir()
    (good_folder / "fish" / "bad.png").write_bytes(b"not a png at all")
    with pytest.raises(ImageFolderError, match=r"\['fish'\].*add images or remove the folder"):
        load_image_folder(good_folder, skip_unreadable=True)


def test_image_folder_error_is_a_value_error():
    assert issubclass(ImageFolderError, ValueError)


# ------------------------------------------------------------------ duplicates (03 notebook)


def test_scan_reports_byte_identical_copies_by_name(good_folder):
    (good_folder / "dogs" / "copy_of_a.png").write_bytes(
        (good_folder / "cats" / "a.png").read_bytes()
    )
    (good_folder / "cats" / "a_again.png").write_bytes(
        (good_folder / "cats" / "a.png").read_bytes()
    )
    scan = scan_image_folder(good_folder)
    assert scan.duplicate_names() == [
        [
            str(Path("cats") / "a.png"),
            str(Path("cats") / "a_again.png"),
            str(Path("dogs") / "copy_of_a.png"),
        ]
    ]
    report = scan.report()
    assert "1 group(s) of identical files" in report and "copy_of_a.png" in report
    assert scan.problems == []  # a duplicate is readable: reported, not a problem


def test_same_pixels_saved_twice_differently_are_not_byte_duplicates(good_folder):
    # d.png and a re-encoded copy with other PNG settings: same pixels, other bytes
    Image.open(good_folder / "dogs" / "d.png").save(
        good_folder / "dogs" / "d2.png", compress_level=0
    )
    assert scan_image_folder(good_folder).duplicates == []


def test_hashes_match_hashlib(good_folder):
    import hashlib

    scan = scan_image_folder(good_folder)
    digests = [hashlib.sha256(p.read_bytes()).hexdigest() for p in scan.files]
    assert len(set(digests)) == len(digests) and scan.duplicates == []


def test_load_prints_duplicates_and_can_skip_them(good_folder, capsys):
    (good_folder / "dogs" / "zz_copy.png").write_bytes(
        (good_folder / "cats" / "a.png").read_bytes()
    )
    kept_all = load_image_folder(good_folder, image_size=4)
    out = capsys.readouterr().out
    assert len(kept_all) == 7
    assert "1 group(s) of identical files, loading all" in out and "zz_copy.png" in out
    first_only = load_image_folder(good_folder, image_size=4, skip_duplicates=True)
    assert len(first_only) == 6
    assert not any(p.endswith("zz_copy.png") for p in first_only.extras["paths"])
    assert "loading the first of each" in capsys.readouterr().out


def test_no_duplicates_prints_nothing_extra(good_folder, capsys):
    load_image_folder(good_folder, image_size=4)
    assert capsys.readouterr().out == ""


# ----------------------------------------------------------------- 16-bit images keep their range


def test_16_bit_grey_png_is_scaled_not_clipped(tmp_path: Path) -> None:
    """A 16-bit ramp over 0..65535 has mean 0.5, not ~1.0 (clipped to 8 bits)."""
    from imgcourse.data.folder import read_image

    ramp = np.linspace(0, 65535, 64 * 64).reshape(64, 64).astype(np.uint16)
    for cls in ("a", "b"):
        (tmp_path / "scans" / cls).mkdir(parents=True)
        Image.fromarray(ramp).save(tmp_path / "scans" / cls / "ramp.png")
    assert Image.open(tmp_path / "scans" / "a" / "ramp.png").mode in ("I;16", "I")
    data = load_image_folder(tmp_path / "scans", image_size=32)
    assert abs(float(data.images.mean()) - 0.5) < 0.01
    assert data.images.min() < 0.02 and data.images.max() > 0.98
    full = read_image(tmp_path / "scans" / "a" / "ramp.png")
    np.testing.assert_allclose(full[..., 0], ramp / 65535.0, atol=1e-6)
    np.testing.assert_array_equal(full[..., 0], full[..., 2])  # grey over three channels


def test_32_bit_integer_image_is_read_as_16_bit(tmp_path: Path) -> None:
    from imgcourse.data.folder import read_image

    values = np.array([[0, 32768], [65535, 70000]], np.int32)
    Image.fromarray(values, mode="I").save(tmp_path / "wide.tif")
    out = read_image(tmp_path / "wide.tif")
    np.testing.assert_allclose(out[..., 1], [[0, 32768 / 65535], [1, 1]], atol=1e-6)
    eight = read_image(tmp_path / "wide.tif", image_size=4)
    assert eight.shape == (4, 4, 3) and eight.dtype == np.float32


# ----------------------------------------------------------------------------- odd files users have


def _png_bytes(image: Image.Image, **kwargs: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", **kwargs)
    return buffer.getvalue()


def test_odd_but_valid_images_all_load_with_their_colours(tmp_path: Path) -> None:
    """Palette, RGBA, CMYK JPEG, grey, 16-bit, 1x1 and non-ASCII or spaced names all load as
    RGB in [0, 1]; none is reported as a problem."""
    root = tmp_path / "mixed"
    (root / "a").mkdir(parents=True)
    (root / "b").mkdir()
    Image.new("RGB", (9, 7), RED).convert("P").save(root / "a" / "palette.png")
    Image.new("RGBA", (9, 7), RED + (255,)).save(root / "a" / "with alpha.png")
    Image.new("RGB", (9, 7), RED).convert("CMYK").save(root / "a" / "cmyk.jpg", quality=95)
    Image.new("RGB", (1, 1), RED).save(root / "a" / "one_pixel.png")
    Image.new("RGB", (9, 7), BLUE).save(root / "b" / "bleu éèç 漢字.png")
    Image.new("L", (9, 7), 128).save(root / "b" / "grey.png")
    grey16 = np.full((7, 9), 32768, np.uint16)
    Image.fromarray(grey16).save(root / "b" / "sixteen.png")

    scan = scan_image_folder(root)
    assert scan.problems == []
    data = load_image_folder(root, image_size=4)
    assert data.images.shape == (7, 4, 4, 3) and data.images.dtype == np.float32
    by_name = {Path(p).name: img for p, img in zip(data.extras["paths"], data.images)}
    for name in ("palette.png", "with alpha.png", "cmyk.jpg", "one_pixel.png"):
        np.testing.assert_allclose(by_name[name].mean(axis=(0, 1)), np.array(RED) / 255, atol=0.03)
    np.testing.assert_allclose(by_name["bleu éèç 漢字.png"][0, 0], np.array(BLUE) / 255, atol=0.01)
    np.testing.assert_allclose(by_name["grey.png"], 128 / 255, atol=0.01)
    np.testing.assert_allclose(by_name["sixteen.png"], 0.5, atol=0.01)


def test_broken_files_are_each_reported_by_name(tmp_path: Path) -> None:
    root = tmp_path / "broken"
    (root / "a").mkdir(parents=True)
    Image.new("RGB", (9, 7), RED).save(root / "a" / "good.png")
    (root / "a" / "empty.jpg").write_bytes(b"")
    (root / "a" / "letter.jpg").write_text("Dear learner, this is not a picture.")
    whole_png = _png_bytes(
        Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8))
    )
    (root / "a" / "cut.png").write_bytes(whole_png[: len(whole_png) // 2])
    whole_jpg = _jpeg_bytes(RED)
    (root / "a" / "cut.jpg").write_bytes(whole_jpg[: len(whole_jpg) // 2])

    scan = scan_image_folder(root)
    reported = sorted(p.split(":")[0] for p in scan.problems)
    assert reported == ["a/cut.jpg", "a/cut.png", "a/empty.jpg", "a/letter.jpg"]
    with pytest.raises(ImageFolderError) as info:
        load_image_folder(root, image_size=4)
    for name in reported:
        assert name in str(info.value)


def test_an_image_past_the_decompression_bomb_limit_is_reported(tmp_path, monkeypatch):
    """Pillow refuses images with more than twice ``MAX_IMAGE_PIXELS`` pixels (a decompression
    bomb); the scan names the file and the limit instead of raising. The limit is lowered here
    so the test needs no huge file."""
    root = tmp_path / "bomb"
    (root / "a").mkdir(parents=True)
    Image.new("RGB", (9, 7), RED).save(root / "a" / "small.png")
    Image.new("RGB", (60, 60), RED).save(root / "a" / "huge.png")
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    scan = scan_image_folder(root)
    [problem] = scan.problems
    assert problem.startswith("a/huge.png: too large") and "3,600 pixels" in problem
    assert [p.name for p in scan.files] == ["small.png"]


@pytest.mark.slow
def test_a_10000_pixel_square_photo_loads_resized(tmp_path: Path) -> None:
    """100 megapixels is over Pillow's warning limit but under its refusal limit: it loads."""
    root = tmp_path / "big"
    (root / "a").mkdir(parents=True)
    Image.new("RGB", (10_000, 10_000), BLUE).save(root / "a" / "big.png")
    Image.new("RGB", (9, 7), RED).save(root / "a" / "small.png")
    with pytest.warns(Image.DecompressionBombWarning):
        data = load_image_folder(root, image_size=8)
    assert data.images.shape == (2, 8, 8, 3)
    np.testing.assert_allclose(
        data.images[0], np.broadcast_to(np.array(BLUE) / 255, (8, 8, 3)), atol=0.01
    )


def test_a_class_folder_linked_from_outside_is_loaded_and_named(tmp_path: Path) -> None:
    """A class folder that is a symbolic link to a folder elsewhere is followed (people link
    big datasets in), and the scan's report says where it points."""
    outside = tmp_path / "elsewhere" / "dogs"
    outside.mkdir(parents=True)
    Image.new("RGB", (9, 7), BLUE).save(outside / "d.png")
    root = tmp_path / "photos"
    (root / "cats").mkdir(parents=True)
    Image.new("RGB", (9, 7), RED).save(root / "cats" / "c.png")
    (root / "dogs").symlink_to(outside, target_is_directory=True)

    scan = scan_image_folder(root)
    assert scan.class_names == ["cats", "dogs"] and len(scan.files) == 2
    assert f"dogs -> {outside}" in scan.report()
    data = load_image_folder(root, image_size=4)
    assert list(data.labels) == [0, 1]
