"""Checks for the data exercises of ``00_welcome`` (and later data lessons)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from imgcourse.data.dataset import ImageSet
from imgcourse.exercises.kit import Feedback, NotYet, check


@check
def check_shapes_request(
    data: Any, *, n: int, classes: tuple[str, ...], image_size: int, max_textured: float
) -> Feedback:
    """A shapes set of ``n`` images of ``classes`` at ``image_size``, textured share <= max."""
    if not isinstance(data, ImageSet):
        raise NotYet(
            f"expected the ImageSet that make_shapes returns; got {type(data).__name__}. "
            "Did you return data.images instead of data?"
        )
    if len(data) != n:
        raise NotYet(
            f"the set has {len(data)} images; asked for {n}. "
            "Check the first argument of make_shapes."
        )
    if tuple(data.class_names) != tuple(classes):
        raise NotYet(
            f"its classes are {data.class_names}; asked for "
            f"{list(classes)}. Pass classes=... in that order."
        )
    if data.image_shape[:2] != (image_size, image_size):
        raise NotYet(
            f"images are {data.image_shape[:2]}; asked for "
            f"{(image_size, image_size)}. Use image_size=."
        )
    share = float(np.mean(data.extras["groups"]))
    if share > max_textured:
        raise NotYet(
            f"{share:.0%} of the scenes are textured; at most "
            f"{max_textured:.0%} was asked. Lower textured_fraction."
        )
    return f"{n} images of {list(classes)}, {share:.0%} textured."


@check
def check_stratified_split(
    train: Any, test: Any, full: ImageSet, *, test_fraction: float
) -> Feedback:
    """Train and test parts that cover ``full`` once, with each class's share kept."""
    for part, label in ((train, "train"), (test, "test")):
        if not isinstance(part, ImageSet):
            raise NotYet(
                f"{label} should be an ImageSet (as split returns); got {type(part).__name__}."
            )
    if len(train) + len(test) != len(full):
        raise NotYet(
            f"train ({len(train)}) + test ({len(test)}) = "
            f"{len(train) + len(test)} images; the full set has {len(full)}. "
            "Every image should land in exactly one part."
        )

    def contents(part: ImageSet) -> Counter:
        return Counter(image.tobytes() for image in np.asarray(part.images, np.float32))

    if contents(train) + contents(test) != contents(full):
        raise NotYet(
            "train and test together are not the full set: some "
            "images are in both parts (or repeated) and others in neither. "
            "Every image should land in exactly one part."
        )
    got = len(test) / len(full)
    if abs(got - test_fraction) > 0.02:
        raise NotYet(
            f"the test part holds {got:.0%} of the images; asked for "
            f"{test_fraction:.0%}. Are the fractions in the right order?"
        )
    full_share = np.bincount(full.labels, minlength=full.num_classes) / len(full)
    test_share = np.bincount(test.labels, minlength=full.num_classes) / len(test)
    worst = int(np.argmax(np.abs(full_share - test_share)))
    if abs(full_share[worst] - test_share[worst]) > 0.03:
        raise NotYet(
            f"class {full.class_names[worst]!r} is {test_share[worst]:.0%} of the test "
            f"part but {full_share[worst]:.0%} of the data: the split is not stratified. "
            "imgcourse.data.split keeps each class's share; a plain slice does not."
        )
    return (
        f"{len(train)} train and {len(test)} test images, each class "
        "in the same proportion as in the full set."
    )
