"""Checks for the exercises of ``06_transfer_learning``: how many weights a frozen backbone
leaves to train, and a nearest-neighbour classifier on pretrained features.

Each check compares the learner's answer with a reference (Keras's own count of trainable
weights, scikit-learn's ``KNeighborsClassifier``), prints what is wrong with a hint at the
likely slip, and returns a :class:`~imgcourse.exercises.Feedback`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from imgcourse.exercises.kit import Feedback, NotYet, check, is_number, read, verdict


def _count(weights: list[Any]) -> int:
    return int(sum(int(np.prod(w.shape)) for w in weights))


@check
def check_trainable_prediction(prediction: Any, model: Any) -> Feedback:
    """Check a predicted number of trainable parameters of ``model`` (a frozen backbone plus
    a new head), made before the model's summary is printed."""
    if not is_number(prediction):
        raise NotYet(f"the prediction should be a number; got {type(prediction).__name__}.")
    trainable = _count(model.trainable_weights)
    total = _count(model.weights)
    head = model.layers[-1]
    kernel = _count([head.kernel]) if hasattr(head, "kernel") else None
    return verdict(
        prediction,
        right=prediction == trainable,
        correct=f"{trainable:,} of the model's {total:,} parameters train: only the new head. "
        "The frozen backbone's weights, and the batch-norm statistics, stay as "
        "pretraining left them.",
        wrong=f"you predicted {{value:,}}; {trainable:,} train. {{hint}}",
        hints=[
            (
                prediction == total,
                "that is every parameter, the frozen backbone's included; frozen ones do not "
                "train.",
            ),
            (
                kernel is not None and prediction == kernel,
                "that is the head's weight matrix alone; each output unit also has a bias.",
            ),
            (
                prediction > trainable,
                "that is more than the head holds: count only the layers that are not frozen.",
            ),
        ],
        hint="the head maps every feature to every class, plus one bias per class.",
    )


def reference_nearest_neighbour_hits(
    train_features: np.ndarray,
    train_labels: np.ndarray,
    test_features: np.ndarray,
    test_labels: np.ndarray,
) -> np.ndarray:
    """Whether scikit-learn's 1-nearest-neighbour classifier (Euclidean) labels each test
    image right: (n_test,) bool, for a bootstrap over the test images."""
    from sklearn.neighbors import KNeighborsClassifier

    knn = KNeighborsClassifier(n_neighbors=1).fit(train_features, train_labels)
    return np.asarray(knn.predict(test_features) == np.asarray(test_labels))


def reference_nearest_neighbour_accuracy(
    train_features: np.ndarray,
    train_labels: np.ndarray,
    test_features: np.ndarray,
    test_labels: np.ndarray,
) -> float:
    """Accuracy (a fraction) of scikit-learn's 1-nearest-neighbour classifier (Euclidean)."""
    hits = reference_nearest_neighbour_hits(
        train_features, train_labels, test_features, test_labels
    )
    return float(np.mean(hits))


@check
def check_nearest_neighbour_accuracy(
    answer: Any,
    train_features: np.ndarray,
    train_labels: np.ndarray,
    test_features: np.ndarray,
    test_labels: np.ndarray,
) -> Feedback:
    """Check the learner's 1-nearest-neighbour test accuracy (a fraction in [0, 1]) on the
    given features (n, d) and labels (n,)."""
    expected = reference_nearest_neighbour_accuracy(
        train_features, train_labels, test_features, test_labels
    )
    value = read(answer, float, f"the accuracy should be a number; got {type(answer).__name__}.")
    if abs(value - expected) <= 1e-6:
        return (
            f"1-nearest-neighbour on the pretrained features scores {expected:.1%}: "
            "with no training at all, the features alone place most test images next "
            "to a labelled image of their own class."
        )
    if value > 1 and abs(value / 100 - expected) <= 1e-6:
        why = "that is a percentage; give the fraction (between 0 and 1)."
    elif abs(value - (1 - expected)) <= 1e-6:
        why = "that is the error rate; give the share of test images labelled correctly."
    else:
        why = (
            "for each test image, find the labelled training image whose features are closest "
            "(Euclidean distance) and take its label; the accuracy is the share that matches."
        )
    raise NotYet(f"you gave {value:.4f}; expected {expected:.4f}. {why}")
