"""Figures of ``15_few_and_zero_shot`` draw, label their panels and reject bad input."""

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


def test_show_episode_rows_and_prediction_titles():
    rng = np.random.default_rng(0)
    support, query = rng.random((6, 8, 8, 3)), rng.random((6, 8, 8, 3))
    labels = np.repeat(np.arange(3), 2)
    fig = viz.show_episode(
        support, query, 3, 2, query_labels=labels, predictions=[0, 1, 1, 1, 2, 2]
    )
    assert len(fig.axes) == 3 * 4
    titles = [ax.get_title() for ax in fig.axes]
    assert "query: 1" in titles
    with pytest.raises(ValueError, match="n_way \\* k_shot"):
        viz.show_episode(support[:5], query, 3, 2, query_labels=labels)


def test_plot_shot_accuracy_bars_and_chance():
    results = {
        "a": {1: (0.5, 0.45, 0.55), 5: (0.7, 0.68, 0.72)},
        "b": {1: (0.6, 0.5, 0.7), 5: (0.9, 0.88, 0.92)},
    }
    fig = viz.plot_shot_accuracy(results, chance=0.2)
    ax = fig.axes[0]
    assert len(ax.patches) == 4
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1-shot", "5-shot"]
    with pytest.raises(ValueError, match="empty"):
        viz.plot_shot_accuracy({})


def test_separation_and_embedding_panels():
    labels = np.repeat(np.arange(3), 10)
    tight = np.eye(3)[labels] * 10 + np.random.default_rng(0).normal(0, 0.1, (30, 3))
    loose = np.random.default_rng(1).normal(size=(30, 3))
    assert viz.separation(tight, labels) > 10 * viz.separation(loose, labels)
    fig = viz.plot_embeddings_2d({"tight": tight, "loose": loose}, labels)
    assert fig.axes[0].get_title().startswith("panel 1: tight")
    with pytest.raises(ValueError, match="at least 2 classes"):
        viz.separation(tight, np.zeros(30))


def test_attribute_predictions_mark_wrong_words():
    images = np.zeros((2, 8, 8, 3))
    fig = viz.show_attribute_predictions(
        images, [["small", "red", "star"]] * 2, [["small", "red", "star"], ["large", "red", "star"]]
    )
    titles = [ax.get_title() for ax in fig.axes[:2]]
    assert "LARGE" in titles[1] and "LARGE" not in titles[0]
    with pytest.raises(ValueError, match="as many"):
        viz.show_attribute_predictions(images, [["a"]], [["a"]])
