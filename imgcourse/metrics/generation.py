"""Measures of a generator's samples (``12_gans``): how many classes they cover, how varied
they are, how far their features lie from real images' (a Frechet distance), and how often a
classifier agrees with the class a conditional generator was asked for. NumPy and SciPy.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def class_counts(predicted: Any, num_classes: int) -> np.ndarray:
    """(num_classes,) counts of each class in ``predicted`` ((n,) int class indices)."""
    p = np.asarray(predicted)
    if p.ndim != 1 or (p.size and (p.min() < 0 or p.max() >= num_classes)):
        raise ValueError(
            f"predicted must be (n,) class indices in [0, {num_classes}); got shape {p.shape}"
            + (f", values {p.min()} to {p.max()}" if p.size else "")
        )
    return np.bincount(p.astype(np.int64), minlength=num_classes)


def class_coverage(predicted: Any, num_classes: int, *, min_share: float = 0.02) -> int:
    """How many classes get at least ``min_share`` of the samples (and at least one): a
    count of the **modes** a generator covers, with a classifier trained on real data as the
    judge. A collapsed generator covers one or a few; a healthy one on balanced data covers
    all.

    Args:
        predicted: (n,) classes the classifier gives the generated samples.
        num_classes: the number of classes.
        min_share: the share of samples a class needs to count (0.02 = 2 %).
    """
    if not 0.0 <= float(min_share) < 1.0:
        raise ValueError(f"min_share must be in [0, 1); got {min_share}")
    counts = class_counts(predicted, num_classes)
    if counts.sum() == 0:
        raise ValueError("predicted is empty: classify some samples first")
    return int(np.sum((counts > 0) & (counts / counts.sum() >= min_share)))


def sample_diversity(images: Any) -> float:
    """The spread of a set of images: each pixel's standard deviation over the set, averaged
    over pixels (same units as the pixels). Identical images give 0, so a collapsed
    generator scores far below its training data.

    Args:
        images: (n, h, w, c) or (n, h, w) floats, n >= 2.
    """
    x = np.asarray(images, np.float64)
    if x.ndim < 2 or len(x) < 2:
        raise ValueError(f"images must hold at least 2 images (n, ...); got shape {x.shape}")
    return float(x.std(axis=0).mean())


def label_agreement(predicted: Any, requested: Any) -> float:
    """The share of samples whose class, as a classifier sees it, is the one asked for.

    Args:
        predicted: (n,) classes the classifier gives the samples.
        requested: (n,) classes the conditional generator was asked to draw.
    """
    p, r = np.asarray(predicted), np.asarray(requested)
    if p.shape != r.shape or p.ndim != 1 or p.size == 0:
        raise ValueError(
            f"predicted and requested must be (n,) arrays of one length; got {p.shape} and "
            f"{r.shape}"
        )
    return float(np.mean(p == r))


def frechet_distance(features_a: Any, features_b: Any) -> float:
    """The Frechet distance between two sets of features, each summarised by a Gaussian:
    ``|mu_a - mu_b|^2 + trace(C_a + C_b - 2 (C_a C_b)^(1/2))``. On a pretrained network's
    features this is the recipe of the Frechet Inception distance (FID, Heusel et al.,
    2017); ``12_gans`` uses its own classifier's features. 0 for identical statistics; two
    finite samples of one distribution give a small positive value (the floor).

    Args:
        features_a: (n, d) features of one set of images, n >= 2.
        features_b: (m, d) features of the other set, m >= 2.

    Returns:
        The distance, in squared feature units (float >= 0, up to rounding).
    """
    import warnings

    from scipy import linalg

    a, b = np.asarray(features_a, np.float64), np.asarray(features_b, np.float64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1] or min(len(a), len(b)) < 2:
        raise ValueError(
            f"features must be (n, d) and (m, d) arrays with n, m >= 2; got shapes {a.shape} "
            f"and {b.shape}"
        )
    mean_a, mean_b = a.mean(axis=0), b.mean(axis=0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    with warnings.catch_warnings():  # a singular covariance (a feature constant on a set)
        warnings.simplefilter("ignore", linalg.LinAlgWarning)
        root = np.real(linalg.sqrtm(cov_a @ cov_b))  # rounding leaves a tiny imaginary part
    return float(np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a + cov_b - 2.0 * root))


__all__ = [
    "class_counts",
    "class_coverage",
    "frechet_distance",
    "label_agreement",
    "sample_diversity",
]
