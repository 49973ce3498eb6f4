"""The in-memory image set every loader returns, and a stratified split."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np


@dataclass
class ImageSet:
    """Images with integer labels.

    Attributes:
        images: (n, height, width, channels) float32 in [0, 1].
        labels: (n,) int64 class indices into ``class_names``.
        class_names: one name per class.
        name: where the set came from (for titles and reports).
        extras: optional per-image arrays or lists of length n (for example ``groups``,
            ``boxes``, ``masks``, ``captions``); they are sliced together with the images.
    """

    images: np.ndarray
    labels: np.ndarray
    class_names: list[str]
    name: str = ""
    extras: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.images.ndim != 4:
            raise ValueError(
                f"images must be (n, height, width, channels); got shape {self.images.shape}"
            )
        if len(self.labels) != len(self.images):
            raise ValueError(
                f"{len(self.images)} images but {len(self.labels)} labels: they must match"
            )
        for key, value in self.extras.items():
            if len(value) != len(self.images):
                raise ValueError(
                    f"extra {key!r} has {len(value)} entries for {len(self.images)} images"
                )

    def __len__(self) -> int:
        return len(self.images)

    def __repr__(self) -> str:
        """A short summary instead of every pixel: name, count, shape, dtype, classes."""
        counts = ", ".join(f"{name}: {n}" for name, n in self.class_counts().items())
        extras = f", extras: {', '.join(sorted(self.extras))}" if self.extras else ""
        name = f"{self.name!r}, " if self.name else ""
        return (
            f"ImageSet({name}{len(self)} images of {self.image_shape} "
            f"{self.images.dtype}, classes {{{counts}}}{extras})"
        )

    __str__ = __repr__

    @property
    def image_shape(self) -> tuple[int, int, int]:
        """(height, width, channels) of one image."""
        return tuple(self.images.shape[1:])  # type: ignore[return-value]

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    def subset(self, index: np.ndarray | slice) -> ImageSet:
        """The images at ``index`` (an index array, a boolean mask or a slice)."""
        extras = {}
        for key, value in self.extras.items():
            if isinstance(value, np.ndarray):
                extras[key] = value[index]
            else:
                idx = np.arange(len(self))[index]
                extras[key] = [value[i] for i in idx]
        return replace(self, images=self.images[index], labels=self.labels[index], extras=extras)

    def class_counts(self) -> dict[str, int]:
        """Number of images per class name."""
        counts = np.bincount(self.labels, minlength=self.num_classes)
        return {name: int(c) for name, c in zip(self.class_names, counts)}


def split(
    data: ImageSet, fractions: tuple[float, ...] = (0.8, 0.2), *, seed: int = 0
) -> list[ImageSet]:
    """Split into parts of the given fractions, stratified by label.

    Example: ``train, val, test = split(data, (0.7, 0.15, 0.15), seed=SEED)``.
    """
    if abs(sum(fractions) - 1.0) > 1e-6 or min(fractions) <= 0:
        raise ValueError(f"fractions must be positive and sum to 1; got {fractions}")
    rng = np.random.default_rng(seed)
    parts: list[list[np.ndarray]] = [[] for _ in fractions]
    for label in np.unique(data.labels):
        idx = rng.permutation(np.flatnonzero(data.labels == label))
        bounds = np.round(np.cumsum(fractions) * len(idx)).astype(int)
        for i, chunk in enumerate(np.split(idx, bounds[:-1])):
            parts[i].append(chunk)
    return [data.subset(rng.permutation(np.concatenate(p))) for p in parts]
