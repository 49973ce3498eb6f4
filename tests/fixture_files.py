"""Tiny files in the real formats of the full-tier datasets, for tests that must not download.

``write_mirror(root)`` lays out ``root/<dataset>/<file>`` as ``IMGCOURSE_MIRROR`` expects, one
small file per registered full-tier file name, and returns each file's sha256 and size.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import pickle
import tarfile
from pathlib import Path

import numpy as np
from PIL import Image


def idx_bytes(array: np.ndarray) -> bytes:
    """The IDX encoding of a uint8 array: magic 0x0000 08 <ndim>, big-endian dims, data."""
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(d).to_bytes(4, "big") for d in array.shape
    )
    return header + array.astype(np.uint8).tobytes()


def write_idx_set(folder: Path, prefix: str, images: np.ndarray, labels: np.ndarray) -> dict:
    paths = {}
    for kind, array in (("images-idx3", images), ("labels-idx1", labels)):
        path = folder / f"{prefix}-{kind}-ubyte.gz"
        path.write_bytes(gzip.compress(idx_bytes(array)))
        paths[path.name] = path
    return paths


def write_tar(path: Path, members: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def jpeg(color: tuple[int, int, int], size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="JPEG", quality=95)
    return buffer.getvalue()


def png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def cifar_pickle(obj: object) -> bytes:
    """Pickle like the published batches: protocol 2, arrays from ``numpy.core.multiarray``."""
    data = pickle.dumps(obj, protocol=2)
    return data.replace(b"numpy._core.multiarray\n", b"numpy.core.multiarray\n")


CIFAR_NAMES = [
    b"airplane",
    b"automobile",
    b"bird",
    b"cat",
    b"deer",
    b"dog",
    b"frog",
    b"horse",
    b"ship",
    b"truck",
]


# ----------------------------------------------------------------------------- a whole mirror


def _class_images(rng: np.random.Generator, labels: np.ndarray, shape: tuple[int, ...]):
    """uint8 images whose mean brightness depends on the label, plus noise."""
    base = 20 + 22 * labels.astype(np.float64)
    noise = rng.normal(0, 12, (len(labels), *shape))
    return np.clip(base.reshape(-1, *([1] * len(shape))) + noise, 0, 255).astype(np.uint8)


def _idx_dataset(folder: Path, rng: np.random.Generator, per_class: int) -> None:
    for prefix, n in (("train", per_class), ("t10k", max(2, per_class // 2))):
        labels = np.tile(np.arange(10, dtype=np.uint8), n)
        write_idx_set(folder, prefix, _class_images(rng, labels, (28, 28)), labels)


def _cifar(folder: Path, rng: np.random.Generator, per_class: int) -> None:
    def batch(n_per_class: int) -> bytes:
        labels = np.tile(np.arange(10), n_per_class)
        data = _class_images(rng, labels, (3072,))
        names = [b"f%d.png" % i for i in range(len(labels))]
        return cifar_pickle(
            {b"batch_label": b"b", b"labels": labels.tolist(), b"data": data, b"filenames": names}
        )

    root = "cifar-10-batches-py/"
    per_batch = max(1, per_class // 5)
    members = {root + f"data_batch_{i}": batch(per_batch) for i in range(1, 6)}
    members[root + "test_batch"] = batch(max(2, per_class // 2))
    members[root + "batches.meta"] = cifar_pickle({b"label_names": CIFAR_NAMES})
    write_tar(folder / "cifar-10-python.tar.gz", members)


def _pets(folder: Path, rng: np.random.Generator, per_class: int) -> None:
    from imgcourse.data.full import OXFORD_PET_BREEDS

    images, trimaps, trainval, test = {}, {}, [], []
    for class_id, breed in enumerate(OXFORD_PET_BREEDS, start=1):
        species = 1 if breed[0].isupper() else 2  # cats are capitalised, dogs are not
        for i in range(1, per_class + 1):
            stem = f"{breed}_{i}"
            colour = tuple(int(c) for c in rng.integers(0, 256, 3))
            images[f"images/{stem}.jpg"] = jpeg(colour, size=(48, 40))
            trimap = np.full((40, 48), 2, np.uint8)
            trimap[10:30, 12:36] = 1
            trimaps[f"annotations/trimaps/{stem}.png"] = png(trimap)
            (test if i % 3 == 0 else trainval).append(f"{stem} {class_id} {species} {i}")
    annotations = {
        "annotations/trainval.txt": ("\n".join(trainval) + "\n").encode(),
        "annotations/test.txt": ("\n".join(test) + "\n").encode(),
        "annotations/list.txt": b"#Image CLASS-ID SPECIES BREED ID\n",
        **trimaps,
    }
    write_tar(folder / "images.tar.gz", images)
    write_tar(folder / "annotations.tar.gz", annotations)


def _flowers(folder: Path, rng: np.random.Generator, per_class: int) -> None:
    members = {"flower_photos/LICENSE.txt": b"CC-BY 2.0, per photo (fixture)"}
    for k, name in enumerate(("daisy", "dandelion", "roses", "sunflowers", "tulips")):
        for i in range(per_class):
            colour = (40 * k + 30, int(rng.integers(0, 256)), 200 - 30 * k)
            members[f"flower_photos/{name}/{i}.jpg"] = jpeg(colour, size=(50, 40))
    write_tar(folder / "flower_photos.tgz", members)


WRITERS = {
    "mnist": _idx_dataset,
    "fashion_mnist": _idx_dataset,
    "cifar10": _cifar,
    "oxford_iiit_pet": _pets,
    "tf_flowers": _flowers,
}


def write_mirror(root: Path, *, per_class: int = 6, seed: int = 0) -> dict[str, dict]:
    """Write every full-tier dataset as tiny fixture files under ``root/<dataset>/``.

    Returns ``{dataset: {filename: (sha256, size_bytes)}}`` for the files written.
    """
    from imgcourse.data.registry import get_dataset, list_datasets

    rng = np.random.default_rng(seed)
    table: dict[str, dict] = {}
    for name in list_datasets("full"):
        if name not in WRITERS:
            raise KeyError(f"no fixture writer for the full-tier dataset {name!r}: add one")
        folder = root / name
        folder.mkdir(parents=True, exist_ok=True)
        WRITERS[name](folder, rng, per_class)
        table[name] = {}
        for remote in get_dataset(name).files:
            data = (folder / remote.filename).read_bytes()
            table[name][remote.filename] = (hashlib.sha256(data).hexdigest(), len(data))
    return table
