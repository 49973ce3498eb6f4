"""imgcourse run --seeds: seed ranges, the per-seed table, strict runs."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from imgcourse.course.catalogue import CourseError, NotebookInfo
from imgcourse.course.runner import RunResult, claims_report
from imgcourse.course.seeds import parse_seeds, run_over_seeds, seed_table, verdict


@pytest.mark.parametrize(
    ("text", "seeds"),
    [("42-46", [42, 43, 44, 45, 46]), ("7", [7]), ("1,5, 9", [1, 5, 9]), ("1,3-4,3", [1, 3, 4])],
)
def test_parse_seeds(text, seeds):
    assert parse_seeds(text) == seeds


@pytest.mark.parametrize("text", ["46-42", "forty", "1-", ""])
def test_parse_seeds_refuses_what_is_not_a_seed(text):
    with pytest.raises(CourseError, match="--seeds"):
        parse_seeds(text)


def _result(status="ok", claims=(), error=""):
    return RunResult("02_cnn_basics", status, 10.0, error=error, claims=list(claims))


HELD = {"claim": "A beats B", "held": True, "values": {"gain": "0.2"}}
FAILED = {"claim": "C beats D", "held": False, "values": {"gain": "-0.1", "spread": "0.05"}}


def test_seed_table_counts_runs_and_claims_and_lists_failures():
    runs = {
        "02_cnn_basics": {
            42: _result(claims=[HELD, HELD]),
            43: _result("failed", [HELD, FAILED], "cell 25: ClaimError: claim did not hold"),
        }
    }
    table = seed_table(runs)
    assert "ok 2/2" in table and "FAILED 1/2" in table
    assert "02_cnn_basics, seed 43: cell 25: ClaimError" in table
    assert table.endswith("1 of 2 runs passed strictly")
    assert verdict(runs["02_cnn_basics"][42]) == "ok, 2/2 claims"
    report = claims_report(list(runs["02_cnn_basics"].values()))
    assert report.splitlines()[0] == "claims: 3 of 4 held"
    assert "did not hold in 02_cnn_basics: C beats D (gain -0.1, spread 0.05)" in report


def test_a_notebook_without_seed_is_refused(tmp_path: Path):
    nb = NotebookInfo("99", "x", tmp_path / "99_x.ipynb", "x", None, parameters={"EPOCHS": 2})
    with pytest.raises(CourseError, match="no SEED parameter"):
        run_over_seeds(nb, {}, [1, 2], tmp_path)


@pytest.mark.slow
def test_seeds_run_strictly_and_record_claims(tmp_path: Path):
    """A tiny notebook with a claim that holds only for even seeds: strict runs fail on 43."""
    from imgcourse.course.catalogue import read_notebook_info

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    params = nbformat.v4.new_code_cell("SEED = 42")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# 99 · Seeds"),
        params,
        nbformat.v4.new_code_cell(
            "from imgcourse.results import claim\n"
            "claim('the seed is even', SEED % 2 == 0, seed=SEED)\n"
            "claim('always true', True)"
        ),
    ]
    path = tmp_path / "99_seeds.ipynb"
    nbformat.write(nb, path)
    info = read_notebook_info(path)
    runs = run_over_seeds(info, {}, [42, 43], tmp_path / "out", say=lambda line: None)
    assert runs[42].status == "ok" and len(runs[42].claims) == 2
    assert runs[43].status == "failed" and "the seed is even" in runs[43].error
    assert [c["held"] for c in runs[43].claims] == [False]  # the run stopped at the claim
    assert (tmp_path / "out" / "seed-43" / "99_seeds.claims.jsonl").exists()
