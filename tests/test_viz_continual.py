"""Tests for imgcourse.viz.continual (18_continuous_learning)."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from imgcourse import viz  # noqa: E402
from imgcourse.data.drift import shapes_phases  # noqa: E402


def test_show_phases_one_row_per_phase():
    fig = viz.show_phases(shapes_phases(8, image_size=16), per_phase=4)
    assert len(fig.axes) == 12
    assert fig.axes[0].get_ylabel() == "1 · before"
    plt.close(fig)
    with pytest.raises(ValueError, match="empty"):
        viz.show_phases([])


def test_plot_stream_marks_changes_and_alarms():
    acc, conf = np.linspace(1, 0.5, 30), np.linspace(0.9, 0.6, 30)
    fig = viz.plot_stream(
        acc, conf, [10, 20], {"CUSUM": [12], "KS": [10, 25]}, phase_names=("a", "b", "c")
    )
    assert len(fig.axes) == 2
    assert len(fig.axes[1].collections) == 2  # one marker row per detector
    plt.close(fig)


def test_plot_strategies_panels():
    runs = {s: {"old": [0.8, 0.7], "new": [0.6, 0.5], "seconds": [1.0, 2.0]} for s in "ab"}
    fig = viz.plot_strategies(runs, before=(0.9, 0.4))
    assert len(fig.axes) == 2 and len(fig.axes[1].patches) == 2
    plt.close(fig)
    with pytest.raises(ValueError, match="empty"):
        viz.plot_strategies({})
