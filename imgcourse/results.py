"""Key results a notebook hands to its report: ``record(test_accuracy=...)``.

When ``imgcourse run`` executes a notebook it sets ``IMGCOURSE_RESULTS`` to a JSON file; each
:func:`record` call merges its numbers into that file, and the run's ``summary.json`` and
timing table show them. In an interactive session nothing is written. Introduced in
``02_cnn_basics``.

Files a notebook makes for its user (the capstone's trained model and ``metrics.json``) go to
:func:`output_dir`: the folder of the run's report under ``imgcourse run`` and ``imgcourse
report`` (``IMGCOURSE_OUTPUT``), or None in an interactive session.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

ENV_RESULTS = "IMGCOURSE_RESULTS"
ENV_OUTPUT = "IMGCOURSE_OUTPUT"


def record(**metrics: float) -> dict[str, float]:
    """Store named numbers (accuracies, images/s, seconds) for the run's report.

    Returns the numbers as plain floats. Raises ValueError for a value that is not a finite
    number, so a report never shows NaN as a result.
    """
    clean = {}
    for name, value in metrics.items():
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"result {name!r} must be a number; got {value!r}") from None
        if not math.isfinite(number):
            raise ValueError(f"result {name!r} is {number}; only finite numbers can be recorded")
        clean[name] = number
    target = os.environ.get(ENV_RESULTS)
    if target:
        path = Path(target)
        stored = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        stored.update(clean)
        tmp = path.with_suffix(path.suffix + ".part")
        tmp.write_text(json.dumps(stored, indent=2), encoding="utf-8")
        os.replace(tmp, path)
    return clean


def read_results(path: Path) -> dict[str, float]:
    """The numbers recorded into ``path`` ({} if the notebook recorded none)."""
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def output_dir() -> Path | None:
    """The folder where files for the run's report belong, or None outside ``imgcourse run``.

    The runner points ``IMGCOURSE_OUTPUT`` at a private folder and moves what is written there
    into ``--out`` with the report when the notebook ends, so nothing half-written is left.
    """
    target = os.environ.get(ENV_OUTPUT)
    return Path(target) if target else None
