"""One square colour image from a built-in photograph, a shipped painting or a file: the
content and style images of ``13_style_transfer``.

The three paintings (Hokusai's *Great Wave*, Munch's *Scream*, Turner's *Shipwreck*, public
domain; sources in ``PROVENANCE.md`` beside them) are package data under
``imgcourse/assets/paintings/``, found with :func:`imgcourse.packaged.package_file`, so an
installed wheel has them too.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np

from imgcourse.data.builtin import PHOTO_NAMES, TEXTURE_NAMES, load_photo
from imgcourse.packaged import package_file

#: Built-in painting name -> its file under ``imgcourse/assets/paintings/``.
PAINTINGS = {
    "great_wave": "great_wave_hokusai.jpg",
    "the_scream": "the_scream_munch.jpg",
    "shipwreck": "shipwreck_minotaur_turner.jpg",
}
PAINTING_NAMES = tuple(PAINTINGS)
#: Names :func:`load_square_image` reads from scikit-image or the package, not from a file.
BUILTIN_NAMES = PHOTO_NAMES + TEXTURE_NAMES + PAINTING_NAMES
#: Smallest side (pixels) of a file's image; below it there is nothing left to stylise.
MIN_SIDE = 8


class ImageReadError(ValueError):
    """An image file that is missing, cannot be decoded or cannot serve as a content or style
    image (too small, too large); the message names the file and what to do."""


def painting_path(name: str) -> Path:
    """The packaged file of a built-in painting ("great_wave", "the_scream", "shipwreck")."""
    if name not in PAINTINGS:
        raise ValueError(f"unknown painting {name!r}; choose from {list(PAINTINGS)}")
    return package_file(f"assets/paintings/{PAINTINGS[name]}")


def _centre_square(image: np.ndarray) -> np.ndarray:
    h, w = image.shape[:2]
    side = min(h, w)
    top, left = (h - side) // 2, (w - side) // 2
    return image[top : top + side, left : left + side]


def read_square_file(path: str | os.PathLike[str], image_size: int) -> np.ndarray:
    """Decode an image file's centre square, reduced (never below ``2 * image_size``) by Pillow
    before it becomes a float array.

    Memory: the reduction saves memory only after decoding. Pillow's crop decodes the whole
    file first, so a file of ``n`` megapixels briefly needs about ``3 n`` MB (8-bit RGB),
    whatever ``image_size``; the decompression-bomb limit below bounds that.

    Grey (8- or 16-bit), palette, CMYK, RGB and RGBA files are accepted; transparent pixels
    are laid over white (an RGBA file's hidden colours are often black or noise). The first
    frame of an animated file is used. 16-bit grey is divided by 65535, so a file holding
    10- or 12-bit data (many scientific and medical cameras: values up to 1023 or 4095)
    comes out nearly black; a warning says so. Stretch it to the full 16-bit range, or save
    it as 8-bit, first.

    Returns:
        (s, s, 3) float32 in [0, 1], s the centre square's side after the reduction.

    Raises:
        ImageReadError: not an image, smaller than :data:`MIN_SIDE`, or so large that Pillow
            refuses it as a possible decompression bomb (twice ``PIL.Image.MAX_IMAGE_PIXELS``,
            about 179 megapixels); the message names the file.
    """
    from PIL import Image

    path = Path(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            im = Image.open(path)
    except Image.DecompressionBombError as err:
        raise ImageReadError(
            f"{path} is too large to read safely ({err}); shrink it first (any image editor): "
            "style transfer here works at a few hundred pixels"
        ) from err
    except Exception as err:
        raise _unreadable(path, err) from err
    try:
        with im:
            w, h = im.size
            if min(w, h) < MIN_SIDE:
                raise ImageReadError(
                    f"{path} is only {w}x{h} pixels; give an image at least {MIN_SIDE} pixels "
                    "on each side"
                )
            side = min(w, h)
            left, top = (w - side) // 2, (h - side) // 2
            square = im.crop((left, top, left + side, top + side))
            factor = max(1, side // (2 * int(image_size)))
            if factor > 1:
                square = square.reduce(factor)
            return _to_rgb(square)
    except ImageReadError:
        raise
    except Exception as err:  # a truncated file fails only when its pixels are decoded
        raise _unreadable(path, err) from err


def _unreadable(path: Path, err: Exception) -> ImageReadError:
    """Pillow's errors vary by format: name the file in any case."""
    return ImageReadError(
        f"cannot read {path} as an image ({type(err).__name__}: {err}); give a PNG, "
        "JPEG or TIFF file"
    )


def _to_rgb(im) -> np.ndarray:
    """A Pillow image -> (h, w, 3) float32 in [0, 1]: 16-bit and float grey keep their range,
    transparency is laid over white."""
    from PIL import Image

    if im.mode in ("I;16", "I;16L", "I;16B", "I"):
        white = 65535.0
        grey = np.asarray(im, dtype=np.float32) / white
        if 0 < grey.max() <= 4095 / white:
            warnings.warn(
                f"a 16-bit grey image whose brightest pixel is {grey.max() * white:.0f} of "
                "65535 (10- or 12-bit data?) comes out nearly black; stretch it to the "
                "16-bit range or save it as 8-bit first",
                stacklevel=4,
            )
        return np.repeat(np.clip(grey, 0.0, 1.0)[..., None], 3, axis=-1)
    if im.mode == "F":
        grey = np.clip(np.asarray(im, dtype=np.float32), 0.0, 1.0)
        return np.repeat(grey[..., None], 3, axis=-1)
    if im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info:
        rgba = im.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        im = Image.alpha_composite(white, rgba)
    return np.asarray(im.convert("RGB"), np.float32) / 255.0


def load_square_image(source: str | os.PathLike[str], image_size: int) -> np.ndarray:
    """A built-in photograph or painting, or an image file, centre-cropped to a square and
    resized.

    Args:
        source: a name of :data:`BUILTIN_NAMES` (photographs "astronaut", "chelsea",
            "coffee", ...; textures "brick", "gravel", ...; paintings "great_wave",
            "the_scream", "shipwreck") or the path of an image file Pillow can read (PNG,
            JPEG, TIFF; 8- or 16-bit; grey, colour or with transparency; see
            :func:`read_square_file`).
        image_size: side of the output in pixels (anti-aliased resize). A file smaller than
            that is enlarged, with a warning (the result is blurred).

    Returns:
        (image_size, image_size, 3) float32 in [0, 1]; grey images repeated over 3 channels.

    Raises:
        ImageReadError: the file does not exist, is not an image, or is too small or too
            large (see :func:`read_square_file`); the message names the file.
        ValueError: ``image_size`` below 8.
    """
    from skimage.transform import resize

    if int(image_size) < MIN_SIDE:
        raise ValueError(f"image_size must be at least {MIN_SIDE} pixels; got {image_size}")
    name = str(source)
    if name in PAINTINGS:
        square = read_square_file(painting_path(name), image_size)
    elif name in BUILTIN_NAMES:
        image = load_photo(name)
        if image.ndim == 2:
            image = np.repeat(image[..., None], 3, axis=-1)
        square = _centre_square(image[..., :3])
    else:
        path = Path(name).expanduser()
        if not path.is_file():
            raise ImageReadError(
                f"no image file at {path}: give the path of an existing image file, or one of "
                f"the built-in names {list(BUILTIN_NAMES)}"
            )
        square = read_square_file(path, image_size)
        if square.shape[0] < int(image_size):
            warnings.warn(
                f"{path.name}: its centre square is {square.shape[0]} pixels, enlarged to "
                f"{int(image_size)}; the result will look blurred",
                stacklevel=2,
            )
    out = resize(square, (int(image_size), int(image_size)), anti_aliasing=True)
    return np.clip(out, 0.0, 1.0).astype(np.float32)


__all__ = [
    "BUILTIN_NAMES",
    "MIN_SIDE",
    "PAINTINGS",
    "PAINTING_NAMES",
    "ImageReadError",
    "load_square_image",
    "painting_path",
    "read_square_file",
]
