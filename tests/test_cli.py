"""Tests for the imgcourse command line: in-process where possible, and one real run of
notebook 00 through ``python -m imgcourse`` in a subprocess."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from imgcourse import cli, course
from imgcourse.course import runner

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO / "notebooks"


@pytest.fixture
def nb_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two small notebooks, and IMGCOURSE_NOTEBOOKS pointing at them."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    for name, title, params, seconds in [
        ("00_welcome.ipynb", "00 · Welcome", 'PROFILE = "default"\nSEED = 42', 10),
        ("02_cnn_basics.ipynb", "02 · CNN basics", 'PROFILE = "default"\nEPOCHS = 3', None),
    ]:
        nb = new_notebook(
            cells=[
                new_markdown_cell(f"# {title}"),
                new_code_cell(params, metadata={"tags": ["parameters"]}),
            ]
        )
        if seconds is not None:
            nb.metadata["imgcourse"] = {"default_seconds": seconds}
        nbformat.write(nb, folder / name)
    monkeypatch.setenv("IMGCOURSE_NOTEBOOKS", str(folder))
    return folder


@pytest.fixture
def no_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if any notebook would be run."""

    def refuse(*args, **kwargs):
        pytest.fail("a kernel was started before the arguments were checked")

    monkeypatch.setattr(runner, "run_notebook", refuse)


def test_list_prints_every_notebook_with_its_time_and_title(nb_dir, capsys):
    assert cli.main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split()[:6] == ["#", "notebook", "default", "run", "peak", "memory"]
    assert lines[1].split() == ["00", "00_welcome", "10", "s", "-", "Welcome"]
    assert lines[2].split() == ["02", "02_cnn_basics", "-", "-", "CNN", "basics"]
    assert lines[3].split() == ["total", "10", "s", "(limit", "1,200", "s)"]
    assert len(lines) == 4


def test_list_the_real_notebooks(monkeypatch, capsys):
    monkeypatch.delenv("IMGCOURSE_NOTEBOOKS", raising=False)
    assert cli.main(["list"]) == 0
    out = capsys.readouterr().out
    real = sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]*_*.ipynb"))
    assert real and all(name in out for name in real)


def test_list_without_a_notebooks_folder_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("IMGCOURSE_NOTEBOOKS", str(tmp_path / "missing"))
    assert cli.main(["list"]) == 2
    assert "IMGCOURSE_NOTEBOOKS" in capsys.readouterr().err


