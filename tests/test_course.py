"""Tests for imgcourse.course (catalogue, parameters) and imgcourse.course.runner (runs,
reports), on small notebooks built with nbformat in a temporary folder."""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from imgcourse import course
from imgcourse.course import runner
from imgcourse.course.catalogue import CourseError
from imgcourse.course.runner import RunResult

PARAMETERS = """\
PROFILE = "default"  # or "full"
SEED = 42
RATE = 0.5
AUGMENT = True
NAME = "shapes"
SIZE = (32, 32)
LAYERS = [16, 32]
DATA_DIR = "data"
REPORT_PATH = ""
STEPS = 2 * 3  # computed: not overridable by type
"""


def _write(folder: Path, name: str, cells: list, seconds: float | None = None) -> Path:
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    if seconds is not None:
        nb.metadata["imgcourse"] = {"default_seconds": seconds}
    path = folder / name
    nbformat.write(nb, path)
    return path


def _params_cell(source: str) -> nbformat.NotebookNode:
    return new_code_cell(source, metadata={"tags": ["parameters"]})


@pytest.fixture
def nb_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "notebooks"
    folder.mkdir()
    _write(
        folder,
        "02_cnn_basics.ipynb",
        [
            new_markdown_cell("# 02 · CNN basics\n\nConvolutions by hand."),
            _params_cell('PROFILE = "default"\nEPOCHS = 3'),
        ],
        seconds=45,
    )
    _write(
        folder,
        "00_welcome.ipynb",
        [
            new_markdown_cell("Some intro text.\n# 00 · Welcome"),
            _params_cell(PARAMETERS),
            new_code_cell("print(SEED)"),
        ],
        seconds=12,
    )
    _write(folder, "01_data_tour.ipynb", [new_code_cell("x = 1")])
    _write(folder, "scratch.ipynb", [new_code_cell("x = 1")])  # not a course notebook
    _write(folder, "3_bad_name.ipynb", [new_code_cell("x = 1")])
    monkeypatch.setenv("IMGCOURSE_NOTEBOOKS", str(folder))
    return folder


# --- finding notebooks ---------------------------------------------------------------------------


def test_notebooks_dir_follows_the_environment(nb_dir):
    assert course.notebooks_dir() == nb_dir


def test_notebooks_dir_missing_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("IMGCOURSE_NOTEBOOKS", str(tmp_path / "nowhere"))
    with pytest.raises(CourseError, match="not found.*IMGCOURSE_NOTEBOOKS"):
        course.list_notebooks()


def test_list_notebooks_order_titles_times_and_parameters(nb_dir):
    notebooks = course.list_notebooks()
    assert [nb.name for nb in notebooks] == ["00_welcome", "01_data_tour", "02_cnn_basics"]
    assert [nb.number for nb in notebooks] == ["00", "01", "02"]
    # the "NN · " prefix of the heading is left out; without a heading, the slug in words
    assert [nb.title for nb in notebooks] == ["Welcome", "data tour", "CNN basics"]
    assert [nb.default_seconds for nb in notebooks] == [12, None, 45]
    assert notebooks[0].path == nb_dir / "00_welcome.ipynb"
    assert notebooks[0].parameters == {
        "PROFILE": "default",
        "SEED": 42,
        "RATE": 0.5,
        "AUGMENT": True,
        "NAME": "shapes",
        "SIZE": (32, 32),
        "LAYERS": [16, 32],
        "DATA_DIR": "data",
        "REPORT_PATH": "",
    }
    assert notebooks[1].parameters == {}
    assert notebooks[2].parameters == {"PROFILE": "default", "EPOCHS": 3}


@pytest.mark.parametrize(
    "name", ["02", "cnn_basics", "02_cnn_basics", "02_cnn_basics.ipynb", "CNN-Basics"]
)
def test_find_notebooks_by_number_slug_or_full_name(nb_dir, name):
    found = course.find_notebooks([name])
    assert [nb.name for nb in found] == ["02_cnn_basics"]


@pytest.mark.parametrize("name", ["cnn", "Basics"])
def test_find_notebooks_by_one_word_of_the_name(nb_dir, name):
    found = course.find_notebooks([name])
    assert [nb.name for nb in found] == ["02_cnn_basics"]


