"""One notebook, or the course, over several seeds in strict mode: ``imgcourse run 16 --seeds
42-46``. The default-profile asserts and claims of every notebook must hold on seeds 42-46
(CONTRIBUTING.md); this is the command that shows whether they do, as a table.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from imgcourse.course.catalogue import CourseError, NotebookInfo
from imgcourse.course.runner import RunResult, run_notebook

SEEDS = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+))?\s*$")


def parse_seeds(text: str) -> list[int]:
    """``"42-46"`` -> [42, 43, 44, 45, 46]; ``"1,5,9"`` -> [1, 5, 9]; mixed: ``"1,42-44"``.

    Raises:
        CourseError: a part that is not a number or a range, or a range that runs backwards.
    """
    seeds: list[int] = []
    for part in text.split(","):
        match = SEEDS.match(part)
        if match is None:
            raise CourseError(f"--seeds {text!r}: {part.strip()!r} is not a seed or a range A-B")
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
        if last < first:
            raise CourseError(f"--seeds {text!r}: the range {first}-{last} runs backwards")
        seeds.extend(range(first, last + 1))
    return list(dict.fromkeys(seeds))


def run_over_seeds(
    notebook: NotebookInfo,
    parameters: dict[str, Any],
    seeds: Sequence[int],
    out_dir: Path,
    *,
    kernel_name: str | None = None,
    say: Callable[[str], None] = print,
) -> dict[int, RunResult]:
    """Run ``notebook`` once per seed (``SEED`` overridden), strictly, into ``out_dir/seed-N``.

    Raises:
        CourseError: the notebook has no ``SEED`` parameter.
    """
    if "SEED" not in notebook.parameters:
        raise CourseError(f"{notebook.name} has no SEED parameter: --seeds cannot vary it")
    runs = {}
    for seed in seeds:
        result = run_notebook(
            notebook,
            {**parameters, "SEED": seed},
            out_dir / f"seed-{seed}",
            kernel_name=kernel_name,
            strict=True,
        )
        runs[seed] = result
        say(f"  seed {seed}: {verdict(result)} ({result.seconds:.1f} s)")
    return runs


def verdict(result: RunResult) -> str:
    """One table cell: ``ok, 5/5 claims`` or ``FAILED: <the error's first line>``."""
    held = len(result.claims) - len(result.claims_failed)
    claims = f"{held}/{len(result.claims)} claims"
    if result.status == "ok":
        return f"ok, {claims}"
    first = result.error.splitlines()[0] if result.error else "failed"
    return f"FAILED ({claims}): {first}"


def seed_table(runs: dict[str, dict[int, RunResult]]) -> str:
    """Notebook by seed: whether each run passed and how many of its claims held; then the
    failures in full, and a last line counting them."""
    seeds = sorted({s for by_seed in runs.values() for s in by_seed})
    width = max([len(name) for name in runs] + [8])
    lines = [f"{'notebook':<{width}}  " + "  ".join(f"{f'seed {s}':<16}" for s in seeds)]
    failures = []
    for name, by_seed in runs.items():
        cells = []
        for s in seeds:
            result = by_seed.get(s)
            if result is None:
                cells.append(f"{'-':<16}")
                continue
            held = len(result.claims) - len(result.claims_failed)
            mark = "ok" if result.status == "ok" else "FAILED"
            cells.append(f"{f'{mark} {held}/{len(result.claims)}':<16}")
            if result.status != "ok":
                failures.append(f"{name}, seed {s}: {result.error}")
        lines.append(f"{name:<{width}}  " + "  ".join(cells))
    lines.append("(ok N/M: the run passed; N of its M claims held)")
    lines.extend(failures)
    total = sum(len(by_seed) for by_seed in runs.values())
    lines.append(f"{total - len(failures)} of {total} runs passed strictly")
    return "\n".join(lines)
