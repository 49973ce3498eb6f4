"""Tests for imgcourse.viz: each function returns a Figure with the expected panels and titles."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from imgcourse import viz  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _image_axes(fig: Figure) -> list:
    """The panels that show an image."""
    return [ax for ax in fig.axes if ax.images]


def _titles(fig: Figure) -> list[str]:
    return [ax.get_title() for ax in _image_axes(fig)]


def _images(n: int, channels: int | None = 3) -> np.ndarray:
    shape = (n, 6, 6) if channels is None else (n, 6, 6, channels)
    return np.random.default_rng(0).random(shape).astype(np.float32)


# --- show_images ---------------------------------------------------------------------------------


def test_show_images_one_panel_per_image_up_to_max_images():
    fig = viz.show_images(_images(10), ncols=4)
    assert isinstance(fig, Figure)
    assert len(_image_axes(fig)) == 10
    assert len(fig.axes) == 12  # 3 rows of 4; the two spare panels stay empty
    assert all(not ax.axison for ax in fig.axes)
    fig = viz.show_images(_images(50), max_images=20, ncols=5)
    assert len(_image_axes(fig)) == 20 and len(fig.axes) == 20


def test_show_images_titles_from_labels_and_class_names():
    fig = viz.show_images(_images(3), [2, 0, 1], ["cat", "dog", "owl"])
    assert _titles(fig) == ["owl", "cat", "dog"]
    fig = viz.show_images(_images(2), [1, 0])
    assert _titles(fig) == ["1", "0"]


def test_show_images_free_titles_override_labels():
    fig = viz.show_images(_images(2), [0, 1], ["a", "b"], titles=["first", "second"])
    assert _titles(fig) == ["first", "second"]


def test_show_images_wrong_predictions_are_titled_in_red():
    fig = viz.show_images(
        _images(4), labels=[0, 1, 2, 1], class_names=["a", "b", "c"], predictions=[0, 2, 2, 0]
    )
    axes = _image_axes(fig)
    assert [ax.get_title() for ax in axes] == ["a", "c\n(true b)", "c", "a\n(true b)"]
    colours = [to_rgb(ax.title.get_color()) for ax in axes]
    for ok, (r, g, b) in zip([True, False, True, False], colours):
        if ok:
            assert (r, g, b) == (0.0, 0.0, 0.0)
        else:
            assert r > 0.7 and g < 0.3 and b < 0.3  # red


def test_show_images_grey_and_single_channel_images_use_a_grey_map():
    for images in (_images(2, channels=1), _images(2, channels=None)):
        fig = viz.show_images(images)
        shown = [ax.images[0] for ax in _image_axes(fig)]
        assert all(im.get_cmap().name == "gray" for im in shown)
        assert all(im.get_array().ndim == 2 for im in shown)
        np.testing.assert_allclose(shown[0].get_array(), images[0].reshape(6, 6), atol=1e-6)


def test_show_images_clips_colour_images_and_sets_a_suptitle():
    images = _images(1) * 3 - 1
    fig = viz.show_images(images, suptitle="look")
    data = np.asarray(_image_axes(fig)[0].images[0].get_array())
    assert data.min() >= 0 and data.max() <= 1
    assert fig.get_suptitle() == "look"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"images": np.zeros((4, 8))},
        {"images": np.zeros((4, 8, 8, 2))},
        {"images": np.zeros((2, 3, 4, 5, 6))},
        {"images": np.zeros((4, 8, 8, 1)), "labels": [0, 1]},
    ],
    ids=["2-D", "2 channels", "5-D", "too few labels"],
)
def test_show_images_rejects_wrong_shapes(kwargs):
    with pytest.raises(ValueError, match="images|labels"):
        viz.show_images(**kwargs)


# --- plot_history --------------------------------------------------------------------------------


def test_plot_history_one_panel_per_logged_metric_with_validation_curves():
    history = {"loss": [1.0, 0.5, 0.3], "val_loss": [1.1, 0.7, 0.6], "accuracy": [0.5, 0.7, 0.9]}
    fig = viz.plot_history(history)
    assert isinstance(fig, Figure)
    assert [ax.get_title() for ax in fig.axes] == ["loss", "accuracy"]
    loss_ax, acc_ax = fig.axes
    assert len(loss_ax.lines) == 2 and len(acc_ax.lines) == 1
    np.testing.assert_array_equal(loss_ax.lines[0].get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(loss_ax.lines[1].get_ydata(), history["val_loss"])
    assert [t.get_text() for t in loss_ax.get_legend().get_texts()] == ["training", "validation"]


def test_plot_history_skips_metrics_that_were_not_logged():
    fig = viz.plot_history({"loss": [1.0, 0.5]}, metrics=("loss", "accuracy", "auc"))
    assert [ax.get_title() for ax in fig.axes] == ["loss"]


def test_plot_history_without_any_requested_metric_says_which_are_logged():
    with pytest.raises(ValueError, match="mae"):
        viz.plot_history({"mae": [1.0]})


# --- plot_confusion ------------------------------------------------------------------------------


def test_plot_confusion_normalised_rows():
    labels = np.array([0, 0, 0, 0, 1, 1, 2, 2])
    preds = np.array([0, 0, 0, 1, 1, 1, 0, 2])
    fig = viz.plot_confusion(labels, preds, ["a", "b", "c"])
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "predicted" and ax.get_ylabel() == "true"
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    annotations = [t.get_text() for t in ax.texts]
    assert annotations == ["0.75", "0.25", "0.00", "0.00", "1.00", "0.00", "0.50", "0.00", "0.50"]


def test_plot_confusion_counts_and_missing_classes():
    fig = viz.plot_confusion([0, 1, 1], [0, 1, 0], ["a", "b", "c"], normalize=False)
    assert [t.get_text() for t in fig.axes[0].texts] == [
        "1",
        "0",
        "0",
        "1",
        "1",
        "0",
        "0",
        "0",
        "0",
    ]


def test_plot_confusion_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        viz.plot_confusion([0, 1, 2], [0, 1], ["a", "b", "c"])


# --- show_filters and show_feature_maps ----------------------------------------------------------


def test_show_filters_one_panel_per_filter_colour_for_rgb():
    kernels = np.random.default_rng(0).normal(size=(3, 3, 3, 10)).astype(np.float32)
    fig = viz.show_filters(kernels, ncols=5, title="conv1")
    axes = _image_axes(fig)
    assert len(axes) == 10 and len(fig.axes) == 10
    first = np.asarray(axes[0].images[0].get_array())
    assert first.shape == (3, 3, 3)
    assert first.min() == pytest.approx(0) and first.max() == pytest.approx(1)
    assert fig.get_suptitle() == "conv1"


def test_show_filters_grey_for_other_channel_counts():
    kernels = np.random.default_rng(0).normal(size=(5, 5, 4, 3)).astype(np.float32)
    fig = viz.show_filters(kernels)
    shown = [np.asarray(ax.images[0].get_array()) for ax in _image_axes(fig)]
    assert len(shown) == 3 and all(s.shape == (5, 5) for s in shown)
    mean = kernels[..., 1].mean(axis=-1)
    expected = (mean - mean.min()) / (mean.max() - mean.min())
    np.testing.assert_allclose(shown[1], expected, atol=1e-6)


def test_show_filters_rejects_wrong_shapes():
    with pytest.raises(ValueError, match=r"\(kh, kw, in, out\).*\(3, 3, 8\)"):
        viz.show_filters(np.zeros((3, 3, 8)))


def test_show_feature_maps_up_to_max_maps():
    maps = np.random.default_rng(0).random((7, 7, 20)).astype(np.float32)
    fig = viz.show_feature_maps(maps, max_maps=12, ncols=4, title="block 2")
    axes = _image_axes(fig)
    assert len(axes) == 12 and len(fig.axes) == 12
    np.testing.assert_allclose(axes[5].images[0].get_array(), maps[..., 5])
    assert fig.get_suptitle() == "block 2"
    assert len(_image_axes(viz.show_feature_maps(maps[..., :3]))) == 3


def test_show_feature_maps_rejects_a_batch():
    with pytest.raises(ValueError, match=r"\(height, width, channels\).*\(1, 7, 7, 20\)"):
        viz.show_feature_maps(np.zeros((1, 7, 7, 20)))
