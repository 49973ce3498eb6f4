"""The repository is ruff clean, notebooks included (their lines fit the book's column:
notebooks/ruff.toml sets 80 characters)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _ruff() -> list[str]:
    beside = Path(sys.executable).with_name("ruff")
    if beside.exists():
        return [str(beside)]
    if shutil.which("ruff"):
        return ["ruff"]
    pytest.skip("ruff is not installed (it comes with the dev extra: pip install -e '.[dev]')")


def test_ruff_check_is_clean():
    done = subprocess.run(
        [*_ruff(), "check", "--no-cache", "."], cwd=ROOT, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_notebook_code_fits_the_book_column():
    done = subprocess.run(
        [*_ruff(), "check", "--no-cache", "--select", "E501", "notebooks"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, "code lines over 80 characters:\n" + done.stdout
