"""Data that changes over time: phases of a distribution and a stream of batches drawn from them.

A deployed model meets a world that drifts. Here the drift comes in phases: ``before`` (the
training distribution), ``new look`` (the same classes under new backgrounds and lighting) and
``new class`` (the new look plus a class the model never saw). :func:`shapes_phases` builds the
three phases from the shapes generator, :func:`registry_phases` from a registry dataset such as
Fashion-MNIST, and :func:`make_stream` turns phases into a stream of batches with known change
points. Introduced in ``18_continuous_learning``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from imgcourse.data.dataset import ImageSet
from imgcourse.data.shapes import SHAPE_NAMES, make_shapes

#: Names of the three phases, in stream order.
PHASE_NAMES = ("before", "new look", "new class")


def shift_lighting(images: np.ndarray, *, brightness: float, contrast: float) -> np.ndarray:
    """Change the lighting of images in [0, 1]: ``(x - 0.5) * contrast + 0.5 + brightness``.

    Args:
        images: (n, H, W, C) float in [0, 1].
        brightness: added to every pixel after the contrast change (-0.3 darkens).
        contrast: factor about mid-grey (1 keeps it, 0.5 halves the contrast); must be > 0.

    Returns:
        (n, H, W, C) float32, clipped to [0, 1].
    """
    if contrast <= 0:
        raise ValueError(f"contrast must be a positive factor; got {contrast}")
    x = np.asarray(images, dtype=np.float32)
    return np.clip((x - 0.5) * contrast + 0.5 + brightness, 0.0, 1.0).astype(np.float32)


def shapes_phases(
    n_per_phase: int,
    *,
    image_size: int = 24,
    classes: tuple[str, ...] = ("circle", "square", "triangle"),
    new_class: str = "cross",
    brightness: float = -0.2,
    contrast: float = 0.6,
    seed: int = 0,
) -> list[ImageSet]:
    """Three phases of shape scenes: before, new look, new class (``PHASE_NAMES``).

    ``before``: plain backgrounds and the original lighting, classes ``classes``.
    ``new look``: the same classes on textured backgrounds, lighting changed by
    :func:`shift_lighting`. ``new class``: the new look, with ``new_class`` added as the last
    label (index ``len(classes)``); all phases share one label order.

    Returns:
        Three :class:`ImageSet` of ``n_per_phase`` images (n, image_size, image_size, 3), each
        with ``class_names`` of all ``len(classes) + 1`` classes.
    """
    if new_class in classes or new_class not in SHAPE_NAMES:
        raise ValueError(
            f"new_class must be a shape from {SHAPE_NAMES} not already in classes {classes}; "
            f"got {new_class!r}"
        )
    names = [*classes, new_class]
    settings = [(classes, 0.0, False), (classes, 1.0, True), ((*classes, new_class), 1.0, True)]
    phases = []
    for i, (cls, textured, shifted) in enumerate(settings):
        data = make_shapes(
            n_per_phase,
            image_size=image_size,
            classes=cls,
            textured_fraction=textured,
            seed=seed * 10 + i,
        )
        images = data.images
        if shifted:
            images = shift_lighting(images, brightness=brightness, contrast=contrast)
        phases.append(
            ImageSet(images=images, labels=data.labels, class_names=names, name=PHASE_NAMES[i])
        )
    return phases


def registry_phases(
    data: ImageSet,
    *,
    old_classes: int,
    brightness: float = -0.2,
    contrast: float = 0.6,
    seed: int = 0,
) -> list[ImageSet]:
    """Three phases from a labelled dataset (for example Fashion-MNIST or CIFAR-10).

    The images of classes ``0 .. old_classes - 1`` are split at random into three equal
    shares: ``before`` keeps the first as it is, ``new look`` and ``new class`` get the others
    with their lighting changed; ``new class`` also gets every image of the classes from
    ``old_classes`` on, lighting changed. Labels keep the dataset's order.

    Returns:
        Three :class:`ImageSet` with the dataset's image shape and ``class_names``.
    """
    if not 0 < old_classes < data.num_classes:
        raise ValueError(
            f"old_classes must leave at least one new class of the {data.num_classes}; "
            f"got {old_classes}"
        )
    rng = np.random.default_rng(seed)
    old = rng.permutation(np.flatnonzero(data.labels < old_classes))
    new = np.flatnonzero(data.labels >= old_classes)
    shares = np.array_split(old, 3)
    parts = [shares[0], shares[1], rng.permutation(np.concatenate([shares[2], new]))]
    phases = []
    for i, idx in enumerate(parts):
        images = data.images[idx]
        if i > 0:
            images = shift_lighting(images, brightness=brightness, contrast=contrast)
        phases.append(
            ImageSet(
                images=images.astype(np.float32),
                labels=data.labels[idx],
                class_names=list(data.class_names),
                name=PHASE_NAMES[i],
            )
        )
    return phases


@dataclass
class DriftStream:
    """A stream of labelled batches with known change points.

    Attributes:
        images: (T, B, H, W, C) float32, batch t of the stream.
        labels: (T, B) int64.
        phases: (T,) int, the phase each batch came from.
        change_points: the first batch of each phase after the first (T1, T2, ...).
        phase_names: names of the phases.
    """

    images: np.ndarray
    labels: np.ndarray
    phases: np.ndarray
    change_points: tuple[int, ...]
    phase_names: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.images)


def make_stream(
    phases: Sequence[ImageSet], batches: Sequence[int], batch_size: int
) -> tuple[DriftStream, list[ImageSet]]:
    """Cut a stream of batches from the start of each phase, in order.

    Args:
        phases: the phases, each an :class:`ImageSet` already in random order.
        batches: how many batches of the stream come from each phase.
        batch_size: images per batch.

    Returns:
        The :class:`DriftStream` and, per phase, the images it did not use (for training and
        testing), so that no image is both in the stream and elsewhere.
    """
    if len(phases) != len(batches):
        raise ValueError(f"need one batch count per phase: {len(phases)} phases, {batches}")
    if batch_size < 1 or min(batches) < 1:
        raise ValueError(f"batch_size and batch counts must be >= 1; got {batch_size}, {batches}")
    images, labels, phase_of, rest = [], [], [], []
    for i, (phase, count) in enumerate(zip(phases, batches)):
        need = count * batch_size
        if need > len(phase):
            raise ValueError(
                f"phase {i} ({phase.name}) has {len(phase)} images; {count} batches of "
                f"{batch_size} need {need}: lower the batches or the batch size"
            )
        images.append(phase.images[:need].reshape(count, batch_size, *phase.image_shape))
        labels.append(phase.labels[:need].reshape(count, batch_size))
        phase_of.append(np.full(count, i))
        rest.append(phase.subset(slice(need, None)))
    change_points = tuple(int(c) for c in np.cumsum(batches)[:-1])
    stream = DriftStream(
        images=np.concatenate(images),
        labels=np.concatenate(labels),
        phases=np.concatenate(phase_of),
        change_points=change_points,
        phase_names=tuple(p.name for p in phases),
    )
    return stream, rest
