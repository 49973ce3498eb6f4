"""Loading a user's own folder of images: one sub-folder per class.

Every file is checked before anything trains, so a corrupt image is reported by name at the
start rather than crashing an epoch half-way through, and files with the same content
(byte-identical copies, found by their SHA-256 hash) are reported as duplicates: a copy in two
classes gives one image two labels, and a copy that lands in both the training and the test
part inflates the test score. Introduced in ``03_data_and_augmentation``; used by
``19_capstone_report``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from imgcourse.data.dataset import ImageSet
from imgcourse.packaged import sha256_file

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")


class ImageFolderError(ValueError):
    """A user's image folder cannot be used as it is; the message says why and what to do."""


@dataclass
class FolderScan:
    """What :func:`scan_image_folder` found: usable files and problems, by name."""

    root: Path
    class_names: list[str]
    files: list[Path] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    duplicates: list[list[Path]] = field(default_factory=list)

    def duplicate_names(self) -> list[list[str]]:
        """Each group of identical files as paths relative to the root (first one first)."""
        return [[str(p.relative_to(self.root)) for p in group] for group in self.duplicates]

    def report(self) -> str:
        counts = np.bincount(self.labels, minlength=len(self.class_names)) if self.labels else []
        lines = [
            f"{self.root}: {len(self.files)} readable images in {len(self.class_names)} classes"
        ]
        for name, count in zip(self.class_names, counts):
            folder = self.root / name
            link = f" (linked: {name} -> {folder.resolve()})" if folder.is_symlink() else ""
            lines.append(f"  {name}: {int(count)}{link}")
        if self.problems:
            lines.append(f"{len(self.problems)} problem(s):")
            lines += [f"  {p}" for p in self.problems]
        if self.duplicates:
            lines.append(f"{len(self.duplicates)} group(s) of identical files (same SHA-256):")
            lines += ["  " + " = ".join(group) for group in self.duplicate_names()]
        return "\n".join(lines)


def scan_image_folder(root: str | Path) -> FolderScan:
    """Check every file under ``root/<class>/`` opens as an image; collect the problems.

    Readable images are also hashed (SHA-256 of the file's bytes): files with the same hash
    are listed in ``duplicates``, in groups, whichever class folders they are in. Only
    byte-identical copies are found; a re-saved or resized copy has another hash.

    Raises:
        ImageFolderError: the folder is missing, or has no class sub-folders.
    """
    from PIL import Image, UnidentifiedImageError

    root = Path(root)
    if not root.is_dir():
        raise ImageFolderError(
            f"image folder {root} does not exist. Pass a folder with one sub-folder per class, "
            "for example photos/cats/*.jpg and photos/dogs/*.jpg."
        )
    class_dirs = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not class_dirs:
        raise ImageFolderError(
            f"{root} has no sub-folders. Put each class's images in its own sub-folder, "
            f"for example {root}/cats/ and {root}/dogs/."
        )
    scan = FolderScan(root=root, class_names=[p.name for p in class_dirs])
    by_hash: dict[str, list[Path]] = {}
    for label, class_dir in enumerate(class_dirs):
        for path in sorted(class_dir.rglob("*")):
            if path.is_dir() or path.name.startswith("."):
                continue
            if path.suffix.lower() not in IMAGE_SUFFIXES:
                scan.problems.append(f"{path.relative_to(root)}: not an image file type (skipped)")
                continue
            try:
                with Image.open(path) as im:
                    im.load()  # decodes fully: truncated files fail here, not in training
            except Image.DecompressionBombError as exc:
                found = re.search(r"\((\d+) pixels\)", str(exc))  # Pillow's message
                pixels = f"{int(found.group(1)):,} pixels" if found else "too many pixels"
                scan.problems.append(
                    f"{path.relative_to(root)}: too large ({pixels}; Pillow refuses "
                    f"more than {2 * Image.MAX_IMAGE_PIXELS:,} as a possible decompression "
                    "bomb). Resize it, or raise PIL.Image.MAX_IMAGE_PIXELS if you trust it."
                )
                continue
            except (UnidentifiedImageError, OSError, SyntaxError) as exc:
                scan.problems.append(f"{path.relative_to(root)}: unreadable image ({exc})")
                continue
            scan.files.append(path)
            scan.labels.append(label)
            digest = sha256_file(path)
            by_hash.setdefault(digest, []).append(path)
    scan.duplicates = [group for group in by_hash.values() if len(group) > 1]
    return scan


#: Pillow modes that hold more than 8 bits per pixel, and the value each one's white is.
_WIDE_MODES = {
    "I;16": 65535.0,
    "I;16L": 65535.0,
    "I;16B": 65535.0,
    "I;16N": 65535.0,
    "I": 65535.0,
    "F": 1.0,
}


