"""Loading a user's own segmentation data: images in one folder, masks in another.

Each image ``images_dir/<stem>.<ext>`` is paired with the mask ``masks_dir/<stem><suffix>.png``
of the same stem. A mask is an image of class indices (0 background, 1, 2, ... as pixel
values); binary masks saved as 0/255, the common convention, are read as two classes (0 and
1). Every pair is checked before anything trains: an image without a mask (or a mask
without an image), a mask whose size differs from its image's, an unreadable file and an
unexpected label value are all reported at once, by file name, in one error. Introduced in
``10_segmentation``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from imgcourse.data.dataset import ImageSet
from imgcourse.data.folder import IMAGE_SUFFIXES, read_image

MASK_SUFFIXES = (".png", ".tif", ".tiff", ".bmp", ".gif")


class MaskFolderError(ValueError):
    """A pair of image and mask folders cannot be used as it is; the message lists why."""


def _files(folder: Path, suffixes: tuple[str, ...]) -> dict[str, Path]:
    return {
        p.stem: p
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() in suffixes
    }


def read_mask(path: str | Path) -> np.ndarray:
    """A mask file as a (height, width) int64 array of its pixel values (class indices).

    Grey (``L``, ``I``, ``I;16``), palette (``P``: the palette indices) and 1-bit masks are
    read as they are; an RGB mask whose three channels are equal is read as grey.

    Raises:
        ValueError: for a colour mask (channels differ): save class indices, not colours.
    """
    from PIL import Image

    with Image.open(path) as im:
        arr = np.asarray(im)
    if arr.ndim == 3:
        if arr.shape[-1] == 4:
            arr = arr[..., :3]
        if not (arr == arr[..., :1]).all():
            raise ValueError(
                f"{Path(path).name}: a colour mask; save one class index per pixel "
                "(a grey or palette PNG), not a colour per class"
            )
        arr = arr[..., 0]
    return arr.astype(np.int64)


def load_mask_folders(
    images_dir: str | Path,
    masks_dir: str | Path,
    *,
    image_size: int = 64,
    num_classes: int | None = None,
    class_names: list[str] | None = None,
    mask_suffix: str = "",
) -> ImageSet:
    """Load images and their masks, matched by file name, after checking every pair.

    Args:
        images_dir: folder of images (PNG, JPEG, TIFF, ...; 8-bit or 16-bit, grey or colour).
        masks_dir: folder of masks, one per image, named ``<image stem><mask_suffix>`` with a
            mask suffix (``.png``, ``.tif``, ...), holding class indices per pixel.
        image_size: output height and width; images are resized bilinearly, masks with
            nearest neighbour (so no new class values appear).
        num_classes: the number of classes, background included; any mask value at or above
            it is reported. None: binary 0/255 masks give 2 classes, otherwise
            1 + the largest value found.
        class_names: one name per class; default ``background``, ``class 1``, ...
        mask_suffix: the part after the image's stem in a mask's name, for example
            ``"_mask"`` for ``cell01.tif`` and ``cell01_mask.png``.

    Returns:
        An :class:`ImageSet`: images (n, image_size, image_size, 3) float32 in [0, 1] (grey
        repeated over 3 channels; 16-bit scaled by 65535), labels (n,) the largest
        non-background class in each mask (0 if none), extras ``masks``
        (n, image_size, image_size) int32 class indices and ``paths`` (image files).

    Raises:
        MaskFolderError: listing every problem by file name: a missing folder, an image
            without a mask or a mask without an image, unreadable files, a mask of another
            size than its image, unexpected label values.
    """
    from PIL import Image, UnidentifiedImageError

    images_dir, masks_dir = Path(images_dir), Path(masks_dir)
    for what, folder in (("images_dir", images_dir), ("masks_dir", masks_dir)):
        if not folder.is_dir():
            raise MaskFolderError(
                f"{what} {folder} does not exist; pass a folder of images and a folder of "
                "masks with matching file names (cell01.tif and cell01.png)."
            )
    if num_classes is not None and int(num_classes) < 2:
        raise ValueError(
            f"num_classes must be at least 2 (background and one class); got {num_classes}"
        )
    images = _files(images_dir, IMAGE_SUFFIXES)
    masks = {}
    for stem, path in _files(masks_dir, MASK_SUFFIXES).items():
        masks[
            stem[: len(stem) - len(mask_suffix)]
            if mask_suffix and stem.endswith(mask_suffix)
            else stem
        ] = path
    problems: list[str] = []
    for stem in sorted(set(images) - set(masks)):
        problems.append(f"{images[stem].name}: no mask {stem}{mask_suffix}.png in {masks_dir}")
    for stem in sorted(set(masks) - set(images)):
        problems.append(f"{masks[stem].name}: no image named {stem}.* in {images_dir}")
    pairs = sorted(set(images) & set(masks))
    if not pairs and not problems:
        raise MaskFolderError(f"{images_dir} holds no image files ({', '.join(IMAGE_SUFFIXES)})")

    read: dict[str, np.ndarray] = {}
    values: dict[str, np.ndarray] = {}
    for stem in pairs:
        try:
            with Image.open(images[stem]) as im:
                im.load()
                image_hw = im.size[::-1]
        except (UnidentifiedImageError, OSError, SyntaxError) as exc:
            problems.append(f"{images[stem].name}: unreadable image ({exc})")
            continue
        try:
            mask = read_mask(masks[stem])
        except (UnidentifiedImageError, OSError, SyntaxError) as exc:
            problems.append(f"{masks[stem].name}: unreadable mask ({exc})")
            continue
        except ValueError as exc:
            problems.append(str(exc))
            continue
        if mask.shape != tuple(image_hw):
            problems.append(
                f"{masks[stem].name}: mask is {mask.shape[1]}x{mask.shape[0]} pixels but "
                f"{images[stem].name} is {image_hw[1]}x{image_hw[0]} (width x height)"
            )
            continue
        read[stem] = mask
        values[stem] = np.unique(mask)

    found = np.unique(np.concatenate(list(values.values()))) if values else np.zeros(0, int)
    # binary masks: 0/255 (or 0/1) read as classes 0 and 1
    binary = num_classes is not None and int(num_classes) == 2
    if num_classes is None and found.size and set(found.tolist()) <= {0, 255} and 255 in found:
        binary = True
    limit = int(num_classes) if num_classes is not None else None
    for stem in sorted(values):
        v = values[stem]
        if binary:
            bad = v[~np.isin(v, (0, 1, 255))]
            if bad.size:
                problems.append(
                    f"{masks[stem].name}: label value(s) {bad[:5].tolist()} in a binary mask; "
                    "expected 0 for background and 255 (or 1) for the object"
                )
        elif (v < 0).any():
            problems.append(f"{masks[stem].name}: negative label values {v[v < 0][:5].tolist()}")
        elif limit is not None and (v >= limit).any():
            problems.append(
                f"{masks[stem].name}: label value(s) {v[v >= limit][:5].tolist()} but "
                f"num_classes is {limit} (values 0..{limit - 1}); remap them or pass the "
                "right num_classes"
            )
        elif limit is None and 255 in v and found.size > 2:
            problems.append(
                f"{masks[stem].name}: value 255 among class indices {found[:8].tolist()}: "
                "save binary masks as 0/255 everywhere, or class indices 0, 1, 2, ... "
                "everywhere (255 is often an 'ignore' label; remap it)"
            )
    if problems:
        listing = "\n  ".join(problems)
        raise MaskFolderError(
            f"{len(problems)} problem(s) with {images_dir} and {masks_dir}, found before "
            f"training:\n  {listing}"
        )
    if binary:
        read = {stem: (m > 0).astype(np.int64) for stem, m in read.items()}
        classes = 2
    else:
        classes = int(num_classes) if num_classes is not None else int(found.max()) + 1
        classes = max(classes, 2)
    names = (
        list(class_names)
        if class_names
        else (["background"] + [f"class {k}" for k in range(1, classes)])
    )
    if len(names) != classes:
        raise ValueError(f"class_names has {len(names)} names for {classes} classes")

    n = len(pairs)
    out_images = np.empty((n, image_size, image_size, 3), np.float32)
    out_masks = np.empty((n, image_size, image_size), np.int32)
    for i, stem in enumerate(pairs):
        out_images[i] = read_image(images[stem], image_size)
        small = Image.fromarray(read[stem].astype(np.int32)).resize(
            (image_size, image_size), Image.NEAREST
        )
        out_masks[i] = np.asarray(small, np.int32)
    labels = out_masks.reshape(n, -1).max(axis=1).astype(np.int64) if n else np.zeros(0, int)
    return ImageSet(
        images=out_images,
        labels=labels,
        class_names=names,
        name=f"image and mask folders {images_dir.name}, {masks_dir.name}",
        extras={"masks": out_masks, "paths": [str(images[s]) for s in pairs]},
    )
