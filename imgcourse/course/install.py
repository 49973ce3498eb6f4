"""The course as an installed package: where its notebooks are, copying them out
(``imgcourse notebooks --out DIR``), and the repository's address.

The notebooks ship inside the package (``imgcourse/notebooks/`` in the wheel; ``setup.py``
maps the repository's top-level ``notebooks/`` there), so a ``pip install`` gives a learner
the whole course. :func:`find_notebooks_folder` decides which folder ``imgcourse list``,
``run``, ``report``, ``student`` and ``grade`` work on, the first of:

1. the working folder, when it holds course notebooks (``NN_topic.ipynb``): a learner who
   ``cd``-ed into their copy, or a kernel that papermill or nbval runs in its notebook's folder;
2. ``notebooks/`` in the working folder: a clone's root, or wherever
   ``imgcourse notebooks`` (whose ``--out`` is ``notebooks`` by default) was run;
3. the notebooks the installed package ships (:func:`shipped_notebooks`), so ``imgcourse list``
   and ``imgcourse report photos/`` work straight after ``pip install``; in an editable
   install these are the clone's own ``notebooks/``, wherever the command runs.

``$IMGCOURSE_NOTEBOOKS`` overrides all three (:func:`imgcourse.course.catalogue.notebooks_dir`).
Nothing searches folders above the working folder, so an unrelated ``notebooks/`` higher up
is never picked by accident.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import urllib.parse
import urllib.request
from pathlib import Path

from imgcourse import atomic
from imgcourse.course.catalogue import NOTEBOOK_NAME, CourseError
from imgcourse.packaged import package_file

DISTRIBUTION = "imgcourse"
#: The ``[project.urls]`` key of pyproject.toml that holds the repository's address.
REPOSITORY_KEY = "Repository"


def course_notebook_names(folder: Path) -> list[str]:
    """Sorted file names of the course notebooks (``NN_topic.ipynb``) in ``folder``."""
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.glob("*.ipynb") if NOTEBOOK_NAME.match(p.name))


def editable_source() -> Path | None:
    """The clone an editable install (``pip install -e``) runs from, as pip recorded it in
    ``direct_url.json`` (PEP 610); None for any other installation."""
    package = package_file("__init__.py").parent.resolve()
    # every imgcourse metadata folder on sys.path: a clone's own imgcourse.egg-info (left by
    # setuptools) can come before the installed one when Python runs in the clone
    for dist in importlib.metadata.distributions(name=DISTRIBUTION):
        try:
            info = json.loads(dist.read_text("direct_url.json") or "{}")
        except ValueError:
            continue
        url = info.get("url", "")
        if info.get("dir_info", {}).get("editable") and url.startswith("file:"):
            source = Path(urllib.request.url2pathname(urllib.parse.urlparse(url).path))
            if (source / "imgcourse").resolve() == package:  # this copy, not another one
                return source
    return None


def shipped_notebooks() -> Path | None:
    """The notebooks of this installation: ``imgcourse/notebooks/`` inside the package (a
    wheel, ``pip install`` from git), or the clone's ``notebooks/`` (an editable install);
    None when neither holds any."""
    candidates = [package_file("notebooks")]
    source = editable_source()
    if source is not None:
        candidates.append(source / "notebooks")
    return next((folder for folder in candidates if course_notebook_names(folder)), None)


def find_notebooks_folder(cwd: Path | None = None) -> Path:
    """The working folder, its ``notebooks/``, or :func:`shipped_notebooks`: the first that
    holds course notebooks (see the module's docstring).

    Raises:
        CourseError: none does; the message says how to get the notebooks.
    """
    here = Path.cwd() if cwd is None else Path(cwd)
    for folder in (here, here / "notebooks"):
        if course_notebook_names(folder):
            return folder
    shipped = shipped_notebooks()
    if shipped is not None:
        return shipped
    raise CourseError(
        f"no course notebooks (NN_topic.ipynb) in {here} or {here / 'notebooks'}, and this "
        "installation of imgcourse ships none. Copy them with `imgcourse notebooks --out "
        "notebooks` (from a package built with them), run from the folder that holds them, or "
        "set IMGCOURSE_NOTEBOOKS to it."
    )


def copy_notebooks(out: str | os.PathLike[str], *, force: bool = False) -> list[Path]:
    """Copy the course's notebooks (:func:`shipped_notebooks`) into the folder ``out``.

    Each file is written to a temporary name and renamed, so an interrupted copy leaves no
    half-written notebook. A notebook already there that differs (a learner's edits) is
    replaced only with ``force``.

    Returns:
        The copied files, in course order.

    Raises:
        CourseError: the installation ships no notebooks; ``out`` is a file or the course's
            own notebooks folder; or it holds changed notebooks and ``force`` is False.
    """
    source = shipped_notebooks()
    if source is None:
        raise CourseError(
            "this installation of imgcourse ships no notebooks (no imgcourse/notebooks/ in "
            "the package, and not an editable install of a clone). Reinstall it from the "
            "repository or a wheel built from it."
        )
    target = Path(out).expanduser().resolve()
    if target.exists() and not target.is_dir():
        raise CourseError(f"--out {target} is a file; give a folder")
    if target.exists() and target.samefile(source):
        raise CourseError(f"{target} is the course's own notebooks folder; give another --out")
    names = course_notebook_names(source)
    changed = [
        name
        for name in names
        if (target / name).is_file()
        and (target / name).read_bytes() != (source / name).read_bytes()
    ]
    if changed and not force:
        raise CourseError(
            f"{target} already holds {len(changed)} notebook(s) that differ from the course's "
            f"({', '.join(changed)}); copying would lose those changes. Give another --out, "
            "or pass --force to replace them."
        )
    target.mkdir(parents=True, exist_ok=True)
    copied = []
    for name in names:
        with atomic.atomic_path(target / name) as tmp:
            shutil.copyfile(source / name, tmp)
        copied.append(target / name)
    return copied


def repository_url() -> str:
    """The course repository's address: ``Repository`` in ``[project.urls]`` of
    pyproject.toml, read from the installed package's metadata (its only source).

    Raises:
        CourseError: no installed metadata has it (not installed, or installed before the
            key existed).
    """
    for dist in importlib.metadata.distributions(name=DISTRIBUTION):
        for entry in dist.metadata.get_all("Project-URL") or []:
            key, _, url = entry.partition(",")
            if key.strip() == REPOSITORY_KEY:
                return url.strip()
    raise CourseError(
        f"the installed imgcourse's metadata has no {REPOSITORY_KEY} URL ([project.urls] of "
        "pyproject.toml); reinstall it (pip install -e . in a clone)"
    )


__all__ = [
    "copy_notebooks",
    "course_notebook_names",
    "editable_source",
    "find_notebooks_folder",
    "repository_url",
    "shipped_notebooks",
]
