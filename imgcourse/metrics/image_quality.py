"""Image quality: PSNR and SSIM of a reconstruction against its clean original.

Introduced in ``11_autoencoders`` (denoising and compression). Both functions take batches,
``(n, height, width)`` grey or ``(n, height, width, channels)``, floats on a known scale
(``data_range``: 1.0 for images in [0, 1], 255 for 8-bit values), and return one score per
image, ``(n,)``; pass ``image[None]`` for a single image. They are vectorised over the batch
(no Python loop over images) and checked in ``tests/test_metrics_image_quality.py`` against
``skimage.metrics.peak_signal_noise_ratio`` and ``structural_similarity`` on the same inputs.
NumPy and SciPy only: importing this module does not import TensorFlow.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

#: SSIM's stabilising constants (Wang et al., 2004): C1 = (K1 L)^2, C2 = (K2 L)^2.
SSIM_K1, SSIM_K2 = 0.01, 0.03


def _batch_pair(true, pred, name: str) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(true, dtype=np.float64)
    p = np.asarray(pred, dtype=np.float64)
    if t.shape != p.shape:
        raise ValueError(
            f"{name}: true has shape {t.shape} but pred has shape {p.shape}; they must match"
        )
    if t.ndim not in (3, 4):
        raise ValueError(
            f"{name}: expected a batch (n, height, width) or (n, height, width, channels); got "
            f"shape {t.shape}. For one image pass image[None]."
        )
    if t.ndim == 3:  # grey batch: give it a channel axis
        t, p = t[..., None], p[..., None]
    return t, p


def _check_range(data_range: float, name: str) -> float:
    value = float(data_range)
    if not value > 0:
        raise ValueError(
            f"{name}: data_range must be positive (1.0 for images in [0, 1], 255 for 8-bit); "
            f"got {data_range}"
        )
    return value


def mse(true, pred) -> np.ndarray:
    """Mean squared error of each image: (n, h, w[, c]) pairs -> (n,)."""
    t, p = _batch_pair(true, pred, "mse")
    return ((t - p) ** 2).mean(axis=(1, 2, 3))


def psnr(true, pred, *, data_range: float = 1.0) -> np.ndarray:
    """Peak signal-to-noise ratio of each image, in decibels: (n, h, w[, c]) -> (n,).

    ``PSNR = 10 log10(data_range**2 / MSE)``, the MSE over all pixels and channels of one
    image, as ``skimage.metrics.peak_signal_noise_ratio``. +10 dB means 10 times less squared
    error. An exact copy has infinite PSNR.

    Example:
        >>> import numpy as np
        >>> clean = np.full((1, 4, 4), 0.5)
        >>> float(psnr(clean, clean + 0.1)[0])  # noise of 0.1 on a [0, 1] scale: 20 dB
        20.0
    """
    peak = _check_range(data_range, "psnr")
    err = mse(true, pred)
    with np.errstate(divide="ignore"):
        return 10.0 * np.log10(peak**2 / err)


def ssim(
    true, pred, *, data_range: float = 1.0, win_size: int = 7, gaussian: bool = False
) -> np.ndarray:
    """Structural similarity of each image: (n, h, w[, c]) -> (n,), 1.0 for identical images.

    SSIM compares local means (luminance), local standard deviations (contrast) and the
    local correlation (structure) in a window moved over every pixel:
    ``((2 mu_x mu_y + C1)(2 cov_xy + C2)) / ((mu_x^2 + mu_y^2 + C1)(var_x + var_y + C2))``,
    then averages the map over the pixels whose window fits inside the image, and over the
    channels. The default is ``skimage.metrics.structural_similarity``'s: a uniform
    ``win_size`` x ``win_size`` window with sample (n - 1) covariances. ``gaussian=True`` is
    Wang et al.'s original setting (a Gaussian window of sigma 1.5, truncated at 3.5 sigma,
    population covariances), skimage's ``gaussian_weights=True, sigma=1.5,
    use_sample_covariance=False``.

    Raises:
        ValueError: for different shapes, a non-batch array, or images smaller than the
            window (``win_size`` must be odd and at most the height and width).
    """
    peak = _check_range(data_range, "ssim")
    t, p = _batch_pair(true, pred, "ssim")
    if gaussian:
        sigma, truncate = 1.5, 3.5
        win_size = 2 * int(truncate * sigma + 0.5) + 1  # 11, as skimage
    if win_size < 3 or win_size % 2 == 0:
        raise ValueError(f"ssim: win_size must be odd and at least 3; got {win_size}")
    if min(t.shape[1:3]) < win_size:
        raise ValueError(
            f"ssim: images of {t.shape[1]}x{t.shape[2]} are smaller than the {win_size}x"
            f"{win_size} window; pass a smaller odd win_size"
        )
    if gaussian:

        def local_mean(x: np.ndarray) -> np.ndarray:
            return ndimage.gaussian_filter(x, (0, sigma, sigma, 0), truncate=truncate)

        scale = 1.0
    else:

        def local_mean(x: np.ndarray) -> np.ndarray:
            return ndimage.uniform_filter(x, (1, win_size, win_size, 1))

        count = win_size * win_size
        scale = count / (count - 1)  # sample covariance, as skimage's default
    mu_x, mu_y = local_mean(t), local_mean(p)
    var_x = scale * (local_mean(t * t) - mu_x * mu_x)
    var_y = scale * (local_mean(p * p) - mu_y * mu_y)
    cov = scale * (local_mean(t * p) - mu_x * mu_y)
    c1, c2 = (SSIM_K1 * peak) ** 2, (SSIM_K2 * peak) ** 2
    num = (2 * mu_x * mu_y + c1) * (2 * cov + c2)
    den = (mu_x**2 + mu_y**2 + c1) * (var_x + var_y + c2)
    pad = (win_size - 1) // 2  # leave out pixels whose window leaves the image
    ssim_map = (num / den)[:, pad : t.shape[1] - pad, pad : t.shape[2] - pad, :]
    return ssim_map.mean(axis=(1, 2, 3))


def nearest_psnr(images, references, *, data_range: float = 1.0) -> np.ndarray:
    """PSNR (dB) of each image against its closest reference, the one with the least
    squared error.

    Args:
        images: (n, ...) floats on the scale ``data_range``.
        references: (m, ...) floats of the same per-image shape.

    Returns:
        (n,) PSNR of each image against its nearest reference. Introduced in
        ``11_autoencoders`` to score samples drawn from random codes.
    """
    peak = _check_range(data_range, "nearest_psnr")
    a = np.asarray(images, np.float64).reshape(len(images), -1)
    b = np.asarray(references, np.float64).reshape(len(references), -1)
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            f"nearest_psnr: images have {a.shape[1]} values each, references {b.shape[1]}"
        )
    d2 = (a**2).sum(1)[:, None] + (b**2).sum(1)[None] - 2 * a @ b.T  # (n, m) squared errors
    mse_min = np.maximum(d2.min(1), 1e-12) / a.shape[1]
    return 10 * np.log10(peak**2 / mse_min)