def test_a_word_in_several_names_asks_for_the_number(nb_dir):
    (nb_dir / "03_cnn_more.ipynb").write_text((nb_dir / "02_cnn_basics.ipynb").read_text())
    with pytest.raises(
        CourseError,
        match="'cnn' names several notebooks: 02_cnn_basics, 03_cnn_more. Give the number",
    ):
        course.find_notebooks(["cnn"])


def test_a_lettered_notebook_sits_after_its_number_and_is_found_by_it(nb_dir):
    (nb_dir / "02b_cnn_depth.ipynb").write_text((nb_dir / "02_cnn_basics.ipynb").read_text())
    (nb_dir / "03_more.ipynb").write_text((nb_dir / "02_cnn_basics.ipynb").read_text())
    names = [nb.name for nb in course.list_notebooks()]
    assert names[-3:] == ["02_cnn_basics", "02b_cnn_depth", "03_more"]
    assert [nb.number for nb in course.list_notebooks()][-2] == "02b"
    assert [nb.name for nb in course.find_notebooks(["02b"])] == ["02b_cnn_depth"]
    assert [nb.name for nb in course.find_notebooks(["02"])] == ["02_cnn_basics"]


def test_the_syllabus_names_every_notebook_in_the_course():
    from imgcourse.course.catalogue import SYLLABUS

    planned = [p.number for p in SYLLABUS]
    on_disk = [nb.number for nb in course.list_notebooks(course.notebooks_dir())]
    assert planned == sorted(planned) and set(on_disk) <= set(planned), (planned, on_disk)


def test_find_notebooks_keeps_the_order_asked(nb_dir):
    found = course.find_notebooks(["02", "welcome"])
    assert [nb.name for nb in found] == ["02_cnn_basics", "00_welcome"]


def test_a_misspelt_name_lists_the_notebooks_and_suggests_the_closest(nb_dir):
    with pytest.raises(CourseError) as err:
        course.find_notebooks(["00", "cnn_basic"])
    message = str(err.value)
    assert "no notebook called 'cnn_basic'" in message
    assert "Did you mean 'cnn_basics'?" in message
    assert "The notebooks are: 00_welcome, 01_data_tour, 02_cnn_basics." in message


def test_a_name_like_nothing_lists_the_notebooks_without_a_guess(nb_dir):
    with pytest.raises(CourseError) as err:
        course.find_notebooks(["zzzz"])
    assert "Did you mean" not in str(err.value)
    assert "00_welcome, 01_data_tour, 02_cnn_basics" in str(err.value)


# --- resolve_parameters --------------------------------------------------------------------------


@pytest.fixture
def welcome(nb_dir) -> course.NotebookInfo:
    return course.find_notebooks(["00"])[0]


@pytest.mark.parametrize(
    ("key", "raw", "value"),
    [
        ("SEED", "7", 7),
        ("RATE", "0.25", 0.25),
        ("RATE", "1e-3", 0.001),
        ("AUGMENT", "false", False),
        ("AUGMENT", "Yes", True),
        ("AUGMENT", "0", False),
        ("NAME", "digits", "digits"),
        ("LAYERS", "[8]", [8]),
        ("PROFILE", "full", "full"),
    ],
)
def test_resolve_parameters_coerces_to_the_default_type(welcome, key, raw, value):
    params = course.resolve_parameters(welcome, [(key, raw)])
    assert params == {key: value}
    assert type(params[key]) is type(value)


def test_a_tuple_parameter_is_refused_since_papermill_would_pass_a_string(welcome):
    from papermill.translators import PythonTranslator

    assert PythonTranslator.translate((64, 48)) == '"(64, 48)"'  # why: a string, not a tuple
    with pytest.raises(CourseError, match="SIZE .* tuple, which papermill cannot pass"):
        course.resolve_parameters(welcome, [("SIZE", "(64, 48)")])


@pytest.mark.parametrize(
    ("key", "raw", "wanted"),
    [("SEED", "nan", None), ("RATE", "inf", "finite"), ("NAME", "  ", "is empty")],
)
def test_non_finite_and_empty_values_are_refused(welcome, key, raw, wanted):
    if wanted is None:  # SEED is an int: "nan" is not one
        wanted = "type int"
    with pytest.raises(CourseError, match=wanted):
        course.resolve_parameters(welcome, [(key, raw)])


