"""Checks for the exercises of ``04_training_and_tuning``: backpropagation through a sigmoid
layer, where a grid search looks on a budget, and when early stopping stops.

Each check runs the learner's answer against a reference (``tf.GradientTape`` for gradients,
the rule of ``keras.callbacks.EarlyStopping`` for stopping), prints what is wrong with a hint
at the likely slip, and returns a :class:`~imgcourse.exercises.Feedback`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from imgcourse.exercises.kit import (
    Feedback,
    NotYet,
    as_array,
    call,
    check,
    compare_arrays,
    is_number,
    read,
)

PARAM_NAMES = ("dW1", "db1", "dW2", "db2")


# --------------------------------------------------------------------------- backpropagation


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def reference_gradients(
    x: np.ndarray, y: np.ndarray, W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray
) -> tuple[np.ndarray, ...]:
    """Gradients of the mean cross-entropy of a two-layer network with a sigmoid hidden layer,
    by ``tf.GradientTape`` in float64.

    The network: h = sigmoid(x W1 + b1), p = softmax(h W2 + b2), loss = mean_n -log p[n, y_n].
    x (n, d), y (n,) integer labels, W1 (d, k), b1 (k,), W2 (k, c), b2 (c,).

    Returns:
        (dW1, db1, dW2, db2), each of its parameter's shape.
    """
    import tensorflow as tf

    params = [tf.Variable(np.asarray(p, np.float64)) for p in (W1, b1, W2, b2)]
    xt = tf.constant(np.asarray(x, np.float64))
    with tf.GradientTape() as tape:
        h = tf.sigmoid(xt @ params[0] + params[1])
        logits = h @ params[2] + params[3]
        loss = tf.reduce_mean(
            tf.nn.sparse_softmax_cross_entropy_with_logits(labels=np.asarray(y), logits=logits)
        )
    return tuple(g.numpy() for g in tape.gradient(loss, params))


def _backprop_case(seed: int, n: int, d: int, k: int, c: int) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, 1, (n, d))
    y = rng.integers(0, c, n)
    return (
        x,
        y,
        rng.normal(0, 0.5, (d, k)),
        rng.normal(0, 0.1, k),
        rng.normal(0, 0.5, (k, c)),
        rng.normal(0, 0.1, c),
    )


def _backprop_hint(name: str, answer: np.ndarray, case: tuple[np.ndarray, ...]) -> str:
    """Recognise the usual slips by recomputing the gradients with each slip."""
    x, y, W1, b1, W2, b2 = case
    n = len(x)
    z1 = x @ W1 + b1
    h = _sigmoid(z1)
    dz2 = (_softmax(h @ W2 + b2) - np.eye(W2.shape[1])[y]) / n
    dh = dz2 @ W2.T
    slips = {
        "relu": dh * (z1 > 0),
        "sigmoid_of_h": dh * _sigmoid(h) * (1 - _sigmoid(h)),
        "no_derivative": dh,
    }
    right = {
        "dW2": h.T @ dz2,
        "db2": dz2.sum(axis=0),
        "dW1": x.T @ (dh * h * (1 - h)),
        "db1": (dh * h * (1 - h)).sum(axis=0),
    }[name]
    if answer.shape == right.shape and np.allclose(answer, right * n, atol=1e-8):
        return (
            f"{name} is {n} times too large: the loss is the MEAN over the {n} images, so "
            "dL/dz2 = (p - onehot(y)) / n."
        )
    if name in ("dW1", "db1"):
        for slip, dz1 in slips.items():
            wrong = x.T @ dz1 if name == "dW1" else dz1.sum(axis=0)
            if answer.shape == wrong.shape and np.allclose(answer, wrong, atol=1e-8):
                return {
                    "relu": "That is the ReLU's derivative (1 where z1 > 0). The sigmoid's "
                    "derivative is sigmoid(z1) * (1 - sigmoid(z1)) = h * (1 - h).",
                    "sigmoid_of_h": "The derivative uses h = sigmoid(z1) itself: "
                    "h * (1 - h), not sigmoid(h) * (1 - sigmoid(h)).",
                    "no_derivative": "The chain rule through the hidden layer is missing: "
                    "multiply dL/dh element-wise by the sigmoid's derivative h * (1 - h).",
                }[slip]
    if name.startswith("db") and answer.ndim == 2:
        return "A bias is added to every image, so its gradient sums dL/dz over the batch axis."
    return "Follow the formulas of section 1, swapping the ReLU's derivative for the sigmoid's."


@check
def check_backprop_sigmoid(fn: Callable[..., Any]) -> Feedback:
    """Check ``fn(x, y, W1, b1, W2, b2) -> (dW1, db1, dW2, db2)`` against ``tf.GradientTape``.

    The network is the one of section 1 of notebook 04 with a sigmoid hidden layer instead of
    a ReLU (see :func:`reference_gradients`); two cases of different sizes, float64.
    """
    name = getattr(fn, "__name__", "fn")
    for seed, sizes in ((0, (4, 6, 3, 5)), (1, (7, 10, 4, 3))):
        case = _backprop_case(seed, *sizes)
        shown = f"{name} on {sizes[0]} images of {sizes[1]} pixels"
        answer = call(fn, *(np.copy(a) for a in case), shown=shown)
        if not isinstance(answer, (tuple, list)) or len(answer) != 4:
            raise NotYet(
                f"{shown} returned {type(answer).__name__}; expected a tuple of four "
                "arrays (dW1, db1, dW2, db2)."
            )
        expected = reference_gradients(*case)
        # the output layer first: a mistake there spoils the hidden layer's gradients too
        for i in (2, 3, 0, 1):
            result = compare_arrays(answer[i], expected[i], what=PARAM_NAMES[i], atol=1e-8)
            if not result:
                hint = ""
                arr = as_array(answer[i])
                if arr is not None and arr.size:
                    hint = " " + _backprop_hint(PARAM_NAMES[i], arr, case)
                raise NotYet(f"{shown}: {result.message}{hint}")
    return (
        "all four gradients match tf.GradientTape within 1e-8 on two networks; the only "
        "change from the ReLU network is the hidden layer's derivative h * (1 - h)."
    )


# --------------------------------------------------------------------------- grid search


@check
def check_grid_prediction(prediction: Any, result: Any, name: str = "learning_rate") -> Feedback:
    """Check a predicted count of distinct values of ``name`` that a grid search tried.

    Args:
        prediction: the learner's number, made before the search ran.
        result: the grid search's :class:`~imgcourse.train.tuning.SearchResult` (or its trials
            table).
        name: the hyperparameter counted.
    """
    table = getattr(result, "trials", result)
    if name not in table.columns:
        raise KeyError(f"no hyperparameter {name!r} in the trials table; it has {list(table)}")
    tried = int(table[name].nunique())
    trials = len(table)
    if not is_number(prediction):
        raise NotYet(f"the prediction should be a number; got {type(prediction).__name__}.")
    if prediction == tried:
        return (
            f"the grid tried {tried} distinct values of {name} in {trials} trials. It "
            f"changes the last hyperparameter asked for fastest, so {name}, asked for first, "
            "moves only after every combination of the others has been tried."
        )
    others = [
        c
        for c in table.columns
        if c not in ("trial", name, "score", "best_so_far", "seconds", "images_per_second")
    ]
    inner = math.prod(int(table[c].nunique()) for c in others) if others else 1
    raise NotYet(
        f"you predicted {prediction}; the grid tried {tried} distinct values of {name} in "
        f"{trials} trials. KerasTuner's grid starts every hyperparameter at its default and "
        f"changes the last one asked for fastest: each value of {name} waits for the "
        f"{inner} combinations of {', '.join(others) or 'the others'} to be tried, so "
        f"{trials} trials reach ceil({trials} / {inner}) = {math.ceil(trials / inner)} "
        f"of its values."
    )


# --------------------------------------------------------------------------- early stopping


def reference_early_stopping(val_losses: Sequence[float], patience: int) -> tuple[int, int]:
    """When ``keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience)`` stops.

    Returns:
        (the last epoch trained, the epoch with the lowest validation loss, whose weights
        ``restore_best_weights=True`` keeps), both counted from 1. Only a strictly lower loss
        counts as an improvement; training stops once ``patience`` epochs in a row bring none.
        A run that never stops returns len(val_losses) as its last epoch.
    """
    if patience < 1:
        raise ValueError(f"patience must be at least 1; got {patience}")
    best, best_epoch, wait = math.inf, 0, 0
    for epoch, loss in enumerate(val_losses):
        wait += 1
        if loss < best:
            best, best_epoch, wait = loss, epoch, 0
            continue
        if wait >= patience and epoch > 0:
            return epoch + 1, best_epoch + 1
    return len(val_losses), best_epoch + 1


def _early_cases(histories: Sequence[Sequence[float]]) -> list[tuple[list[float], int]]:
    cases = [
        ([1.0, 0.8, 0.7, 0.75, 0.72, 0.71, 0.9], 3),  # stops 3 epochs after the best
        ([1.0, 0.9, 0.8, 0.7, 0.6], 2),  # always improving: never stops
        ([0.5, 0.6, 0.5, 0.7], 2),  # a tie is not an improvement
        ([1.0, 0.6, 0.7, 0.5, 0.8, 0.9, 0.95], 2),  # the counter restarts at each improvement
    ]
    cases += [([float(v) for v in h], p) for h in histories for p in (3, 5)]
    return cases


def _epochs(answer: Any) -> tuple[float, ...]:
    """The learner's epochs as numbers, whole ones as ints: (3, 5.0) -> (3, 5)."""
    return tuple(int(a) if float(a).is_integer() else float(a) for a in answer)


