"""Tests for where a run's time goes (per-cell times and the start-up share from papermill's
metadata), the kernel's peak memory, recording default-profile times on an idle machine (the
load check, the median of runs, the metadata), and ``imgcourse run --record-time``. All fast
and without kernels, except one run of a tiny notebook (marked slow)."""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from imgcourse import cli, course
from imgcourse.course import runner
from imgcourse.course.catalogue import CourseError
from imgcourse.course.runner import CellTime, MachineLoad, RunResult

T0 = datetime(2026, 5, 1, 12, 0, 0, tzinfo=timezone.utc)

SETUP = """\
try:
    import imgcourse
except ImportError:  # a hosted notebook service (Colab) without the package
    %pip install -q "imgcourse @ git+https://github.com/imgcourse/imgcourse"
    import imgcourse
info = imgcourse.setup(seed=SEED)"""


def _timed(cell, start: float | None, seconds: float | None):
    """Give a cell papermill's metadata: started ``start`` s after T0, ran ``seconds``."""
    meta = {"status": "pending", "start_time": None, "end_time": None, "duration": None}
    if start is not None:
        meta["start_time"] = (T0 + timedelta(seconds=start)).isoformat()
        meta["status"] = "running"
    if seconds is not None:
        meta["end_time"] = (T0 + timedelta(seconds=start + seconds)).isoformat()
        meta["duration"] = seconds
        meta["status"] = "completed"
    cell.metadata["papermill"] = meta
    return cell


def _executed() -> nbformat.NotebookNode:
    """A notebook as papermill leaves it: injected parameters, a set-up cell, a cell that
    failed and one that never ran."""
    return new_notebook(
        cells=[
            _timed(new_markdown_cell("# 03 · Timed"), 1.5, 0.0),
            _timed(
                new_code_cell('PROFILE = "default"', metadata={"tags": ["parameters"]}), 1.5, 0.1
            ),
            _timed(
                new_code_cell("EPOCHS = 1", metadata={"tags": ["injected-parameters"]}), 1.6, 0.1
            ),
            _timed(new_code_cell(SETUP), 1.7, 4.3),
            _timed(new_code_cell("\n\nimport keras"), 6.0, 0.2),
            _timed(new_markdown_cell("## Training"), 6.2, 0.0),
            _timed(new_code_cell("history = fit(model, train)  # images/s"), 6.2, 20.0),
            _timed(new_code_cell("# Exercise 1: a residual block\nblock = 1"), 26.2, 3.0),
            _timed(new_code_cell("raise ValueError('boom')"), 29.2, 0.5),
            _timed(new_code_cell("print('never ran')"), None, None),
        ]
    )


def test_cell_times_number_the_source_notebooks_code_cells():
    cells = runner.cell_times(_executed())
    assert [(c.cell, c.seconds, c.first_line) for c in cells] == [
        (1, 0.1, 'PROFILE = "default"'),
        (None, 0.1, "EPOCHS = 1"),
        (2, 4.3, "try: import imgcourse"),
        (3, 0.2, "import keras"),
        (4, 20.0, "history = fit(model, train)  # images/s"),
        (5, 3.0, "# Exercise 1: a residual block"),
        (6, 0.5, "raise ValueError('boom')"),
    ]
    assert [c.label for c in cells[:3]] == ["In [1]", "injected", "In [2]"]


def test_startup_runs_from_the_runs_start_to_the_end_of_the_setup_cell():
    started = T0 + timedelta(seconds=0.3)
    kernel, startup, cell = runner.startup_times(_executed(), started)
    assert kernel == pytest.approx(1.2)  # until the first cell (a markdown one) started
    assert startup == pytest.approx(5.7)  # 1.7 + 4.3 - 0.3
    assert cell == 2


