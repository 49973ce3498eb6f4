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


# --- claims: a sentence of the text, checked in code ---------------------------------------

from imgcourse.results import (  # noqa: E402
    ENV_CLAIMS,
    ENV_STRICT,
    ClaimError,
    claim,
    read_claims,
    strict_claims,
)


def test_a_claim_that_holds_prints_nothing_in_either_mode(monkeypatch, capsys):
    for flag in ("1", "0"):
        monkeypatch.setenv(ENV_STRICT, flag)
        assert claim("A beats B", 0.9 > 0.8, a=0.9, b=0.8) is None
    assert capsys.readouterr().out == ""


def test_a_false_claim_fails_a_strict_run_naming_its_values(monkeypatch):
    monkeypatch.setenv(ENV_STRICT, "1")
    with pytest.raises(ClaimError, match=r"A beats B \(gain 0.012, spread 0.02\)"):
        claim("A beats B", 0.012 > 2 * 0.02, gain=0.012, spread=0.02)


def test_a_false_claim_in_a_learners_run_prints_a_note(monkeypatch, capsys):
    monkeypatch.setenv(ENV_STRICT, "0")
    claim("A beats B", False, gain=np.float32(0.012), spread=0.02)
    out = capsys.readouterr().out
    assert out.startswith("On this run: 'A beats B' did not hold (gain 0.012, spread 0.02)")
    assert "the text above describes a run where it did" in out


@pytest.mark.parametrize(
    ("strict", "ci", "expected"),
    [
        ("1", None, True),
        ("0", "true", False),
        (None, "true", True),
        (None, None, False),
        (None, "false", False),
        ("", "1", True),
    ],
)
def test_strict_mode_follows_the_variable_then_ci(monkeypatch, strict, ci, expected):
    for name, value in ((ENV_STRICT, strict), ("CI", ci)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    assert strict_claims() is expected


def test_claims_are_logged_for_the_run_summary(tmp_path, monkeypatch, capsys):
    log = tmp_path / "claims.jsonl"
    monkeypatch.setenv(ENV_CLAIMS, str(log))
    monkeypatch.setenv(ENV_STRICT, "0")
    claim("first holds", True, n=3)
    claim("second fails", False, gain=-0.5)
    assert read_claims(log) == [
        {"claim": "first holds", "held": True, "values": {"n": "3"}},
        {"claim": "second fails", "held": False, "values": {"gain": "-0.5"}},
    ]
    assert read_claims(tmp_path / "absent.jsonl") == []


def test_a_claim_on_nan_or_inf_values_prints_its_note(monkeypatch, capsys):
    """A learner's odd data can make a value NaN; the claim still reports, it does not crash."""
    monkeypatch.setenv("IMGCOURSE_STRICT", "0")
    monkeypatch.delenv("IMGCOURSE_CLAIMS", raising=False)
    claim("gap narrows", float("nan") < 0, gap=float("nan"), high=float("inf"))
    out = capsys.readouterr().out
    assert "'gap narrows' did not hold (gap nan, high inf)" in out
