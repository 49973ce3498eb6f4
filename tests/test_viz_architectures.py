"""Tests for imgcourse.viz.architectures.plot_scaling (05b_depth_and_scaling)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from imgcourse.viz.architectures import plot_scaling  # noqa: E402


def test_plot_scaling_draws_two_panels():
    table = pd.DataFrame(
        {
            "scaling": ["base", "width only"],
            "multiply_adds": [8e5, 2.8e6],
            "accuracy_mean": [0.66, 0.79],
            "accuracy_std": [0.02, 0.04],
            "loss_mean": [0.6, 0.4],
            "loss_std": [0.04, 0.12],
        }
    )
    fig = plot_scaling(table)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    assert fig.axes[0].get_xscale() == "log"
    assert fig.axes[1].get_title().startswith("2 ·")
    plt.close(fig)
    with pytest.raises(ValueError, match="loss_std"):
        plot_scaling(table.drop(columns="loss_std"))
