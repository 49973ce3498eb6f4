"""The course machinery: what runs notebooks, as opposed to what notebooks use.

- :mod:`~imgcourse.course.catalogue`: the syllabus, the notebooks on disk, their parameters;
- :mod:`~imgcourse.course.runner`: papermill runs, HTML reports, refreshing stored outputs;
- :mod:`~imgcourse.course.report`: ``imgcourse report``, the capstone on a user's folder;
- :mod:`~imgcourse.course.student`: student versions without solutions;
- :mod:`~imgcourse.course.grade`: grading students' notebooks;
- :mod:`~imgcourse.course.install`: where the installed course's notebooks are, copying them
  out (``imgcourse notebooks``), the repository's address.

The learner-facing library (``data``, ``models``, ``train``, ``metrics``, ``explain``,
``viz``, ``widgets``, ``exercises``) never imports from here; ``imgcourse.cli`` sits on top
of both. The one call a notebook makes towards the machinery,
:func:`imgcourse.results.record`, lives in the library (it needs nothing but the standard
library), and the runner reads what it wrote. The catalogue's names are repeated here, so
``imgcourse.course.list_notebooks()`` works as in ``00_welcome``.
"""

from imgcourse.course.catalogue import (
    NOTEBOOK_NAME,
    PARAMETER_RANGES,
    PROFILES,
    SYLLABUS,
    CourseError,
    NotebookInfo,
    Planned,
    check_range,
    find_notebooks,
    list_notebooks,
    notebooks_dir,
    read_notebook_info,
    read_parameters,
    resolve_parameters,
    user_path,
    write_notebook,
)

__all__ = [
    "NOTEBOOK_NAME",
    "PARAMETER_RANGES",
    "PROFILES",
    "REPOSITORY",
    "SYLLABUS",
    "CourseError",
    "NotebookInfo",
    "Planned",
    "check_range",
    "find_notebooks",
    "list_notebooks",
    "notebooks_dir",
    "read_notebook_info",
    "read_parameters",
    "resolve_parameters",
    "user_path",
    "write_notebook",
]


def __getattr__(name: str) -> object:
    # REPOSITORY is computed from the package metadata when asked for (see the catalogue)
    if name == "REPOSITORY":
        from imgcourse.course import catalogue

        return catalogue.REPOSITORY
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
