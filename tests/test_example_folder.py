"""Tests for imgcourse.data.example_folder (the capstone's example folder) and
imgcourse.data.folder_check (its data-check tables)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from imgcourse.data import (
    ImageFolderError,
    ImageSet,
    check_trainable,
    class_table,
    describe_files,
    load_image_folder,
    problem_table,
    scan_image_folder,
    write_class_folder,
    write_example_folder,
)
from imgcourse.data.example_folder import CELL, EXAMPLE_CLASSES, MIN_TILE


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_example_folder(tmp_path_factory.mktemp("example") / "textures", seed=0)


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_the_folder_has_the_classes_counts_and_flaws(example):
    scan = scan_image_folder(example)
    assert scan.class_names == sorted(EXAMPLE_CLASSES)
    counts = dict(zip(scan.class_names, np.bincount(scan.labels)))
    assert counts == {"brick": 81, "grass": 64, "gravel": 48}  # brick: + one copy
    problems = "\n".join(scan.problems)
    assert "grass/grass_broken.jpg: unreadable image" in problems
    assert "gravel/notes.txt: not an image file type" in problems
    assert scan.duplicate_names() == [["brick/brick_000.png", "brick/brick_000_copy.png"]]
    assert (example / "brick" / "brique_été.png").is_file()


def test_sizes_modes_and_formats_are_mixed(example):
    files = describe_files(scan_image_folder(example))
    assert files["width"].between(MIN_TILE, CELL).all()
    assert files["height"].between(MIN_TILE, CELL).all()
    assert (files["width"] != files["height"]).any()
    assert {"L", "RGB", "I;16"} <= set(files["mode"])
    assert set(files["format"]) == {"PNG", "JPEG"}


def test_the_same_seed_writes_the_same_files_and_another_seed_others(tmp_path):
    a = _digest(write_example_folder(tmp_path / "a", seed=3))
    b = _digest(write_example_folder(tmp_path / "b", seed=3))
    c = _digest(write_example_folder(tmp_path / "c", seed=4))
    assert a == b
    assert a != c


def test_rewriting_replaces_the_class_folders(tmp_path):
    folder = write_example_folder(tmp_path / "f", seed=0)
    (folder / "grass" / "stray.png").write_bytes(b"")
    write_example_folder(folder, seed=0)
    assert not (folder / "grass" / "stray.png").exists()


def test_tiles_do_not_overlap_so_no_two_images_are_equal(example):
    data = load_image_folder(example, image_size=16, skip_unreadable=True, skip_duplicates=True)
    assert len(data) == 192
    flat = data.images.reshape(len(data), -1)
    assert len(np.unique(flat, axis=0)) == len(data)


def test_a_small_classifier_learns_the_example_folder_above_chance(example):
    """Nearest class mean on 16x16 pixels: clearly above chance (1/3) on held-out tiles."""
    from imgcourse.data import split

    data = load_image_folder(example, image_size=16, skip_unreadable=True, skip_duplicates=True)
    train, test = split(data, (0.7, 0.3), seed=0)
    means = np.stack(
        [train.images[train.labels == k].mean(axis=0).ravel() for k in range(data.num_classes)]
    )
    flat = test.images.reshape(len(test), -1)
    guess = np.argmin(((flat[:, None, :] - means[None]) ** 2).sum(-1), axis=1)
    assert np.mean(guess == test.labels) > 0.6


def test_class_and_problem_tables(example):
    scan = scan_image_folder(example)
    table = class_table(scan)
    assert list(table.index) == ["brick", "grass", "gravel"]
    assert table["images"].tolist() == [81, 64, 48]
    assert table["share"].sum() == pytest.approx(1.0)
    assert table.loc["grass", "min side"] >= MIN_TILE
    assert "I;16" in table.loc["gravel", "modes"]
    problems = problem_table(scan)
    assert problems["file"].tolist() == [
        "grass/grass_broken.jpg",
        "gravel/notes.txt",
        "brick/brick_000_copy.png",
    ]
    assert "skipped" in problems["problem"].iloc[2]
    kept = problem_table(scan, skip_duplicates=False)
    assert "kept" in kept["problem"].iloc[2]


def test_problem_table_of_a_clean_folder_is_empty(tmp_path):
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        Image.new("RGB", (8, 8), name == "a" and "red" or "blue").save(tmp_path / name / "x.png")
    problems = problem_table(scan_image_folder(tmp_path))
    assert problems.empty and list(problems.columns) == ["file", "problem"]


def _folder(root: Path, counts: dict[str, int]) -> Path:
    rng = np.random.default_rng(0)
    for name, n in counts.items():
        (root / name).mkdir(parents=True)
        for i in range(n):
            pixels = rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(root / name / f"{i}.png")
    return root


def test_check_trainable_accepts_a_good_folder(tmp_path):
    check_trainable(scan_image_folder(_folder(tmp_path, {"a": 5, "b": 6})))


def test_check_trainable_stops_a_one_class_folder(tmp_path):
    with pytest.raises(ImageFolderError, match="at least two") as info:
        check_trainable(scan_image_folder(_folder(tmp_path, {"only": 9})))
    assert "only" in str(info.value) and "DATA_DIR" in str(info.value)


def test_check_trainable_names_an_empty_class(tmp_path):
    folder = _folder(tmp_path, {"a": 5, "b": 5})
    (folder / "empty").mkdir()
    with pytest.raises(ImageFolderError, match=r"\['empty'\].*no readable images"):
        check_trainable(scan_image_folder(folder))


def test_check_trainable_names_a_class_with_too_few_images(tmp_path):
    folder = _folder(tmp_path, {"a": 5, "b": 2})
    with pytest.raises(ImageFolderError, match=r"'b': 2.*MIN_IMAGES_PER_CLASS"):
        check_trainable(scan_image_folder(folder))
    check_trainable(scan_image_folder(folder), min_per_class=2)
    with pytest.raises(ValueError, match="at least 1"):
        check_trainable(scan_image_folder(folder), min_per_class=0)


def test_describe_files_reads_modes_of_awkward_images(tmp_path):
    (tmp_path / "a").mkdir()
    Image.new("CMYK", (9, 7)).save(tmp_path / "a" / "cmyk.jpg")
    Image.new("RGBA", (5, 5)).save(tmp_path / "a" / "rgba.png")
    Image.new("P", (4, 6)).save(tmp_path / "a" / "palette.png")
    files = describe_files(scan_image_folder(tmp_path)).set_index("file")
    assert files.loc["a/cmyk.jpg", "mode"] == "CMYK"
    assert files.loc["a/cmyk.jpg", ["width", "height"]].tolist() == [9, 7]
    assert files.loc["a/rgba.png", "mode"] == "RGBA"
    assert files.loc["a/palette.png", "mode"] == "P"
    assert (files["kib"] > 0).all()


def test_write_class_folder_round_trips_through_load_image_folder(tmp_path):
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, (6, 8, 8, 3)).astype(np.float32) / 255.0
    data = ImageSet(images, np.array([0, 1, 0, 1, 0, 1]), ["cat", "dog"])
    folder = write_class_folder(data, tmp_path / "out")
    back = load_image_folder(folder, image_size=8)
    assert back.class_names == ["cat", "dog"]
    assert sorted(back.labels.tolist()) == sorted(data.labels.tolist())
    order = np.argsort([Path(p).name for p in back.extras["paths"]])
    np.testing.assert_allclose(np.sort(back.images.ravel()), np.sort(images.ravel()), atol=1e-6)
    assert len(order) == 6
    grey = ImageSet(images[:, :, :, :1], data.labels, data.class_names)
    jpegs = write_class_folder(grey, tmp_path / "grey", suffix=".jpg", names=list("abcdef"))
    assert sorted(p.name for p in (jpegs / "cat").iterdir()) == ["a.jpg", "c.jpg", "e.jpg"]


def test_write_class_folder_rejects_bad_arguments(tmp_path):
    data = ImageSet(np.zeros((2, 4, 4, 3), np.float32), np.array([0, 1]), ["a", "b"])
    with pytest.raises(ValueError, match="suffix"):
        write_class_folder(data, tmp_path, suffix=".gif")
    with pytest.raises(ValueError, match="one per image"):
        write_class_folder(data, tmp_path, names=["x"])


def test_check_trainable_lists_unreadable_files_only_when_asked(tmp_path):
    folder = _folder(tmp_path, {"a": 5, "b": 5})
    (folder / "a" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    scan = scan_image_folder(folder)
    check_trainable(scan)  # skipped by default
    with pytest.raises(ImageFolderError, match=r"(?s)a/broken.png.*SKIP_UNREADABLE") as info:
        check_trainable(scan, skip_unreadable=False)
    assert str(tmp_path) not in str(info.value)
    assert str(tmp_path) not in problem_table(scan).to_string()