def test_resolve_parameters_several_and_profile(welcome):
    params = course.resolve_parameters(welcome, [("SEED", "1"), ("RATE", "2")], profile="full")
    assert params == {"PROFILE": "full", "SEED": 1, "RATE": 2.0}
    assert isinstance(params["RATE"], float)
    assert course.resolve_parameters(welcome, []) == {}


def test_unknown_parameter_names_it_and_lists_the_known_ones(welcome):
    with pytest.raises(CourseError) as err:
        course.resolve_parameters(welcome, [("EPOCHS", "3")])
    message = str(err.value)
    assert "00_welcome has no parameter 'EPOCHS'" in message
    assert "AUGMENT, DATA_DIR, LAYERS, NAME, PROFILE, RATE, REPORT_PATH, SEED, SIZE" in message


@pytest.mark.parametrize("key", ["SEEDS", "seed", "RAET"])
def test_a_misspelt_parameter_gets_the_nearest_name(welcome, key):
    with pytest.raises(CourseError) as err:
        course.resolve_parameters(welcome, [(key, "3")])
    expected = "RATE" if key == "RAET" else "SEED"
    assert f"has no parameter {key!r}. Did you mean {expected}?" in str(err.value)


def test_a_computed_default_is_not_a_parameter(welcome):
    with pytest.raises(CourseError, match="no parameter 'STEPS'"):
        course.resolve_parameters(welcome, [("STEPS", "3")])


@pytest.mark.parametrize(
    ("key", "raw", "type_name"),
    [
        ("SEED", "seven", "int"),
        ("SEED", "3.5", "int"),
        ("RATE", "fast", "float"),
        ("AUGMENT", "maybe", "bool"),
        ("SIZE", "[64, 48]", "tuple"),
        ("SIZE", "64 x 48", "tuple"),
        ("LAYERS", "(", "list"),
    ],
)
def test_ill_typed_value_names_the_parameter_and_the_type(welcome, key, raw, type_name):
    with pytest.raises(CourseError) as err:
        course.resolve_parameters(welcome, [(key, raw)])
    message = str(err.value)
    assert f"parameter {key} of 00_welcome must be of type {type_name}" in message
    assert repr(raw) in message


def test_profile_must_be_default_or_full(welcome):
    expected = r"PROFILE must be one of \('default', 'full'\); got 'gpu'"
    with pytest.raises(CourseError, match=expected):
        course.resolve_parameters(welcome, [("PROFILE", "gpu")])
    with pytest.raises(CourseError, match="PROFILE must be one of"):
        course.resolve_parameters(welcome, [], profile="fast")


