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


def test_show_kernel_rows_one_row_per_bank_each_on_its_own_symmetric_scale():
    sobel = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], np.float32)
    gabor = np.random.default_rng(0).normal(size=(7, 7))
    rows = {"hand-made": [sobel, sobel.T, gabor], "learned": [0.01 * sobel]}
    fig = viz.show_kernel_rows(rows, titles={"hand-made": ["x", "y", "Gabor"]})
    axes = _image_axes(fig)
    assert len(axes) == 4 and len(fig.axes) == 6  # a 2x3 grid, two panels left empty
    assert _titles(fig)[:3] == ["x", "y", "Gabor"]
    assert axes[2].images[0].get_array().shape == (7, 7)
    for ax, kernel in zip(axes, [sobel, sobel.T, gabor, 0.01 * sobel]):
        low, high = ax.images[0].get_clim()
        assert high == pytest.approx(np.abs(kernel).max()) and low == pytest.approx(-high)
    labels = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert labels == ["hand-made", "learned"]


def test_show_kernel_rows_rejects_bad_input():
    with pytest.raises(ValueError, match="empty"):
        viz.show_kernel_rows({})
    with pytest.raises(ValueError, match=r"row 'w' has no kernels"):
        viz.show_kernel_rows({"w": []})
    with pytest.raises(ValueError, match=r"kernel 0 of row 'w' has shape \(3, 3, 1\)"):
        viz.show_kernel_rows({"w": [np.zeros((3, 3, 1))]})
    with pytest.raises(ValueError, match="2 kernels but 1 titles"):
        viz.show_kernel_rows({"w": [np.eye(3), np.eye(3)]}, titles={"w": ["a"]})


# ------------------------------------------------- data and augmentation (03_data_and_augmentation)


def _image_set(counts):
    from imgcourse.data import ImageSet

    labels = np.repeat(np.arange(len(counts)), counts)
    names = ["a", "b", "c"][: len(counts)]
    return ImageSet(np.zeros((len(labels), 4, 4, 3), np.float32), labels, names)


def test_plot_class_balance_draws_one_bar_per_class_and_part():
    fig = viz.plot_class_balance({"train": _image_set([5, 3, 1]), "test": _image_set([2, 1, 1])})
    ax = fig.axes[0]
    heights = sorted(p.get_height() for p in ax.patches)
    assert heights == sorted([5, 3, 1, 2, 1, 1])
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["train (9)", "test (4)"]
    plt.close(fig)


def test_plot_class_balance_rejects_bad_input():
    with pytest.raises(ValueError, match="empty"):
        viz.plot_class_balance({})
    with pytest.raises(ValueError, match="has classes"):
        viz.plot_class_balance({"x": _image_set([1, 1, 1]), "y": _image_set([1, 1])})


def test_show_augmentations_calls_augment_once_per_image():
    calls = []

    def augment(batch):
        calls.append(batch.shape)
        return batch[:, ::-1]

    images = {"one": np.zeros((6, 8, 3)), "two": np.ones((6, 8, 3))}
    fig = viz.show_augmentations(images, augment, draws=3)
    assert calls == [(3, 6, 8, 3), (3, 6, 8, 3)]
    assert len(fig.axes) == 8 and fig.axes[0].get_title() == "one"
    plt.close(fig)
    with pytest.raises(ValueError, match="empty"):
        viz.show_augmentations({}, augment)


def test_plot_seed_comparison_shows_mean_and_each_seed():
    from imgcourse.train import SeedRuns

    runs = {
        "plain": SeedRuns(seeds=(0, 1, 2), values={"value": np.array([0.8, 0.82, 0.84])}),
        "augmented": SeedRuns(seeds=(0, 1, 2), values={"value": np.array([0.9, 0.9, 0.93])}),
    }
    fig = viz.plot_seed_comparison(runs)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["plain", "augmented"]
    offsets = np.concatenate([c.get_offsets() for c in ax.collections if len(c.get_offsets()) == 3])
    np.testing.assert_allclose(sorted(offsets[:, 1]), sorted([0.8, 0.82, 0.84, 0.9, 0.9, 0.93]))
    plt.close(fig)
    with pytest.raises(KeyError, match="no metric"):
        viz.plot_seed_comparison(runs, metric="loss")


# --- convolution figures of 02 -------------------------------------------------------------------


