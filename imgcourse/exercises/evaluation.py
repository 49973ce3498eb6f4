"""Checks for the exercises of ``07_evaluation_and_fairness``: precision, recall and F1 from
a confusion matrix, the calibration error of a model that knows nothing (predict, then
run), and a confidence threshold for handing uncertain images to a person.

Each check prints what is wrong and a hint at the likely cause and returns a
:class:`~imgcourse.exercises.Feedback`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from imgcourse.exercises.kit import Feedback, NotYet, as_array, call, check, read, verdict


def _cm_cases() -> list[np.ndarray]:
    """Confusion matrices (rows: true class, columns: predicted class); the last has a
    class that is never predicted, so its precision is undefined (0 by convention)."""
    return [
        np.array([[50, 3, 2], [10, 30, 5], [0, 4, 40]]),
        np.array([[8, 2], [5, 25]]),
        np.array([[20, 0, 5], [3, 0, 7], [1, 0, 30]]),
    ]


def reference_precision_recall_f1(cm: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per-class precision, recall and F1 from a confusion matrix, with scikit-learn
    (``zero_division=0``): the reference for :func:`check_precision_recall_f1`."""
    from sklearn.metrics import precision_recall_fscore_support

    cm = np.asarray(cm)
    k = len(cm)
    true = np.repeat(np.repeat(np.arange(k), k), cm.ravel())
    pred = np.repeat(np.tile(np.arange(k), k), cm.ravel())
    p, r, f, _ = precision_recall_fscore_support(true, pred, labels=np.arange(k), zero_division=0)
    return p, r, f


def _as_vector(value: Any, k: int) -> np.ndarray | None:
    arr = as_array(value)
    return arr if arr is not None and arr.shape == (k,) else None


@check(wrap=True)
def check_precision_recall_f1(fn: Callable[[np.ndarray], Any]) -> Feedback:
    """Check ``fn(cm) -> (precision, recall, f1)``, each (k,), against scikit-learn on three
    confusion matrices (rows: true class, columns: prediction) (Exercise 1)."""
    for i, cm in enumerate(_cm_cases(), start=1):
        answer = call(fn, cm.copy(), shown=f"case {i}")
        k = len(cm)
        if not isinstance(answer, (tuple, list)) or len(answer) != 3:
            raise NotYet("return three arrays: (precision, recall, f1).")
        arrays = [_as_vector(a, k) for a in answer]
        want = reference_precision_recall_f1(cm)
        for name, arr, ref in zip(("precision", "recall", "F1"), arrays, want):
            if arr is None:
                raise NotYet(f"case {i}: {name} should be {k} numbers, one per class.")
            if np.isnan(arr).any():
                raise NotYet(
                    f"case {i}: {name} contains NaN. A class that is never "
                    "predicted has no precision (0 / 0); scikit-learn's convention "
                    "reports 0, and F1 is then 0 too. Guard the division."
                )
            if not np.allclose(arr, ref, atol=1e-6):
                hint = ""
                if name != "F1" and np.allclose(
                    arr, want[1 - ("precision", "recall").index(name)], atol=1e-6
                ):
                    hint = (
                        " You computed the other one: rows are true classes and columns "
                        "predictions, so precision divides the diagonal by column sums "
                        "(all predictions of a class), recall by row sums."
                    )
                elif name == "F1":
                    hint = (
                        " F1 is the harmonic mean 2PR / (P + R), not the plain mean, and "
                        "0 where P + R is 0."
                    )
                raise NotYet(
                    f"case {i}: {name} should be {np.round(ref, 3).tolist()}; got "
                    f"{np.round(arr, 3).tolist()}.{hint}"
                )
    return (
        "precision, recall and F1 match scikit-learn on three "
        "confusion matrices, including a class never predicted."
    )


def expected_uniform_ece(labels: np.ndarray, num_classes: int) -> float:
    """ECE of a model that gives every class 1 / num_classes: it predicts class 0 (the first
    of the ties) with confidence 1 / num_classes, right for the share of class 0."""
    share = float(np.mean(np.asarray(labels) == 0))
    return abs(share - 1.0 / num_classes)


