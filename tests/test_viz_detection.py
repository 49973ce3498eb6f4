"""The figures of ``imgcourse.viz.detection`` (09): one label per box, none overlapping,
anchors beside the centre grid, and precision-recall panels."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from imgcourse.viz import detection  # noqa: E402


def test_show_detections_gives_each_box_one_label_and_no_two_overlap():
    images = np.zeros((2, 48, 48, 3))
    truth = [{"boxes": np.array([[5, 5, 25, 25]]), "labels": np.array([0])}] * 2
    stacked = np.array([[5, 5, 25, 25], [5, 6, 25, 26], [6, 5, 24, 25]], float)
    dets = [
        {"boxes": stacked, "labels": np.array([0, 1, 2]), "scores": np.array([0.9, 0.5, 0.4])},
        {"boxes": stacked[:1], "labels": np.array([1]), "scores": np.array([0.2])},
    ]
    fig = detection.show_detections(images, truth, dets, ["a", "b", "c"], min_score=0.3)
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[2 + 0]  # bottom row, first column
    labels = [t for t in ax.texts]
    assert [t.get_text() for t in labels] == ["a 0.90", "b 0.50", "c 0.40"]
    extents = [t.get_window_extent(renderer) for t in labels]
    for i in range(3):
        for j in range(i):
            assert not extents[i].overlaps(extents[j])
    assert len(fig.axes[3].texts) == 0  # the only box scores below min_score
    plt.close(fig)
    with pytest.raises(ValueError, match="one ground truth"):
        detection.show_detections(images, truth[:1], dets, ["a", "b", "c"])


def test_anchor_boxes_have_the_asked_areas_and_ratios():
    anchors = detection.anchor_boxes((10.0, 20.0), sizes=(8, 16), ratios=(0.5, 2))
    h, w = anchors[:, 2] - anchors[:, 0], anchors[:, 3] - anchors[:, 1]
    np.testing.assert_allclose(np.sqrt(h * w), [8, 8, 16, 16])
    np.testing.assert_allclose(h / w, [0.5, 2, 0.5, 2])
    np.testing.assert_allclose((anchors[:, 0] + anchors[:, 2]) / 2, 10.0)


def test_anchor_and_pr_figures_draw():
    anchors = detection.anchor_boxes((22.0, 22.0), sizes=(12, 24), ratios=(1,))
    fig = detection.show_anchors_and_centres(
        np.zeros((48, 48, 3)),
        [10, 10, 34, 34],
        anchors,
        np.array([0.2, 0.9]),
        stride=4,
        size_cells=(6.0, 6.0),
    )
    assert len(fig.axes) == 2 and "0.90" in fig.axes[0].get_title()
    plt.close(fig)
    points = np.linspace(0, 1, 101)
    curve = {
        "recall": np.array([0.5, 1.0]),
        "precision": np.array([1.0, 0.5]),
        "envelope": np.where(points <= 0.5, 1.0, 0.5),
        "ap": 0.75,
    }
    fig = detection.show_pr_curves([curve, curve], ["a", "b"], points)
    assert [ax.get_title() for ax in fig.axes] == ["1: a, AP@0.5 0.750", "2: b, AP@0.5 0.750"]
    plt.close(fig)