def test_without_imgcourse_setup_the_first_cell_after_the_parameters_is_the_setup_cell():
    nb = new_notebook(
        cells=[
            _timed(new_code_cell("SEED = 1", metadata={"tags": ["parameters"]}), 0.5, 0.1),
            _timed(
                new_code_cell("EPOCHS = 1", metadata={"tags": ["injected-parameters"]}), 0.6, 0.1
            ),
            _timed(new_code_cell("import numpy as np"), 0.7, 0.3),
            _timed(new_code_cell("x = np.ones(3)"), 1.0, 0.1),
        ]
    )
    assert runner.startup_times(nb, T0) == pytest.approx((0.5, 1.0, 2))


def test_startup_is_unknown_when_the_run_failed_before_the_setup_cell_ended():
    nb = new_notebook(
        cells=[_timed(new_code_cell("SEED = 1"), 0.5, 0.1), _timed(new_code_cell(SETUP), 0.6, None)]
    )
    kernel, startup, cell = runner.startup_times(nb, T0)
    assert (kernel, startup, cell) == (pytest.approx(0.5), None, 2)


def _result(**kw) -> RunResult:
    base = dict(
        notebook="03_timed",
        status="ok",
        seconds=40.0,
        cells=[
            CellTime(1, 0.1, 'PROFILE = "default"'),
            CellTime(2, 6.0, "try: import imgcourse"),
            CellTime(3, 20.0, "history = fit(model, train)"),
            CellTime(4, 3.0, "# Exercise 1: a residual block"),
            CellTime(5, 9.0, "fig = viz.grid(images)"),
        ],
        kernel_seconds=1.2,
        startup_seconds=8.0,
        setup_cell=2,
        peak_mib=1234.4,
    )
    base.update(kw)
    return RunResult(**base)


def test_breakdown_lines_show_the_startup_share_the_slowest_cells_and_the_peak():
    assert runner.breakdown_lines(_result()) == [
        "start-up 8.0 s (20%): kernel 1.2 s, then imports and set-up to the end of In [2]",
        "slowest cells (of 5):",
        "  In [3]    20.0 s   50%  history = fit(model, train)",
        "  In [5]     9.0 s   22%  fig = viz.grid(images)",
        "  In [2]     6.0 s   15%  try: import imgcourse",
        "peak memory 1,234 MiB",
    ]
    assert runner.breakdown_lines(RunResult("00_x", "failed", 1.0)) == []


def test_combine_runs_takes_medians_per_cell_and_the_highest_peak():
    first = _result(seconds=40.0, peak_mib=1000.0, startup_seconds=8.0)
    second = _result(
        seconds=44.0,
        peak_mib=1100.0,
        startup_seconds=9.0,
        cells=[CellTime(c.cell, c.seconds + 2, c.first_line) for c in first.cells],
    )
    combined = runner.combine_runs([first, second])
    assert combined.seconds == 42.0 and combined.runs == [40.0, 44.0]
    assert combined.startup_seconds == 8.5 and combined.peak_mib == 1100.0
    assert [c.seconds for c in combined.cells] == [1.1, 7.0, 21.0, 4.0, 10.0]
    assert combined.status == "ok"
    assert runner.breakdown_lines(combined)[-1] == "median of 2 runs (40.0, 44.0 s)"


def test_combine_runs_keeps_the_claims_of_the_last_run():
    held = {"claim": "A beats B", "held": True, "values": {"gain": 0.1}}
    failed = {"claim": "C beats D", "held": False, "values": {"gain": -0.1}}
    combined = runner.combine_runs([_result(claims=[held]), _result(claims=[held, failed])])
    assert combined.claims == [held, failed]
    assert combined.claims_failed == [failed]
    assert "claims: 1 of 2 held" in runner.claims_report([combined])


# --- the load check ------------------------------------------------------------------------------


IDLE = MachineLoad(cores=2, load1=0.1, cpu_busy=0.03)
BUSY_NOW = MachineLoad(cores=2, load1=0.2, cpu_busy=0.6)
BUSY_LAST_MINUTE = MachineLoad(cores=2, load1=1.3, cpu_busy=0.05)