def read_image(path: str | Path, image_size: int | None = None) -> np.ndarray:
    """Decode one image file as RGB float32 in [0, 1], optionally resized to a square.

    8-bit images (L, RGB, P, ...) are divided by 255. 16-bit greyscale images (PNG or TIFF,
    which Pillow opens in mode ``I;16`` or ``I``), common in microscopy and medical imaging,
    are divided by 65535 so that they keep their range: converting them to 8-bit RGB first
    would clip every value above 255 to white. Mode ``F`` (32-bit float) is taken as already
    in [0, 1] and clipped. Grey images are repeated over the three channels. The shared
    decoder of :func:`load_image_folder` and :func:`imgcourse.data.load_mask_folders`
    (``10_segmentation``).

    Args:
        path: an image file.
        image_size: output height and width in pixels (bilinear resize); None keeps the size.

    Returns:
        (height, width, 3) float32 in [0, 1].
    """
    from PIL import Image

    with Image.open(path) as im:
        if im.mode in _WIDE_MODES:
            white = _WIDE_MODES[im.mode]
            grey = np.asarray(im, dtype=np.float32) / white
            wide = Image.fromarray(np.clip(grey, 0.0, 1.0).astype(np.float32))  # mode F
            if image_size is not None:
                wide = wide.resize((image_size, image_size), Image.BILINEAR)
            arr = np.clip(np.asarray(wide, np.float32), 0.0, 1.0)
            return np.repeat(arr[..., None], 3, axis=-1)
        rgb = im.convert("RGB")
        if image_size is not None:
            rgb = rgb.resize((image_size, image_size), Image.BILINEAR)
        return np.asarray(rgb, np.float32) / 255.0


def load_image_folder(
    root: str | Path,
    *,
    image_size: int = 64,
    skip_unreadable: bool = False,
    skip_duplicates: bool = False,
) -> ImageSet:
    """Load ``root/<class>/*`` as an :class:`ImageSet` of RGB images resized to a square.

    Args:
        root: folder with one sub-folder per class.
        image_size: output height and width in pixels.
        skip_unreadable: if False (default), any unreadable file stops the load with a list
            of every bad file; if True, they are left out and their names are printed.
        skip_duplicates: if True, only the first file (in class, then name order) of each
            group of identical files is loaded; if False they are all loaded. Either way the
            groups are printed by name.

    Returns:
        images (n, image_size, image_size, 3) float32 in [0, 1]; extras ``paths`` (list of str).

    Raises:
        ImageFolderError: missing folder, no classes, a class with no images, or unreadable
            files (all listed by name) when ``skip_unreadable`` is False.
    """

    scan = scan_image_folder(root)
    bad = [p for p in scan.problems if "unreadable" in p]
    if bad and not skip_unreadable:
        listing = "\n  ".join(bad)
        raise ImageFolderError(
            f"{len(bad)} file(s) in {scan.root} cannot be read as images:\n  {listing}\n"
            "Remove or replace them, or pass skip_unreadable=True to leave them out."
        )
    if bad:
        print(f"Skipping {len(bad)} unreadable file(s):\n  " + "\n  ".join(bad))
    if scan.duplicates:
        groups = "\n  ".join(" = ".join(g) for g in scan.duplicate_names())
        action = (
            "loading the first of each"
            if skip_duplicates
            else "loading all (skip_duplicates=True keeps the first of each)"
        )
        print(f"{len(scan.duplicates)} group(s) of identical files, {action}:\n  {groups}")
        if skip_duplicates:
            extra = {p for group in scan.duplicates for p in group[1:]}
            kept = [(p, y) for p, y in zip(scan.files, scan.labels) if p not in extra]
            scan.files, scan.labels = [p for p, _ in kept], [y for _, y in kept]
    counts = np.bincount(scan.labels, minlength=len(scan.class_names))
    empty = [n for n, c in zip(scan.class_names, counts) if c == 0]
    if empty:
        raise ImageFolderError(
            f"class folder(s) {empty} in {scan.root} hold no readable images; "
            "add images or remove the folder."
        )
    images = np.empty((len(scan.files), image_size, image_size, 3), np.float32)
    for i, path in enumerate(scan.files):
        images[i] = read_image(path, image_size)
    return ImageSet(
        images=images,
        labels=np.asarray(scan.labels, np.int64),
        class_names=scan.class_names,
        name=f"image folder {scan.root.name}",
        extras={"paths": [str(p) for p in scan.files]},
    )
