"""One square colour image from a built-in photograph or a file: the content and style
images of ``13_style_transfer``."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from imgcourse.data.builtin import PHOTO_NAMES, TEXTURE_NAMES, load_photo
from imgcourse.data.folder import read_image

#: Names :func:`load_square_image` reads from scikit-image instead of from a file.
BUILTIN_NAMES = PHOTO_NAMES + TEXTURE_NAMES


class ImageReadError(ValueError):
    """An image file that is missing or cannot be decoded; the message names the file."""


def _centre_square(image: np.ndarray) -> np.ndarray:
    h, w = image.shape[:2]
    side = min(h, w)
    top, left = (h - side) // 2, (w - side) // 2
    return image[top : top + side, left : left + side]


def load_square_image(source: str | os.PathLike[str], image_size: int) -> np.ndarray:
    """A built-in photograph or an image file, centre-cropped to a square and resized.

    Args:
        source: a name of :data:`BUILTIN_NAMES` ("astronaut", "chelsea", "coffee", "brick",
            "gravel", ...) or the path of an image file Pillow can read (PNG, JPEG, TIFF,
            8- or 16-bit, grey or colour).
        image_size: side of the output in pixels (anti-aliased resize).

    Returns:
        (image_size, image_size, 3) float32 in [0, 1]; grey images repeated over 3 channels.

    Raises:
        ImageReadError: the file does not exist or is not an image; the message names it.
        ValueError: ``image_size`` below 8.
    """
    from skimage.transform import resize

    if int(image_size) < 8:
        raise ValueError(f"image_size must be at least 8 pixels; got {image_size}")
    name = str(source)
    if name in BUILTIN_NAMES:
        image = load_photo(name)
    else:
        path = Path(name).expanduser()
        if not path.is_file():
            raise ImageReadError(
                f"no image file at {path}: give the path of an existing image file, or one of "
                f"the built-in names {list(BUILTIN_NAMES)}"
            )
        try:
            image = read_image(path)
        except Exception as err:  # Pillow's errors vary by format: name the file in any case
            raise ImageReadError(
                f"cannot read {path} as an image ({type(err).__name__}: {err}); give a PNG, "
                "JPEG or TIFF file"
            ) from err
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=-1)
    image = image[..., :3]
    square = _centre_square(image)
    out = resize(square, (int(image_size), int(image_size)), anti_aliasing=True)
    return np.clip(out, 0.0, 1.0).astype(np.float32)


__all__ = ["BUILTIN_NAMES", "ImageReadError", "load_square_image"]
