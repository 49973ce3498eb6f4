"""Loaders for the full data tier: downloaded archives in, :class:`ImageSet` out.

Each loader takes ``paths``, the ``{filename: path}`` mapping that
:func:`imgcourse.data.download.fetch` returns, reads the archives as published (no extraction
to disk, no ``tensorflow_datasets``) and returns images as (n, height, width, channels) float32
in [0, 1]. Usually called through :func:`imgcourse.data.registry.load_dataset`, introduced in
notebook 00 (welcome: data tiers)::

    data = load_dataset("oxford_iiit_pet", image_size=128, split="trainval")
"""

from __future__ import annotations

import gzip
import importlib
import io
import os
import pickle
import tarfile
from collections.abc import Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
from PIL import Image, ImageOps

from imgcourse.data.dataset import ImageSet

PathMap = Mapping[str, "str | os.PathLike[str]"]

FASHION_MNIST_CLASSES: tuple[str, ...] = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
MNIST_CLASSES: tuple[str, ...] = tuple(str(d) for d in range(10))

OXFORD_PET_CATS: frozenset[str] = frozenset(
    "Abyssinian Bengal Birman Bombay British_Shorthair Egyptian_Mau Maine_Coon Persian Ragdoll "
    "Russian_Blue Siamese Sphynx".split()
)
OXFORD_PET_DOGS: frozenset[str] = frozenset(
    "american_bulldog american_pit_bull_terrier basset_hound beagle boxer chihuahua "
    "english_cocker_spaniel english_setter german_shorthaired great_pyrenees havanese "
    "japanese_chin keeshond leonberger miniature_pinscher newfoundland pomeranian pug "
    "saint_bernard samoyed scottish_terrier shiba_inu staffordshire_bull_terrier "
    "wheaten_terrier yorkshire_terrier".split()
)
# The official class ids 1..37 are the breeds in case-insensitive alphabetical order.
OXFORD_PET_BREEDS: tuple[str, ...] = tuple(sorted(OXFORD_PET_CATS | OXFORD_PET_DOGS, key=str.lower))

_IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")


# ----------------------------------------------------------------------------- MNIST family