def test_show_convolution_step_panels_and_sum():
    image = np.zeros((6, 6))
    image[:, 3:] = 1.0
    sobel = np.array([[-1.0, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    fig = viz.show_convolution_step(image, sobel, 1, 1)
    axes = _image_axes(fig)
    assert len(axes) == 4
    assert [t.split(" · ")[0] for t in _titles(fig)] == ["1", "2", "3", "4"]
    assert "sum = 4" in axes[2].get_title()
    np.testing.assert_allclose(axes[2].images[0].get_array(), image[1:4, 1:4] * sobel)
    # the output panel is the valid cross-correlation, checked against scipy
    from scipy.signal import correlate2d

    expected = correlate2d(image, sobel, mode="valid")
    np.testing.assert_allclose(axes[3].images[0].get_array(), expected)
    assert "-0" not in [t.get_text() for t in axes[2].texts]
    assert len(axes[0].patches) == 1 and len(axes[3].patches) == 1


def test_show_convolution_step_rejects_a_missing_pixel():
    with pytest.raises(ValueError, match=r"\(4, 0\) does not exist.*4x4 output"):
        viz.show_convolution_step(np.zeros((6, 6)), np.ones((3, 3)), 4, 0)
    with pytest.raises(ValueError, match="kernel \\(k, k\\)"):
        viz.show_convolution_step(np.zeros((6, 6)), np.ones((3, 2)), 0, 0)


def test_show_panels_share_one_scale_and_keep_colour_images():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(5, 5)), 3 * rng.normal(size=(5, 5))
    rgb = rng.random((5, 5, 3))
    fig = viz.show_panels([rgb, a, b], ["1 · image", "2 · a", "3 · b"])
    axes = _image_axes(fig)
    assert len(axes) == 3 and _titles(fig) == ["1 · image", "2 · a", "3 · b"]
    expected = (min(a.min(), b.min()), max(a.max(), b.max()))
    for i in (1, 2):
        assert axes[i].images[0].get_clim() == pytest.approx(expected, rel=1e-6)
    assert len(fig.axes) == 4  # three panels and one colour bar
    fig = viz.show_panels([a, b], ["a", "b"], symmetric=True, colorbar=False)
    low, high = _image_axes(fig)[0].images[0].get_clim()
    assert low == -high == pytest.approx(-np.abs(np.stack([a, b])).max())
    assert len(fig.axes) == 2


def test_show_panels_rejects_bad_input():
    with pytest.raises(ValueError, match="one title per panel"):
        viz.show_panels([np.zeros((3, 3))], ["a", "b"])
    with pytest.raises(ValueError, match=r"\(h, w\) or \(h, w, 3\).*\(3, 3, 2\)"):
        viz.show_panels([np.zeros((3, 3, 2))], ["a"])


def test_show_receptive_fields_draws_one_square_per_layer():
    image = np.random.default_rng(0).random((32, 32, 3))
    fig = viz.show_receptive_fields(image, {"conv1": 3, "conv2": 8, "conv3": 18})
    ax = _image_axes(fig)[0]
    sizes = sorted(p.get_width() for p in ax.patches)
    assert sizes == [3, 8, 18] and all(p.get_height() == p.get_width() for p in ax.patches)
    square = max(ax.patches, key=lambda p: p.get_width())
    centre = (square.get_x() + 9, square.get_y() + 9)  # the square is centred on (16, 16)
    assert centre == pytest.approx((16, 16))
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["conv1: 3x3", "conv2: 8x8", "conv3: 18x18"]
    with pytest.raises(ValueError, match="outside"):
        viz.show_receptive_fields(image, {"conv1": 3}, centre=(40, 0))


def test_strongest_patches_average_around_the_top_responses():
    images = np.zeros((2, 8, 8, 1), np.float32)
    images[1, 4, 5, 0] = 1.0
    responses = np.zeros((2, 8, 8, 2), np.float32)
    responses[1, 4, 5, 0] = 9.0  # filter 0 answers most at image 1, (4, 5)
    responses[0, 0, 0, 1] = 5.0  # filter 1 at image 0's corner: edge-padded patch
    responses[0, 0, 1, 1] = 4.0
    patches = viz.strongest_patches(images, responses, top=1, radius=1)
    assert patches.shape == (2, 3, 3, 1)
    assert patches[0, 1, 1, 0] == 1.0 and patches[0].sum() == 1.0
    two = viz.strongest_patches(images, responses, top=2, radius=1)
    assert two[1].sum() == 0.0
    # the same selection as a full sort, strongest first
    rng = np.random.default_rng(1)
    images, responses = rng.random((3, 6, 6, 3)), rng.random((3, 6, 6, 4))
    out = viz.strongest_patches(images, responses, top=5, radius=2)
    padded = np.pad(images, ((0, 0), (2, 2), (2, 2), (0, 0)), mode="edge")
    for f in range(4):
        order = np.argsort(responses[..., f], axis=None)[::-1][:5]
        where = zip(*np.unravel_index(order, responses.shape[:3]))
        expected = np.mean([padded[n, y : y + 5, x : x + 5] for n, y, x in where], axis=0)
        np.testing.assert_allclose(out[f], expected)


def test_strongest_patches_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="share n, h and w"):
        viz.strongest_patches(np.zeros((2, 8, 8, 3)), np.zeros((2, 4, 4, 5)))
    with pytest.raises(ValueError, match="top must be between 1 and 64"):
        viz.strongest_patches(np.zeros((1, 8, 8, 3)), np.zeros((1, 8, 8, 5)), top=65)


def test_show_kernels_and_patches_numbers_and_marks_each_pair():
    rng = np.random.default_rng(0)
    kernels, patches = rng.normal(size=(3, 3, 3, 10)), rng.random((10, 7, 7, 3))
    fig = viz.show_kernels_and_patches(kernels, patches, window=3, ncols=4)
    titles = _titles(fig)
    assert titles[:2] == ["kernel 1", "kernel 2"] and "patch 10" in titles
    assert len(titles) == 20
    marked = [ax for ax in _image_axes(fig) if ax.get_title().startswith("patch")]
    box = marked[0].patches[0]
    assert (box.get_x(), box.get_y(), box.get_width()) == (1.5, 1.5, 3)
    with pytest.raises(ValueError, match="one patch per kernel"):
        viz.show_kernels_and_patches(kernels, patches[:9])


def test_show_layer_maps_one_scale_and_colour_bar_per_row():
    rng = np.random.default_rng(0)
    maps = {"conv1": rng.random((8, 8, 12)), "conv2": 5 * rng.random((4, 4, 20))}
    fig = viz.show_layer_maps(rng.random((8, 8, 3)), maps, channels=6)
    axes = _image_axes(fig)
    assert len(axes) == 2 * 7
    for row, (name, m) in enumerate(maps.items()):
        row_axes = axes[7 * row + 1 : 7 * row + 7]
        chosen = np.argsort(m.std(axis=(0, 1)))[::-1][:6]
        assert [ax.get_title() for ax in row_axes] == [f"channel {c + 1}" for c in chosen]
        expected = (m[..., chosen].min(), m[..., chosen].max())
        for ax in row_axes:
            assert ax.images[0].get_clim() == pytest.approx(expected, rel=1e-6)
        assert axes[7 * row].get_title(loc="left").startswith(name)
    assert len(fig.axes) == 2 * 7 + 2  # the panels, the blank ones and two colour bars
    with pytest.raises(ValueError, match="maps of 'conv9' must be"):
        viz.show_layer_maps(rng.random((8, 8, 3)), {"conv9": rng.random((1, 8, 8, 4))})


# --- training and tuning (04_training_and_tuning) ------------------------------------------


def _tables():
    import pandas as pd

    grid = pd.DataFrame(
        {
            "trial": [1, 2, 3],
            "learning_rate": [0.001, 0.001, 0.01],
            "units": [8, 16, 8],
            "score": [0.5, 0.7, 0.6],
        }
    )
    grid["best_so_far"] = grid["score"].cummax()
    rand = pd.DataFrame(
        {
            "trial": [1, 2, 3],
            "learning_rate": [0.01, 0.1, 0.001],
            "units": [16, 8, 8],
            "score": [0.8, 0.9, 0.4],
        }
    )
    rand["best_so_far"] = rand["score"].cummax()
    return {"grid": grid, "random": rand}


def test_plot_seed_curves_averages_runs_of_different_lengths():
    histories = {
        "plain": [{"loss": [3.0, 2.0, 1.0]}, {"loss": [1.0, 0.0, 1.0]}],
        "early": [{"loss": [2.0, 1.0]}, {"loss": [2.0, 1.0, 0.5]}],
    }
    fig = viz.plot_seed_curves(histories, ("loss",), titles=("the loss",), ylim=(0, 4))
    ax = fig.axes[0]
    assert ax.get_title() == "the loss" and ax.get_ylim() == (0, 4)
    plain, early = ax.lines
    np.testing.assert_allclose(plain.get_ydata(), [2.0, 1.0, 1.0])
    np.testing.assert_allclose(early.get_ydata(), [2.0, 1.0, 0.5])  # epoch 3: one run
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "plain (2 runs)",
        "early (2 runs)",
    ]


