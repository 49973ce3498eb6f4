"""The kernel playground: filtering, the static figure and the widget."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from scipy import ndimage  # noqa: E402

from imgcourse import widgets  # noqa: E402


@pytest.fixture
def image():
    rng = np.random.default_rng(0)
    return rng.random((20, 24)).astype(np.float32)


@pytest.mark.parametrize("name", list(widgets.PRESET_KERNELS))
def test_filter_image_is_cross_correlation_with_mirrored_border(image, name):
    kernel = widgets.PRESET_KERNELS[name]
    out = widgets.filter_image(image, kernel)
    expected = ndimage.correlate(image, kernel, mode="mirror")
    np.testing.assert_allclose(out, expected, atol=1e-5)


def test_filter_image_does_not_flip_the_kernel():
    image = np.zeros((5, 5), np.float32)
    image[2, 2] = 1.0
    kernel = np.arange(9, dtype=np.float32).reshape(3, 3)
    out = widgets.filter_image(image, kernel)
    # a single bright pixel leaves the kernel's mirror image (cross-correlation)
    np.testing.assert_allclose(out[1:4, 1:4], kernel[::-1, ::-1])


def test_filter_image_matches_keras_conv2d_inside(image):
    import keras

    kernel = widgets.PRESET_KERNELS["sobel x"]
    layer = keras.layers.Conv2D(1, 3, use_bias=False)
    layer.build((1, *image.shape, 1))
    layer.set_weights([kernel[:, :, None, None]])
    keras_out = np.asarray(layer(image[None, :, :, None]))[0, :, :, 0]
    np.testing.assert_allclose(
        widgets.filter_image(image, kernel)[1:-1, 1:-1], keras_out, atol=1e-5
    )


def test_filter_image_colour_filters_each_channel(image):
    colour = np.stack([image, 1 - image, image * 0.5], axis=-1)
    out = widgets.filter_image(colour, widgets.PRESET_KERNELS["blur"])
    assert out.shape == colour.shape
    np.testing.assert_allclose(
        out[..., 1], widgets.filter_image(1 - image, widgets.PRESET_KERNELS["blur"]), atol=1e-5
    )


@pytest.mark.parametrize(
    ("img", "kernel", "words"),
    [
        (np.zeros((8, 8)), np.ones((2, 2)), "odd"),
        (np.zeros((8, 8)), np.ones(3), "2-D"),
        (np.zeros((8, 8)), np.full((3, 3), np.nan), "NaN"),
        (np.zeros(8), np.ones((3, 3)), "(height, width)"),
        (np.zeros((1, 8)), np.ones((3, 3)), "too small"),
    ],
)
def test_filter_image_rejects_bad_input(img, kernel, words):
    with pytest.raises(ValueError) as info:
        widgets.filter_image(img, kernel)
    assert words in str(info.value)


def test_for_display_edge_kernel_is_centred_on_grey(image):
    kernel = widgets.PRESET_KERNELS["laplacian"]
    shown = widgets.for_display(widgets.filter_image(image, kernel), kernel)
    assert shown.min() >= 0 and shown.max() <= 1
    flat = widgets.for_display(np.zeros((4, 4), np.float32), kernel)
    np.testing.assert_allclose(flat, 0.5)
    sharp = widgets.PRESET_KERNELS["sharpen"]
    shown = widgets.for_display(widgets.filter_image(image, sharp), sharp)
    assert shown.min() >= 0 and shown.max() <= 1


def test_plot_filtered_has_a_kernel_and_an_image_per_preset(image):
    fig = widgets.plot_filtered(image)
    assert len(fig.axes) == 2 * len(widgets.PRESET_KERNELS)
    assert [ax.get_title() for ax in fig.axes[: len(widgets.PRESET_KERNELS)]] == list(
        widgets.PRESET_KERNELS
    )
    plt.close(fig)


def test_playground_updates_live_and_has_a_stable_repr(image):
    playground = widgets.kernel_playground(image, static=False)
    assert repr(playground) == "KernelPlayground(preset='identity', image=20x24)"
    first_png = bytes(playground.view.value)
    assert first_png.startswith(b"\x89PNG")

    playground.preset.value = "sobel x"
    np.testing.assert_array_equal(playground.kernel, widgets.PRESET_KERNELS["sobel x"])
    assert bytes(playground.view.value) != first_png
    assert "sum to 0" in playground.effect.value

    playground.weights[4].value = 1.0  # edit one weight: the menu says "custom"
    assert playground.preset.value == "custom"
    assert playground.kernel[1, 1] == 1.0
    assert "sum to 1" in playground.effect.value
    assert repr(playground) == "KernelPlayground(preset='custom', image=20x24)"


def test_playground_shows_the_static_figure(image, capsys):
    before = plt.get_fignums()
    widgets.kernel_playground(image)  # outside IPython, display() prints the figure's repr
    assert "Figure" in capsys.readouterr().out
    assert plt.get_fignums() == before  # closed after display: not shown twice


def test_playground_default_image_and_custom_kernels():
    playground = widgets.kernel_playground(
        kernels={"box": np.ones((3, 3)) / 9, "edge": widgets.PRESET_KERNELS["sobel y"]},
        static=False,
    )
    assert repr(playground) == "KernelPlayground(preset='box', image=256x256)"
    assert list(playground.preset.options) == ["box", "edge", "custom"]


def test_playground_rejects_kernels_it_cannot_edit(image):
    with pytest.raises(ValueError, match="3x3"):
        widgets.kernel_playground(image, kernels={"big": np.ones((5, 5))}, static=False)
    with pytest.raises(ValueError, match="at least one"):
        widgets.kernel_playground(image, kernels={}, static=False)


# ------------------------------------------------- augmentation explorer (03_data_and_augmentation)


def test_plot_augmentation_steps_has_a_row_per_step_and_one_for_all():
    image = np.random.default_rng(0).random((12, 12, 3)).astype(np.float32)
    fig = widgets.plot_augmentation_steps(image, draws=3)
    assert len(fig.axes) == 6 * 4
    labels = [ax.get_ylabel() for ax in fig.axes[::4]]
    assert labels[0] == "flip True" and labels[-1] == "all together"
    plt.close(fig)
    with pytest.raises(ValueError, match="unknown augmentation parameter"):
        widgets.plot_augmentation_steps(image, shear=0.1)


def test_augmentation_explorer_redraws_when_a_slider_moves():
    image = np.random.default_rng(1).random((10, 10, 3)).astype(np.float32)
    explorer = widgets.augmentation_explorer(image, draws=3, static=False)
    first = explorer.view.value
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    explorer.sliders["rotation"].value = 0.4
    assert explorer.params["rotation"] == pytest.approx(0.4)
    assert explorer.view.value != first
    assert repr(explorer) == "AugmentationExplorer(image=10x10, draws=3)"


def test_augmentation_explorer_rejects_a_grey_image():
    with pytest.raises(ValueError, match="height, width, channels"):
        widgets.augmentation_explorer(np.zeros((8, 8)), static=False)


def _threshold_data():
    rng = np.random.default_rng(0)
    truth = np.zeros((5, 12, 12), int)
    truth[:, 3:9, 3:9] = 1
    fg = np.clip(truth * 0.7 + rng.uniform(0, 0.4, truth.shape), 0, 1)
    return rng.random((5, 12, 12, 3)).astype(np.float32), truth, fg


def test_threshold_scores_match_the_metric():
    from imgcourse.metrics import mask_iou

    _, truth, fg = _threshold_data()
    scores = widgets.threshold_scores(truth, fg, [0.0, 0.5, 1.01])
    assert scores[0] == pytest.approx(truth.mean())  # everything foreground
    assert scores[1] == pytest.approx(mask_iou(truth > 0, fg >= 0.5))
    assert scores[2] == 0.0


def test_threshold_explorer_static_figure_and_live_update(capsys):
    images, truth, fg = _threshold_data()
    fig = widgets.plot_thresholds(images, truth, fg, shown=2)
    assert len(fig.axes) == 1 + 2 * len(widgets.SHOWN_THRESHOLDS)
    plt.close(fig)
    explorer = widgets.threshold_explorer(images, truth, fg, static=False)
    before = explorer.view.value
    explorer.slider.value = 0.9
    assert explorer.view.value != before and "IoU" in explorer.score.value
    assert repr(explorer) == "ThresholdExplorer(images=5, threshold=0.9)"
    with pytest.raises(ValueError, match="must agree"):
        widgets.threshold_explorer(images, truth[:2], fg)
