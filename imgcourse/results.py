"""Key results a notebook hands to its report: ``record(test_accuracy=...)``.

When ``imgcourse run`` executes a notebook it sets ``IMGCOURSE_RESULTS`` to a JSON file; each
:func:`record` call merges its numbers into that file, and the run's ``summary.json`` and
timing table show them. In an interactive session nothing is written. Introduced in
``02_cnn_basics``.

A sentence of "What to notice" that states a verdict (A beats B, the curve flattens) is
checked in code with :func:`claim`, next to the sentence. In **strict** mode (the course's
tests, ``imgcourse run --strict`` and CI) a false claim stops the run, naming the claim and its
values; in a **learner's** run (another CPU, seed or folder) it prints a short note under the
cell and the run goes on. Either way ``imgcourse run`` lists every claim in ``summary.json``.
Introduced in ``00_welcome``; ``02_cnn_basics`` is the example to copy.

Files a notebook makes for its user (the capstone's trained model and ``metrics.json``) go to
:func:`output_dir`: the folder of the run's report under ``imgcourse run`` and ``imgcourse
report`` (``IMGCOURSE_OUTPUT``), or None in an interactive session.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

from imgcourse import atomic

ENV_RESULTS = "IMGCOURSE_RESULTS"
ENV_OUTPUT = "IMGCOURSE_OUTPUT"
#: "1": a false claim raises (strict); "0": it prints a note. Unset: strict when ``CI`` is set.
ENV_STRICT = "IMGCOURSE_STRICT"
#: A JSON-lines file each claim is appended to (set by ``imgcourse run``).
ENV_CLAIMS = "IMGCOURSE_CLAIMS"


class ClaimError(AssertionError):
    """A claim of the notebook's text did not hold in a strict run."""


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
        atomic.write_text(path, json.dumps(stored, indent=2))
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


def strict_claims() -> bool:
    """Whether a false claim stops the run: ``$IMGCOURSE_STRICT`` is 1 (or true/yes); when it
    is unset, whether ``$CI`` is set to anything but ``false``/``0``."""
    flag = os.environ.get(ENV_STRICT)
    if flag is None or flag.strip() == "":
        ci = os.environ.get("CI", "").strip().lower()
        return ci not in ("", "0", "false", "no")
    return flag.strip().lower() in ("1", "true", "yes", "on")


def _show(value: object) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)) or hasattr(value, "__float__"):
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return repr(value)
        if not math.isfinite(number):
            return str(number)  # nan, inf: a value a learner's odd data can give
        if number == int(number) and abs(number) < 1e9:
            return str(int(number))
        return f"{number:.3g}"
    return str(value)


def claim(text: str, holds: object, **values: object) -> None:
    """Check a verdict the notebook's text makes.

    ``text`` is the verdict in a few words ("augmentation beats no augmentation"), ``holds``
    the condition that makes it true (``gain > 2 * spread``), and ``values`` the numbers it
    rests on (``gain=gain, spread=spread``), shown when it fails. A claim that holds prints
    nothing and returns nothing (so a notebook cell ending with it shows no value). A false
    one raises :class:`ClaimError` in strict mode (:func:`strict_claims`);
    otherwise it prints "On this run: ... did not hold (...)" and the notebook goes on. Every
    claim is appended to ``$IMGCOURSE_CLAIMS`` when set, for the run's summary.
    """
    held = bool(holds)
    shown = ", ".join(f"{name} {_show(value)}" for name, value in values.items())
    target = os.environ.get(ENV_CLAIMS)
    if target:
        line = {"claim": text, "held": held, "values": {k: _show(v) for k, v in values.items()}}
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(line) + "\n")
    if held:
        return
    detail = f" ({shown})" if shown else ""
    if strict_claims():
        raise ClaimError(
            f"claim did not hold: {text}{detail}. The text says it does: change the experiment "
            "(more data, epochs or seeds) or the sentence, not only the threshold."
        )
    print(
        f"On this run: '{text}' did not hold{detail}; the text above describes a run where it did."
    )


def read_claims(path: Path) -> list[dict]:
    """The claims a run appended to ``path`` (each ``{"claim", "held", "values"}``), or []."""
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]
