"""An example folder of real photographs, one sub-folder per class, with the flaws that real
folders have: mixed sizes, modes and formats, an unreadable file, a duplicate, a file that
is not an image and a non-ASCII name.

The capstone (``19_capstone_report``) runs its six steps on a folder of the user's own
images; with no folder given it runs on this one, written out by
:func:`write_example_folder`. The images are tiles of scikit-image's bundled photographs of
three textures (brick, grass, gravel: 512x512 grey photographs), cut on a grid so that no
two tiles share a pixel; no network is needed. :func:`write_class_folder` writes any
:class:`~imgcourse.data.ImageSet` out the same way (the capstone's full profile writes
tf_flowers with it).
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from imgcourse.data.dataset import ImageSet

#: The example folder's classes (scikit-image textures) and how many tiles each gets: unequal
#: on purpose, as most real folders are.
EXAMPLE_CLASSES: dict[str, int] = {"brick": 80, "grass": 64, "gravel": 48}
#: Tiles are cut from cells of this many pixels on a side (10 x 10 cells per texture).
CELL = 48
#: Smallest tile side in pixels; each tile's side is drawn from [MIN_TILE, CELL].
MIN_TILE = 32


def _save(image: np.ndarray, path: Path, kind: str) -> None:
    """Save a (h, w) uint8 grey image as ``kind``: png-L, png-RGB, png-16, jpeg."""
    from PIL import Image

    if kind == "png-16":  # a 16-bit grey PNG, mode I;16, as microscopes write
        wide = image.astype(np.uint16) * 257
        Image.fromarray(wide).save(path)
    elif kind == "png-RGB":
        Image.fromarray(image).convert("RGB").save(path)
    elif kind == "jpeg":
        Image.fromarray(image).save(path, quality=90)
    else:
        Image.fromarray(image).save(path)


def write_example_folder(root: str | Path, *, seed: int = 0) -> Path:
    """Write the capstone's example folder of texture photographs under ``root``.

    ``root/brick/``, ``root/grass/`` and ``root/gravel/`` receive 80, 64 and 48 tiles of
    scikit-image's brick, grass and gravel photographs (:data:`EXAMPLE_CLASSES`). Each tile
    lies inside its own 48x48 cell of the 512x512 photograph, so tiles never overlap; its
    height and width are drawn separately from 32-48 pixels. Formats and modes are mixed
    as in a real folder: grey PNG, RGB PNG, grey JPEG (quality 90) and one 16-bit grey PNG
    per class. The folder also holds the usual flaws: ``grass/grass_broken.jpg`` (a
    truncated JPEG), ``brick/brick_000_copy.png`` (a byte-identical copy),
    ``gravel/notes.txt`` (not an image) and ``brick/brique_été.png`` (a non-ASCII name).
    The same seed writes the same files.

    Args:
        root: the folder to write; created if missing. Existing class folders of the same
            names are replaced.
        seed: seed of the tile positions, sizes and formats.

    Returns:
        ``root`` as a Path.

    Example:
        >>> folder = write_example_folder(tempfile.mkdtemp())  # doctest: +SKIP
        >>> sorted(p.name for p in folder.iterdir())           # doctest: +SKIP
        ['brick', 'grass', 'gravel']
    """
    from skimage import data

    root = Path(root)
    rng = np.random.default_rng(seed)
    kinds = ("png-L", "png-L", "png-RGB", "jpeg")
    for name, count in EXAMPLE_CLASSES.items():
        photo = getattr(data, name)()  # (512, 512) uint8 grey
        cells = photo.shape[0] // CELL
        if count > cells * cells:
            raise ValueError(f"{name}: {count} tiles do not fit in {cells * cells} cells")
        folder = root / name
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        for i, cell in enumerate(rng.permutation(cells * cells)[:count]):
            h, w = (int(s) for s in rng.integers(MIN_TILE, CELL + 1, size=2))
            y = (cell // cells) * CELL + int(rng.integers(0, CELL - h + 1))
            x = (cell % cells) * CELL + int(rng.integers(0, CELL - w + 1))
            kind = kinds[int(rng.integers(len(kinds)))]
            kind = {0: "png-L", 1: "png-16"}.get(i, kind)  # the flaws need these
            suffix = ".jpg" if kind == "jpeg" else ".png"
            _save(photo[y : y + h, x : x + w], folder / f"{name}_{i:03d}{suffix}", kind)
    _add_flaws(root)
    return root


def _add_flaws(root: Path) -> None:
    """The flaws of a real folder, each of a kind the data check reports."""
    jpeg = sorted((root / "grass").glob("*.jpg"))[0]
    (root / "grass" / "grass_broken.jpg").write_bytes(jpeg.read_bytes()[:300])  # truncated
    shutil.copyfile(root / "brick" / "brick_000.png", root / "brick" / "brick_000_copy.png")
    (root / "gravel" / "notes.txt").write_text("photographed on site, March\n", encoding="utf-8")
    src = root / "brick" / "brick_001.png"
    shutil.move(src, root / "brick" / "brique_été.png")  # a non-ASCII name, same image


def write_class_folder(
    data: ImageSet,
    root: str | Path,
    *,
    suffix: str = ".png",
    names: Sequence[str] | None = None,
) -> Path:
    """Write an :class:`ImageSet` as ``root/<class name>/<file>``, one file per image.

    Args:
        data: images (n, h, w, 1 or 3) float32 in [0, 1], with labels and class names.
        root: the folder to write; created if missing.
        suffix: ``".png"`` (lossless) or ``".jpg"`` (quality 95).
        names: a file name (without suffix) per image; by default ``<class>_<index>``.

    Returns:
        ``root`` as a Path. Used by ``19_capstone_report``'s full profile (tf_flowers).
    """
    from PIL import Image

    if suffix not in (".png", ".jpg"):
        raise ValueError(f"suffix must be '.png' or '.jpg'; got {suffix!r}")
    if names is not None and len(names) != len(data):
        raise ValueError(f"{len(names)} names for {len(data)} images: give one per image")
    root = Path(root)
    for name in data.class_names:
        (root / name).mkdir(parents=True, exist_ok=True)
    pixels = np.clip(np.round(data.images * 255.0), 0, 255).astype(np.uint8)
    for i, (image, label) in enumerate(zip(pixels, data.labels)):
        cls = data.class_names[int(label)]
        stem = names[i] if names is not None else f"{cls}_{i:05d}"
        picture = Image.fromarray(image[..., 0] if image.shape[-1] == 1 else image)
        options = {"quality": 95} if suffix == ".jpg" else {}
        picture.save(root / cls / f"{stem}{suffix}", **options)
    return root


__all__ = ["EXAMPLE_CLASSES", "write_class_folder", "write_example_folder"]
