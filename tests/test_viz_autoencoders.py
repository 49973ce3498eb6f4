"""Tests for imgcourse.viz.autoencoders: the figures of 11_autoencoders."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from imgcourse import viz  # noqa: E402


def test_image_rows_one_row_per_entry_with_scores_as_titles():
    rng = np.random.default_rng(0)
    rows = {"noisy": rng.random((4, 8, 8, 3)), "clean": rng.random((4, 8, 8, 1))}
    fig = viz.show_image_rows(rows, scores={"noisy": np.array([20.0, 21.5, 22.0, 23.25])})
    axes = np.array(fig.axes).reshape(2, 4)
    assert [ax.get_title() for ax in axes[0]] == ["20.0", "21.5", "22.0", "23.2"]
    assert axes[1, 0].get_title() == "" and axes[1, 0].get_ylabel() == "clean"
    plt.close(fig)


def test_image_rows_titles_go_above_the_first_row():
    rows = {"walk": np.zeros((3, 4, 4)), "other": np.ones((3, 4, 4))}
    fig = viz.show_image_rows(rows, titles=["1", "2", "3"], scores={"walk": np.ones(3)})
    axes = np.array(fig.axes).reshape(2, 3)
    assert [ax.get_title() for ax in axes[0]] == ["1\n1.0", "2\n1.0", "3\n1.0"]
    assert axes[1, 0].get_title() == ""
    plt.close(fig)
    with pytest.raises(ValueError, match="one entry per column"):
        viz.show_image_rows(rows, titles=["1"])


def test_image_rows_need_equal_lengths():
    with pytest.raises(ValueError, match="same number of images"):
        viz.show_image_rows({"a": np.zeros((2, 4, 4)), "b": np.zeros((3, 4, 4))})
    with pytest.raises(ValueError, match="empty"):
        viz.show_image_rows({})


def test_rate_distortion_draws_one_line_per_codec_in_each_panel():
    curves = {
        "autoencoder": ([64, 128], [20.0, 24.0], [0.5, 0.6]),
        "JPEG": ([80, 150, 400], [21.0, 25.0, 28.0], [0.45, 0.6, 0.75]),
    }
    fig = viz.plot_rate_distortion(curves, raw_bytes=3072)
    psnr_ax, ssim_ax = fig.axes
    assert len(psnr_ax.lines) == 3 and len(ssim_ax.lines) == 3  # two codecs + the raw size
    assert psnr_ax.get_xscale() == "log"
    np.testing.assert_allclose(psnr_ax.lines[1].get_ydata(), [21.0, 25.0, 28.0])
    plt.close(fig)


def test_codes_2d_one_panel_per_colouring():
    rng = np.random.default_rng(1)
    points = rng.normal(size=(30, 2))
    fig = viz.plot_codes_2d(
        points,
        {
            "class": (rng.integers(0, 3, 30), ["a", "b", "c"]),
            "colour": (rng.integers(0, 2, 30), ["red", "blue"]),
        },
    )
    assert [ax.get_title() for ax in fig.axes] == ["1 · class", "2 · colour"]
    plt.close(fig)
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        viz.plot_codes_2d(rng.normal(size=(30, 3)), {"class": (np.zeros(30, int), ["a"])})
    with pytest.raises(ValueError, match="29 labels for 30 points"):
        viz.plot_codes_2d(points, {"class": (np.zeros(29, int), ["a"])})


def test_codes_2d_draws_colour_names_in_their_colour():
    points = np.random.default_rng(2).normal(size=(6, 2))
    fig = viz.plot_codes_2d(
        points, {"colour": (np.array([0, 0, 1, 1, 2, 2]), ["red", "white", "0"])}
    )
    ax = fig.axes[0]
    assert ax.collections[0].get_facecolor()[0][:3].tolist() != [1.0, 0.0, 0.0]  # "0": palette
    plt.close(fig)
    fig = viz.plot_codes_2d(points, {"colour": (np.array([0, 0, 1, 1, 0, 1]), ["red", "white"])})
    np.testing.assert_allclose(fig.axes[0].collections[0].get_facecolor()[0][:3], [1, 0, 0])
    np.testing.assert_allclose(fig.axes[0].get_facecolor()[:3], [0.82] * 3)  # white shows
    plt.close(fig)
