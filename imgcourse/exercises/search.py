"""Checks for the exercises of ``16_architecture_search``: the Pareto front written by hand,
Hyperband's epoch budget (predict, then run), and choosing a network under a latency limit.

Each check prints what is wrong and a hint at the likely cause and returns a
:class:`~imgcourse.exercises.Feedback`; the front is compared with
:func:`imgcourse.train.search_space.pareto_front`, the budget with
:func:`imgcourse.train.tuning.hyperband_budget`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from imgcourse.exercises.kit import Feedback, NotYet, call, check, read, verdict
from imgcourse.train.search_space import pareto_front


def _front_cases() -> list[tuple[str, np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(16)
    return [
        ("three points, one dominated", np.array([1.0, 2.0, 3.0]), np.array([0.5, 0.7, 0.6])),
        ("a tie in cost", np.array([1.0, 1.0, 2.0]), np.array([0.5, 0.6, 0.8])),
        ("an exact duplicate", np.array([1.0, 1.0, 2.0]), np.array([0.6, 0.6, 0.5])),
        ("twenty random points", rng.uniform(1, 100, 20), rng.uniform(0, 1, 20)),
    ]


@check
def check_pareto(fn: Callable[[np.ndarray, np.ndarray], Any]) -> Feedback:
    """Check ``fn(costs, scores) -> mask``, the points no other point beats (Exercise 1)."""
    for name, cost, score in _front_cases():
        answer = call(fn, cost.copy(), score.copy(), shown=f"{name}:", then=np.asarray)
        want = pareto_front(cost, score)
        if answer.shape != want.shape:
            raise NotYet(
                f"{name}: expected one True/False per point, shape {want.shape}; got "
                f"shape {answer.shape}."
            )
        answer = answer.astype(bool)
        if not np.array_equal(answer, want):
            wrong = int(np.flatnonzero(answer != want)[0])
            side = "on" if want[wrong] else "off"
            hint = (
                "a point is beaten only by another that is no worse on both axes and "
                "strictly better on at least one; a point equal to another beats neither"
            )
            raise NotYet(
                f"{name}: point {wrong} (cost {cost[wrong]:.3g}, score "
                f"{score[wrong]:.3g}) should be {side} the front. Hint: {hint}."
            )
    return "your front matches pareto_front on every case, ties included."


@check
def check_hyperband_prediction(prediction: Any, max_epochs: int, factor: int) -> Feedback:
    """Check a predicted number of epochs one Hyperband iteration trains (Exercise 2): within
    25% of :func:`~imgcourse.train.tuning.hyperband_budget`."""
    from imgcourse.train.tuning import hyperband_budget

    guess = read(prediction, float, f"store a number of epochs; got {prediction!r}.")
    trials, epochs = hyperband_budget(max_epochs, factor)
    direction = "high" if guess > epochs else "low"
    return verdict(
        guess,
        right=abs(guess - epochs) <= 0.25 * epochs,
        correct=f"close: {trials} trials and {epochs} epochs in all, against "
        f"{trials * max_epochs} if every trial ran {max_epochs} epochs.",
        wrong=f"{{value:g}} is too {direction}. Hint: {{hint}}.",
        hint="write out each bracket as the table of section 3 does: how many models start, "
        "at how many epochs, and how many of them go on, and for how many more epochs",
    )


@check
def check_deploy_choice(choice: Any, candidates: pd.DataFrame, limit_ms: float) -> Feedback:
    """Check the chosen row label of ``candidates`` (Exercise 3): the highest
    ``val_accuracy`` among rows with ``latency_ms <= limit_ms``."""
    fast = candidates[candidates["latency_ms"] <= limit_ms]
    if fast.empty:
        raise NotYet(f"no candidate is under {limit_ms:.2f} ms; raise it.")
    best = fast["val_accuracy"].max()
    if choice not in candidates.index:
        raise NotYet(f"{choice!r} is not a row label of candidates (its index).")
    row = candidates.loc[choice]
    if row["latency_ms"] > limit_ms:
        raise NotYet(
            f"{choice!r} takes {row['latency_ms']:.2f} ms, over the {limit_ms:.2f} ms "
            "limit. Hint: filter the rows on latency first, then take the best score."
        )
    if row["val_accuracy"] < best:
        raise NotYet(
            f"{choice!r} is fast enough, but another candidate under the limit scores "
            f"higher ({best:.3f} against {row['val_accuracy']:.3f})."
        )
    return (
        "your choice has the best validation accuracy within the limit; it lies on the "
        "latency front of panel 2 by construction."
    )