def test_plot_seed_curves_bad_input():
    with pytest.raises(ValueError, match="histories is empty"):
        viz.plot_seed_curves({})
    with pytest.raises(ValueError, match="runs without 'val_loss'"):
        viz.plot_seed_curves({"a": [{"loss": [1.0]}]}, ("val_loss",))
    with pytest.raises(ValueError, match="1 titles for 2 metrics"):
        viz.plot_seed_curves({"a": [{"loss": [1.0]}]}, ("loss", "val_loss"), titles=("x",))


def test_plot_search_heatmaps_shares_one_scale_and_leaves_untried_cells_blank():
    fig = viz.plot_search_heatmaps(
        _tables(),
        x="units",
        y="learning_rate",
        x_values=[8, 16, 32],
        y_values=[0.001, 0.01, 0.1],
    )
    grid_ax, random_ax = fig.axes[:2]
    assert len(fig.axes) == 3  # two panels and one colour bar
    for ax in (grid_ax, random_ax):
        assert ax.collections[0].get_clim() == pytest.approx((0.4, 0.9))
    values = grid_ax.collections[0].get_array()
    assert np.ma.count_masked(values) == 9 - 3  # 3 tried cells of 9
    assert grid_ax.get_title().startswith("1 · grid: 3 trials")
    texts = sorted(t.get_text() for t in grid_ax.texts)
    assert texts == ["0.50", "0.60", "0.70"]


