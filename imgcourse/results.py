"""Key results a notebook hands to its report: ``record(test_accuracy=...)``.

When ``imgcourse run`` executes a notebook it sets ``IMGCOURSE_RESULTS`` to a JSON file; each
:func:`record` call merges its numbers into that file, and the run's ``summary.json`` and
timing table show them. In an interactive session nothing is written. Introduced in
``02_cnn_basics``.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

ENV_RESULTS = "IMGCOURSE_RESULTS"


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
