"""The built-in tier: datasets that ship inside scikit-learn and scikit-image wheels.

No network is needed. Introduced in ``00_welcome``.
"""

from __future__ import annotations

import numpy as np

from imgcourse.data.dataset import ImageSet

#: scikit-image photographs bundled in its wheel (colour or grey).
PHOTO_NAMES = ("astronaut", "chelsea", "coffee", "camera", "rocket", "motorcycle_left")
#: scikit-image grey-level textures bundled in its wheel.
TEXTURE_NAMES = ("brick", "grass", "gravel")


def _to_float(image: np.ndarray) -> np.ndarray:
    from skimage.util import img_as_float32

    return img_as_float32(image)


def load_digits(image_size: int | None = None) -> ImageSet:
    """scikit-learn's 1,797 handwritten digits (8x8 scans, 16 grey levels).

    Args:
        image_size: if given, each digit is resized (bilinear) to image_size x image_size.

    Returns:
        An :class:`ImageSet`: images (1797, s, s, 1) float32 in [0, 1], labels 0-9.
    """
    from sklearn.datasets import load_digits as sk_load_digits

    raw = sk_load_digits()
    images = (raw.images / 16.0).astype(np.float32)[..., None]
    if image_size and image_size != 8:
        from skimage.transform import resize

        images = np.stack(
            [resize(im, (image_size, image_size), order=1, anti_aliasing=False) for im in images]
        ).astype(np.float32)
    return ImageSet(
        images=images,
        labels=raw.target.astype(np.int64),
        class_names=[str(d) for d in range(10)],
        name="digits (scikit-learn)",
    )


def load_photo(name: str) -> np.ndarray:
    """One scikit-image photograph as float32 in [0, 1]: (h, w, 3) colour or (h, w) grey."""
    from skimage import data

    allowed = PHOTO_NAMES + TEXTURE_NAMES
    if name not in allowed:
        raise ValueError(f"unknown photo {name!r}; choose from {allowed}")
    if name == "motorcycle_left":
        image = data.stereo_motorcycle()[0]
    else:
        image = getattr(data, name)()
    return _to_float(image)


def load_photos(names: tuple[str, ...] = PHOTO_NAMES) -> dict[str, np.ndarray]:
    """Several scikit-image photographs by name (see :func:`load_photo`)."""
    return {name: load_photo(name) for name in names}


def load_textures(
    patch_size: int = 32, patches_per_texture: int = 200, *, seed: int = 0
) -> ImageSet:
    """Random grey patches cut from scikit-image's brick, grass and gravel textures.

    Returns:
        An :class:`ImageSet`: images (3 * patches_per_texture, patch_size, patch_size, 1)
        float32 in [0, 1]; the label is the texture.
    """
    rng = np.random.default_rng(seed)
    images, labels = [], []
    for label, name in enumerate(TEXTURE_NAMES):
        texture = load_photo(name)
        h, w = texture.shape[:2]
        ys = rng.integers(0, h - patch_size, patches_per_texture)
        xs = rng.integers(0, w - patch_size, patches_per_texture)
        images += [texture[y : y + patch_size, x : x + patch_size] for y, x in zip(ys, xs)]
        labels += [label] * patches_per_texture
    return ImageSet(
        images=np.stack(images)[..., None].astype(np.float32),
        labels=np.asarray(labels, np.int64),
        class_names=list(TEXTURE_NAMES),
        name="textures (scikit-image)",
    )


def load_lfw_faces() -> ImageSet:
    """scikit-image's ``lfw_subset``: 100 face and 100 non-face 25x25 grey crops.

    Returns:
        An :class:`ImageSet`: images (200, 25, 25, 1) float32 in [0, 1]; labels 1 = face.
    """
    from skimage import data

    crops = data.lfw_subset().astype(np.float32)
    labels = np.array([1] * 100 + [0] * 100, np.int64)
    return ImageSet(
        images=crops[..., None],
        labels=labels,
        class_names=["not face", "face"],
        name="lfw_subset (scikit-image)",
    )
