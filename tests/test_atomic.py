"""Tests of imgcourse.atomic: whole files and folders or nothing, with the modes a plain
open() or mkdir() gives, and the package's writers built on it."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import nbformat
import numpy as np
import pytest

from imgcourse import atomic, results
from imgcourse.course.catalogue import write_notebook
from imgcourse.data.coco import write_coco
from imgcourse.deploy.label_folder import write_labels
from imgcourse.deploy.video import write_gif


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_umask_is_read_without_changing_it() -> None:
    old = os.umask(0o027)
    try:
        assert atomic.umask() == 0o027
        assert atomic.new_file_mode() == 0o640 and atomic.new_folder_mode() == 0o750
        assert atomic.umask() == 0o027  # unchanged by reading it
    finally:
        os.umask(old)


def test_new_files_and_folders_get_the_umasks_mode(tmp_path: Path, umask_022: None) -> None:
    atomic.write_bytes(tmp_path / "a.bin", b"x")
    atomic.write_text(tmp_path / "sub" / "b.txt", "y")
    with atomic.atomic_path(tmp_path / "c.keras", suffix=".part.keras") as tmp:
        assert tmp.name.endswith(".part.keras") and tmp.parent == tmp_path
        tmp.write_bytes(b"z")
    with atomic.replace_folder(tmp_path / "folder") as staging:
        (staging / "inner.txt").write_text("w")
    assert {p.name: oct(mode(p)) for p in tmp_path.rglob("*")} == {
        "a.bin": "0o644",
        "sub": "0o755",
        "b.txt": "0o644",
        "c.keras": "0o644",
        "folder": "0o755",
        "inner.txt": "0o644",
    }


def test_a_replaced_file_keeps_its_mode(tmp_path: Path, umask_022: None) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("old")
    target.chmod(0o600)
    atomic.write_text(target, "new")
    assert target.read_text() == "new" and mode(target) == 0o600


@pytest.mark.parametrize("error", [OSError("disk full"), KeyboardInterrupt()])
def test_a_failed_write_leaves_the_old_file_and_no_temporary_file(
    tmp_path: Path, error: BaseException
) -> None:
    target = atomic.write_text(tmp_path / "results.json", '{"a": 1}')
    with pytest.raises(type(error)):
        with atomic.atomic_open(target, "w") as handle:
            handle.write('{"a": 2, "half-writ')
            raise error
    assert target.read_text() == '{"a": 1}'
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]


def test_a_failed_rename_leaves_the_old_file_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = atomic.write_bytes(tmp_path / "model.tflite", b"old")

    def broken(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        atomic.write_bytes(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["model.tflite"]


def test_replace_folder_swaps_whole_folders_or_nothing(tmp_path: Path) -> None:
    out = tmp_path / "report"
    with atomic.replace_folder(out) as staging:
        (staging / "one.html").write_text("first")
    with pytest.raises(RuntimeError):
        with atomic.replace_folder(out) as staging:
            (staging / "two.html").write_text("half a report")
            raise RuntimeError("the notebook failed")
    assert [p.name for p in out.iterdir()] == ["one.html"]
    with atomic.replace_folder(out) as staging:
        (staging / "two.html").write_text("second")
    assert [p.name for p in out.iterdir()] == ["two.html"]
    assert [p.name for p in tmp_path.iterdir()] == ["report"]  # no staging, no old copy


def test_atomic_open_refuses_appending(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="mode 'w' or 'wb'"):
        with atomic.atomic_open(tmp_path / "log.txt", "a"):
            pass


def test_the_packages_writers_give_ordinary_modes(
    tmp_path: Path, umask_022: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writers a notebook calls without TensorFlow: a GIF, COCO boxes, class labels, the
    recorded results, a notebook (the TFLite and Keras exports: tests/test_file_modes.py)."""
    write_gif(np.zeros((3, 8, 8, 3), np.uint8), tmp_path / "clip.gif", fps=10)
    write_coco(
        tmp_path / "boxes.json",
        [{"file_name": "a.png", "height": 8, "width": 8}],
        [np.array([[0, 0, 4, 4]])],
        [np.array([0])],
        ["square"],
    )
    write_labels(tmp_path / "labels.txt", ["circle", "square"])
    monkeypatch.setenv(results.ENV_RESULTS, str(tmp_path / "metrics.json"))
    results.record(test_accuracy=0.5)
    results.record(images_per_second=10.0)
    write_notebook(nbformat.v4.new_notebook(), tmp_path / "01_probe.ipynb")
    assert json.loads((tmp_path / "metrics.json").read_text()) == {
        "test_accuracy": 0.5,
        "images_per_second": 10.0,
    }
    modes = {p.name: oct(mode(p)) for p in tmp_path.iterdir()}
    assert modes == dict.fromkeys(
        ["clip.gif", "boxes.json", "labels.txt", "metrics.json", "01_probe.ipynb"], "0o644"
    )


def test_a_failed_record_leaves_the_results_as_they_were(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "metrics.json"
    monkeypatch.setenv(results.ENV_RESULTS, str(path))
    results.record(test_accuracy=0.5)

    def broken(src: object, dst: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(atomic.os, "replace", broken)
    with pytest.raises(OSError, match="disk full"):
        results.record(test_accuracy=0.9)
    assert json.loads(path.read_text()) == {"test_accuracy": 0.5}
    assert [p.name for p in tmp_path.iterdir()] == ["metrics.json"]  # no metrics.json.part


def test_replace_path_puts_a_folder_over_a_folder_and_a_file_over_a_file(tmp_path: Path) -> None:
    old, new = tmp_path / "target", tmp_path / "new"
    old.mkdir()
    (old / "stale.txt").write_text("old")
    new.mkdir()
    (new / "fresh.txt").write_text("new")
    atomic.replace_path(new, old)
    assert [p.name for p in old.iterdir()] == ["fresh.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["target"]  # nothing set aside left
    (tmp_path / "a.txt").write_text("1")
    (tmp_path / "b.txt").write_text("2")
    atomic.replace_path(tmp_path / "b.txt", tmp_path / "a.txt")
    assert (tmp_path / "a.txt").read_text() == "2" and not (tmp_path / "b.txt").exists()
