"""Files the package ships, and the package's one checksum function.

Everything a notebook loads at run time (the course-pretrained weights; the three
public-domain paintings of ``13_style_transfer``) is package data under ``imgcourse/assets/``,
so an installed ``imgcourse`` (a wheel, ``pip install`` from git on a hosted notebook
service) has it, not only a clone of the repository. :func:`package_file` finds such a file through
:mod:`importlib.resources`; nothing in the package looks for repository folders.

To add a file: put it under ``imgcourse/assets/<kind>/``, give ``<kind>`` a pattern in
``[tool.setuptools.package-data]`` of ``pyproject.toml`` (``tests/test_packaging.py`` fails
on a file no pattern covers), and, if a notebook checks it, register its sha256 (as the
weights in :mod:`imgcourse.data.registry` are).

:func:`sha256_file` is the only place the package hashes a file: downloads, the packaged
weights and the duplicate check of a user's image folder all call it.

Standard library only: the command line imports this without TensorFlow.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import importlib.resources
import os
from pathlib import Path

_CHUNK_BYTES = 1 << 20
#: Files extracted from a zipped installation live until the interpreter exits.
_EXTRACTED = contextlib.ExitStack()
atexit.register(_EXTRACTED.close)


def package_file(relative: str) -> Path:
    """The path of a file or folder shipped inside the ``imgcourse`` package.

    Args:
        relative: its path inside the package folder, with ``/`` separators, for example
            ``"assets/weights/shapes_backbone.weights.h5"``.

    Returns:
        A filesystem path (it may not exist: callers say what is missing). Installed as
        files (a wheel, an editable install) it is the file itself; from a zip it is a
        temporary copy.

    Raises:
        ValueError: ``relative`` is absolute or climbs out of the package with ``..``.
    """
    parts = relative.split("/")
    if relative.startswith("/") or ".." in parts or not all(parts):
        raise ValueError(f"a package file is named relative to the package; got {relative!r}")
    resource = importlib.resources.files("imgcourse").joinpath(relative)
    if isinstance(resource, Path):
        return resource
    return _EXTRACTED.enter_context(importlib.resources.as_file(resource))


def sha256_file(path: str | os.PathLike[str]) -> str:
    """The sha256 hex digest (lower case) of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


__all__ = ["package_file", "sha256_file"]
