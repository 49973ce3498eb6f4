"""The course as a pip user gets it (issue 22): build the wheel, install it into a fresh virtual
environment with the dependencies pinned by constraints.txt, and, from a folder outside the
clone, copy the notebooks out with ``imgcourse notebooks`` and run, with that environment's
``imgcourse run``, every notebook whose default profile loads a file shipped as package data.

One environment, each notebook once: 7 minutes in all on a busy 2-core CPU (building the
wheel 11 s, installing it 123 s with pip's cache holding the dependencies, notebooks 06, 13,
15 and 19 in 269 s); it prints its steps' times. Nothing here runs a notebook of the
clone or imports the clone's package: the wheel is built from a copy of the files the build
reads, and every command runs in the temporary folder with the new environment's Python.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parent.parent
#: What the build reads (setup.py maps notebooks/ into the package).
BUILD_INPUTS = ("pyproject.toml", "setup.py", "README.md", "imgcourse", "notebooks")
#: Calls through which a notebook loads package data (imgcourse/assets/): a notebook whose
#: code makes one runs here. Add the loader of any new kind of packaged file.
PACKAGED_DATA_CALLS = re.compile(
    r"\b(load_course_backbone|weights_path|course_extractor|package_file)\("
)
#: 13's public-domain paintings and their sources (imgcourse/assets/paintings/).
PAINTING_FILES = (
    "great_wave_hokusai.jpg",
    "the_scream_munch.jpg",
    "shipwreck_minotaur_turner.jpg",
    "PROVENANCE.md",
)
#: Today's list, as a check on the search above.
KNOWN = {"06", "13", "15", "19"}
BIN = "Scripts" if os.name == "nt" else "bin"


def _notebooks_loading_package_data() -> list[str]:
    numbers = []
    for path in sorted((REPO / "notebooks").glob("[0-9][0-9]*_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
        if PACKAGED_DATA_CALLS.search(code):
            numbers.append(path.name[:2])
    return numbers


def _tail(text: str, n: int = 4000) -> str:
    return text if len(text) <= n else "...\n" + text[-n:]


class Steps:
    """Runs each step as a subprocess, times it, and fails with what failed and its output."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.env, self.cwd, self.seconds = env, cwd, {}

    def __call__(self, what: str, args: list[str | Path], timeout: float) -> str:
        start = time.perf_counter()
        try:
            done = subprocess.run(
                [str(a) for a in args],
                cwd=self.cwd,
                env=self.env,
                capture_output=True,
                text=True,
                timeout=timeout,
            )
        except subprocess.TimeoutExpired as exc:
            out = exc.stdout or ""
            out = out.decode(errors="replace") if isinstance(out, bytes) else out
            pytest.fail(f"{what}: still running after {timeout:.0f} s\n{_tail(out)}")
        self.seconds[what] = time.perf_counter() - start
        if done.returncode != 0:
            pytest.fail(
                f"{what} failed (exit {done.returncode}): {' '.join(map(str, args))}\n"
                f"--- stdout\n{_tail(done.stdout)}\n--- stderr\n{_tail(done.stderr)}"
            )
        return done.stdout


