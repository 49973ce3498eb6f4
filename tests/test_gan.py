"""The GAN pieces of ``12_gans``: the DCGAN builders, the losses against a NumPy reference,
the training step and loop, the sample measures and the figures."""

from __future__ import annotations

import textwrap

import keras
import matplotlib
import numpy as np
import pytest
from support import run_on_jax

matplotlib.use("Agg")

from imgcourse import models  # noqa: E402
from imgcourse.metrics import (  # noqa: E402
    class_counts,
    class_coverage,
    label_agreement,
    sample_diversity,
)
from imgcourse.metrics.generation import frechet_distance  # noqa: E402
from imgcourse.models.gan import (  # noqa: E402
    MinibatchStdDev,
    dcgan_discriminator,
    dcgan_generator,
)
from imgcourse.train.gan import gan_losses, generate, tf_gan_step, train_gan  # noqa: E402
from imgcourse.viz import gans as gviz  # noqa: E402

# ------------------------------------------------------------------------------ models


def test_registered_with_small_defaults_and_the_model_contract():
    g = models.build("dcgan_generator")
    d = models.build("dcgan_discriminator")
    assert g.input_shape == (None, 32) and g.output_shape == (None, 16, 16, 1)
    assert d.input_shape == (None, 16, 16, 1) and d.output_shape == (None, 1)
    assert g.count_params() < 200_000 and d.count_params() < 60_000
    for model in (g, d):
        assert model.get_layer("features") is not None
        assert model.layers[-1].name == "head"


def test_generator_output_lies_in_tanh_range_and_shapes_follow_options():
    g = dcgan_generator(8, (28, 28, 3), filters=(16, 8))
    out = np.asarray(g(np.random.default_rng(0).normal(size=(4, 8)).astype("float32") * 10))
    assert out.shape == (4, 28, 28, 3)
    assert out.min() >= -1.0 and out.max() <= 1.0


def test_conditional_models_take_labels_and_labels_change_the_output():
    g = dcgan_generator(8, (16, 16, 1), num_classes=3)
    d = dcgan_discriminator((16, 16, 1), num_classes=3)
    z = np.ones((2, 8), "float32")
    a = np.asarray(g([z, np.array([0, 0])]))
    b = np.asarray(g([z, np.array([0, 1])]))
    assert np.allclose(a[0], b[0]) and not np.allclose(a[1], b[1])
    assert d([a, np.array([0, 1])]).shape == (2, 1)


def test_minibatch_std_channel_is_zero_for_identical_images():
    x = np.tile(np.random.default_rng(0).normal(size=(1, 4, 4, 2)), (5, 1, 1, 1))
    out = np.asarray(MinibatchStdDev()(x.astype("float32")))
    assert out.shape == (5, 4, 4, 3)
    assert np.allclose(out[..., -1], 0.0, atol=1e-3)
    varied = np.random.default_rng(1).normal(size=(5, 4, 4, 2)).astype("float32")
    expected = np.sqrt(varied.var(axis=0) + 1e-8).mean()
    assert np.allclose(np.asarray(MinibatchStdDev()(varied))[..., -1], expected, atol=1e-5)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: dcgan_generator(8, (18, 18, 1)), "divisible by"),
        (lambda: dcgan_generator(0, (16, 16, 1)), "latent_dim"),
        (lambda: dcgan_generator(8, (16, 16)), "height, width, channels"),
        (lambda: dcgan_discriminator((16, 16, 1), num_classes=1), "num_classes"),
        (lambda: dcgan_discriminator((16, 16, 1), filters=()), "filters"),
        (lambda: dcgan_discriminator((16, 16, 1), dropout=1.0), "dropout"),
    ],
)
def test_bad_arguments_say_what_was_received(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# ------------------------------------------------------------------------------ losses


def _np_bce_logits(target, logits):
    p = 1 / (1 + np.exp(-logits))
    return -(target * np.log(p) + (1 - target) * np.log(1 - p))


def test_losses_match_a_numpy_reference_and_keras_metric():
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(16, 1)), rng.normal(size=(16, 1))
    for smoothing in (0.0, 0.1):
        d, g = gan_losses(real.astype("float32"), fake.astype("float32"), smoothing=smoothing)
        want_d = _np_bce_logits(1 - smoothing, real).mean() + _np_bce_logits(0, fake).mean()
        assert np.isclose(float(d), want_d, atol=1e-5)
        assert np.isclose(float(g), _np_bce_logits(1, fake).mean(), atol=1e-5)
    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    assert np.isclose(float(g), float(bce(np.ones((16, 1)), fake.astype("float32"))), atol=1e-5)
    zero = np.zeros((4, 1), "float32")
    d, g = gan_losses(zero, zero)
    assert np.isclose(float(d), np.log(4)) and np.isclose(float(g), np.log(2))
    with pytest.raises(ValueError, match="smoothing"):
        gan_losses(zero, zero, smoothing=0.5)