def test_plot_search_heatmaps_bad_input():
    with pytest.raises(ValueError, match="tables is empty"):
        viz.plot_search_heatmaps({}, x="units", y="learning_rate")
    with pytest.raises(ValueError, match="no column"):
        viz.plot_search_heatmaps(_tables(), x="depth", y="learning_rate")


def test_plot_best_so_far_draws_a_step_line_per_strategy():
    fig = viz.plot_best_so_far(_tables(), ylabel="best accuracy")
    ax = fig.axes[0]
    steps = [line for line in ax.lines if line.get_label() in ("grid", "random")]
    assert [line.get_label() for line in steps] == ["grid", "random"]
    np.testing.assert_allclose(steps[0].get_ydata(), [0.5, 0.7, 0.7])
    assert ax.get_ylabel() == "best accuracy" and ax.get_xlabel() == "trials spent"
    with pytest.raises(ValueError, match="tables is empty"):
        viz.plot_best_so_far({})


def test_overlay_mask_blends_only_foreground_classes():
    image = np.full((4, 4, 3), 0.5, np.float32)
    mask = np.zeros((4, 4), int)
    mask[0, 0], mask[1, 1] = 1, 2
    out = viz.overlay_mask(image, mask, alpha=1.0)
    np.testing.assert_allclose(out[3, 3], 0.5)  # background untouched
    np.testing.assert_allclose(out[0, 0], to_rgb(viz.MASK_COLOURS[0]), atol=1e-6)
    np.testing.assert_allclose(out[1, 1], to_rgb(viz.MASK_COLOURS[1]), atol=1e-6)
    half = viz.overlay_mask(image[..., 0], mask, alpha=0.5)  # grey image
    np.testing.assert_allclose(half[0, 0], 0.25 + 0.5 * np.array(to_rgb(viz.MASK_COLOURS[0])))
    with pytest.raises(ValueError, match="must match"):
        viz.overlay_mask(image, np.zeros((3, 4), int))
    with pytest.raises(ValueError, match="alpha"):
        viz.overlay_mask(image, mask, alpha=2)