@check
def check_early_stopping(
    fn: Callable[[Sequence[float], int], Any], histories: Sequence[Sequence[float]] = ()
) -> Feedback:
    """Check ``fn(val_losses, patience) -> (stopped_epoch, best_epoch)``, epochs from 1.

    Args:
        fn: the learner's function.
        histories: real validation-loss curves (the notebook's runs) checked after the
            made-up cases.
    """
    name = getattr(fn, "__name__", "fn")
    for losses, patience in _early_cases(histories):
        shown = f"{name}({len(losses)} losses, patience={patience})"
        answer = call(fn, list(losses), patience, shown=shown)
        if not isinstance(answer, (tuple, list)) or len(answer) != 2:
            raise NotYet(
                f"{shown} returned {answer!r}; expected a pair (stopped_epoch, best_epoch)."
            )
        expected = reference_early_stopping(losses, patience)
        got = read(answer, _epochs, f"{shown} returned {answer!r}; both epochs should be numbers.")
        if got == expected:
            continue
        stop, best = expected
        hint = "Walk through the losses keeping the best so far and a count of epochs since it."
        if got == (stop - 1, best - 1):
            hint = "Both are one too small: count epochs from 1, as Keras's log does."
        elif got[1] != best and losses.count(min(losses)) > 1:
            hint = "A loss equal to the best is not an improvement: keep the FIRST lowest epoch."
        elif got[0] == len(losses) and stop < len(losses):
            hint = (
                f"Training should stop at epoch {stop}: {patience} epochs in a row without a "
                "new lowest loss."
            )
        elif got[0] < stop:
            hint = (
                f"Stopped too early: training stops only after {patience} epochs IN A ROW "
                "without a new lowest loss (at best + patience); the count restarts at 0 "
                "whenever the loss reaches a new lowest value."
            )
        raise NotYet(
            f"{shown} returned {got}; Keras's EarlyStopping trains until epoch {stop} and "
            f"restores epoch {best}. {hint}"
        )
    n_real = len(histories)
    extra = f" and {n_real} of the notebook's own runs" if n_real else ""
    return (
        f"matches Keras's EarlyStopping on the made-up curves{extra}: stop `patience` "
        "epochs after the lowest validation loss, and keep that epoch's weights."
    )
