"""Tests for imgcourse.viz.capstone (notebook 19's figures)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from imgcourse import viz  # noqa: E402


def test_worst_errors_are_the_most_confident_wrong_predictions():
    labels = np.array([0, 1, 1, 0, 2])
    probs = np.array(
        [
            [0.9, 0.1, 0.0],  # right
            [0.6, 0.4, 0.0],  # wrong, 0.6
            [0.05, 0.05, 0.9],  # wrong, 0.9
            [0.2, 0.7, 0.1],  # wrong, 0.7
            [0.0, 0.0, 1.0],  # right
        ]
    )
    assert viz.worst_errors(labels, probs).tolist() == [2, 3, 1]
    assert viz.worst_errors(labels, probs, n=1).tolist() == [2]
    assert viz.worst_errors(labels[:1], probs[:1]).size == 0
    with pytest.raises(ValueError, match="probabilities must be"):
        viz.worst_errors(labels, probs[:2])


def test_show_worst_errors_draws_one_panel_per_mistake_or_a_note():
    images = np.random.default_rng(0).random((5, 8, 8, 1))
    labels = np.array([0, 1, 1, 0, 2])
    probs = np.eye(3)[[1, 0, 1, 0, 2]]
    fig = viz.show_worst_errors(images, labels, probs, ["a", "b", "c"], ncols=4)
    titled = [ax for ax in fig.axes if ax.get_title()]
    assert len(titled) == 2 and titled[0].get_title().startswith("1. a -> b")
    plt.close(fig)
    fig = viz.show_worst_errors(images, labels, np.eye(3)[labels], ["a", "b", "c"])
    assert "no test image" in fig.axes[0].texts[0].get_text()
    plt.close(fig)


def test_plot_image_sizes_checks_its_table():
    files = pd.DataFrame(
        {"class": ["a", "b"], "width": [10, 20], "height": [12, 8], "format": ["PNG", "JPEG"]}
    )
    fig = viz.plot_image_sizes(files, image_size=16)
    assert len(fig.axes[0].collections) == 2
    plt.close(fig)
    with pytest.raises(ValueError, match="describe_files"):
        viz.plot_image_sizes(files.drop(columns="format"))