@pytest.mark.slow
def test_the_wheel_installed_outside_the_clone_runs_the_notebooks_that_load_package_data(
    tmp_path,
):
    numbers = _notebooks_loading_package_data()
    assert KNOWN <= set(numbers), (
        f"notebooks {sorted(KNOWN - set(numbers))} no longer match PACKAGED_DATA_CALLS; "
        "update the pattern (or KNOWN) in this test"
    )
    tomllib = pytest.importorskip("tomllib")
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    repository = pyproject["project"]["urls"]["Repository"]

    source, wheels, venv, work = (tmp_path / d for d in ("src", "wheels", "venv", "work"))
    work.mkdir()
    source.mkdir()
    for name in BUILD_INPUTS:
        item = REPO / name
        if item.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "*.pyc")
            shutil.copytree(item, source / name, ignore=ignore)
        else:
            shutil.copy2(item, source / name)
    # A clean environment: no clone on the import path, no notebooks folder named for us,
    # and the new environment's kernel (its share/jupyter first) rather than any other.
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "IMGCOURSE_NOTEBOOKS", "VIRTUAL_ENV", "PYTEST_CURRENT_TEST")
        and not k.startswith("PYTEST_XDIST")
    }
    env["PATH"] = os.pathsep.join([str(venv / BIN), env.get("PATH", "")])
    env["JUPYTER_PATH"] = str(venv / "share" / "jupyter")
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    step = Steps(env, work)
    python = venv / BIN / "python"
    imgcourse = venv / BIN / "imgcourse"

    step(
        "building the wheel",
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", wheels, source],
        timeout=600,
    )
    (wheel,) = wheels.glob("imgcourse-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        shipped = set(archive.namelist())
    paintings = {f"imgcourse/assets/paintings/{n}" for n in PAINTING_FILES}
    assert paintings <= shipped, (
        f"the wheel lacks 13's paintings {sorted(paintings - shipped)}: check "
        "[tool.setuptools.package-data] in pyproject.toml"
    )
    step("creating a virtual environment", [sys.executable, "-m", "venv", venv], timeout=300)
    step(
        "installing the wheel with -c constraints.txt",
        [
            python,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-compile",
            "-c",
            REPO / "constraints.txt",
            wheel,
        ],
        timeout=1200,
    )
    where = step(
        "importing the installed package",
        [
            python,
            "-c",
            "import imgcourse; from imgcourse.course.install import repository_url;"
            " print(imgcourse.__file__); print(repository_url())",
        ],
        timeout=120,
    ).split()
    assert Path(where[0]).resolve().is_relative_to(venv.resolve()), (
        f"imgcourse came from {where[0]}, not from the wheel installed in {venv}"
    )
    assert where[1] == repository, f"the wheel's [project.urls] Repository is {where[1]}"
    kernels = json.loads(
        step(
            "listing kernels", [venv / BIN / "jupyter", "kernelspec", "list", "--json"], timeout=120
        )
    )
    python3 = kernels["kernelspecs"]["python3"]
    assert Path(python3["resource_dir"]).resolve().is_relative_to(venv.resolve()), (
        f"notebooks would run in another environment's kernel: {python3}"
    )

    said = step("imgcourse notebooks", [imgcourse, "notebooks", "--out", "notebooks"], 120)
    copied = sorted(p.name for p in (work / "notebooks").glob("*.ipynb"))
    expected = sorted(p.name for p in (REPO / "notebooks").glob("[0-9][0-9]*_*.ipynb"))
    assert copied == expected, f"imgcourse notebooks copied {copied}\n{said}"
    listed = step("imgcourse list", [imgcourse, "list"], timeout=120)
    missing = [n for n in expected if n.removesuffix(".ipynb") not in listed]
    assert not missing, f"imgcourse list does not show {missing}:\n{listed}"

    out = step(
        f"imgcourse run {' '.join(numbers)} in the wheel's environment",
        [imgcourse, "run", *numbers, "--out", "reports"],
        timeout=1800,
    )
    for number in numbers:
        (executed,) = (work / "reports").glob(f"{number}_*.ipynb")
        input_path = nbformat.read(executed, as_version=4).metadata["papermill"]["input_path"]
        assert Path(input_path).resolve().parent == (work / "notebooks").resolve(), (
            f"{executed.name} ran {input_path}, not the copy made by imgcourse notebooks\n{out}"
        )
    timings = ", ".join(f"{what}: {s:.0f} s" for what, s in step.seconds.items())
    print(f"wheel {wheel.stat().st_size / 1e6:.1f} MB; {timings}")
    shutil.rmtree(venv, ignore_errors=True)  # about 3 GB; kept only when a step failed
