"""Tests for imgcourse.data.full on tiny archives written here in the real file formats."""

from __future__ import annotations

import gzip
import io
import pickle
from pathlib import Path

import numpy as np
import pytest
from fixture_files import (
    CIFAR_NAMES,
    cifar_pickle,
    idx_bytes,
    jpeg,
    png,
    write_idx_set,
    write_tar,
)
from PIL import Image

from imgcourse.data.full import (
    FASHION_MNIST_CLASSES,
    OXFORD_PET_BREEDS,
    load_cifar10,
    load_fashion_mnist,
    load_mnist,
    load_oxford_iiit_pet,
    load_tf_flowers,
    read_idx,
)

# ----------------------------------------------------------------------------- MNIST family


@pytest.fixture
def idx_paths(tmp_path: Path) -> dict:
    rng = np.random.default_rng(0)
    train = rng.integers(0, 256, size=(3, 28, 28), dtype=np.uint8)
    test = rng.integers(0, 256, size=(2, 28, 28), dtype=np.uint8)
    paths = write_idx_set(tmp_path, "train", train, np.array([5, 0, 9], np.uint8))
    paths |= write_idx_set(tmp_path, "t10k", test, np.array([1, 2], np.uint8))
    return {"paths": paths, "train": train, "test": test}


def test_read_idx_gzipped_and_plain(tmp_path):
    array = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    (tmp_path / "a.gz").write_bytes(gzip.compress(idx_bytes(array)))
    (tmp_path / "a").write_bytes(idx_bytes(array))
    np.testing.assert_array_equal(read_idx(tmp_path / "a.gz"), array)
    np.testing.assert_array_equal(read_idx(tmp_path / "a"), array)


def test_read_idx_rejects_truncated_and_foreign_files(tmp_path):
    array = np.zeros((3, 28, 28), np.uint8)
    (tmp_path / "short.gz").write_bytes(gzip.compress(idx_bytes(array)[:-10]))
    with pytest.raises(ValueError, match="truncated"):
        read_idx(tmp_path / "short.gz")
    (tmp_path / "text").write_bytes(b"hello world")
    with pytest.raises(ValueError, match="IDX"):
        read_idx(tmp_path / "text")


@pytest.mark.parametrize("loader", [load_mnist, load_fashion_mnist])
def test_idx_loaders(idx_paths, loader):
    train = loader(idx_paths["paths"])
    assert train.images.shape == (3, 28, 28, 1) and train.images.dtype == np.float32
    np.testing.assert_allclose(train.images[..., 0] * 255, idx_paths["train"], atol=1e-3)
    assert train.labels.tolist() == [5, 0, 9] and train.labels.dtype == np.int64
    assert train.num_classes == 10
    test = loader(idx_paths["paths"], split="test")
    assert len(test) == 2 and test.labels.tolist() == [1, 2]
    assert "test" in test.name


def test_idx_loader_names_and_errors(idx_paths):
    assert load_fashion_mnist(idx_paths["paths"]).class_names == list(FASHION_MNIST_CLASSES)
    assert load_mnist(idx_paths["paths"]).class_names[3] == "3"
    with pytest.raises(ValueError, match="split"):
        load_mnist(idx_paths["paths"], split="validation")
    with pytest.raises(ValueError, match="t10k-images-idx3-ubyte.gz"):
        load_mnist({"train-images-idx3-ubyte.gz": "x"}, split="test")


# ----------------------------------------------------------------------------- CIFAR-10


def cifar_batch(n: int, first_label: int) -> dict:
    data = np.zeros((n, 3072), np.uint8)
    for i in range(n):
        data[i, :1024] = 10 * i + 1  # red plane
        data[i, 1024:2048] = 10 * i + 2  # green plane
        data[i, 2048:] = 10 * i + 3  # blue plane
        data[i, 1] = 255  # red, row 0, column 1
    labels = [(first_label + i) % 10 for i in range(n)]
    return {
        b"batch_label": b"batch",
        b"labels": labels,
        b"data": data,
        b"filenames": [b"f%d.png" % i for i in range(n)],
    }


@pytest.fixture
def cifar_archive(tmp_path: Path) -> dict:
    root = "cifar-10-batches-py/"
    members = {root + f"data_batch_{i}": cifar_pickle(cifar_batch(2, i)) for i in range(1, 6)}
    members[root + "test_batch"] = cifar_pickle(cifar_batch(3, 7))
    members[root + "batches.meta"] = cifar_pickle(
        {b"num_cases_per_batch": 10000, b"label_names": CIFAR_NAMES, b"num_vis": 3072}
    )
    members[root + "readme.html"] = b"<html></html>"
    return {"cifar-10-python.tar.gz": write_tar(tmp_path / "cifar-10-python.tar.gz", members)}


