"""Checks for 04's exercises: right answers pass; each kind of wrong answer gets its hint."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from imgcourse.exercises import training as ex

# --- backpropagation through a sigmoid ------------------------------------------------------


def sigmoid_grads(x, y, W1, b1, W2, b2, *, slip=None):
    n, c = len(x), W2.shape[1]
    z1 = x @ W1 + b1
    h = 1 / (1 + np.exp(-z1))
    z2 = h @ W2 + b2
    p = np.exp(z2 - z2.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    dz2 = (p - np.eye(c)[y]) / (1 if slip == "no_mean" else n)
    dh = dz2 @ W2.T
    dz1 = {
        None: dh * h * (1 - h),
        "no_mean": dh * h * (1 - h),
        "relu": dh * (z1 > 0),
        "no_derivative": dh,
    }.get(slip, dh * h * (1 - h))
    db1 = dz1 if slip == "unsummed" else dz1.sum(axis=0)
    return x.T @ dz1, db1, h.T @ dz2, dz2.sum(axis=0)


def test_reference_gradients_match_finite_differences():
    x, y, W1, b1, W2, b2 = ex._backprop_case(3, 3, 4, 3, 2)

    def loss(W1_):
        h = 1 / (1 + np.exp(-(x @ W1_ + b1)))
        z2 = h @ W2 + b2
        logp = z2 - np.log(np.exp(z2).sum(axis=1, keepdims=True))
        return -np.mean(logp[np.arange(len(y)), y])

    dW1 = ex.reference_gradients(x, y, W1, b1, W2, b2)[0]
    eps = 1e-6
    for i, j in [(0, 0), (2, 1), (3, 2)]:
        bump = np.zeros_like(W1)
        bump[i, j] = eps
        numeric = (loss(W1 + bump) - loss(W1 - bump)) / (2 * eps)
        assert dW1[i, j] == pytest.approx(numeric, rel=1e-5, abs=1e-9)


def test_backprop_right_answer_passes(capsys):
    feedback = ex.check_backprop_sigmoid(sigmoid_grads)
    assert feedback.passed
    assert capsys.readouterr().out.startswith("Correct:")


@pytest.mark.parametrize(
    ("slip", "words"),
    [
        ("relu", "ReLU's derivative"),
        ("no_derivative", "chain rule through the hidden layer is missing"),
        ("no_mean", "times too large"),
        ("unsummed", "sums dL/dz over the batch"),
    ],
)
def test_backprop_slips_get_their_hint(slip, words, capsys):
    feedback = ex.check_backprop_sigmoid(lambda *args: sigmoid_grads(*args, slip=slip))
    assert not feedback.passed
    assert words in feedback.message
    assert capsys.readouterr().out.startswith("Not yet:")


def test_backprop_wrong_return_and_errors():
    assert "tuple of four" in ex.check_backprop_sigmoid(lambda *a: None).message
    assert "raised ZeroDivisionError" in ex.check_backprop_sigmoid(lambda *a: 1 / 0).message
    swapped = ex.check_backprop_sigmoid(lambda *a: sigmoid_grads(*a)[::-1])
    assert not swapped.passed and "shape" in swapped.message


# --- grid prediction ---------------------------------------------------------------------


def grid_table(trials: int) -> pd.DataFrame:
    rows = [
        {"trial": i + 1, "learning_rate": lr, "units": u, "score": 0.5, "best_so_far": 0.5}
        for i, (lr, u) in enumerate(
            [(lr, u) for lr in (0.1, 0.01, 0.001) for u in (8, 16, 32, 64)][:trials]
        )
    ]
    return pd.DataFrame(rows)


def test_grid_prediction_right_and_wrong():
    table = grid_table(6)
    assert ex.check_grid_prediction(2, table).passed
    wrong = ex.check_grid_prediction(6, table)
    assert not wrong.passed
    assert "ceil(6 / 4) = 2" in wrong.message and "units" in wrong.message
    assert not ex.check_grid_prediction("two", table).passed
    assert not ex.check_grid_prediction(True, table).passed


def test_grid_prediction_accepts_a_search_result():
    class Result:
        trials = grid_table(9)

    assert ex.check_grid_prediction(3, Result()).passed
    with pytest.raises(KeyError, match="no hyperparameter 'depth'"):
        ex.check_grid_prediction(3, Result(), "depth")


# --- early stopping ------------------------------------------------------------------------


def keras_early_stopping(val_losses, patience):
    """What keras.callbacks.EarlyStopping really does, epoch by epoch."""
    import keras

    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    callback = keras.callbacks.EarlyStopping(patience=patience, restore_best_weights=True)
    callback.set_model(model)
    callback.on_train_begin()
    model.stop_training = False
    for epoch, loss in enumerate(val_losses):
        callback.on_epoch_end(epoch, {"val_loss": loss})
        if model.stop_training:
            return epoch + 1, callback.best_epoch + 1
    return len(val_losses), callback.best_epoch + 1


@pytest.mark.parametrize(
    ("losses", "patience"),
    [
        *((losses, patience) for losses, patience in ex._early_cases([])),
        ([0.9, 0.8, 0.85, 0.7, 0.75, 0.76, 0.77, 0.6], 3),
        ([1.0], 1),
        ([1.0, 1.0, 1.0], 1),
    ],
)
def test_reference_early_stopping_matches_keras(losses, patience):
    assert ex.reference_early_stopping(losses, patience) == keras_early_stopping(losses, patience)


def right_early(val_losses, patience):
    best, best_epoch, wait = float("inf"), 0, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if loss < best:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait >= patience:
                return epoch, best_epoch
    return len(val_losses), best_epoch


def test_early_stopping_right_answer_passes_on_real_curves(capsys):
    curves = [list(np.linspace(1, 0.3, 12)) + [0.35, 0.4, 0.36, 0.5, 0.6, 0.7]]
    feedback = ex.check_early_stopping(right_early, curves)
    assert feedback.passed and "1 of the notebook's own runs" in feedback.message


def zero_based(v, p):
    stop, best = right_early(v, p)
    return stop - 1, best - 1


def ties_improve(v, p):
    best, best_epoch, wait = float("inf"), 0, 0
    for epoch, loss in enumerate(v, start=1):
        if loss <= best:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait >= p:
                return epoch, best_epoch
    return len(v), best_epoch


def never_stops(v, p):
    return len(v), int(np.argmin(v)) + 1


def no_reset(v, p):
    best, best_epoch, worse = float("inf"), 0, 0
    for epoch, loss in enumerate(v, start=1):
        if loss < best:
            best, best_epoch = loss, epoch
        else:
            worse += 1
            if worse >= p:
                return epoch, best_epoch
    return len(v), best_epoch


@pytest.mark.parametrize(
    ("fn", "words"),
    [
        (zero_based, "count epochs from 1"),
        (ties_improve, "not an improvement"),
        (never_stops, "Training should stop at epoch"),
        (no_reset, "restarts at 0"),
        (lambda v, p: None, "expected a pair"),
        (lambda v, p: v[100], "raised IndexError"),
    ],
)
def test_early_stopping_slips_get_their_hint(fn, words):
    feedback = ex.check_early_stopping(fn)
    assert not feedback.passed
    assert words in feedback.message


def test_reference_early_stopping_needs_patience():
    with pytest.raises(ValueError, match="patience must be at least 1"):
        ex.reference_early_stopping([1.0, 0.5], 0)
