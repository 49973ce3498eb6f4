"""Figures of ``17_deployment_and_on_device`` draw, title their panels and reject bad input."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from imgcourse import viz  # noqa: E402


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_plot_deployment_panels_and_values():
    fig = viz.plot_deployment(
        ["keras", "int8"], [300.0, 30.0], [0.95, 0.94], [9.0, 0.1], [7.0, 0.08], [18.0, 0.2]
    )
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["1 · size on disk", "2 · accuracy (axis cut)", "3 · latency (p10-p90)"]
    assert fig.axes[0].get_xscale() == "log" and fig.axes[2].get_xscale() == "log"
    written = [t.get_text() for t in fig.axes[2].texts]
    assert written == ["9", "0.1"]  # the medians, not the whiskers
    with pytest.raises(ValueError, match="one value per name"):
        viz.plot_deployment(["a"], [1.0, 2.0], [0.5], [1.0], [1.0], [1.0])


def test_plot_stream_stages_budget_and_medians():
    rng = np.random.default_rng(0)
    stages = {s: rng.random(30) + 0.1 for s in ("decode", "resize", "infer", "draw")}
    fig = viz.plot_stream_stages(stages, 33.3, title="t")
    ax1, ax2 = fig.axes
    assert ax1.get_yscale() == "log"
    assert any("budget 33.3 ms" in t.get_text() for t in ax1.get_legend().get_texts())
    assert len(ax2.patches) == 4
    heights = [p.get_height() for p in ax2.patches]
    np.testing.assert_allclose(heights, [np.median(v) for v in stages.values()])
