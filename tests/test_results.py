"""imgcourse.results: numbers a notebook hands to its report."""

from __future__ import annotations

import json

import numpy as np
import pytest

from imgcourse.results import ENV_RESULTS, read_results, record


def test_record_without_a_run_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_RESULTS, raising=False)
    monkeypatch.chdir(tmp_path)
    assert record(accuracy=np.float32(0.5)) == {"accuracy": 0.5}
    assert list(tmp_path.iterdir()) == []


def test_record_merges_into_the_run_file(tmp_path, monkeypatch):
    target = tmp_path / "nb.results.json"
    monkeypatch.setenv(ENV_RESULTS, str(target))
    record(accuracy=0.9)
    record(images_per_second=1234, accuracy=0.95)
    assert json.loads(target.read_text()) == {"accuracy": 0.95, "images_per_second": 1234.0}
    assert read_results(target) == {"accuracy": 0.95, "images_per_second": 1234.0}
    assert [p.name for p in tmp_path.iterdir()] == ["nb.results.json"]  # no .part left


@pytest.mark.parametrize("value", [float("nan"), float("inf"), "high", None])
def test_record_refuses_what_is_not_a_finite_number(value, tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_RESULTS, str(tmp_path / "r.json"))
    with pytest.raises(ValueError, match="score"):
        record(score=value)
    assert not (tmp_path / "r.json").exists()


def test_read_results_of_a_notebook_that_recorded_nothing(tmp_path):
    assert read_results(tmp_path / "missing.json") == {}
