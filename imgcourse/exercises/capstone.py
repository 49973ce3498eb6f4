"""Checks for the exercises of ``19_capstone_report``: predicting from the data check how
many images a folder gives (predict, then run), finding the most confused pair of classes
in a confusion matrix, and naming the trained model's weakest class.

Each check prints what is wrong and a hint at the likely cause and returns a
:class:`~imgcourse.exercises.Feedback`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from imgcourse.exercises.kit import Feedback, NotYet, call, check, read, verdict


@check(wrap=True)
def check_loaded_count(prediction: Any, loaded: int, readable: int, copies: int) -> Feedback:
    """Check a prediction of how many images ``load_image_folder`` keeps (Exercise 1).

    Args:
        prediction: the learner's number.
        loaded: how many images the load returned.
        readable: readable files the scan found (the class table's total).
        copies: files that are extra copies in a group of identical files.
    """
    number = read(prediction, int, f"store a whole number of images; got {prediction!r}.")
    return verdict(
        number,
        right=number == loaded,
        correct=f"{loaded} images: the {readable} readable files minus the {copies} extra "
        "copies. Unreadable files and other file types were never counted as readable.",
        wrong="{value} is not what the load keeps: {hint}",
        hints=[
            (
                number == readable,
                "that is every readable file; with skip_duplicates=True only the first file "
                "of each group of identical files is kept.",
            ),
            (
                number < loaded,
                "too few: the unreadable files and the text file are already left out of the "
                "class table's counts, so do not subtract them again.",
            ),
        ],
        hint="look at which rows of the problem table are copies of another file.",
    )


def _confusion_cases() -> list[np.ndarray]:
    """Confusion matrices (rows: true class, columns: predicted class) where the largest
    off-diagonal cell is not the largest cell, nor symmetric."""
    return [
        np.array([[40, 2, 1], [9, 30, 3], [0, 4, 25]]),
        np.array([[10, 1, 0, 0], [0, 12, 0, 1], [0, 0, 8, 0], [0, 6, 2, 15]]),
        np.array([[5, 3], [1, 30]]),
    ]


def _two_ints(answer: Any) -> tuple[int, int]:
    first, second = (int(v) for v in answer)
    return first, second


def reference_most_confused(cm: np.ndarray) -> tuple[int, int]:
    """(true, predicted) of the largest off-diagonal cell; the first in row order on ties."""
    cm = np.array(cm, dtype=np.int64)
    np.fill_diagonal(cm, -1)
    true, predicted = np.unravel_index(int(np.argmax(cm)), cm.shape)
    return int(true), int(predicted)


@check(wrap=True)
def check_most_confused(fn: Callable[[np.ndarray], Any], cm: np.ndarray | None = None) -> Feedback:
    """Check ``fn(cm) -> (true_class, predicted_class)``, the most frequent mistake, on three
    confusion matrices and on ``cm`` (the trained model's) if given (Exercise 2)."""
    cases = _confusion_cases() + ([np.asarray(cm)] if cm is not None else [])
    for i, case in enumerate(cases, start=1):
        answer = call(fn, case.copy(), shown=f"case {i}")
        true, predicted = read(answer, _two_ints, f"return two class indices; got {answer!r}.")
        want = reference_most_confused(case)
        if (true, predicted) == want:
            continue
        if true == predicted:
            why = "that is a diagonal cell: correct predictions. Leave the diagonal out."
        elif (predicted, true) == want:
            why = (
                "row and column swapped: rows are the true class, columns the prediction, "
                "so cm[i, j] counts images of class i predicted as j."
            )
        else:
            why = "that is not the largest cell off the diagonal."
        raise NotYet(f"case {i}: got ({true}, {predicted}), expected {want}: {why}")
    return "the largest off-diagonal cell, row = truth, column = guess."


@check(wrap=True)
def check_weakest_class(
    answer: Any, labels: np.ndarray, predictions: np.ndarray, class_names: Sequence[str]
) -> Feedback:
    """Check the name of the class with the lowest test recall (Exercise 3).

    Args:
        answer: the learner's class name.
        labels: (k,) true class indices of the test images.
        predictions: (k,) predicted class indices.
        class_names: one name per class.
    """
    from sklearn.metrics import precision_score, recall_score

    k = len(class_names)
    recall = recall_score(labels, predictions, labels=np.arange(k), average=None, zero_division=0)
    precision = precision_score(
        labels, predictions, labels=np.arange(k), average=None, zero_division=0
    )
    weakest = class_names[int(np.argmin(recall))]
    if answer not in class_names:
        raise NotYet(f"name one of {list(class_names)}; got {answer!r}.")
    if answer == weakest:
        return (
            f"{weakest}: the model finds the smallest share of its test images "
            f"({recall.min():.0%})."
        )
    if answer == class_names[int(np.argmin(precision))]:
        why = (
            "that class has the lowest precision (its predictions are the least "
            "trustworthy); recall asks how many of the class's own images are found: "
            "divide the diagonal by the row sums."
        )
    else:
        why = "recall of a class: its diagonal cell divided by its row of the matrix."
    raise NotYet(f"{answer} is not the class with the lowest recall: {why}")


__all__ = [
    "check_loaded_count",
    "check_most_confused",
    "check_weakest_class",
    "reference_most_confused",
]