# ------------------------------------------------------------------------------ training


def _pair(cond: bool = False):
    keras.utils.set_random_seed(0)
    k = 3 if cond else None
    return (
        dcgan_generator(4, (8, 8, 1), filters=(8, 4), num_classes=k),
        dcgan_discriminator((8, 8, 1), filters=(4, 8), num_classes=k),
    )


def test_step_changes_each_network_by_its_own_loss_only():
    g, d = _pair()
    real = np.random.default_rng(0).uniform(-1, 1, (8, 8, 8, 1)).astype("float32")
    noise = np.random.default_rng(1).normal(size=(8, 4)).astype("float32")
    g0 = [np.asarray(w) for w in g.trainable_weights]
    d0 = [np.asarray(w) for w in d.trainable_weights]
    out = tf_gan_step(g, d, keras.optimizers.Adam(1e-2), keras.optimizers.Adam(1e-2), real, noise)
    assert set(out) == {"d_loss", "g_loss", "d_real", "d_fake"}
    assert all(not np.allclose(a, np.asarray(b)) for a, b in zip(d0, d.trainable_weights))
    assert any(not np.allclose(a, np.asarray(b)) for a, b in zip(g0, g.trainable_weights))
    assert 0.0 <= float(out["d_real"]) <= 1.0


def test_train_gan_prints_images_per_second_and_keeps_snapshots(capsys):
    g, d = _pair(cond=True)
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (40, 8, 8, 1)).astype("float32")
    y = rng.integers(0, 3, 40)
    result = train_gan(
        g, d, x, y, epochs=2, batch_size=16, snapshot_epochs=(0, 2), num_samples=6, seed=0
    )
    out = capsys.readouterr().out
    assert "images/s" in out and "epoch 2/2" in out
    assert result.num_images == 32 and len(result.history["d_loss"]) == 2
    assert len(result.history["step_d_loss"]) == 4
    assert sorted(result.extra["snapshots"]) == [0, 2]
    assert result.extra["snapshots"][2].shape == (6, 8, 8, 1)
    assert result.extra["labels"].tolist() == [0, 1, 2, 0, 1, 2]
    images = generate(g, 5, np.array([0, 1, 2, 0, 1]))
    assert images.shape == (5, 8, 8, 1) and images.min() >= 0 and images.max() <= 1


def test_train_gan_calls_on_epoch_end_after_each_epoch(capsys):
    g, d = _pair(cond=False)
    x = np.random.default_rng(0).uniform(-1, 1, (32, 8, 8, 1)).astype("float32")
    seen = []
    train_gan(g, d, x, epochs=3, batch_size=16, seed=0, on_epoch_end=seen.append)
    assert seen == [1, 2, 3]


def test_train_gan_with_reused_optimizers_repeats_a_fresh_run(capsys):
    x = np.random.default_rng(0).uniform(-1, 1, (32, 8, 8, 1)).astype("float32")
    g, d = _pair()
    start = (g.get_weights(), d.get_weights())
    fresh = train_gan(g, d, x, epochs=2, batch_size=16, generator_lr=1e-3, seed=0)
    opts = (keras.optimizers.Adam(0.5, beta_1=0.5), keras.optimizers.Adam(0.5, beta_1=0.5))
    for lr in (1e-2, 1e-3):  # the second run must forget the first one's state and rate
        g.set_weights(start[0])
        d.set_weights(start[1])
        again = train_gan(
            g, d, x, epochs=2, batch_size=16, generator_lr=lr, seed=0, optimizers=opts
        )
    np.testing.assert_allclose(again.history["d_loss"], fresh.history["d_loss"], atol=1e-5)
    other = _pair()  # a second pair with its own optimisers shares the traced step
    train_gan(
        *other,
        x,
        epochs=1,
        batch_size=16,
        optimizers=(keras.optimizers.Adam(), keras.optimizers.Adam()),
    )
    assert float(opts[0].learning_rate) == pytest.approx(1e-3)
    assert int(opts[1].iterations) == 4


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"images": np.zeros((8, 8, 8, 1)) + 2.0}, r"\[-1, 1\]"),
        ({"images": np.zeros((8, 8, 8))}, "n, height, width, channels"),
        ({"labels": np.zeros(8, int)}, "noise only"),
        ({"batch_size": 100}, "batch_size"),
    ],
)
def test_train_gan_rejects_bad_input(kwargs, message):
    g, d = _pair()
    args = {
        "images": np.zeros((8, 8, 8, 1), "float32"),
        "labels": None,
        "epochs": 1,
        "batch_size": 4,
        **kwargs,
    }
    with pytest.raises(ValueError, match=message):
        train_gan(g, d, **args)


def test_conditional_gan_needs_labels():
    g, d = _pair(cond=True)
    with pytest.raises(ValueError, match="conditional"):
        train_gan(g, d, np.zeros((8, 8, 8, 1), "float32"), epochs=1, batch_size=4)


