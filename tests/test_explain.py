"""imgcourse.explain: each method on a model whose right answer is known in advance."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from keras import layers
from scipy.ndimage import binary_dilation
from scipy.stats import spearmanr

from imgcourse import explain

H = W = 8
C = 3


def linear_model(seed: int = 0, activation: str = "softmax") -> tuple[keras.Model, np.ndarray]:
    """Flatten then one Dense layer of 3 classes, with known weights (H*W*C, 3)."""
    rng = np.random.default_rng(seed)
    inputs = keras.Input((H, W, C))
    x = layers.Flatten(name="features")(inputs)
    outputs = layers.Dense(3, activation=activation, name="head")(x)
    model = keras.Model(inputs, outputs)
    weights = rng.normal(0, 1, (H * W * C, 3)).astype(np.float32)
    model.get_layer("head").set_weights([weights, rng.normal(0, 1, 3).astype(np.float32)])
    return model, weights


def small_cnn(seed: int = 0) -> keras.Model:
    keras.utils.set_random_seed(seed)
    inputs = keras.Input((H, W, C))
    x = layers.Conv2D(4, 3, padding="same", activation="relu", name="conv1")(inputs)
    x = layers.MaxPooling2D(2, name="pool1")(x)
    x = layers.Conv2D(8, 3, padding="same", activation="tanh", name="conv2")(x)
    x = layers.Flatten(name="features")(x)
    outputs = layers.Dense(3, activation="softmax", name="head")(x)
    return keras.Model(inputs, outputs)


def images(n: int = 4, seed: int = 1) -> np.ndarray:
    return np.random.default_rng(seed).random((n, H, W, C)).astype(np.float32)


# ------------------------------------------------------------------------ saliency
def test_saliency_of_a_linear_model_is_its_weights():
    """The logit of class k is w_k . x + b_k, so its gradient is w_k, whatever the image."""
    model, weights = linear_model()
    x = images()
    targets = np.array([0, 1, 2, 1])
    grads = explain.input_gradients(model, x, targets)
    expected = weights.T[targets].reshape(len(x), H, W, C)
    np.testing.assert_allclose(grads, expected, atol=1e-6)
    np.testing.assert_allclose(
        explain.saliency(model, x, targets), np.abs(expected).max(axis=-1), atol=1e-6
    )


def test_the_softmax_is_restored_and_probability_gradients_match_finite_differences():
    model, _ = linear_model()
    x = images(1)
    before = model.predict(x, verbose=0)
    grads = explain.input_gradients(model, x, 2, logits=False)
    assert model.layers[-1].activation is keras.activations.softmax
    np.testing.assert_allclose(model.predict(x, verbose=0), before, atol=1e-7)
    # central finite differences of the probability of class 2, at a few pixels
    eps = 1e-2
    for index in [(0, 0, 0, 0), (0, 3, 4, 1), (0, 7, 7, 2)]:
        up, down = x.copy(), x.copy()
        up[index] += eps
        down[index] -= eps
        numeric = model.predict(up, verbose=0)[0, 2] - model.predict(down, verbose=0)[0, 2]
        assert grads[index] == pytest.approx(numeric / (2 * eps), rel=1e-2, abs=1e-4)


# ------------------------------------------------------------- integrated gradients
def test_integrated_gradients_of_a_linear_model_is_weights_times_input():
    model, weights = linear_model()
    x = images(2)
    attr = explain.integrated_gradients(model, x, [0, 2], steps=4)
    expected = x * weights.T[[0, 2]].reshape(2, H, W, C)
    np.testing.assert_allclose(attr, expected, atol=1e-5)


def test_integrated_gradients_are_complete_on_a_nonlinear_cnn():
    """Attributions add up to score(x) - score(baseline) within 1% of that change at 64 steps,
    and the gap shrinks as the Riemann sum gets finer."""
    model = small_cnn()
    x = images(3)
    targets = np.array([0, 1, 2])
    baseline = 0.5
    gaps = []
    for steps in (2, 64):
        attr = explain.integrated_gradients(model, x, targets, baseline=baseline, steps=steps)
        gaps.append(np.abs(explain.completeness_gap(model, x, targets, attr, baseline=baseline)))
    with explain._without_softmax(model, True):
        logits = model.predict(x, verbose=0)[np.arange(3), targets]
        base = model.predict(np.full_like(x, baseline), verbose=0)[np.arange(3), targets]
    change = np.abs(logits - base)
    assert np.all(gaps[1] <= 0.01 * change + 1e-4), (gaps[1], change)
    assert gaps[1].sum() < gaps[0].sum()


def test_integrated_gradients_checks_its_arguments():
    model, _ = linear_model()
    with pytest.raises(ValueError, match="steps must be a positive int"):
        explain.integrated_gradients(model, images(1), 0, steps=0)
    with pytest.raises(ValueError, match="baseline must be a number or broadcast"):
        explain.integrated_gradients(model, images(1), 0, baseline=np.zeros((5, 5, 3)))


# ------------------------------------------------------------------------ Grad-CAM
def masked_model(region: np.ndarray, pool: bool) -> keras.Model:
    """A model that multiplies its input by a fixed 0/1 mask first: it sees one region only.
    Positive conv weights and a head that rewards class 0 make the Grad-CAM of class 0 > 0."""
    size = region.shape[0]
    mask = region[None, :, :, None].astype(np.float32)
    inputs = keras.Input((size, size, C))
    x = layers.Lambda(lambda t: t * mask, name="blinkers")(inputs)
    x = layers.Conv2D(4, 3, padding="same", activation="relu", name="conv1")(x)
    if pool:
        x = layers.MaxPooling2D(2, name="pool1")(x)
        x = layers.Conv2D(4, 3, padding="same", activation="relu", name="conv2")(x)
    x = layers.GlobalAveragePooling2D(name="features")(x)
    outputs = layers.Dense(2, activation="softmax", name="head")(x)
    model = keras.Model(inputs, outputs)
    for layer in model.layers:
        if isinstance(layer, layers.Conv2D):
            kernel, bias = layer.get_weights()
            layer.set_weights([np.abs(kernel), np.zeros_like(bias)])
    head = model.get_layer("head")
    head.set_weights([np.stack([np.ones(4), -np.ones(4)], axis=1), np.zeros(2)])
    return model


@pytest.mark.parametrize(("pool", "layer", "reach"), [(False, "conv1", 1), (True, "conv2", 6)])
def test_grad_cam_lights_the_only_region_the_model_sees(pool, layer, reach):
    """99% of the map lies within ``reach`` pixels of the region, and its peak inside it.

    ``reach``: a 3x3 conv next to the region still sees its edge (1 pixel); after a pooling,
    a conv2 pixel sees 8x8 input pixels and bilinear resizing from 16x16 spreads a little
    more (6 pixels)."""
    size = 32
    region = np.zeros((size, size), bool)
    region[4:12, 20:28] = True  # top right
    model = masked_model(region, pool)
    x = np.random.default_rng(0).random((3, size, size, C)).astype(np.float32)
    cam = explain.grad_cam(model, x, 0, layer)
    assert cam.shape == (3, size, size) and cam.min() >= 0
    near = binary_dilation(region, iterations=reach)
    share = explain.region_share(cam, near)
    assert np.all(share > 0.99), share
    assert np.all(explain.region_share(cam, region) > 3 * region.mean())
    for one in cam:
        assert region[np.unravel_index(one.argmax(), one.shape)]


def test_grad_cam_at_its_own_resolution_and_errors():
    model = small_cnn()
    x = images(2)
    assert explain.grad_cam(model, x, [0, 1], "conv2", resize=False).shape == (2, 4, 4)
    with pytest.raises(ValueError, match=r"no layer named 'conv9'.*'conv1', 'pool1'"):
        explain.grad_cam(model, x, 0, "conv9")
    with pytest.raises(ValueError, match="Grad-CAM needs spatial maps"):
        explain.grad_cam(model, x, 0, "features")


# ----------------------------------------------------------------------- occlusion
def test_occlusion_lights_the_only_patch_the_model_looks_at():
    size = 16
    region = np.zeros((size, size), bool)
    region[10:14, 2:6] = True  # bottom left
    inputs = keras.Input((size, size, 1))
    x = layers.Lambda(lambda t: t * region[None, :, :, None].astype(np.float32))(inputs)
    x = layers.Flatten()(x)
    outputs = layers.Dense(2, name="head")(x)
    model = keras.Model(inputs, outputs)
    kernel = np.stack([np.ones(size * size), np.zeros(size * size)], axis=1)
    model.get_layer("head").set_weights([kernel, np.zeros(2)])
    x = np.ones((1, size, size, 1), np.float32)
    heat = explain.occlusion(model, x, 0, patch=4, stride=2, fill=0.0)[0]
    assert region[np.unravel_index(heat.argmax(), heat.shape)]
    assert heat[region].min() > 0
    far = np.ones_like(region)
    far[7:, :9] = False  # every patch that covers a far pixel misses the region
    assert np.abs(heat[far]).max() == 0


def test_occlusion_of_a_linear_model_matches_a_direct_computation():
    """For a linear score, hiding a patch lowers it by sum over the patch of w * (x - fill)."""
    model, weights = linear_model(activation=None)
    x = images(1)
    patch, stride, fill = 4, 2, 0.5
    heat = explain.occlusion(model, x, 1, patch=patch, stride=stride, fill=fill)[0]
    w1 = weights[:, 1].reshape(H, W, C)
    total = np.zeros((H, W))
    count = np.zeros((H, W))
    for r in range(0, H - patch + 1, stride):
        for c in range(0, W - patch + 1, stride):
            drop = (w1 * (x[0] - fill))[r : r + patch, c : c + patch].sum()
            total[r : r + patch, c : c + patch] += drop
            count[r : r + patch, c : c + patch] += 1
    np.testing.assert_allclose(heat, total / count, atol=1e-4)


def test_occlusion_checks_patch_size():
    model, _ = linear_model()
    with pytest.raises(ValueError, match="patch must be 1..8 pixels"):
        explain.occlusion(model, images(1), 0, patch=9)


# --------------------------------------------------------------------- input checks
def test_wrong_images_and_targets_are_explained():
    model, _ = linear_model()
    with pytest.raises(ValueError, match=r"for one image pass image\[None\]"):
        explain.saliency(model, images(1)[0], 0)
    with pytest.raises(ValueError, match="the model takes images of shape"):
        explain.saliency(model, np.zeros((1, 4, 4, 3)), 0)
    with pytest.raises(ValueError, match=r"class indices in 0\.\.2"):
        explain.saliency(model, images(2), [0, 3])
    with pytest.raises(ValueError, match="one class index per image"):
        explain.saliency(model, images(2), [0, 1, 2])


# --------------------------------------------------------- sanity checks, helpers
def test_randomize_layers_changes_only_the_named_layers():
    model = small_cnn()
    assert explain.weighted_layers(model) == ["conv1", "conv2", "head"]
    copy = explain.randomize_layers(model, ["head", "conv2"], seed=3)
    for name in ("conv1", "conv2", "head"):
        same = all(
            np.array_equal(a, b)
            for a, b in zip(model.get_layer(name).get_weights(), copy.get_layer(name).get_weights())
        )
        assert same == (name == "conv1"), name
    with pytest.raises(ValueError, match="no layer"):
        explain.randomize_layers(model, ["conv7"])
    with pytest.raises(ValueError, match="no weights"):
        explain.randomize_layers(model, ["pool1"])


def test_rank_similarity_matches_scipy():
    rng = np.random.default_rng(0)
    a, b = rng.random((3, 5, 5)), rng.random((3, 5, 5))
    b[1] = a[1] ** 3  # same ranks
    got = explain.rank_similarity(a, b)
    for i in range(3):
        assert got[i] == pytest.approx(spearmanr(a[i].ravel(), b[i].ravel()).statistic)
    assert got[1] == pytest.approx(1.0)
    assert explain.rank_similarity(np.ones((1, 3, 3)), a[:1, :3, :3])[0] == 0.0
    with pytest.raises(ValueError, match="two batches of maps"):
        explain.rank_similarity(a, b[:2])


def test_region_share():
    maps = np.zeros((2, 4, 4))
    maps[0, 0, 0], maps[0, 3, 3] = 3.0, -1.0
    region = np.zeros((4, 4), bool)
    region[0, 0] = True
    np.testing.assert_allclose(explain.region_share(maps, region), [0.75, 0.0])
    with pytest.raises(ValueError, match="maps must be"):
        explain.region_share(maps[0], region)


def test_grad_cam_of_a_global_average_pooling_network_is_cam_up_to_scale():
    """With GAP then one dense layer, the mean gradient over positions is w_fk / (h' w')."""
    keras.utils.set_random_seed(3)
    inputs = keras.Input((H, W, C))
    maps = layers.Conv2D(5, 3, padding="same", activation="relu", name="conv1")(inputs)
    pooled = layers.GlobalAveragePooling2D(name="gap")(maps)
    outputs = layers.Dense(3, activation="softmax", name="head")(pooled)
    model = keras.Model(inputs, outputs)
    x, targets = images(), np.array([0, 1, 2, 0])
    a = keras.Model(inputs, maps)(x).numpy()
    weights = model.get_layer("head").kernel.numpy()
    cam = np.maximum(np.einsum("nijf,fn->nij", a, weights[:, targets]), 0)
    grad_cam = explain.grad_cam(model, x, targets, "conv1", resize=False)
    np.testing.assert_allclose(H * W * grad_cam, cam, atol=1e-5 * cam.max())


def test_show_explanations_overlay_draws_each_map_over_its_image():
    import matplotlib.pyplot as plt

    from imgcourse import viz

    rng = np.random.default_rng(0)
    pictures = rng.random((2, 8, 8, 3))
    maps = {"saliency": rng.random((2, 8, 8)), "occlusion": -rng.random((2, 8, 8))}
    fig = viz.show_explanations(pictures, maps, overlay=True)
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 2 * 3
    grey, heat = panels[1].images  # the image in grey, then the map over it
    assert grey.get_cmap().name == "gray"
    assert heat.get_clim() == (0.0, 1.0)
    assert heat.get_array().max() == pytest.approx(1.0)
    plt.close(fig)


def test_print_mark_and_share_tables(capsys):
    from imgcourse import viz

    viz.print_mark_table({"shortcut": (1.0, 0.352), "fixed": (0.778, 0.787)})
    viz.print_share_table(
        {
            "shortcut": {"saliency": 0.353, "occlusion": 0.624},
            "fixed": {"saliency": 0.031, "occlusion": 0.024},
        },
        "share in the corner",
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["model", "with", "the", "mark", "without"]
    assert lines[1].split() == ["shortcut", "100.0%", "35.2%"]
    assert lines[3].split()[-2:] == ["shortcut", "fixed"]
    assert lines[4].split() == ["saliency", "35.3%", "3.1%"]
    assert lines[5].split() == ["occlusion", "62.4%", "2.4%"]