def test_run_a_misspelt_name_exits_2_and_lists_the_notebooks(nb_dir, no_kernel, capsys):
    assert cli.main(["run", "cnn_basic"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("imgcourse: error: no notebook called 'cnn_basic'.")
    assert "Did you mean 'cnn_basics'?" in captured.err
    assert "00_welcome, 02_cnn_basics" in captured.err


def test_run_a_misspelt_real_notebook_lists_the_real_ones(monkeypatch, no_kernel, capsys):
    monkeypatch.delenv("IMGCOURSE_NOTEBOOKS", raising=False)
    assert cli.main(["run", "welcom"]) == 2
    err = capsys.readouterr().err
    assert "no notebook called 'welcom'. Did you mean 'welcome'?" in err
    real = sorted(p.stem for p in NOTEBOOKS.glob("[0-9][0-9]*_*.ipynb"))
    assert f"The notebooks are: {', '.join(real)}." in err


def test_run_nothing_named_exits_2(nb_dir, no_kernel, capsys):
    assert cli.main(["run"]) == 2
    assert "name one or more notebooks, or pass --all" in capsys.readouterr().err


def test_run_an_unknown_parameter_exits_2_before_any_kernel(nb_dir, no_kernel, tmp_path, capsys):
    out = tmp_path / "reports"
    assert cli.main(["run", "00", "-p", "EPOCHS", "5", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "00_welcome has no parameter 'EPOCHS'" in err and "PROFILE, SEED" in err
    assert not out.exists()


def test_run_an_ill_typed_parameter_exits_2_before_any_kernel(nb_dir, no_kernel, tmp_path, capsys):
    out = tmp_path / "reports"
    assert cli.main(["run", "00", "-p", "SEED", "abc", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "parameter SEED of 00_welcome must be of type int" in err and "'abc'" in err
    assert not out.exists()


def test_run_all_checks_every_notebook_before_the_first_runs(nb_dir, no_kernel, capsys):
    # SEED exists in 00 but not in 02: nothing may run, not even 00
    assert cli.main(["run", "--all", "-p", "SEED", "1"]) == 2
    assert "02_cnn_basics has no parameter 'SEED'" in capsys.readouterr().err


def test_run_an_unknown_profile_is_an_argparse_error(nb_dir, no_kernel, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["run", "00", "--profile", "gpu"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'gpu'" in capsys.readouterr().err


def test_run_passes_typed_parameters_and_writes_the_summary(nb_dir, tmp_path, monkeypatch, capsys):
    calls = []

    def fake_run(notebook, parameters, out_dir, *, kernel_name=None, progress=False, strict=None):
        calls.append((notebook.name, parameters, out_dir, kernel_name))
        out_dir.mkdir(parents=True, exist_ok=True)
        return runner.RunResult(notebook.name, "ok", 1.5, parameters=parameters)

    monkeypatch.setattr(runner, "run_notebook", fake_run)
    out = tmp_path / "reports"
    code = cli.main(
        ["run", "00", "02", "-p", "PROFILE", "default", "--profile", "full", "--out", str(out)]
    )
    assert code == 0
    assert calls == [
        ("00_welcome", {"PROFILE": "default"}, out.resolve(), None),
        ("02_cnn_basics", {"PROFILE": "default"}, out.resolve(), None),
    ]
    rows = json.loads((out / "summary.json").read_text())
    assert [(r["notebook"], r["status"]) for r in rows] == [
        ("00_welcome", "ok"),
        ("02_cnn_basics", "ok"),
    ]
    printed = capsys.readouterr().out
    assert re.search(r"^00_welcome\s+ok\s+1\.5 s$", printed, re.M)
    assert re.search(r"^total\s+3\.0 s$", printed, re.M)


def test_run_exits_1_when_a_notebook_fails(nb_dir, tmp_path, monkeypatch, capsys):
    def fake_run(notebook, parameters, out_dir, *, kernel_name=None, progress=False, strict=None):
        out_dir.mkdir(parents=True, exist_ok=True)
        return runner.RunResult(notebook.name, "failed", 0.5, error="cell 3: ValueError: x")

    monkeypatch.setattr(runner, "run_notebook", fake_run)
    assert cli.main(["run", "00", "--out", str(tmp_path / "r")]) == 1
    assert "cell 3: ValueError: x" in capsys.readouterr().out


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "IMGCOURSE_NOTEBOOKS"}
    env.update(extra)
    return env


def _running_cell(out: Path) -> str:
    """The source of the cell papermill marked as running in a partly executed notebook."""
    try:
        nb = nbformat.read(out / "00_welcome.ipynb", as_version=4)
    except (OSError, ValueError) as exc:
        return f"(no executed notebook: {exc})"
    running = [
        c.source for c in nb.cells if c.metadata.get("papermill", {}).get("status") == "running"
    ]
    return running[0][:300] if running else "(none)"


@pytest.mark.slow
def test_run_the_real_welcome_notebook_end_to_end(tmp_path):
    out = tmp_path / "reports"
    try:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "imgcourse",
                "run",
                "00",
                "-p",
                "NUM_SHAPES",
                "16",
                "--out",
                str(out),
            ],
            capture_output=True,
            text=True,
            timeout=180,
            cwd=tmp_path,
            env=_env(),
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"imgcourse run 00 hung; the cell it was running: {_running_cell(out)}")
    assert done.returncode == 0, done.stdout + done.stderr

    executed = nbformat.read(out / "00_welcome.ipynb", as_version=4)
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1
    assert re.search(r"^NUM_SHAPES = 16$", injected[0].source, re.M)
    printed = "".join(
        o.get("text", "")
        for c in executed.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        if o.get("output_type") == "stream"
    )
    assert re.search(r"^16 scenes of", printed, re.M)
    assert not re.search(r"^48 scenes of", printed, re.M)

    html = (out / "00_welcome.html").read_text(encoding="utf-8")
    title = course.read_notebook_info(NOTEBOOKS / "00_welcome.ipynb").title
    assert "Welcome: how this course works" in title and title in html

    rows = json.loads((out / "summary.json").read_text())
    assert [(r["notebook"], r["status"]) for r in rows] == [("00_welcome", "ok")]
    assert rows[0]["parameters"] == {"NUM_SHAPES": 16}
    assert rows[0]["seconds"] > 0

    assert re.search(r"^00_welcome\s+ok\s+\d+\.\d s", done.stdout, re.M), done.stdout
    assert re.search(r"^total\s+\d+\.\d s", done.stdout, re.M)
    # the real notebook is not modified by a run
    assert NOTEBOOKS.joinpath("00_welcome.ipynb").stat().st_mtime < out.stat().st_mtime


@pytest.mark.slow
def test_doctor_prints_the_cache_folder_and_the_datasets(tmp_path):
    from imgcourse.data.registry import list_datasets

    cache = tmp_path / "cache"
    done = subprocess.run(
        [sys.executable, "-m", "imgcourse", "doctor"],
        capture_output=True,
        text=True,
        timeout=120,
        env=_env(IMGCOURSE_CACHE=str(cache)),
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert re.search(rf"^cache:\s+{re.escape(str(cache))} ", out, re.M)
    names = list_datasets(tier="full")
    assert names
    for name in names:
        assert re.search(rf"^\s+{name}\s+not downloaded$", out, re.M), name
    assert re.search(r"^\s+keras\s+\d+\.\d+", out, re.M)
    assert "precision: " in out and "device: " in out