def read_idx(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an IDX file (the MNIST format), gzipped or not, as a uint8 array.

    Returns (n, rows, cols) for an image file, (n,) for a label file.
    """
    path = Path(path)
    with open(path, "rb") as f:
        gzipped = f.read(2) == b"\x1f\x8b"
    opener = gzip.open if gzipped else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0:2] != b"\x00\x00" or data[2] != 0x08:
        raise ValueError(
            f"{path} is not an unsigned-byte IDX file (MNIST format): header {data[:4]!r}"
        )
    ndim = data[3]
    header = 4 + 4 * ndim
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = int(np.prod(shape)) if shape else 0
    if len(data) - header != expected:
        raise ValueError(
            f"{path}: the IDX header says shape {shape} ({expected:,} bytes) but "
            f"{len(data) - header:,} bytes follow; the file is truncated or corrupted"
        )
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape)


def _load_idx_set(paths: PathMap, split: str, class_names: tuple[str, ...], title: str) -> ImageSet:
    prefix = {"train": "train", "test": "t10k"}.get(split)
    if prefix is None:
        raise ValueError(f"split must be 'train' or 'test'; got {split!r}")
    images = read_idx(_need(paths, f"{prefix}-images-idx3-ubyte.gz", title))
    labels = read_idx(_need(paths, f"{prefix}-labels-idx1-ubyte.gz", title))
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise ValueError(
            f"{title} {split}: images of shape {images.shape} do not match labels of shape "
            f"{labels.shape}; expected (n, 28, 28) and (n,)"
        )
    return ImageSet(
        images=_to_float(images[..., None]),
        labels=labels.astype(np.int64),
        class_names=list(class_names),
        name=f"{title} ({split})",
    )


def load_fashion_mnist(paths: PathMap, split: str = "train") -> ImageSet:
    """Fashion-MNIST: (n, 28, 28, 1) float32 in [0, 1], 10 clothing classes.

    ``split`` is ``"train"`` (60,000 images) or ``"test"`` (10,000).
    """
    return _load_idx_set(paths, split, FASHION_MNIST_CLASSES, "Fashion-MNIST")


def load_mnist(paths: PathMap, split: str = "train") -> ImageSet:
    """MNIST: (n, 28, 28, 1) float32 in [0, 1], digits 0-9.

    ``split`` is ``"train"`` (60,000 images) or ``"test"`` (10,000).
    """
    return _load_idx_set(paths, split, MNIST_CLASSES, "MNIST")


# ----------------------------------------------------------------------------- CIFAR-10


class _CifarUnpickler(pickle.Unpickler):
    """Unpickles the CIFAR batches (dicts of numpy arrays and lists) and nothing else."""

    _ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"),
        ("numpy.core.multiarray", "scalar"),
        ("numpy.core.numeric", "_frombuffer"),
        ("numpy", "ndarray"),
        ("numpy", "dtype"),
        ("_codecs", "encode"),
    }

    def find_class(self, module: str, name: str) -> Any:
        canonical = module.replace("numpy._core", "numpy.core")
        if (canonical, name) not in self._ALLOWED:
            raise pickle.UnpicklingError(
                f"a CIFAR batch should hold only numpy arrays and lists, but it refers to "
                f"{module}.{name}; refusing to load it"
            )
        # NumPy 2 renamed numpy.core to numpy._core; import the new name first (no warning).
        for candidate in (canonical.replace("numpy.core", "numpy._core"), canonical):
            try:
                return getattr(importlib.import_module(candidate), name)
            except (ImportError, AttributeError):
                continue
        return super().find_class(module, name)


def _unpickle_cifar(data: bytes, member: str) -> dict[bytes, Any]:
    try:
        obj = _CifarUnpickler(io.BytesIO(data), encoding="bytes").load()
    except (pickle.UnpicklingError, EOFError, ValueError) as err:
        raise ValueError(f"cannot read CIFAR batch {member}: {err}") from err
    if not isinstance(obj, dict):
        raise ValueError(f"CIFAR batch {member} holds a {type(obj).__name__}, expected a dict")
    return obj


def load_cifar10(paths: PathMap, split: str = "train") -> ImageSet:
    """CIFAR-10 from ``cifar-10-python.tar.gz``: (n, 32, 32, 3) float32 in [0, 1], 10 classes.

    ``split`` is ``"train"`` (the five data batches, 50,000 images) or ``"test"`` (10,000).
    """
    batches = {
        "train": [f"data_batch_{i}" for i in range(1, 6)],
        "test": ["test_batch"],
    }.get(split)
    if batches is None:
        raise ValueError(f"split must be 'train' or 'test'; got {split!r}")
    archive = _need(paths, "cifar-10-python.tar.gz", "CIFAR-10")
    wanted = {*batches, "batches.meta"}
    found: dict[str, dict[bytes, Any]] = {}
    for member, data in _tar_files(archive):
        base = PurePosixPath(member).name
        if base in wanted:
            found[base] = _unpickle_cifar(data, member)
    missing = sorted(wanted - set(found))
    if missing:
        raise ValueError(f"{archive} lacks {missing}; is it cifar-10-python.tar.gz?")
    arrays, labels = [], []
    for name in batches:
        batch = found[name]
        data = np.asarray(batch[b"data"], dtype=np.uint8)
        if data.ndim != 2 or data.shape[1] != 3 * 32 * 32:
            raise ValueError(f"CIFAR batch {name}: data of shape {data.shape}, expected (n, 3072)")
        # Each row holds the red, then green, then blue 32x32 plane, row-major.
        arrays.append(data.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1))
        labels.append(np.asarray(batch[b"labels"], dtype=np.int64))
    class_names = [_text(n) for n in found["batches.meta"][b"label_names"]]
    return ImageSet(
        images=_to_float(np.concatenate(arrays)),
        labels=np.concatenate(labels),
        class_names=class_names,
        name=f"CIFAR-10 ({split})",
    )


# ----------------------------------------------------------------------------- photo folders


def load_oxford_iiit_pet(
    paths: PathMap, image_size: int = 128, *, split: str = "all", masks: bool = False
) -> ImageSet:
    """Oxford-IIIT Pet: (n, image_size, image_size, 3) float32 in [0, 1], 37 breeds.

    The breed comes from the file name (``Abyssinian_12.jpg``); class ``i`` is official class
    id ``i + 1``. Each photo is resized so its shorter side is ``image_size``, then centre-cropped.

    Args:
        paths: ``images.tar.gz`` (and ``annotations.tar.gz`` for ``split`` or ``masks``).
        image_size: side of the square output images, in pixels.
        split: ``"all"`` (7,390 images), or the official ``"trainval"`` (3,680) or ``"test"``
            (3,669) lists from the annotations.
        masks: also return the trimaps as ``extras["masks"]``, (n, image_size, image_size)
            uint8 with 1 = pet, 2 = background, 3 = border (cropped like the images).

    ``extras`` also holds ``"species"`` ("cat" or "dog") and ``"filenames"``.
    """
    _check_size(image_size)
    if split not in ("all", "trainval", "test"):
        raise ValueError(f"split must be 'all', 'trainval' or 'test'; got {split!r}")
    title = "Oxford-IIIT Pet"
    images_tgz = _need(paths, "images.tar.gz", title)
    keep: set[str] | None = None
    trimaps: dict[str, bytes] = {}
    if split != "all" or masks:
        annotations = _need(paths, "annotations.tar.gz", title)
        for member, data in _tar_files(annotations):
            path = PurePosixPath(member)
            if path.name.startswith("._"):  # macOS resource forks shipped in the archive
                continue
            if split != "all" and path.name == f"{split}.txt":
                keep = {
                    line.split()[0]
                    for line in data.decode("utf-8").splitlines()
                    if line.strip() and not line.startswith("#")
                }
            elif masks and path.parent.name == "trimaps" and path.suffix == ".png":
                trimaps[path.stem] = data
        if split != "all" and keep is None:
            raise ValueError(f"{annotations} has no {split}.txt; is it the pets annotations?")

    class_index = {breed: i for i, breed in enumerate(OXFORD_PET_BREEDS)}
    rows: list[tuple[str, np.ndarray, int, np.ndarray | None]] = []
    for member, data in _tar_files(images_tgz):
        path = PurePosixPath(member)
        if path.suffix.lower() != ".jpg" or path.name.startswith("._"):
            continue  # the archive also holds a few .mat files
        image_id = path.stem
        if keep is not None and image_id not in keep:
            continue
        breed = image_id.rsplit("_", 1)[0]
        if breed not in class_index:
            raise ValueError(f"{member} in {images_tgz}: {breed!r} is not one of the 37 breeds")
        mask = None
        if masks:
            if image_id not in trimaps:
                raise ValueError(f"no trimap annotations/trimaps/{image_id}.png for {member}")
            mask = _square(trimaps[image_id], image_size, f"trimap of {member}", mask=True)
        image = _square(data, image_size, member)
        rows.append((path.name, image, class_index[breed], mask))
    if not rows:
        raise ValueError(f"no .jpg images found in {images_tgz} (split {split!r})")
    rows.sort(key=lambda r: r[0])
    filenames = [r[0] for r in rows]
    labels = np.array([r[2] for r in rows], dtype=np.int64)
    extras: dict[str, Any] = {
        "species": np.array(
            ["cat" if OXFORD_PET_BREEDS[i] in OXFORD_PET_CATS else "dog" for i in labels]
        ),
        "filenames": np.array(filenames),
    }
    if masks:
        extras["masks"] = np.stack([r[3] for r in rows])  # type: ignore[misc]
    return ImageSet(
        images=_to_float(np.stack([r[1] for r in rows])),
        labels=labels,
        class_names=list(OXFORD_PET_BREEDS),
        name=f"{title} ({split})",
        extras=extras,
    )


def load_tf_flowers(paths: PathMap, image_size: int = 128) -> ImageSet:
    """tf_flowers: (n, image_size, image_size, 3) float32 in [0, 1], 5 classes.

    The class is the photo's folder (``flower_photos/roses/...jpg``); class names are the
    folder names in alphabetical order (daisy, dandelion, roses, sunflowers, tulips), as
    ``keras.utils.image_dataset_from_directory`` would order them. Each photo is resized so its
    shorter side is ``image_size``, then centre-cropped. ``extras["filenames"]`` holds
    ``"<class>/<file>"``, the key to the photographer credits in the archive's LICENSE.txt.
    """
    _check_size(image_size)
    archive = _need(paths, "flower_photos.tgz", "tf_flowers")
    rows: list[tuple[str, str, np.ndarray]] = []
    for member, data in _tar_files(archive):
        path = PurePosixPath(member)
        if len(path.parts) < 3 or path.suffix.lower() not in _IMAGE_SUFFIXES:
            continue  # LICENSE.txt sits at the top of the archive
        rows.append((path.parent.name, path.name, _square(data, image_size, member)))
    if not rows:
        raise ValueError(f"no images in class folders found in {archive}")
    rows.sort(key=lambda r: (r[0], r[1]))
    class_names = sorted({r[0] for r in rows})
    index = {name: i for i, name in enumerate(class_names)}
    return ImageSet(
        images=_to_float(np.stack([r[2] for r in rows])),
        labels=np.array([index[r[0]] for r in rows], dtype=np.int64),
        class_names=class_names,
        name="tf_flowers",
        extras={"filenames": np.array([f"{r[0]}/{r[1]}" for r in rows])},
    )


# ----------------------------------------------------------------------------- helpers


def _need(paths: PathMap, filename: str, title: str) -> Path:
    if filename not in paths:
        raise ValueError(
            f"{title} needs the file {filename!r}; the paths given are {sorted(paths)}"
        )
    return Path(paths[filename])


def _check_size(image_size: int) -> None:
    if not isinstance(image_size, int) or image_size < 8:
        raise ValueError(f"image_size must be an integer of at least 8 pixels; got {image_size!r}")


def _tar_files(archive: Path) -> Iterator[tuple[str, bytes]]:
    """Stream ``(member name, bytes)`` for every regular file of a (gzipped) tar archive."""
    try:
        with tarfile.open(archive, mode="r|*") as tar:
            for member in tar:
                if not member.isfile():
                    continue
                f = tar.extractfile(member)
                if f is not None:
                    yield member.name, f.read()
    except (tarfile.TarError, EOFError, OSError) as err:
        raise ValueError(f"cannot read the archive {archive}: {err}") from err


def _square(data: bytes, size: int, what: str, *, mask: bool = False) -> np.ndarray:
    """Decode an image, scale its shorter side to ``size`` and centre-crop to a square.

    Returns (size, size, 3) uint8 for photos, (size, size) uint8 for masks.
    """
    try:
        with Image.open(io.BytesIO(data)) as img:
            if not mask:
                img.draft("RGB", (size, size))  # JPEG: decode at a reduced scale, much faster
            img = img if mask else img.convert("RGB")
            method = Image.Resampling.NEAREST if mask else Image.Resampling.BICUBIC
            out = ImageOps.fit(img, (size, size), method=method)
            return np.asarray(out, dtype=np.uint8)
    except (OSError, Image.DecompressionBombError) as err:
        raise ValueError(f"cannot decode {what}: {err}") from err


def _to_float(images: np.ndarray) -> np.ndarray:
    out = images.astype(np.float32)
    out /= 255.0
    return out


def _text(value: bytes | str) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else str(value)