@pytest.fixture
def no_recent_run(monkeypatch):
    monkeypatch.setattr(runner, "_last_run_end", None)


def test_busy_reason_reads_the_cpu_sample_and_the_load_average(no_recent_run):
    assert runner.busy_reason(IDLE) is None
    assert runner.busy_reason(BUSY_NOW) == "60% of the CPU busy just now (limit 25%)"
    assert runner.busy_reason(BUSY_LAST_MINUTE) == (
        "load average 1.30 for the last minute (limit 0.50 on 2 cores)"
    )
    # right after our own run the load average still holds it: only the sample counts
    assert runner.busy_reason(BUSY_LAST_MINUTE, ran_recently=True) is None
    assert runner.busy_reason(MachineLoad(16, 3.9, 0.2)) is None  # 0.25 of 16 cores is 4


def test_check_idle_warns_and_goes_on_with_force(no_recent_run):
    said = []
    load = runner.check_idle(force=True, say=said.append, sample=lambda: BUSY_NOW)
    assert load is BUSY_NOW
    assert said == [
        "warning: the machine is busy [60% of the CPU busy just now (limit 25%)]; recording "
        "anyway (--force): the time may come out too long"
    ]


def test_check_idle_refuses_a_machine_that_stays_busy(no_recent_run):
    said, slept = [], []
    with pytest.raises(CourseError, match=r"machine is busy \[load average 1\.30.*--force"):
        runner.check_idle(
            say=said.append,
            sample=lambda: BUSY_LAST_MINUTE,
            sleep=slept.append,
            wait_seconds=12,
            poll_seconds=5,
        )
    assert slept == [5, 5]
    assert len(said) == 1 and "waiting up to 12 s" in said[0]


def test_check_idle_waits_for_a_machine_that_settles(no_recent_run):
    readings = iter([BUSY_NOW, BUSY_NOW, IDLE])
    slept = []
    load = runner.check_idle(say=lambda _: None, sample=lambda: next(readings), sleep=slept.append)
    assert load is IDLE and slept == [5.0, 5.0]


def test_check_idle_ignores_the_load_average_after_our_own_run(monkeypatch):
    monkeypatch.setattr(runner, "_last_run_end", runner.time.monotonic())
    assert runner.check_idle(sample=lambda: BUSY_LAST_MINUTE, wait_seconds=0) is BUSY_LAST_MINUTE


def test_check_idle_goes_on_where_no_load_can_be_read(no_recent_run):
    said = []
    blind = MachineLoad(cores=4, load1=None, cpu_busy=None)
    assert runner.check_idle(say=said.append, sample=lambda: blind) is blind
    assert said == ["warning: cannot read this machine's load; make sure nothing else runs"]


def test_machine_load_reads_this_machine():
    load = runner.machine_load(sample_seconds=0.05)
    assert load.cores >= 1
    if hasattr(os, "getloadavg"):
        assert load.load1 is not None and load.load1 >= 0
    assert load.cpu_busy is None or 0 <= load.cpu_busy <= 1
    assert "cores" in load.describe()


# --- the kernel's memory ----------------------------------------------------------------------


def test_kernel_watch_measures_a_living_process():
    watch = runner.KernelWatch(interval=0.01)
    watch.start(os.getpid())
    block = bytearray(64 * 2**20)  # 64 MiB, touched
    block[::4096] = b"x" * len(block[::4096])
    peak = watch.stop()
    del block
    if sys.platform.startswith("linux") or sys.platform == "win32":
        assert peak is not None and peak >= 64
    assert watch.peak_mib == peak


def test_kernel_watch_without_a_kernel_gives_no_peak():
    watch = runner.KernelWatch()
    watch.start(None)
    assert watch.stop() is None


