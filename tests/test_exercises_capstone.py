"""Tests for imgcourse.exercises.capstone (notebook 19)."""

from __future__ import annotations

import numpy as np

from imgcourse.exercises import capstone as checks


def _out(capsys) -> str:
    """What a check printed, with its line wrapping undone."""
    return " ".join(capsys.readouterr().out.split())


def test_loaded_count_accepts_the_right_number(capsys):
    assert checks.check_loaded_count(192, loaded=192, readable=196, copies=4)
    assert "Correct" in _out(capsys)


def test_loaded_count_explains_wrong_numbers(capsys):
    assert not checks.check_loaded_count(196, loaded=192, readable=196, copies=4)
    assert "first file of each group" in _out(capsys)
    assert not checks.check_loaded_count(190, loaded=192, readable=196, copies=4)
    assert "do not subtract them again" in _out(capsys)
    assert not checks.check_loaded_count(194, loaded=192, readable=196, copies=4)
    assert "copies" in _out(capsys)
    assert not checks.check_loaded_count("many", loaded=192, readable=196, copies=4)
    assert "whole number" in _out(capsys)


def _most_confused(cm):
    off = np.array(cm)
    np.fill_diagonal(off, -1)
    i, j = np.unravel_index(np.argmax(off), off.shape)
    return int(i), int(j)


def test_reference_most_confused_matches_a_loop():
    rng = np.random.default_rng(0)
    for _ in range(20):
        cm = rng.integers(0, 20, (4, 4))
        best, where = -1, None
        for i in range(4):
            for j in range(4):
                if i != j and cm[i, j] > best:
                    best, where = cm[i, j], (i, j)
        assert checks.reference_most_confused(cm) == where


def test_most_confused_accepts_a_right_function(capsys):
    assert checks.check_most_confused(_most_confused, np.array([[5, 1], [2, 9]]))
    assert "Correct" in _out(capsys)


def test_most_confused_explains_the_usual_mistakes(capsys):
    assert not checks.check_most_confused(lambda cm: _most_confused(cm)[::-1])
    assert "row and column swapped" in _out(capsys)
    assert not checks.check_most_confused(lambda cm: np.unravel_index(int(np.argmax(cm)), cm.shape))
    assert "diagonal" in _out(capsys)
    assert not checks.check_most_confused(lambda cm: 0)
    assert "two class indices" in _out(capsys)

    def broken(cm):
        raise KeyError("x")

    assert not checks.check_most_confused(broken)
    assert "raised KeyError" in _out(capsys)


def test_weakest_class_uses_recall_not_precision(capsys):
    names = ["a", "b", "c"]
    labels = np.array([0, 0, 0, 0, 1, 1, 1, 1, 2, 2])
    # recall: a 1.0, b 0.5, c 1.0; precision: a 4/6, b 1.0, c 1.0
    predicted = np.array([0, 0, 0, 0, 1, 1, 0, 0, 2, 2])
    assert checks.check_weakest_class("b", labels, predicted, names)
    assert "Correct" in _out(capsys)
    assert not checks.check_weakest_class("a", labels, predicted, names)
    assert "lowest precision" in _out(capsys)
    assert not checks.check_weakest_class("c", labels, predicted, names)
    assert "row" in _out(capsys)
    assert not checks.check_weakest_class("z", labels, predicted, names)
    assert "name one of" in _out(capsys)