def test_cifar10_train_and_test(cifar_archive):
    train = load_cifar10(cifar_archive)
    assert train.images.shape == (10, 32, 32, 3) and train.images.dtype == np.float32
    assert train.labels.tolist() == [1, 2, 2, 3, 3, 4, 4, 5, 5, 6]  # batches 1..5 in order
    assert train.class_names[0] == "airplane" and train.class_names[9] == "truck"
    pixels = np.round(train.images[1] * 255)
    assert pixels[5, 5].tolist() == [11, 12, 13]  # planes became channels
    assert pixels[0, 1].tolist() == [255, 12, 13]  # row-major within a plane
    test = load_cifar10(cifar_archive, split="test")
    assert len(test) == 3 and test.labels.tolist() == [7, 8, 9]


def test_cifar10_refuses_pickles_that_run_code(tmp_path):
    class Evil:
        def __reduce__(self):
            return (print, ("this would have run",))

    members = {f"cifar-10-batches-py/data_batch_{i}": pickle.dumps(Evil()) for i in range(1, 6)}
    members["cifar-10-batches-py/batches.meta"] = pickle.dumps({b"label_names": CIFAR_NAMES})
    archive = write_tar(tmp_path / "cifar-10-python.tar.gz", members)
    with pytest.raises(ValueError, match="refusing"):
        load_cifar10({"cifar-10-python.tar.gz": archive})


def test_cifar10_missing_batch_and_bad_archive(tmp_path):
    archive = write_tar(tmp_path / "c.tar.gz", {"cifar-10-batches-py/test_batch": b""})
    with pytest.raises(ValueError, match="lacks"):
        load_cifar10({"cifar-10-python.tar.gz": archive})
    (tmp_path / "broken.tar.gz").write_bytes(b"\x1f\x8b not really gzip")
    with pytest.raises(ValueError, match="cannot read the archive"):
        load_cifar10({"cifar-10-python.tar.gz": tmp_path / "broken.tar.gz"})


# ----------------------------------------------------------------------------- Oxford-IIIT Pet


@pytest.fixture
def pet_archives(tmp_path: Path) -> dict:
    images = {
        "images/Abyssinian_1.jpg": jpeg((250, 10, 10), size=(60, 40)),
        "images/american_bulldog_2.jpg": jpeg((10, 250, 10)),
        "images/yorkshire_terrier_3.jpg": jpeg((10, 10, 250), size=(30, 50)),
        "images/Abyssinian_100.mat": b"MATLAB 5.0",  # the archive really holds a few of these
    }
    trimap = np.full((40, 60), 2, np.uint8)
    trimap[10:30, 20:40] = 1
    trimap[10:14, 20:40] = 3  # a border band on top of the pet
    annotations = {
        "annotations/trainval.txt": b"Abyssinian_1 1 1 1\nyorkshire_terrier_3 37 2 25\n",
        "annotations/test.txt": b"american_bulldog_2 2 2 1\n",
        "annotations/list.txt": b"#Image CLASS-ID SPECIES BREED ID\nAbyssinian_1 1 1 1\n",
        "annotations/trimaps/Abyssinian_1.png": png(trimap),
        "annotations/trimaps/._Abyssinian_1.png": b"\x00\x05\x16\x07 resource fork",
        "annotations/trimaps/american_bulldog_2.png": png(np.full((30, 40), 1, np.uint8)),
        "annotations/trimaps/yorkshire_terrier_3.png": png(np.full((50, 30), 3, np.uint8)),
    }
    return {
        "images.tar.gz": write_tar(tmp_path / "images.tar.gz", images),
        "annotations.tar.gz": write_tar(tmp_path / "annotations.tar.gz", annotations),
    }


def test_pet_breeds_are_the_official_37():
    assert len(OXFORD_PET_BREEDS) == 37
    assert OXFORD_PET_BREEDS[0] == "Abyssinian" and OXFORD_PET_BREEDS[1] == "american_bulldog"
    assert OXFORD_PET_BREEDS[-1] == "yorkshire_terrier"


def test_oxford_pet_all(pet_archives):
    data = load_oxford_iiit_pet({"images.tar.gz": pet_archives["images.tar.gz"]}, image_size=16)
    assert data.images.shape == (3, 16, 16, 3) and data.images.dtype == np.float32
    assert 0.0 <= data.images.min() and data.images.max() <= 1.0
    assert data.num_classes == 37
    assert data.labels.tolist() == [0, 1, 36]
    assert data.extras["species"].tolist() == ["cat", "dog", "dog"]
    assert data.extras["filenames"][0] == "Abyssinian_1.jpg"
    means = data.images.mean(axis=(1, 2))
    assert means[0].argmax() == 0 and means[1].argmax() == 1 and means[2].argmax() == 2
    assert means[0, 0] > 0.9  # the red cat stayed red


