"""Tests of ``imgcourse report`` (imgcourse.course.report): the checks made before a kernel
starts, and, on a small stand-in for the capstone notebook, the report folder built aside and
renamed into place whole (progress lines, files written by the notebook, failures)."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from imgcourse import cli
from imgcourse.course import CourseError
from imgcourse.course.report import check_data_dir, make_report


def _class_folders(root: Path, classes: dict[str, int]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, count in classes.items():
        folder = root / name
        folder.mkdir(parents=True)
        for i in range(count):
            (folder / f"{i}.png").write_bytes(b"not decoded by the pre-check")
    return root


def test_a_good_folder_passes_and_hidden_folders_are_not_classes(tmp_path):
    data = _class_folders(tmp_path / "data", {"cats": 2, "dogs": 1, ".thumbnails": 0})
    assert check_data_dir(data) == data.resolve()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda root: root / "missing", "does not exist"),
        (lambda root: _class_folders(root / "d", {"only": 3}), "found only 'only'"),
        (lambda root: _class_folders(root / "d", {}), "found none"),
        (lambda root: _class_folders(root / "d", {"a": 2, "empty": 0}), "'empty'"),
    ],
)
def test_folders_that_cannot_train_are_refused_by_name(tmp_path, make, message):
    with pytest.raises(CourseError, match=message):
        check_data_dir(make(tmp_path))


def test_a_file_given_as_data_dir_is_named(tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"x")
    with pytest.raises(CourseError, match="is a file"):
        check_data_dir(path)


def test_text_files_do_not_make_a_class_folder_look_full(tmp_path):
    data = _class_folders(tmp_path / "d", {"a": 1, "b": 0})
    (data / "b" / "notes.txt").write_text("no images here")
    with pytest.raises(CourseError, match="'b'"):
        check_data_dir(data)


def test_the_cli_exits_2_with_the_message_before_any_kernel(tmp_path, capsys):
    data = _class_folders(tmp_path / "d", {"only": 2})
    assert cli.main(["report", str(data), "--out", str(tmp_path / "r")]) == 2
    assert "at least two class sub-folders" in capsys.readouterr().err
    assert not (tmp_path / "r").exists()


# --- a stand-in capstone: writes a model file and metrics.json where the runner says -----------

CELLS = [
    nbformat.v4.new_markdown_cell("# 19 · Stand-in capstone"),
    nbformat.v4.new_code_cell(
        'PROFILE = "default"\nDATA_DIR = ""\nFAIL = False', metadata={"tags": ["parameters"]}
    ),
    nbformat.v4.new_markdown_cell("## 1 · Data check"),
    nbformat.v4.new_code_cell(
        "import json, os\nfrom pathlib import Path\nimport imgcourse.results as results\n"
        "classes = sorted(p.name for p in Path(DATA_DIR).iterdir())\n"
        "if FAIL:\n    raise ValueError('3 of 5 files cannot be read: a.png, b.png, c.png')"
    ),
    nbformat.v4.new_markdown_cell("## 2 · Export"),
    nbformat.v4.new_code_cell(
        "out = results.output_dir()\n"
        "(out / 'model.keras').write_bytes(b'model')\n"
        "(out / 'metrics.json').write_text(json.dumps({'test_accuracy': 0.75, "
        "'classes': classes}))\n"
        "_ = results.record(test_accuracy=0.75)"
    ),
]


@pytest.fixture
def stand_in(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "notebooks"
    folder.mkdir()
    nb = nbformat.v4.new_notebook(cells=CELLS)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, folder / "19_capstone_report.ipynb")
    monkeypatch.setenv("IMGCOURSE_NOTEBOOKS", str(folder))
    return _class_folders(tmp_path / "data", {"cats": 1, "dogs": 1})


@pytest.mark.slow
def test_a_report_folder_holds_the_whole_run_and_replaces_the_last_one(stand_in, tmp_path):
    out = tmp_path / "report"
    sections: list[str] = []
    report = make_report(stand_in, [], out, on_section=sections.append)
    assert report.run.status == "ok", report.run.error
    assert sections == ["1 · Data check", "2 · Export"]
    assert report.folder == out.resolve()
    assert {
        "19_capstone_report.ipynb",
        "19_capstone_report.html",
        "model.keras",
        "metrics.json",
        "19_capstone_report.results.json",
    } <= set(report.files)
    assert report.metrics == {"test_accuracy": 0.75, "classes": ["cats", "dogs"]}
    assert (out / "_report_assets").is_dir()
    assert report.run.report == out.resolve() / "19_capstone_report.html"
    # a failed run replaces the folder too: no model or metrics of the earlier run remain
    failed = make_report(stand_in, [("FAIL", "True")], out)
    assert failed.run.status == "failed"
    assert "3 of 5 files cannot be read" in failed.run.error
    assert "model.keras" not in failed.files and "metrics.json" not in failed.files
    assert "19_capstone_report.html" in failed.files
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".report")]
    assert not leftovers, f"hidden build folders left behind: {leftovers}"


def test_an_unrelated_out_folder_is_never_replaced(stand_in, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("precious")
    with pytest.raises(CourseError, match="holds no earlier report"):
        make_report(stand_in, [], out)
    assert (out / "thesis.tex").read_text() == "precious"


@pytest.mark.slow
def test_the_cli_prints_one_line_per_step_and_the_files(stand_in, tmp_path, capsys):
    assert cli.main(["report", str(stand_in), "--out", str(tmp_path / "r")]) == 0
    printed = capsys.readouterr().out
    assert "  1 · Data check\n  2 · Export\n" in printed
    assert "model.keras" in printed and "test accuracy 75.0%" in printed
    metrics = json.loads((tmp_path / "r" / "metrics.json").read_text())
    assert metrics["classes"] == ["cats", "dogs"]