@check(wrap=True)
def check_uniform_ece_prediction(prediction: Any, labels: np.ndarray, num_classes: int) -> Feedback:
    """Check a predicted ECE for the know-nothing model on ``labels`` (Exercise 2)."""
    problem = f"store one number in [0, 1]; got {prediction!r}."
    if isinstance(prediction, (bool, str)) or np.ndim(prediction) != 0:
        raise NotYet(problem)
    value = read(prediction, float, problem)
    want = expected_uniform_ece(labels, num_classes)
    return verdict(
        value,
        right=abs(value - want) <= 0.05,
        correct=f"about {want:.3f}. The model is always {1 / num_classes:.0%} sure "
        f"and right about {1 / num_classes:.0%} of the time, so it is almost "
        "perfectly calibrated while knowing nothing: calibration is not "
        "accuracy, and ECE must be read next to it.",
        wrong="{value:.3f} is not it. Hint: {hint}",
        hints=[
            (
                value > 0.5,
                "a large ECE means confidence far from accuracy. How sure is this model of "
                "its answer, and how often is that answer right on balanced classes?",
            )
        ],
        hint="compare the confidence of every prediction with the share of correct ones; "
        "they all fall in one bin.",
    )


def selective_accuracy(
    probs: np.ndarray, labels: np.ndarray, threshold: float
) -> tuple[float, float]:
    """(accuracy, coverage) of the predictions whose confidence is at least ``threshold``;
    accuracy is NaN when none is."""
    probs = np.asarray(probs)
    kept = probs.max(axis=1) >= threshold
    if not kept.any():
        return float("nan"), 0.0
    right = probs.argmax(axis=1)[kept] == np.asarray(labels)[kept]
    return float(right.mean()), float(kept.mean())


def reference_threshold(probs: np.ndarray, labels: np.ndarray, target: float) -> float:
    """The lowest confidence threshold whose kept predictions reach ``target`` accuracy
    (the largest coverage); 1.0 + a little if no threshold reaches it."""
    confidence = np.sort(np.unique(np.asarray(probs).max(axis=1)))
    for t in confidence:
        accuracy, _ = selective_accuracy(probs, labels, float(t))
        if accuracy >= target:
            return float(t)
    return float(np.nextafter(1.0, 2.0))


@check(wrap=True)
def check_confidence_threshold(
    threshold: Any, probs: np.ndarray, labels: np.ndarray, target: float = 0.99
) -> Feedback:
    """Check a threshold that keeps the most predictions at ``target`` accuracy on the
    validation set (Exercise 3)."""
    problem = f"store one confidence in [0, 1]; got {threshold!r}."
    if isinstance(threshold, (bool, str)) or np.ndim(threshold) != 0:
        raise NotYet(problem)
    t = read(threshold, float, problem)
    best = reference_threshold(probs, labels, target)
    _, best_coverage = selective_accuracy(probs, labels, best)
    accuracy, coverage = selective_accuracy(probs, labels, t)
    if best_coverage == 0:  # no threshold reaches the target on these images
        if coverage == 0:
            return (
                f"no threshold reaches {target:.0%} on these images, so the model should "
                "decide none of them itself: all go to a person."
            )
        raise NotYet(
            f"above {t:.4f} the model is right on {accuracy:.2%} of the images it keeps; "
            f"no threshold reaches {target:.0%} here, so keep none (a threshold above the "
            "highest confidence)."
        )
    if coverage == 0:
        raise NotYet(
            f"no validation image has a confidence of at least "
            f"{t:.4f}: the model would decide nothing itself."
        )
    if accuracy < target:
        raise NotYet(
            f"above {t:.4f} the model is right on {accuracy:.2%} of the images it keeps, "
            f"below the {target:.0%} asked. Hint: raise the threshold; sort the validation "
            "images by confidence and watch the accuracy of those above each candidate."
        )
    if coverage < best_coverage - 0.01:
        raise NotYet(
            f"{accuracy:.2%} accurate, but it keeps only {coverage:.1%} of the images; a "
            f"lower threshold keeps {best_coverage:.1%} at {target:.0%} or better. Hint: "
            "look for the lowest threshold that still reaches the target."
        )
    return (
        f"at a confidence of {t:.4f} or more the model keeps {coverage:.1%} of the "
        f"validation images and is right on {accuracy:.2%} of them; the other "
        f"{1 - coverage:.1%} would go to a person."
    )
