"""The data check of a user's image folder, as tables, before anything trains.

:func:`~imgcourse.data.scan_image_folder` finds which files open and which are identical;
this module turns its findings into tables a person reads (one row per file, one row per
class, one row per problem) and stops, with :class:`~imgcourse.data.ImageFolderError`,
when the folder cannot train a classifier: fewer than two classes, or a class with too few
readable images. Introduced in ``19_capstone_report`` (step 1, the data check).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import numpy as np

from imgcourse.data.folder import FolderScan, ImageFolderError

if TYPE_CHECKING:
    import pandas as pd


def describe_files(scan: FolderScan) -> pd.DataFrame:
    """One row per readable file: its name, class, size, mode, format and bytes.

    Args:
        scan: what :func:`~imgcourse.data.scan_image_folder` found.

    Returns:
        A DataFrame with columns ``file`` (path relative to the folder), ``class``,
        ``width`` and ``height`` (pixels), ``mode`` (Pillow's: ``L`` grey, ``RGB``, ``RGBA``,
        ``P`` palette, ``CMYK``, ``I;16`` 16-bit grey, ...), ``format`` (``PNG``,
        ``JPEG``, ...) and ``kib`` (file size in KiB), in the scan's order.
    """
    import pandas as pd
    from PIL import Image

    rows = []
    for path, label in zip(scan.files, scan.labels):
        with Image.open(path) as im:  # the header only: the scan decoded every file
            width, height, mode, fmt = im.width, im.height, im.mode, im.format
        rows.append(
            {
                "file": path.relative_to(scan.root).as_posix(),
                "class": scan.class_names[label],
                "width": width,
                "height": height,
                "mode": mode,
                "format": fmt,
                "kib": path.stat().st_size / 1024,
            }
        )
    columns = ["file", "class", "width", "height", "mode", "format", "kib"]
    return pd.DataFrame(rows, columns=columns)


def class_table(scan: FolderScan, files: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per class: readable images, smallest and largest side, modes and formats.

    Args:
        scan: what :func:`~imgcourse.data.scan_image_folder` found.
        files: :func:`describe_files` of the scan (computed if not given).

    Returns:
        A DataFrame indexed by class name (every class folder, also an empty one) with
        columns ``images``, ``share`` (fraction of all readable images), ``min side``,
        ``max side`` (pixels; 0 for an empty class), ``modes`` and ``formats`` (the distinct
        values, comma-separated).
    """
    import pandas as pd

    files = describe_files(scan) if files is None else files
    total = max(len(files), 1)
    rows = []
    for name in scan.class_names:
        part = files[files["class"] == name]
        sides = np.minimum(part["width"], part["height"]) if len(part) else np.array([0])
        longest = np.maximum(part["width"], part["height"]) if len(part) else np.array([0])
        rows.append(
            {
                "class": name,
                "images": len(part),
                "share": len(part) / total,
                "min side": int(np.min(sides)),
                "max side": int(np.max(longest)),
                "modes": ", ".join(sorted(set(part["mode"]))),
                "formats": ", ".join(sorted(set(part["format"]))),
            }
        )
    return pd.DataFrame(rows).set_index("class")


def problem_table(scan: FolderScan, *, skip_duplicates: bool = True) -> pd.DataFrame:
    """One row per file that will not be used as it is, and why.

    Unreadable files and files of other types come from ``scan.problems``; each copy after
    the first of a group of identical files is listed as a duplicate of the first (it is
    skipped when ``skip_duplicates`` is True, else kept with a warning).

    Returns:
        A DataFrame with columns ``file`` (relative path) and ``problem``; empty (with those
        columns) when nothing is wrong.
    """
    import pandas as pd

    rows = []
    for line in scan.problems:
        name, _, why = line.partition(": ")
        why = why.replace(f"{scan.root}{os.sep}", "")  # Pillow's messages name the path
        rows.append({"file": name, "problem": why})
    action = "skipped" if skip_duplicates else "kept: one image counted twice"
    for group in scan.duplicate_names():
        rows += [
            {"file": copy, "problem": f"identical to {group[0]} ({action})"} for copy in group[1:]
        ]
    return pd.DataFrame(rows, columns=["file", "problem"])


def check_trainable(
    scan: FolderScan, *, min_per_class: int = 5, skip_unreadable: bool = True
) -> None:
    """Stop with a clear message when the folder cannot train a classifier.

    Args:
        scan: what :func:`~imgcourse.data.scan_image_folder` found.
        min_per_class: fewest readable images a class needs (a stratified split into
            training, validation and test parts needs a few of each class in every part).
        skip_unreadable: if False, any unreadable file stops the run here (all of them
            listed by name), as ``load_image_folder(skip_unreadable=False)`` would later.

    Raises:
        ImageFolderError: unreadable files when ``skip_unreadable`` is False; fewer than two
            class folders; a class folder with no readable image; a class with fewer than
            ``min_per_class`` readable images. The message names the files or classes and
            says what to do.
    """
    if min_per_class < 1:
        raise ValueError(f"min_per_class must be at least 1; got {min_per_class}")
    bad = [p for p in scan.problems if ": unreadable image" in p]
    if bad and not skip_unreadable:
        listing = "\n  ".join(p.replace(f"{scan.root}{os.sep}", "") for p in bad)
        raise ImageFolderError(
            f"{len(bad)} file(s) cannot be read as images:\n  {listing}\nRemove or "
            "replace them, or set SKIP_UNREADABLE = True (imgcourse report ... -p "
            "SKIP_UNREADABLE True) to leave them out and go on."
        )
    found = ", ".join(scan.class_names)
    if len(scan.class_names) < 2:
        raise ImageFolderError(
            f"the folder {scan.root.name!r} has {len(scan.class_names)} class folder(s) "
            f"({found}); a classifier needs at least two. Put each class's images in its "
            "own sub-folder, for example photos/cats/ and photos/dogs/, and pass the "
            "folder above them (photos/) as DATA_DIR."
        )
    counts = np.bincount(scan.labels, minlength=len(scan.class_names))
    empty = [n for n, c in zip(scan.class_names, counts) if c == 0]
    if empty:
        raise ImageFolderError(
            f"class folder(s) {empty} of {scan.root.name!r} hold no readable images "
            f"(classes found: {found}). Add images to them or remove the folder(s)."
        )
    short = {n: int(c) for n, c in zip(scan.class_names, counts) if c < min_per_class}
    if short:
        raise ImageFolderError(
            f"class(es) with fewer than {min_per_class} readable images: {short}. The "
            "split needs a few images of every class in training, validation and test: "
            "add images, merge or remove the class, or lower MIN_IMAGES_PER_CLASS."
        )


__all__ = ["check_trainable", "class_table", "describe_files", "problem_table"]
