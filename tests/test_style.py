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
    pytest.fail("ruff is not installed (it comes with the dev extra: pip install -e '.[dev]')")


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


def _fenced_commands(markdown: str) -> list[str]:
    blocks = markdown.split("```bash\n")[1:]
    return [line for block in blocks for line in block.split("```")[0].splitlines()]


def test_ci_runs_the_readme_test_command_with_the_pinned_versions():
    """CI must run the README's test command as written, and it installs from constraints.txt,
    so a green CI means the versions a learner gets were the ones tested."""
    readme = _fenced_commands((ROOT / "README.md").read_text(encoding="utf-8"))
    [test_command] = [c for c in readme if c.endswith("python -m pytest")]
    assert "-c constraints.txt" in test_command
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert test_command in ci, f".ci/run does not run the README's command: {test_command}"
    pins = (ROOT / "constraints.txt").read_text(encoding="utf-8")
    for package in ("tensorflow", "keras", "nbval", "papermill", "matplotlib"):
        assert f"\n{package}==" in pins, f"{package} is not pinned in constraints.txt"
