"""Faults tried on purpose against ``imgcourse run``: an interrupted run, and two runs writing
to the same ``--out`` at once. Each uses a tiny notebook in a temporary course folder."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from imgcourse.course import runner

pytestmark = pytest.mark.slow


def _write_course(folder: Path, second_cell: str) -> Path:
    """A one-notebook course: parameters, a cell that writes a marker file, ``second_cell``."""
    folder.mkdir(parents=True)
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                'PROFILE = "default"\nTAG = "a"\nMARKER_PATH = "started.txt"',
                metadata={"tags": ["parameters"]},
            ),
            nbformat.v4.new_code_cell(
                "import pathlib\npathlib.Path(MARKER_PATH).write_text(TAG)\nprint('first cell')"
            ),
            nbformat.v4.new_code_cell(second_cell),
        ]
    )
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path = folder / "01_probe.ipynb"
    nbformat.write(nb, path)
    return path


def _run(course: Path, out: Path, *params: str) -> subprocess.Popen:
    env = dict(os.environ, IMGCOURSE_NOTEBOOKS=str(course))
    command = [sys.executable, "-m", "imgcourse", "run", "01", "--out", str(out)]
    for pair in params:
        command += ["-p", *pair.split("=", 1)]
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def _wait_for(path: Path, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.2)


def test_ctrl_c_mid_run_leaves_the_reports_folder_and_the_notebook_untouched(tmp_path):
    course = tmp_path / "course"
    source = _write_course(course, "import time\ntime.sleep(120)")
    before = hashlib.sha256(source.read_bytes()).hexdigest()
    out = tmp_path / "reports"
    out.mkdir()
    (out / "earlier.html").write_text("a report from an earlier run")
    marker = tmp_path / "started.txt"

    run = _run(course, out, f"MARKER_PATH={marker}")
    _wait_for(marker, 120)  # the kernel is inside the notebook now
    time.sleep(1.0)
    run.send_signal(signal.SIGINT)
    output, _ = run.communicate(timeout=60)

    assert run.returncode != 0, output
    assert hashlib.sha256(source.read_bytes()).hexdigest() == before
    visible = sorted(p.name for p in out.iterdir() if not p.name.startswith(".imgcourse.lock"))
    assert visible == ["earlier.html"], f"a half-written file was left: {visible}\n{output}"


def test_two_runs_into_the_same_folder_do_not_mix(tmp_path):
    course = tmp_path / "course"
    _write_course(
        course,
        "import time\nfrom imgcourse.results import record\n"
        "time.sleep(2)\nrecord(tag_is_b=float(TAG == 'b'))\nprint('tag', TAG)",
    )
    out = tmp_path / "reports"
    runs = [_run(course, out, f"TAG={tag}", f"MARKER_PATH={tmp_path / tag}") for tag in ("a", "b")]
    outputs = [run.communicate(timeout=240)[0] for run in runs]
    for run, output in zip(runs, outputs):
        assert run.returncode == 0, output

    assert (out / runner.REPORT_ASSETS / "vendor" / "VENDORED.txt").is_file()
    names = sorted(
        p.name for p in out.iterdir() if not p.name.startswith((".", runner.REPORT_ASSETS))
    )
    assert names == [
        "01_probe.claims.jsonl",
        "01_probe.html",
        "01_probe.ipynb",
        "01_probe.results.json",
        "summary.json",
    ]
    # the probe states no claims, so its claims log is there and empty
    assert (out / "01_probe.claims.jsonl").read_text() == ""
    executed = nbformat.read(out / "01_probe.ipynb", as_version=4)
    nbformat.validate(executed)
    tag = "b" if "tag b" in json.dumps(executed.cells[-1].outputs) else "a"
    # the notebook, its report and its recorded numbers come from the same run
    results = json.loads((out / "01_probe.results.json").read_text())
    assert results == {"tag_is_b": float(tag == "b")}
    assert f"tag {tag}" in (out / "01_probe.html").read_text()
    assert json.loads((out / "summary.json").read_text())[0]["status"] == "ok"
    assert not [p for p in out.iterdir() if p.name.startswith(".imgcourse-run-")]


def test_a_killed_kernel_is_a_failed_run_with_whole_files_and_the_notebook_untouched(tmp_path):
    """The kernel dies mid-notebook (SIGKILL, as the out-of-memory killer does it)."""
    course = tmp_path / "course"
    source = _write_course(course, "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)")
    before = hashlib.sha256(source.read_bytes()).hexdigest()
    out = tmp_path / "reports"

    run = _run(course, out, f"MARKER_PATH={tmp_path / 'started.txt'}")
    output, _ = run.communicate(timeout=240)

    assert run.returncode == 1, output
    assert "DeadKernelError" in output, output
    assert hashlib.sha256(source.read_bytes()).hexdigest() == before
    executed = nbformat.read(out / "01_probe.ipynb", as_version=4)
    nbformat.validate(executed)  # whole, readable: the cells that ran keep their outputs
    assert "first cell" in json.dumps([c.get("outputs", []) for c in executed.cells])
    assert (out / "01_probe.html").stat().st_size > 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary[0]["status"] == "failed" and "DeadKernelError" in summary[0]["error"]
    assert not [p for p in out.iterdir() if p.name.startswith(".imgcourse-run-")]


def test_a_second_run_replaces_a_folder_the_first_one_exported(tmp_path):
    """17 exports a SavedModel folder: running it again into the same --out must replace it
    (``os.replace`` alone refuses a non-empty folder), leaving only the second run's files."""
    course = tmp_path / "course"
    _write_course(
        course,
        "from imgcourse.results import output_dir\n"
        "folder = output_dir() / 'exported'\n"
        "folder.mkdir()\n"
        "(folder / 'model.txt').write_text(TAG)\n"
        "(folder / f'only_{TAG}.txt').write_text(TAG)",
    )
    out = tmp_path / "reports"
    for tag in ("a", "b"):
        run = _run(course, out, f"TAG={tag}", f"MARKER_PATH={tmp_path / tag}")
        output, _ = run.communicate(timeout=240)
        assert run.returncode == 0, output
    exported = out / "exported"
    assert sorted(p.name for p in exported.iterdir()) == ["model.txt", "only_b.txt"]
    assert (exported / "model.txt").read_text() == "b"
    assert not [
        p.name for p in out.iterdir() if ".old-" in p.name or p.name.startswith(".imgcourse-run-")
    ]
