"""Tests for imgcourse.viz.features: each figure of 01 draws, and bad input is refused."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from imgcourse import viz  # noqa: E402

RNG = np.random.default_rng(0)
IMAGES = RNG.random((3, 16, 16, 1)).astype(np.float32)


def test_filter_responses_draw_one_row_per_image():
    responses = {"a": RNG.random((3, 16, 16)), "b": 2 * RNG.random((3, 16, 16))}
    fig = viz.show_filter_responses(IMAGES, responses, ["x", "y", "z"])
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["x", "a", "b", "y", "a", "b", "z", "a", "b"]
    assert fig.axes[2].get_images()[0].get_array().max() == pytest.approx(
        responses["b"][0].max() / responses["b"].max(), rel=1e-5
    )  # one scale per column
    plt.close("all")


def test_hog_pictures_enlarge_small_images():
    fig = viz.show_hog_pictures(IMAGES[:2], ["p", "q"], suptitle="s")
    assert [ax.get_title() for ax in fig.axes[:4]] == ["p", "its HOG", "q", "its HOG"]
    assert fig.axes[0].get_images()[0].get_array().shape == (32, 32)
    plt.close("all")


def test_pipeline_accuracies_draw_one_panel_per_set():
    fig = viz.plot_pipeline_accuracies(
        {"d": {"raw": (0.5, 0.01), "CNN": (0.9, 0.02)}, "t": {"raw": (0.4, 0.0)}},
        {"d": 0.1, "t": 1 / 3},
    )
    assert [ax.get_title() for ax in fig.axes] == ["(1) d", "(2) t"]
    assert len(fig.axes[0].patches) == 2
    plt.close("all")


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="row titles"):
        viz.show_filter_responses(IMAGES, {"a": IMAGES[..., 0]}, ["x"])
    with pytest.raises(ValueError, match="expected"):
        viz.show_filter_responses(IMAGES, {"a": IMAGES[:2, ..., 0]}, ["x", "y", "z"])
    with pytest.raises(ValueError, match="empty"):
        viz.show_filter_responses(IMAGES, {}, ["x", "y", "z"])
    with pytest.raises(ValueError, match="square"):
        viz.show_hog_pictures(RNG.random((1, 8, 12)), ["x"])
    with pytest.raises(ValueError, match="chance"):
        viz.plot_pipeline_accuracies({"d": {"raw": (0.5, 0.0)}}, {})
