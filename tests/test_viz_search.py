"""Figures of ``16_architecture_search`` draw, label their panels and reject bad input."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from imgcourse import viz  # noqa: E402
from imgcourse.train.search_space import pareto_front  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def curve(scores, epochs, seconds):
    return pd.DataFrame(
        {"best_so_far": np.maximum.accumulate(scores), "epochs": epochs, "seconds": seconds}
    )


def test_search_progress_steps_over_epochs_and_seconds():
    curves = {
        "random": curve([0.3, 0.7, 0.6], [4, 4, 4], [5.0, 6.0, 5.5]),
        "hyperband": curve([0.2, 0.25, 0.8], [1, 1, 3], [3.0, 3.0, 4.0]),
    }
    fig = viz.plot_search_progress(curves)
    left, right = fig.axes
    assert left.get_title() == "1 · against epochs" and right.get_title() == "2 · against seconds"
    x, y = left.get_lines()[0].get_data()
    np.testing.assert_allclose(x, [0, 4, 8, 12])  # cumulative epochs, from 0
    np.testing.assert_allclose(y[1:], [0.3, 0.7, 0.7])  # best so far
    np.testing.assert_allclose(right.get_lines()[1].get_data()[0], [0, 3, 6, 10])
    assert [t.get_text() for t in left.get_legend().get_texts()] == [
        "random (3 trials)",
        "hyperband (3 trials)",
    ]


def test_search_progress_rejects_bad_tables():
    with pytest.raises(ValueError, match="empty"):
        viz.plot_search_progress({})
    with pytest.raises(ValueError, match="seconds"):
        viz.plot_search_progress({"random": pd.DataFrame({"best_so_far": [0.1], "epochs": [1]})})


def test_pareto_marks_the_front_and_the_reference():
    table = pd.DataFrame(
        {
            "block": ["vgg", "mbconv", "residual", "inception"],
            "val_accuracy": [0.8, 0.7, 0.5, 0.75],
            "parameters": [1e5, 1e4, 5e4, 2e3],
            "latency_ms": [10.0, 30.0, 5.0, 20.0],
        },
        index=["a", "b", "c", "d"],
    )
    for cost in ("parameters", "latency_ms"):
        table[f"front_{cost}"] = pareto_front(table[cost], table["val_accuracy"])
    fig = viz.plot_pareto(
        table, reference={"parameters": 7e4, "latency_ms": 8.0, "val_accuracy": 0.9}
    )
    left, right = fig.axes
    assert left.get_xscale() == "log" and right.get_xscale() == "linear"
    assert left.get_title().startswith("1 · ") and right.get_title().startswith("2 · ")
    front = left.get_lines()[0].get_data()
    np.testing.assert_allclose(front[0], [2e3, 1e5])  # d then a: b and c are beaten
    labels = [t.get_text() for t in right.get_legend().get_texts()]
    assert {"vgg", "mbconv", "residual", "inception", "front", "hand-designed"} <= set(labels)


def test_pareto_rejects_a_table_without_front_columns():
    table = pd.DataFrame({"block": ["vgg"], "val_accuracy": [0.5], "parameters": [1]})
    with pytest.raises(ValueError, match="front_parameters"):
        viz.plot_pareto(table)
