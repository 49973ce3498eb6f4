"""nbval runs these notebooks in strict mode: a claim of a notebook's text that
does not hold fails the cell (imgcourse.results.claim). The kernel inherits
the variable.

Every cell nbval checks runs a notebook, so each is marked ``slow``: the fast
tier, ``pytest -m "not slow"``, leaves the notebooks to the full run."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("IMGCOURSE_STRICT", "1")

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.suffix == ".ipynb" and item.path.parent == HERE:
            item.add_marker(pytest.mark.slow)