def test_oxford_pet_split_and_masks(pet_archives):
    trainval = load_oxford_iiit_pet(pet_archives, image_size=20, split="trainval", masks=True)
    assert trainval.extras["filenames"].tolist() == ["Abyssinian_1.jpg", "yorkshire_terrier_3.jpg"]
    masks = trainval.extras["masks"]
    assert masks.shape == (2, 20, 20) and masks.dtype == np.uint8
    assert set(np.unique(masks[0])) == {1, 2, 3}  # nearest-neighbour: no blended values
    # 60x40 -> centre 40x40 crop -> 20x20: the pet box (rows 10-30, cols 20-40) lands at 5-15
    assert masks[0][10, 10] == 1 and masks[0][0, 0] == 2 and masks[0][5, 10] == 3
    assert set(np.unique(masks[1])) == {3}
    test = load_oxford_iiit_pet(pet_archives, image_size=20, split="test")
    assert test.labels.tolist() == [1] and "masks" not in test.extras
    assert len(trainval.subset(np.array([1])).extras["masks"]) == 1


def test_oxford_pet_errors(pet_archives, tmp_path):
    with pytest.raises(ValueError, match="annotations.tar.gz"):
        load_oxford_iiit_pet({"images.tar.gz": pet_archives["images.tar.gz"]}, split="test")
    with pytest.raises(ValueError, match="split"):
        load_oxford_iiit_pet(pet_archives, split="train")
    with pytest.raises(ValueError, match="image_size"):
        load_oxford_iiit_pet(pet_archives, image_size=0)
    odd = write_tar(tmp_path / "odd.tar.gz", {"images/unicorn_1.jpg": jpeg((0, 0, 0))})
    with pytest.raises(ValueError, match="37 breeds"):
        load_oxford_iiit_pet({"images.tar.gz": odd})
    bad = write_tar(tmp_path / "bad.tar.gz", {"images/pug_1.jpg": b"not a jpeg"})
    with pytest.raises(ValueError, match="pug_1.jpg"):
        load_oxford_iiit_pet({"images.tar.gz": bad})


# ----------------------------------------------------------------------------- tf_flowers


def test_tf_flowers(tmp_path):
    archive = write_tar(
        tmp_path / "flower_photos.tgz",
        {
            "flower_photos/LICENSE.txt": b"All images in this archive are licensed under CC-BY",
            "flower_photos/roses/2.jpg": jpeg((220, 20, 60), size=(50, 30)),
            "flower_photos/daisy/1.jpg": jpeg((250, 250, 250)),
            "flower_photos/roses/1.jpg": jpeg((200, 0, 0)),
        },
    )
    data = load_tf_flowers({"flower_photos.tgz": archive}, image_size=24)
    assert data.images.shape == (3, 24, 24, 3) and data.images.dtype == np.float32
    assert data.class_names == ["daisy", "roses"]
    assert data.labels.tolist() == [0, 1, 1]
    assert data.extras["filenames"].tolist() == ["daisy/1.jpg", "roses/1.jpg", "roses/2.jpg"]
    assert data.images[0].mean() > 0.95


def test_tf_flowers_empty_archive(tmp_path):
    archive = write_tar(tmp_path / "f.tgz", {"flower_photos/LICENSE.txt": b"x"})
    with pytest.raises(ValueError, match="no images"):
        load_tf_flowers({"flower_photos.tgz": archive})


def test_oxford_pet_reads_the_odd_files_the_archive_holds(tmp_path):
    """The real archive has grey and CMYK JPEGs and a few PNGs named .jpg."""

    def encode(mode: str, color, fmt: str) -> bytes:
        buffer = io.BytesIO()
        Image.new(mode, (32, 24), color).save(buffer, format=fmt)
        return buffer.getvalue()

    archive = write_tar(
        tmp_path / "images.tar.gz",
        {
            "images/Bengal_4.jpg": encode("CMYK", (0, 255, 255, 0), "JPEG"),  # red in CMYK
            "images/pug_5.jpg": encode("L", 128, "JPEG"),
            "images/beagle_6.jpg": encode("RGBA", (0, 0, 255, 255), "PNG"),
        },
    )
    data = load_oxford_iiit_pet({"images.tar.gz": archive}, image_size=8)
    assert data.images.shape == (3, 8, 8, 3)
    by_name = dict(zip(data.extras["filenames"], data.images.mean(axis=(1, 2))))
    assert by_name["beagle_6.jpg"].argmax() == 2
    np.testing.assert_allclose(by_name["pug_5.jpg"], 128 / 255, atol=0.02)
    assert by_name["Bengal_4.jpg"].argmax() == 0