# ------------------------------------------------------------------------------ metrics


def test_coverage_counts_and_agreement_against_numpy():
    pred = np.array([0] * 50 + [1] * 49 + [2])
    assert class_counts(pred, 4).tolist() == [50, 49, 1, 0]
    assert class_coverage(pred, 4) == 2  # class 2 has 1 % < 2 %
    assert class_coverage(pred, 4, min_share=0.0) == 3
    assert label_agreement([1, 2, 3, 4], [1, 2, 0, 4]) == 0.75
    with pytest.raises(ValueError, match="class indices"):
        class_counts([0, 5], 4)
    with pytest.raises(ValueError, match="one length"):
        label_agreement([1, 2], [1])


def test_frechet_distance_matches_the_gaussian_formula():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(400, 3))
    assert np.isclose(frechet_distance(a, a), 0.0, atol=1e-8)
    # diagonal covariances: the distance is |mu_a - mu_b|^2 + sum (s_a - s_b)^2
    b = a * 2.0 + 1.0
    var_a = np.var(a, axis=0, ddof=1)
    want = np.sum((a.mean(0) - b.mean(0)) ** 2) + np.sum((np.sqrt(var_a) - 2 * np.sqrt(var_a)) ** 2)
    cov_a = np.cov(a, rowvar=False)
    off_diagonal = np.abs(cov_a - np.diag(np.diag(cov_a))).max()
    assert np.isclose(frechet_distance(a, b), want, rtol=0.05 + off_diagonal)
    constant = np.c_[a[:, :2], np.zeros(len(a))]  # a singular covariance: no warning
    assert np.isfinite(frechet_distance(constant, constant + 0.1))
    with pytest.raises(ValueError, match=r"\(n, d\)"):
        frechet_distance(a, a[:, :2])


def test_sample_diversity_is_zero_for_copies_and_matches_numpy():
    rng = np.random.default_rng(0)
    x = rng.uniform(size=(10, 4, 4, 1))
    assert np.isclose(sample_diversity(np.repeat(x[:1], 5, axis=0)), 0.0, atol=1e-12)
    assert np.isclose(sample_diversity(x), np.std(x, axis=0).mean())
    with pytest.raises(ValueError, match="at least 2"):
        sample_diversity(x[:1])


# ------------------------------------------------------------------------------ figures


def test_figures_draw_and_the_explorer_moves():
    rng = np.random.default_rng(0)
    snaps = {0: rng.uniform(-1, 1, (4, 8, 8, 1)), 5: rng.uniform(-1, 1, (4, 8, 8, 1))}
    assert len(gviz.show_snapshots(snaps).axes) == 8
    history = {
        "step_d_loss": list(rng.uniform(1, 2, 30)),
        "step_g_loss": list(rng.uniform(0, 1, 30)),
        "d_real": [0.6, 0.5],
        "d_fake": [0.4, 0.5],
    }
    assert len(gviz.plot_gan_losses(history).axes) == 2
    assert len(gviz.compare_gan_losses({"a": history, "b": history}).axes) == 2
    with pytest.raises(ValueError, match="lacks"):
        gviz.compare_gan_losses({"a": {"d_real": []}})
    assert len(gviz.plot_class_coverage({"a": [1, 2], "b": [3, 0]}).axes) == 2
    rows = {"a": rng.uniform(size=(3, 8, 8, 1)), "b": rng.uniform(size=(3, 8, 8, 1))}
    explorer = gviz.interpolation_explorer(rows, [0.0, 0.5, 1.0], static=False)
    first = explorer.views[0].value
    explorer.slider.value = 2
    assert explorer.views[0].value != first and "1.00" in explorer.readout.value
    assert repr(explorer) == "InterpolationExplorer(rows=2, steps=3)"
    with pytest.raises(ValueError, match="one image per t"):
        gviz.interpolation_explorer(rows, [0.0, 1.0])
    with pytest.raises(ValueError, match="history lacks"):
        gviz.plot_gan_losses({"d_real": []})


# ------------------------------------------------------------------------------ JAX


def test_models_and_losses_run_on_jax():
    code = textwrap.dedent(
        """
        import numpy as np
        from imgcourse.models.gan import dcgan_discriminator, dcgan_generator
        from imgcourse.train.gan import gan_losses
        g = dcgan_generator(8, (16, 16, 1), num_classes=3)
        d = dcgan_discriminator((16, 16, 1), num_classes=3, minibatch_std=True)
        from keras import ops
        z, y = ops.ones((2, 8)), ops.convert_to_tensor(np.array([0, 2], "int32"))
        logits = d([g([z, y]), y])
        dl, gl = gan_losses(logits, logits)
        assert logits.shape == (2, 1) and np.isfinite(float(dl)) and np.isfinite(float(gl))
        print("RESULTS " + str(list(logits.shape)))
        """
    )
    assert run_on_jax(code, timeout=300) == [2, 1]
