"""Tests for the figures of 03 added to imgcourse.viz.data: augmentation steps, pipeline rates."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from imgcourse import viz  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_show_augmentation_steps_one_named_row_per_step():
    calls = []

    def mirror(batch):
        calls.append(batch.shape)
        return batch[:, :, ::-1]

    image = np.random.default_rng(0).random((8, 10, 3)).astype(np.float32)
    steps = {"1: flip": mirror, "2: same": lambda batch: batch}
    fig = viz.show_augmentation_steps(image, steps, draws=3, grid=2)
    assert calls == [(3, 8, 10, 3)]
    axes = np.array(fig.axes).reshape(2, 4)
    assert [ax.get_ylabel() for ax in axes[:, 0]] == ["1: flip", "2: same"]
    assert [ax.get_title() for ax in axes[0]] == ["original", "draw 1", "draw 2", "draw 3"]
    np.testing.assert_allclose(axes[0, 1].images[0].get_array(), image[:, ::-1])
    assert len(axes[0, 0].lines) == 2  # one dashed line across each axis (grid=2)


def test_show_augmentation_steps_rejects_bad_input():
    with pytest.raises(ValueError, match="height, width, 3"):
        viz.show_augmentation_steps(np.zeros((8, 8)), {"a": lambda b: b})
    with pytest.raises(ValueError, match="empty"):
        viz.show_augmentation_steps(np.zeros((8, 8, 3)), {})


def test_plot_pipeline_rates_first_and_later_passes_on_a_log_scale():
    rates = {"1: loop": [100.0, 110.0, 120.0], "2: cached": [90.0, 1000.0, 3000.0]}
    fig = viz.plot_pipeline_rates(rates, title="t")
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["2: cached", "1: loop"]
    widths = sorted(round(p.get_width()) for p in ax.patches)
    assert widths == [90, 100, 115, 2000]  # first passes and the median of the later ones


def test_plot_pipeline_rates_rejects_bad_input():
    with pytest.raises(ValueError, match="empty"):
        viz.plot_pipeline_rates({})
    with pytest.raises(ValueError, match="positive"):
        viz.plot_pipeline_rates({"a": [0.0, 1.0]})
    with pytest.raises(ValueError, match="positive"):
        viz.plot_pipeline_rates({"a": []})
