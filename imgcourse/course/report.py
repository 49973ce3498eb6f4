"""``imgcourse report DATA_DIR``: the capstone notebook (``19_capstone_report``) on a user's
folder of images, run by papermill into one report folder.

The folder ends up holding the executed notebook, its HTML report (inputs hidden, readable
offline), the trained model (``model.keras``), ``metrics.json`` and the recorded results. It
is built in a hidden folder beside ``--out`` and renamed into place when the run ends, so an
interrupted or failed run never leaves a mixture of old and new files: ``--out`` holds one
whole report, the last one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from imgcourse import atomic
from imgcourse.course import catalogue, runner
from imgcourse.course.catalogue import CourseError
from imgcourse.data.folder import IMAGE_SUFFIXES

#: The capstone notebook's number in the syllabus.
CAPSTONE = "19"


@dataclass
class Report:
    """What ``make_report`` produced: the run, the folder, and the notebook's metrics."""

    run: runner.RunResult
    folder: Path
    metrics: dict[str, Any] = field(default_factory=dict)

    @property
    def files(self) -> list[str]:
        """Names of the files in the report folder (the offline assets left out)."""
        return sorted(p.name for p in self.folder.iterdir() if p.is_file())


def check_data_dir(data_dir: str | Path) -> Path:
    """Refuse, before a kernel starts, a DATA_DIR the capstone cannot train on.

    Checks what can be seen without decoding images: the folder exists, has at least two
    class sub-folders, and each holds at least one image file. Unreadable images, duplicates,
    and odd sizes or modes are the notebook's own data check (step 1), listed in the report.
    """
    folder = catalogue.user_path(str(data_dir), "DATA_DIR")
    if not folder.exists():
        raise CourseError(
            f"DATA_DIR {str(folder)!r} does not exist; give a folder holding one sub-folder of "
            "images per class"
        )
    if not folder.is_dir():
        raise CourseError(
            f"DATA_DIR {str(folder)!r} is a file; give the folder that holds one sub-folder of "
            "images per class"
        )
    classes = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    if len(classes) < 2:
        found = f"only {classes[0].name!r}" if classes else "none"
        raise CourseError(
            f"DATA_DIR {str(folder)!r} needs at least two class sub-folders to learn from; "
            f"found {found}. Put each class's images in a sub-folder named after the class."
        )
    empty = [
        c.name
        for c in classes
        if not any(p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES for p in c.rglob("*"))
    ]
    if empty:
        raise CourseError(
            f"class folder(s) {', '.join(map(repr, empty))} in {str(folder)!r} hold no image "
            f"files ({', '.join(IMAGE_SUFFIXES)}); add images or remove the folder(s)"
        )
    return folder


def _check_out(out_dir: Path, notebook_file: str) -> None:
    """``--out`` must be new, empty, or an earlier report (which the new one replaces)."""
    if out_dir.exists():
        if not out_dir.is_dir():
            raise CourseError(f"--out {str(out_dir)!r} is a file; choose a folder")
        if any(out_dir.iterdir()) and not (out_dir / notebook_file).exists():
            raise CourseError(
                f"--out {str(out_dir)!r} is not empty and holds no earlier report; choose a new "
                "folder (a report replaces the whole folder)"
            )


def make_report(
    data_dir: str | Path,
    overrides: list[tuple[str, str]] | None = None,
    out_dir: str | Path = "report",
    *,
    profile: str | None = None,
    kernel_name: str | None = None,
    on_section: Callable[[str], None] | None = None,
) -> Report:
    """Run the capstone on ``data_dir`` and put its whole report in ``out_dir``.

    Raises:
        CourseError: a DATA_DIR or ``--out`` that cannot work, or a bad parameter, before any
            kernel starts. A failure inside the notebook is ``report.run.status == "failed"``
            with the notebook's own message in ``report.run.error``.
    """
    data = check_data_dir(data_dir)
    notebook = catalogue.find_notebooks([CAPSTONE])[0]
    params = catalogue.resolve_parameters(
        notebook, [("DATA_DIR", str(data)), *(overrides or [])], profile
    )
    out = catalogue.user_path(str(out_dir), "--out")
    _check_out(out, notebook.path.name)
    with atomic.replace_folder(out) as building:  # an earlier report goes once this is in
        result = runner.run_notebook(
            notebook, params, building, kernel_name=kernel_name, on_section=on_section
        )
        (building / ".imgcourse.lock").unlink(missing_ok=True)
    for name in ("executed", "report"):
        path = getattr(result, name)
        if path is not None:
            setattr(result, name, out / path.name)
    metrics_path = out / "metrics.json"
    metrics = json.loads(metrics_path.read_text(encoding="utf-8")) if metrics_path.exists() else {}
    return Report(run=result, folder=out, metrics=metrics)