def test_dir_and_path_values_are_made_absolute(welcome, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    params = course.resolve_parameters(
        welcome, [("DATA_DIR", "my_data"), ("REPORT_PATH", "out/report.txt"), ("NAME", "rel")]
    )
    assert params["DATA_DIR"] == str(tmp_path.resolve() / "my_data")
    assert params["REPORT_PATH"] == str(tmp_path.resolve() / "out" / "report.txt")
    assert params["NAME"] == "rel"  # other strings are left alone
    assert course.resolve_parameters(welcome, [("REPORT_PATH", "")]) == {"REPORT_PATH": ""}


def test_a_home_folder_of_no_such_user_is_refused_by_name(welcome):
    """``~0/data`` made pathlib raise RuntimeError (found by hypothesis with newer versions)."""
    with pytest.raises(CourseError, match="DATA_DIR.*'~0'.*no such user"):
        course.resolve_parameters(welcome, [("DATA_DIR", "~0/data")])
    with pytest.raises(CourseError, match="NUL character"):
        course.resolve_parameters(welcome, [("REPORT_PATH", "a\x00b")])


# --- reports and summaries -----------------------------------------------------------------------


def _executed_notebook(tmp_path: Path) -> Path:
    hidden = new_code_cell(
        "print('HIDDENSOURCEMARKER')", metadata={"tags": ["hide-input"]}, execution_count=1
    )
    hidden.outputs = [new_output("stream", name="stdout", text="HIDDENCELLOUTPUT\n")]
    shown = new_code_cell("print('SHOWNSOURCEMARKER')", execution_count=2)
    shown.outputs = [new_output("stream", name="stdout", text="SHOWNCELLOUTPUT\n")]
    removed = new_code_cell(
        "print('REMOVEDSOURCE')", metadata={"tags": ["remove-cell"]}, execution_count=3
    )
    removed.outputs = [new_output("stream", name="stdout", text="REMOVEDOUTPUT\n")]
    return _write(
        tmp_path,
        "00_report.ipynb",
        [new_markdown_cell("# 00 · Report title"), hidden, shown, removed],
    )


def test_html_report_hides_tagged_inputs_but_keeps_their_outputs(tmp_path):
    executed = _executed_notebook(tmp_path)
    html_path = tmp_path / "out.html"
    assert runner.write_html_report(executed, html_path) == html_path
    html = html_path.read_text(encoding="utf-8")
    assert "Report title" in html
    assert "HIDDENSOURCEMARKER" not in html
    assert "HIDDENCELLOUTPUT" in html
    assert "SHOWNSOURCEMARKER" in html and "SHOWNCELLOUTPUT" in html
    assert "REMOVEDSOURCE" not in html and "REMOVEDOUTPUT" not in html
    assert not list(tmp_path.glob(".out.html.*")), "a temporary file was left behind"


def test_summary_table_flags_a_run_over_the_budget():
    results = [
        RunResult("00_welcome", "ok", 12.34),
        RunResult("02_cnn_basics", "ok", 200.0),
        RunResult("03_augmentation", "failed", 250.0, error="cell 4: ValueError: boom"),
    ]
    lines = runner.summary_table(results, budget=180).splitlines()
    assert lines[0].split() == ["notebook", "status", "time"]
    assert lines[1].split() == ["00_welcome", "ok", "12.3", "s"]
    assert lines[2].endswith("200.0 s  over the 180 s budget")
    assert "over the" not in lines[3] and lines[3].split()[:2] == ["03_augmentation", "failed"]
    assert lines[4].strip() == "cell 4: ValueError: boom"
    assert lines[5].split() == ["total", "462.3", "s"]
    assert "over the" not in runner.summary_table(results, budget=None)


def test_write_summary(tmp_path):
    results = [
        RunResult(
            "00_welcome",
            "ok",
            3.14159,
            executed=tmp_path / "00_welcome.ipynb",
            report=tmp_path / "00_welcome.html",
            parameters={"SEED": 1},
            results={"test_accuracy": 0.9},
            cells=[runner.CellTime(1, 0.01234, "SEED = 1"), runner.CellTime(2, 3.0, "fit()")],
            kernel_seconds=0.61,
            startup_seconds=0.7,
            setup_cell=1,
            peak_mib=512.04,
            runs=[3.1, 3.18318],
            claims=[{"claim": "A beats B", "held": True, "values": {"gain": "0.2"}}],
        )
    ]
    path = runner.write_summary(results, tmp_path)
    rows = json.loads(path.read_text())
    assert rows == [
        {
            "notebook": "00_welcome",
            "status": "ok",
            "seconds": 3.14,
            "executed": "00_welcome.ipynb",
            "report": "00_welcome.html",
            "error": "",
            "parameters": {"SEED": 1},
            "results": {"test_accuracy": 0.9},
            "runs": [3.1, 3.18],
            "kernel_seconds": 0.61,
            "startup_seconds": 0.7,
            "setup_cell": 1,
            "peak_mib": 512.0,
            "claims": [{"claim": "A beats B", "held": True, "values": {"gain": "0.2"}}],
            "claims_held": 1,
            "cells": [
                {"cell": 1, "seconds": 0.012, "first_line": "SEED = 1"},
                {"cell": 2, "seconds": 3.0, "first_line": "fit()"},
            ],
        }
    ]


def test_record_default_time(nb_dir):
    notebook = course.find_notebooks(["01"])[0]
    runner.record_default_time(notebook, 33.6)
    assert course.find_notebooks(["01"])[0].default_seconds == 34


# --- executing notebooks (a real kernel) ---------------------------------------------------------


@pytest.mark.slow
def test_execute_in_place_writes_outputs_and_leaves_the_recorded_time(tmp_path):
    path = _write(
        tmp_path,
        "05_tiny.ipynb",
        [
            new_code_cell("answer = 6 * 7"),
            new_code_cell("import os\nprint(answer, os.getcwd())"),
        ],
        seconds=77,
    )
    notebook = course.read_notebook_info(path)
    seconds = runner.execute_in_place(notebook, timeout=120)
    nb = nbformat.read(path, as_version=4)
    assert nb.cells[0].execution_count == 1
    text = nb.cells[1].outputs[0]["text"]
    assert text.split()[0] == "42"
    assert text.split()[1] == str(tmp_path)  # runs in the notebook's own folder
    assert seconds > 0
    # only `imgcourse run --record-time` records times (the median of runs, idle machine)
    assert nb.metadata["imgcourse"]["default_seconds"] == 77
    assert not path.with_suffix(".ipynb.part").exists()


@pytest.mark.slow
def test_execute_in_place_leaves_the_file_untouched_when_a_cell_fails(tmp_path):
    path = _write(
        tmp_path,
        "05_broken.ipynb",
        [
            new_code_cell("answer = 6 * 7"),
            new_code_cell("raise ValueError('boom')"),
        ],
    )
    before = path.read_bytes()
    notebook = course.read_notebook_info(path)
    with pytest.raises(Exception, match="boom"):
        runner.execute_in_place(notebook, timeout=120)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["05_broken.ipynb"]


@pytest.mark.slow
def test_run_notebook_failure_leaves_the_executed_notebook_and_a_report(tmp_path):
    path = _write(
        tmp_path,
        "06_fails.ipynb",
        [
            new_markdown_cell("# 06 · Fails"),
            _params_cell("SEED = 1"),
            new_code_cell("print('seed is', SEED)"),
            new_code_cell("raise ValueError('deliberate')"),
        ],
    )
    notebook = course.read_notebook_info(path)
    result = runner.run_notebook(notebook, {"SEED": 5}, tmp_path / "out")
    assert result.status == "failed"
    assert "ValueError: deliberate" in result.error
    assert result.executed == tmp_path / "out" / "06_fails.ipynb"
    executed = nbformat.read(result.executed, as_version=4)
    printed = [
        o.get("text", "")
        for c in executed.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
    ]
    assert "seed is 5\n" in printed
    assert result.report is not None and "06 · Fails" in result.report.read_text()


@pytest.mark.slow
def test_run_notebook_gathers_recorded_results_into_the_summary(tmp_path):
    path = _write(
        tmp_path,
        "07_scores.ipynb",
        [
            new_markdown_cell("# 07 · Scores"),
            _params_cell("SCALE = 1.0"),
            new_code_cell("from imgcourse.results import record\nrecord(score=0.25 * SCALE)"),
            new_code_cell("record(images_per_second=1000.0)"),
        ],
    )
    out = tmp_path / "out"
    out.mkdir()
    (out / "07_scores.results.json").write_text('{"stale": 1.0}')  # left by an earlier run
    notebook = course.read_notebook_info(path)
    result = runner.run_notebook(notebook, {"SCALE": 2.0}, out)
    assert result.status == "ok"
    assert result.results == {"score": 0.5, "images_per_second": 1000.0}
    runner.write_summary([result], out)
    rows = json.loads((out / "summary.json").read_text())
    assert rows[0]["results"] == {"score": 0.5, "images_per_second": 1000.0}
    assert "score 0.5  images_per_second 1,000" in runner.summary_table([result])


@pytest.mark.skipif(os.name != "posix", reason="Unix sockets are a POSIX feature")
def test_kernels_use_unix_sockets_in_a_private_folder_that_is_removed():
    with runner._kernel_sockets_config() as config:
        assert config.KernelManager.transport == "ipc"
        folder = Path(config.KernelManager.ip).parent
        assert folder.is_dir() and oct(folder.stat().st_mode)[-3:] == "700"
    assert not folder.exists()


def test_write_notebook_keeps_the_file_mode_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "01_x.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")])
    course.write_notebook(nb, path)
    assert path.stat().st_mode & 0o777 == 0o644  # readable by others, like any file
    path.chmod(0o664)
    course.write_notebook(nb, path)
    assert path.stat().st_mode & 0o777 == 0o664
    assert [p.name for p in tmp_path.iterdir()] == ["01_x.ipynb"]
