"""Checks for the exercises of ``01_why_deep_learning``: hand-made features against a CNN.

- :func:`check_hog_length`: the length of a HOG descriptor, checked against scikit-image;
- :func:`record_prediction` and :func:`check_prediction`: predict which pipeline wins, then
  compare the prediction with the measured accuracies;
- :func:`check_disagreements`: where a CNN and a hand-made pipeline differ on test images.

Each check prints what is wrong and the likely cause, and returns a
:class:`~imgcourse.exercises.Feedback`.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from imgcourse.exercises.kit import Feedback, NotYet, call, check, is_number, read

#: (image_size, pixels_per_cell, cells_per_block, orientations) cases, simplest first.
HOG_CASES: tuple[tuple[int, int, int, int], ...] = (
    (8, 2, 2, 9),
    (32, 4, 2, 9),
    (28, 7, 1, 8),
    (64, 8, 3, 12),
    (30, 8, 2, 9),
)

#: Why each kind of pipeline wins or loses, keyed by the words a pipeline name contains.
REASONS: dict[str, str] = {
    "raw": "a linear classifier on raw pixels gives each pixel one weight per class, so it "
    "only works when a class lights up the same pixels in every image; a texture or a "
    "garment at another position or contrast does not.",
    "filter": "a filter bank measures chosen patterns (edges; stripes at several spacings "
    "and orientations) region by region: what tells textures apart, which is why Gabor "
    "banks were the standard texture feature before CNNs; nothing adapts it to other data.",
    "hog": "HOG summarises edge directions cell by cell, the right invariance for outlines "
    "(digits, pedestrians), but it discards the fine intensity statistics that separate "
    "textures and fabrics.",
    "cnn": "a CNN learns its filters for the task from the training images, stacks them so "
    "that later layers combine them, and pools so that a pattern counts wherever it appears.",
}


def expected_hog_length(
    image_size: int, pixels_per_cell: int, cells_per_block: int, orientations: int
) -> int:
    """Length of ``skimage.feature.hog`` for a square grey image (computed by scikit-image).

    Per axis there are ``image_size // pixels_per_cell`` whole cells and
    ``cells - cells_per_block + 1`` overlapping blocks; each block holds
    ``cells_per_block ** 2`` histograms of ``orientations`` bins.
    """
    from skimage.feature import hog

    features = hog(
        np.zeros((image_size, image_size), np.float32),
        orientations=orientations,
        pixels_per_cell=(pixels_per_cell, pixels_per_cell),
        cells_per_block=(cells_per_block, cells_per_block),
    )
    return int(features.size)


#: Common slips in counting a HOG descriptor: (formula, hint), most specific first.
_HOG_SLIPS: tuple[tuple[Callable[[int, int, int, int], float], str], ...] = (
    (
        lambda s, p, b, o: (s // p) ** 2 * o,
        "That is one histogram per cell. HOG then normalises the histograms in blocks of "
        "cells_per_block x cells_per_block cells and keeps every block's copy of them.",
    ),
    (
        lambda s, p, b, o: (s // p // b) ** 2 * b**2 * o,
        "The blocks overlap: they slide one cell at a time, so there are "
        "cells - cells_per_block + 1 of them per axis, not cells // cells_per_block.",
    ),
    (
        lambda s, p, b, o: (s // p - b + 1) ** 2 * o,
        "Each block holds cells_per_block ** 2 histograms, not one.",
    ),
    (
        lambda s, p, b, o: (s // p - b + 1) * b * o,
        "Count in two dimensions: blocks per axis squared, cells per block squared.",
    ),
    (
        lambda s, p, b, o: (s // p - b + 1) ** 2 * b**2,
        "Each histogram has `orientations` bins: multiply by them.",
    ),
    (
        lambda s, p, b, o: (-(-s // p) - b + 1) ** 2 * b**2 * o,
        "A partial cell at the image's edge is dropped: use image_size // pixels_per_cell "
        "whole cells.",
    ),
)


def _hog_hint(answers: dict[tuple[int, int, int, int], int]) -> str:
    """The hint of the slip that reproduces every answer the learner gave."""
    for formula, hint in _HOG_SLIPS:
        if all(formula(*case) == answer for case, answer in answers.items()):
            return hint
    return (
        "Work it out in steps: whole cells per axis, overlapping blocks per axis, then "
        "blocks ** 2 * cells_per_block ** 2 * orientations."
    )


@check
def check_hog_length(fn: Callable[..., Any]) -> Feedback:
    """Check ``fn(image_size, pixels_per_cell, cells_per_block, orientations) -> int``.

    Each case is compared with the length of ``skimage.feature.hog`` on an image of that size;
    the first wrong case is reported with a hint at the likely slip.
    """
    name = getattr(fn, "__name__", "fn")
    answers: dict[tuple[int, int, int, int], int] = {}
    first_wrong = None
    for case in HOG_CASES:
        shown = f"{name}{case}"
        answer = call(fn, *case, shown=shown, none=True)
        if not is_number(answer):
            raise NotYet(f"{shown} returned a {type(answer).__name__}; expected an int.")
        if not float(answer).is_integer():
            raise NotYet(
                f"{shown} returned {answer!r}; a length is a whole number: count whole "
                "cells with floor division `//`."
            )
        answers[case] = int(answer)
        if first_wrong is None and int(answer) != expected_hog_length(*case):
            first_wrong = case
    if first_wrong is not None:
        size, answer = first_wrong[0], answers[first_wrong]
        raise NotYet(
            f"{name}{first_wrong} returned {answer}; scikit-image's hog gives "
            f"{expected_hog_length(*first_wrong)} numbers for a {size}x{size} image. "
            f"{_hog_hint(answers)}"
        )
    return (
        f"all {len(HOG_CASES)} cases match scikit-image's hog (overlapping blocks, "
        "partial cells dropped)."
    )


def _match(prediction: Any, choices: Sequence[str]) -> str:
    """The choice the prediction names (case-insensitive); stops the check if there is none,
    suggesting the nearest name."""
    if not isinstance(prediction, str):
        raise NotYet(
            f"store the prediction as a string, one of {list(choices)}; got {prediction!r}."
        )
    by_lower = {c.lower(): c for c in choices}
    if prediction.strip().lower() in by_lower:
        return by_lower[prediction.strip().lower()]
    close = difflib.get_close_matches(prediction.lower(), list(by_lower), n=1)
    hint = f" Did you mean {by_lower[close[0]]!r}?" if close else ""
    raise NotYet(f"{prediction!r} is not one of the pipelines {list(choices)}.{hint}")


@check
def record_prediction(prediction: Any, choices: Sequence[str]) -> Feedback:
    """Check that ``prediction`` names one of ``choices`` before the experiment runs."""
    choice = _match(prediction, choices)
    return f"prediction recorded: {choice!r}. The comparison below will tell."


def _reason(pipeline: str) -> str:
    key = next((k for k in REASONS if k in pipeline.lower()), None)
    return REASONS[key] if key else ""


@check
def check_prediction(prediction: Any, accuracies: Mapping[str, float]) -> Feedback:
    """Compare a predicted winner with measured mean test accuracies (name -> fraction).

    The winner is the pipeline with the highest accuracy; the feedback gives the ranking and,
    for a wrong prediction, why the predicted pipeline fell short and why the winner won.
    """
    if not accuracies:
        raise ValueError("accuracies is empty: pass pipeline name -> mean test accuracy")
    names = list(accuracies)
    choice = _match(prediction, names)
    ranking = sorted(names, key=lambda n: accuracies[n], reverse=True)
    winner = ranking[0]
    shown = ", ".join(f"{n} {accuracies[n]:.1%}" for n in ranking)
    if choice == winner:
        return f"{winner} won ({shown}). Why: {_reason(winner)}"
    raise NotYet(
        f"you predicted {choice}, but {winner} won ({shown}). "
        f"Why {choice} fell short: {_reason(choice)} Why {winner} won: {_reason(winner)}"
    )


@check
def check_disagreements(
    answer: Any,
    labels: np.ndarray,
    cnn_predictions: np.ndarray,
    classical_predictions: np.ndarray,
) -> Feedback:
    """Check ``answer = (cnn_only, classical_only)``: test images only one pipeline gets right.

    Args:
        answer: a pair of counts: images the CNN classifies correctly and the hand-made
            pipeline does not, then the reverse.
        labels, cnn_predictions, classical_predictions: (n,) class indices of the same images.
    """
    labels = np.asarray(labels)
    cnn, classical = np.asarray(cnn_predictions), np.asarray(classical_predictions)
    if not labels.shape == cnn.shape == classical.shape or labels.ndim != 1:
        raise ValueError(
            f"labels {labels.shape}, cnn_predictions {cnn.shape} and classical_predictions "
            f"{classical.shape} must be (n,) arrays of the same images"
        )
    cnn_right, classical_right = cnn == labels, classical == labels
    cnn_only = int(np.sum(cnn_right & ~classical_right))
    classical_only = int(np.sum(classical_right & ~cnn_right))
    if not isinstance(answer, (tuple, list)) or len(answer) != 2:
        raise NotYet(
            f"answer should be a pair (cnn_only, classical_only); got {answer!r}. "
            "Write two counts separated by a comma."
        )
    got = read(
        answer,
        lambda pair: tuple(int(a) for a in pair),
        f"both entries should be counts; got {answer!r}.",
    )
    expected = (cnn_only, classical_only)
    if got == expected:
        return (
            f"{cnn_only} test images are right only for the CNN and {classical_only} only "
            f"for the hand-made pipeline, of {len(labels)}; both get "
            f"{int(np.sum(cnn_right & classical_right))} right."
        )
    hints = {
        (classical_only, cnn_only): "The two counts are swapped: the CNN's comes first.",
        (int(np.sum(~classical_right)), int(np.sum(~cnn_right))): "Those are each pipeline's "
        "mistakes in total; count only the images where one is right AND the other is wrong.",
        (int(np.sum(cnn_right)), int(np.sum(classical_right))): "Those are each pipeline's "
        "correct answers in total; leave out the images both get right.",
    }
    hint = hints.get(got, "")
    if not hint and sum(got) == int(np.sum(cnn != classical)):
        hint = (
            "Your counts add up to the images where the predictions differ; but they can "
            "differ and both be wrong. Compare each prediction with the label."
        )
    if not hint:
        hint = "Use boolean masks: (cnn == labels) & (classical != labels), then np.sum."
    raise NotYet(f"expected {expected}; got {got}. {hint}")


__all__ = [
    "HOG_CASES",
    "REASONS",
    "check_disagreements",
    "check_hog_length",
    "check_prediction",
    "expected_hog_length",
    "record_prediction",
]