def test_show_mask_overlays_has_a_row_per_mask_set():
    images = np.random.default_rng(0).random((3, 8, 8, 3)).astype(np.float32)
    masks = np.zeros((3, 8, 8), int)
    masks[:, 2:5, 2:5] = 1
    fig = viz.show_mask_overlays(
        images,
        {"truth": masks, "predicted": masks * 2},
        class_names=["background", "a", "b"],
        titles=["1", "2", "3"],
    )
    assert isinstance(fig, Figure) and len(fig.axes) == 9
    assert fig.axes[3].get_ylabel() == "truth"
    plt.close(fig)
    with pytest.raises(ValueError, match="row 'truth'"):
        viz.show_mask_overlays(images, {"truth": masks[:2]})


def test_plot_depth_curves_has_a_panel_per_family():
    history = {"loss": [1.0, 0.5], "val_loss": [1.1, 0.7]}
    fig = viz.plot_depth_curves(
        {"plain": {8: history, 20: history}, "residual": {8: history, 20: history}}
    )
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    assert fig.axes[1].get_title() == "2 · residual"
    assert len(fig.axes[0].get_lines()) == 2
    with pytest.raises(ValueError, match="no 'accuracy'"):
        viz.plot_depth_curves({"plain": {8: history}}, "accuracy")
    with pytest.raises(ValueError, match="empty"):
        viz.plot_depth_curves({})


def test_plot_architecture_comparison_draws_three_panels():
    import pandas as pd

    table = pd.DataFrame(
        {
            "model": ["vgg", "resnet"],
            "parameters": [1000, 2000],
            "multiply_adds": [1e6, 3e6],
            "train_images_per_s": [500.0, 300.0],
            "inference_images_per_s": [2000.0, 1500.0],
            "test_accuracy": [0.8, 0.9],
        }
    )
    fig = viz.plot_architecture_comparison(table)
    assert isinstance(fig, Figure) and len(fig.axes) == 3
    assert fig.axes[0].get_xscale() == "log"
    with pytest.raises(ValueError, match="test_accuracy"):
        viz.plot_architecture_comparison(table.drop(columns="test_accuracy"))


def test_show_detections_draws_truth_and_predictions():
    import matplotlib.pyplot as plt

    from imgcourse.viz import show_detections

    images = np.zeros((2, 16, 16, 3))
    truth = [{"boxes": np.array([[1, 1, 8, 8]]), "labels": np.array([0])}] * 2
    dets = [
        {"boxes": np.array([[1, 1, 8, 9]]), "labels": np.array([0]), "scores": np.array([0.9])},
        {"boxes": np.zeros((0, 4)), "labels": np.array([], int), "scores": np.array([])},
    ]
    fig = show_detections(images, truth, dets, ["circle"], titles=["a", "b"])
    assert len(fig.axes) == 4
    assert len(fig.axes[0].patches) == 1 and len(fig.axes[3].patches) == 0
    with pytest.raises(ValueError, match="one ground truth"):
        show_detections(images, truth[:1], dets, ["circle"])
    plt.close(fig)


def test_plot_label_curves_draws_the_mean_per_method_and_a_dot_per_seed():
    from imgcourse.train.seeds import SeedRuns

    def runs(a, b):
        return SeedRuns(seeds=(0, 1, 2), values={"transfer": np.array(a), "scratch": np.array(b)})

    results = {
        20: runs([0.9, 0.8, 0.7], [0.6, 0.6, 0.6]),
        5: runs([0.5, 0.6, 0.7], [0.2, 0.3, 0.4]),
    }
    fig = viz.plot_label_curves(results, chance=0.1, title="digits")
    ax = fig.axes[0]
    assert ax.get_title() == "digits" and ax.get_xscale() == "log"
    transfer, scratch = ax.lines[:2]
    np.testing.assert_allclose(transfer.get_xdata(), [5, 20])
    np.testing.assert_allclose(transfer.get_ydata(), [0.6, 0.8])
    np.testing.assert_allclose(scratch.get_ydata(), [0.3, 0.6])
    assert len(ax.collections) == 2 * 3  # per method: a band and two sets of seed dots
    assert [t.get_text() for t in ax.get_xticklabels()] == ["5", "20"]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["transfer", "scratch"]
    only = viz.plot_label_curves(results, methods=["scratch"])
    assert len(only.axes[0].lines) == 1


def test_plot_label_curves_bad_input():
    from imgcourse.train.seeds import SeedRuns

    with pytest.raises(ValueError, match="results is empty"):
        viz.plot_label_curves({})
    with pytest.raises(ValueError, match="must be positive"):
        viz.plot_label_curves({0: SeedRuns(seeds=(0,), values={"a": np.array([1.0])})})