def test_kernel_pid_from_a_provisioner_or_a_popen():
    class Provisioner:
        pid = 4321

    class Manager:
        provisioner = Provisioner()

    class Popen:
        pid = 99

    class OldManager:
        provisioner = None
        kernel = Popen()

    assert runner._kernel_pid(Manager()) == 4321
    assert runner._kernel_pid(OldManager()) == 99
    assert runner._kernel_pid(object()) is None


def test_high_water_mark_of_a_missing_process_is_none():
    assert runner._high_water_mark(2**22 + 12345) is None


# --- recording ----------------------------------------------------------------------------------


@pytest.fixture
def nb_dir(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "notebooks"
    folder.mkdir()
    nb = new_notebook(
        cells=[
            new_markdown_cell("# 03 · Timed"),
            new_code_cell('PROFILE = "default"\nSEED = 42', metadata={"tags": ["parameters"]}),
        ]
    )
    nb.metadata["imgcourse"] = {"default_seconds": 97, "other": "kept"}
    nbformat.write(nb, folder / "03_timed.ipynb")
    monkeypatch.setenv("IMGCOURSE_NOTEBOOKS", str(folder))
    return folder


def test_record_default_time_stores_peak_startup_and_slowest_cells(nb_dir):
    notebook = course.find_notebooks(["03"])[0]
    runner.record_default_time(notebook, runner.combine_runs([_result(), _result(seconds=42.6)]))
    meta = nbformat.read(notebook.path, as_version=4).metadata["imgcourse"]
    assert meta == {
        "other": "kept",
        "default_seconds": 41,
        "default_runs_seconds": [40.0, 42.6],
        "default_startup_seconds": 8.0,
        "default_peak_mib": 1234,
        "default_slowest_cells": [
            {"cell": 3, "seconds": 20.0, "first_line": "history = fit(model, train)"},
            {"cell": 5, "seconds": 9.0, "first_line": "fig = viz.grid(images)"},
            {"cell": 2, "seconds": 6.0, "first_line": "try: import imgcourse"},
        ],
    }
    info = course.find_notebooks(["03"])[0]
    assert (info.default_seconds, info.default_peak_mib) == (41, 1234)
    assert info.default_slowest_cells[0]["cell"] == 3
    # a bare number replaces the time and drops what it does not measure
    runner.record_default_time(notebook, 12.4)
    meta = nbformat.read(notebook.path, as_version=4).metadata["imgcourse"]
    assert meta == {"other": "kept", "default_seconds": 12}


def _fake_runs(monkeypatch, seconds):
    calls = []
    times = iter(seconds)

    def fake_run(notebook, parameters, out_dir, *, kernel_name=None, progress=False, strict=None):
        calls.append(parameters)
        out_dir.mkdir(parents=True, exist_ok=True)
        return _result(notebook=notebook.name, seconds=next(times), parameters=parameters)

    monkeypatch.setattr(runner, "run_notebook", fake_run)
    return calls


def test_run_record_time_records_the_median_of_two_runs(nb_dir, tmp_path, monkeypatch, capsys):
    calls = _fake_runs(monkeypatch, [40.0, 43.0])
    loads = []
    monkeypatch.setattr(runner, "machine_load", lambda: loads.append(1) or IDLE)
    out = tmp_path / "reports"
    assert cli.main(["run", "03", "--record-time", "--out", str(out)]) == 0
    assert calls == [{}, {}] and len(loads) == 2  # the load is checked before each run
    printed = capsys.readouterr().out
    assert "  run 1 of 2: ok in 40.0 s\n  run 2 of 2: ok in 43.0 s\n" in printed
    assert "  start-up 8.0 s (19%): kernel 1.2 s, then imports and set-up to the end of" in printed
    assert "    In [3]    20.0 s   48%  history = fit(model, train)\n" in printed
    assert "  peak memory 1,234 MiB\n  median of 2 runs (40.0, 43.0 s)\n" in printed
    info = course.find_notebooks(["03"])[0]
    assert (info.default_seconds, info.default_peak_mib) == (42, 1234)  # 41.5 rounds to 42
    rows = json.loads((out / "summary.json").read_text())
    assert rows[0]["runs"] == [40.0, 43.0] and rows[0]["seconds"] == 41.5
    assert rows[0]["cells"][2] == {
        "cell": 3,
        "seconds": 20.0,
        "first_line": "history = fit(model, train)",
    }
    assert cli.main(["list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert listed[1].split()[:6] == ["03", "03_timed", "42", "s", "1,234", "MiB"]


def test_run_record_time_refuses_a_busy_machine_before_any_kernel(
    nb_dir, tmp_path, monkeypatch, capsys, no_recent_run
):
    calls = _fake_runs(monkeypatch, [40.0])
    monkeypatch.setattr(runner, "machine_load", lambda: BUSY_NOW)
    monkeypatch.setattr(runner, "IDLE_WAIT_SECONDS", 0)
    code = cli.main(["run", "03", "--record-time", "--out", str(tmp_path / "r")])
    assert code == 2 and calls == []
    assert "machine is busy" in capsys.readouterr().err
    assert course.find_notebooks(["03"])[0].default_seconds == 97  # untouched


def test_run_record_time_with_force_records_on_a_busy_machine(
    nb_dir, tmp_path, monkeypatch, capsys, no_recent_run
):
    _fake_runs(monkeypatch, [50.0, 52.0])
    monkeypatch.setattr(runner, "machine_load", lambda: BUSY_NOW)
    assert cli.main(["run", "03", "--record-time", "--force", "--out", str(tmp_path / "r")]) == 0
    assert capsys.readouterr().out.count("warning: the machine is busy") == 2
    assert course.find_notebooks(["03"])[0].default_seconds == 51


def test_run_record_time_refuses_overrides(nb_dir, tmp_path, monkeypatch, capsys):
    calls = _fake_runs(monkeypatch, [])
    code = cli.main(["run", "03", "--record-time", "-p", "SEED", "1", "--out", str(tmp_path)])
    assert code == 2 and calls == []
    assert "default-profile times" in capsys.readouterr().err


# --- one real run --------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_run_keeps_cell_times_the_startup_and_the_kernels_peak_memory(tmp_path):
    path = tmp_path / "04_tiny.ipynb"
    nb = new_notebook(
        cells=[
            new_markdown_cell("# 04 · Tiny"),
            new_code_cell("SEED = 1", metadata={"tags": ["parameters"]}),
            new_code_cell("import time\n\nimport numpy as np"),
            new_code_cell("block = np.ones(200 * 2**20 // 8)  # 200 MiB\ndel block"),
            new_code_cell("time.sleep(1.5)"),
        ]
    )
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    result = runner.run_notebook(course.read_notebook_info(path), {"SEED": 2}, tmp_path / "out")
    assert result.status == "ok", result.error
    assert [(c.cell, c.first_line) for c in result.cells] == [
        (1, "SEED = 1"),
        (None, "# Parameters"),
        (2, "import time"),
        (3, "block = np.ones(200 * 2**20 // 8)  # 200 MiB"),
        (4, "time.sleep(1.5)"),
    ]
    assert any(c.cell == 4 and c.seconds >= 1.5 for c in result.slowest(2))
    assert 0 < result.kernel_seconds < result.startup_seconds < result.seconds
    assert result.setup_cell == 2
    if sys.platform.startswith("linux"):
        assert result.peak_mib is not None and result.peak_mib >= 200
    runner.write_summary([result], tmp_path / "out")
    row = json.loads((tmp_path / "out" / "summary.json").read_text())[0]
    assert [c["cell"] for c in row["cells"]] == [1, None, 2, 3, 4]
    assert row["peak_mib"] == round(result.peak_mib, 1)
