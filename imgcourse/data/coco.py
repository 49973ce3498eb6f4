"""Boxes in COCO's JSON format: write a set of scenes, read a user's annotations back.

COCO stores ``images`` (``id``, ``file_name``, ``height``, ``width``), ``categories`` (``id``,
``name``) and ``annotations`` (``image_id``, ``category_id``, ``bbox`` as ``[x, y, width,
height]`` in pixels, ``area``, ``iscrowd``). In Python the course keeps boxes as
``(ymin, xmin, ymax, xmax)`` pixels and labels as 0-based class indices (the order of
``class_names``); these two functions convert. Introduced in ``09_object_detection``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from imgcourse import atomic


def write_coco(
    path: str | os.PathLike,
    images_info: Sequence[dict[str, Any]],
    boxes: Sequence[np.ndarray],
    labels: Sequence[np.ndarray],
    class_names: Sequence[str],
) -> Path:
    """Write boxes as a COCO-style JSON file (atomically: a temporary file, then a rename).

    Args:
        path: the JSON file to write.
        images_info: one dict per image with ``file_name``, ``height`` and ``width`` (an
            ``id`` is added as the image's position, 1-based, unless given).
        boxes: one (k, 4) array per image, ``(ymin, xmin, ymax, xmax)`` in pixels.
        labels: one (k,) array per image of class indices into ``class_names``.
        class_names: the category names; category ``i`` gets COCO id ``i + 1``.

    Returns:
        The path written.
    """
    if not len(images_info) == len(boxes) == len(labels):
        raise ValueError(
            f"give one entry per image: got {len(images_info)} images_info, {len(boxes)} box "
            f"arrays and {len(labels)} label arrays"
        )
    images, annotations = [], []
    for i, (info, b, k) in enumerate(zip(images_info, boxes, labels)):
        missing = {"file_name", "height", "width"} - set(info)
        if missing:
            raise ValueError(f"images_info[{i}] lacks {sorted(missing)}; got {sorted(info)}")
        image_id = int(info.get("id", i + 1))
        images.append({**info, "id": image_id})
        b = np.asarray(b, np.float64).reshape(-1, 4)
        k = np.asarray(k).reshape(-1)
        if len(b) != len(k):
            raise ValueError(f"image {i}: {len(b)} boxes but {len(k)} labels")
        if k.size and (k.min() < 0 or k.max() >= len(class_names)):
            raise ValueError(
                f"image {i}: labels {k.tolist()} outside 0..{len(class_names) - 1} "
                f"(class_names has {len(class_names)} names)"
            )
        for (y0, x0, y1, x1), c in zip(b, k):
            w, h = float(x1 - x0), float(y1 - y0)
            annotations.append(
                {
                    "id": len(annotations) + 1,
                    "image_id": image_id,
                    "category_id": int(c) + 1,
                    "bbox": [float(x0), float(y0), w, h],
                    "area": w * h,
                    "iscrowd": 0,
                }
            )
    doc = {
        "images": images,
        "annotations": annotations,
        "categories": [{"id": i + 1, "name": str(n)} for i, n in enumerate(class_names)],
    }
    path = Path(path)
    with atomic.atomic_open(path, "w") as f:
        json.dump(doc, f)
    return path


def read_coco(
    path: str | os.PathLike,
) -> tuple[list[dict[str, Any]], list[np.ndarray], list[np.ndarray], list[str]]:
    """Read a COCO-style JSON file of boxes.

    Returns:
        ``(images_info, boxes, labels, class_names)``: the ``images`` entries in file order;
        per image a (k, 4) float32 array ``(ymin, xmin, ymax, xmax)`` and a (k,) int64 array of
        class indices (categories sorted by id, index 0 for the lowest id); the category names.

    Raises:
        ValueError: naming the file and what is wrong (not JSON, a missing key, a box that is
            not 4 numbers, an annotation for an unknown image or category).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no COCO annotation file at {path}")
    try:
        doc = json.loads(path.read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ValueError(f"{path} is not valid JSON ({err}); expected a COCO file") from err
    if not isinstance(doc, dict):
        raise ValueError(f"{path}: expected a JSON object at the top; got {type(doc).__name__}")
    missing = [k for k in ("images", "annotations", "categories") if k not in doc]
    if missing:
        raise ValueError(f"{path} lacks the COCO key(s) {missing}; it has {sorted(doc)}")
    try:
        cat_ids = sorted(int(c["id"]) for c in doc["categories"])
        names = {int(c["id"]): str(c["name"]) for c in doc["categories"]}
        image_ids = [int(im["id"]) for im in doc["images"]]
    except (KeyError, TypeError, ValueError) as err:
        raise ValueError(f"{path}: every image and category needs an 'id' ({err})") from err
    index = {c: i for i, c in enumerate(cat_ids)}
    position = {im: i for i, im in enumerate(image_ids)}
    per_image: list[list[tuple[list[float], int]]] = [[] for _ in image_ids]
    for j, ann in enumerate(doc["annotations"]):
        bbox = ann.get("bbox") if isinstance(ann, dict) else None
        if not (isinstance(bbox, list) and len(bbox) == 4):
            raise ValueError(f"{path}: annotation {j} needs 'bbox' as [x, y, w, h]; got {bbox}")
        if ann.get("image_id") not in position:
            raise ValueError(f"{path}: annotation {j} names unknown image_id {ann.get('image_id')}")
        if ann.get("category_id") not in index:
            raise ValueError(
                f"{path}: annotation {j} names unknown category_id {ann.get('category_id')}; "
                f"categories are {cat_ids}"
            )
        x, y, w, h = (float(v) for v in bbox)
        if w < 0 or h < 0:
            raise ValueError(f"{path}: annotation {j} has a negative width or height: {bbox}")
        per_image[position[ann["image_id"]]].append(
            ([y, x, y + h, x + w], index[ann["category_id"]])
        )
    boxes = [np.asarray([b for b, _ in p], np.float32).reshape(-1, 4) for p in per_image]
    labels = [np.asarray([k for _, k in p], np.int64) for p in per_image]
    return list(doc["images"]), boxes, labels, [names[c] for c in cat_ids]