def test_show_explanations_grid_and_shared_scale():
    rng = np.random.default_rng(0)
    images = rng.random((3, 8, 8, 3))
    maps = {"saliency": rng.random((3, 8, 8)), "occlusion": -rng.random((3, 8, 8))}
    fig = viz.show_explanations(images, maps, row_titles=["a", "b", "c"])
    image_axes = [ax for ax in fig.axes if ax.images]
    assert len(image_axes) == 3 * 3
    assert image_axes[1].get_title() == "1 · saliency"
    for ax in image_axes[1:3]:
        assert ax.images[0].get_clim() == (0.0, 1.0)
        assert ax.images[0].get_array().max() == pytest.approx(1.0)  # |map| / its max
    with pytest.raises(ValueError, match=r"maps\['x'\] has shape"):
        viz.show_explanations(images, {"x": rng.random((2, 8, 8))})
    with pytest.raises(ValueError, match="maps is empty"):
        viz.show_explanations(images, {})


def test_plot_randomization_lines_and_errors():
    values = {"a": np.ones((3, 4)), "b": np.zeros((3, 4))}
    fig = viz.plot_randomization(values, ["none", "+head", "+conv3"])
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["none", "+head", "+conv3"]
    assert len(ax.get_legend().get_texts()) == 2
    with pytest.raises(ValueError, match=r"must be \(steps, images\)"):
        viz.plot_randomization({"a": np.ones((2, 4))}, ["none", "+head", "+conv3"])
    with pytest.raises(ValueError, match="similarity is empty"):
        viz.plot_randomization({}, [])


def test_evaluation_figures():
    import matplotlib.pyplot as plt

    from imgcourse.metrics import reliability_bins
    from imgcourse.train import SeedRuns

    rng = np.random.default_rng(0)
    labels = rng.integers(0, 3, 200)
    probs = rng.dirichlet(np.ones(3), 200)
    bins = reliability_bins(labels, probs, n_bins=10)
    fig = viz.plot_reliability({"before": bins, "after": bins})
    assert len(fig.axes) == 4 and "ECE" in fig.axes[0].get_title()
    with pytest.raises(ValueError, match="titles"):
        viz.plot_reliability({"a": bins}, titles=["1", "2"])
    fig2 = viz.plot_roc_pr(labels, probs, ["a", "b", "c"])
    assert len(fig2.axes) == 2 and len(fig2.axes[0].get_lines()) == 4  # 3 classes + chance
    with pytest.raises(ValueError, match="probs must be"):
        viz.plot_roc_pr(labels, probs[:, :2], ["a", "b", "c"])
    fig3 = viz.plot_interval_widths(
        [10, 100], np.array([[0.3, 0.4], [0.1, 0.12]]), theory=np.array([0.35, 0.11])
    )
    assert fig3.axes[0].get_xscale() == "log"
    runs = {
        name: SeedRuns(seeds=(0, 1, 2), values={"acc": rng.random(3), "gap": rng.random(3)})
        for name in ("a", "b")
    }
    fig4 = viz.plot_seed_tradeoff(runs, "acc", "gap")
    assert len(fig4.axes[0].get_legend().get_texts()) == 2
    with pytest.raises(KeyError, match="no metric"):
        viz.plot_seed_tradeoff(runs, "acc", "missing")
    for f in (fig, fig2, fig3, fig4):
        plt.close(f)


def test_plot_range_test_draws_the_losses_the_zones_and_the_rate():
    rates = np.geomspace(1e-5, 1.0, 20)
    losses = np.linspace(2.3, 0.5, 20)
    smooth = losses.copy()
    zones = [("too small", rates[0], rates[5]), ("right", rates[5], rates[15])]
    fig = viz.plot_range_test(rates, losses, smooth, zones=zones, marked=0.003)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log"
    assert ax.get_ylim() == (0, pytest.approx(1.5 * 2.3))
    assert [t.get_text() for t in ax.texts] == ["too small", "right"]
    assert "rate used above (0.003)" in [t.get_text() for t in ax.get_legend().get_texts()]
    plt.close(fig)


def test_plot_range_test_bad_input():
    with pytest.raises(ValueError, match="one value per step"):
        viz.plot_range_test([1e-3, 1e-2], [1.0], [1.0, 2.0])
