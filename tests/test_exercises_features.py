"""Checks for 01's exercises: right answers pass; each kind of wrong answer gets its hint."""

from __future__ import annotations

import math

import numpy as np
import pytest
from skimage.feature import hog

from imgcourse.exercises import features as ex


# --- HOG length ----------------------------------------------------------------------------
def right_length(image_size, pixels_per_cell, cells_per_block, orientations):
    blocks = image_size // pixels_per_cell - cells_per_block + 1
    return blocks**2 * cells_per_block**2 * orientations


@pytest.mark.parametrize("case", ex.HOG_CASES)
def test_expected_hog_length_matches_skimage_and_the_formula(case):
    size, ppc, cpb, o = case
    image = np.random.default_rng(0).random((size, size))
    out = hog(image, orientations=o, pixels_per_cell=(ppc, ppc), cells_per_block=(cpb, cpb))
    assert ex.expected_hog_length(*case) == out.size == right_length(*case)


def test_hog_cases_tell_the_slips_apart():
    lengths = {right_length(*case) for case in ex.HOG_CASES}
    assert len(lengths) >= 4  # a constant answer cannot pass


def test_hog_length_right_answer_passes(capsys):
    assert ex.check_hog_length(right_length).passed
    assert capsys.readouterr().out.startswith("Correct:")


@pytest.mark.parametrize(
    ("fn", "words"),
    [
        (lambda s, p, b, o: (s // p) ** 2 * o, "one histogram per cell"),
        (lambda s, p, b, o: (s // p // b) ** 2 * b**2 * o, "blocks overlap"),
        (lambda s, p, b, o: (s // p - b + 1) ** 2 * o, "cells_per_block ** 2 histograms"),
        (lambda s, p, b, o: (s // p - b + 1) * b * o, "two dimensions"),
        (lambda s, p, b, o: (s // p - b + 1) ** 2 * b**2, "orientations"),
        (lambda s, p, b, o: (math.ceil(s / p) - b + 1) ** 2 * b**2 * o, "partial cell"),
        (lambda s, p, b, o: (s / p - b + 1) ** 2 * b**2 * o, "whole number"),
        (lambda s, p, b, o: 324, "in steps"),
        (lambda s, p, b, o: None, "forget to `return`"),
        (lambda s, p, b, o: "324", "returned a str"),
        (lambda s, p, b: 1, "raised TypeError"),
    ],
)
def test_hog_length_wrong_answers_get_their_hint(fn, words, capsys):
    feedback = ex.check_hog_length(fn)
    assert not feedback.passed
    assert words in feedback.message
    assert capsys.readouterr().out.startswith("Not yet:")


# --- predictions ---------------------------------------------------------------------------
ACCURACIES = {"raw pixels": 0.55, "filter bank": 0.86, "HOG": 0.74, "CNN": 0.97}


def test_record_prediction_accepts_a_choice_in_any_case():
    feedback = ex.record_prediction("cnn", list(ACCURACIES))
    assert feedback.passed and "'CNN'" in feedback.message


@pytest.mark.parametrize(
    ("prediction", "words"),
    [("filter bnak", "Did you mean 'filter bank'"), (3, "as a string"), ("SVM", "not one of")],
)
def test_record_prediction_rejects_unknown_names(prediction, words):
    feedback = ex.record_prediction(prediction, list(ACCURACIES))
    assert not feedback.passed and words in feedback.message


def test_check_prediction_right_and_wrong():
    right = ex.check_prediction("CNN", ACCURACIES)
    assert right.passed and right.message.startswith("CNN won (CNN 97.0%, filter bank 86.0%")
    assert ex.REASONS["cnn"] in right.message
    wrong = ex.check_prediction("HOG", ACCURACIES)
    assert not wrong.passed
    assert "you predicted HOG, but CNN won" in wrong.message
    assert ex.REASONS["hog"] in wrong.message and ex.REASONS["cnn"] in wrong.message
    assert not ex.check_prediction("svm", ACCURACIES).passed
    with pytest.raises(ValueError, match="empty"):
        ex.check_prediction("CNN", {})


# --- disagreements -------------------------------------------------------------------------
LABELS = np.array([0, 1, 2, 0, 1, 2, 0, 1])
CNN = np.array([0, 1, 2, 0, 1, 0, 1, 1])  # wrong at 5, 6
CLASSICAL = np.array([0, 2, 2, 1, 1, 1, 0, 1])  # wrong at 1, 3, 5


def test_disagreements_right_answer_passes():
    cnn_right, cls_right = CNN == LABELS, CLASSICAL == LABELS
    answer = (np.sum(cnn_right & ~cls_right), np.sum(cls_right & ~cnn_right))
    feedback = ex.check_disagreements(answer, LABELS, CNN, CLASSICAL)
    assert feedback.passed and feedback.message.startswith("2 test images are right only")


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        ((1, 2), "swapped"),
        ((3, 2), "mistakes in total"),
        ((6, 5), "correct answers in total"),
        ((3, 1), "both be wrong"),  # 4 differing predictions, one of them wrong for both
        ((0, 0), "boolean masks"),
        (3, "a pair"),
        (("a", "b"), "counts"),
    ],
)
def test_disagreements_wrong_answers_get_their_hint(answer, words):
    feedback = ex.check_disagreements(answer, LABELS, CNN, CLASSICAL)
    assert not feedback.passed and words in feedback.message


def test_disagreements_rejects_mismatched_arrays():
    with pytest.raises(ValueError, match="same images"):
        ex.check_disagreements((0, 0), LABELS, CNN[:3], CLASSICAL)
