"""The GAN training loop: a discriminator step and a generator step per batch (``12_gans``).

A GAN is not trained by ``fit``: two networks take turns, each with its own loss and
optimiser. :func:`gan_losses` holds the two losses (in ``keras.ops``, any backend);
:func:`tf_gan_step` is one step of both updates written with TensorFlow's ``GradientTape``
(the notebook writes the same step out and checks it against this copy); and
:func:`train_gan` runs epochs of steps, prints one line per epoch with images/s like
:func:`imgcourse.train.fit`, and keeps the samples of a fixed noise batch across training.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import keras
import numpy as np
from keras import ops

from imgcourse.train.callbacks import format_metrics
from imgcourse.train.fit import TrainResult


def gan_losses(real_logits: Any, fake_logits: Any, *, smoothing: float = 0.0) -> tuple:
    """The discriminator's and the generator's loss from the discriminator's logits.

    Binary cross-entropy on logits: the discriminator is told "real" (1, or ``1 -
    smoothing`` with one-sided **label smoothing**) for real images and "fake" (0) for
    generated ones; the generator's loss is the **non-saturating** one, the cross-entropy
    of its images against "real", so it gets strong gradients while the discriminator wins.

    Args:
        real_logits: (batch, 1) logits on real images.
        fake_logits: (batch, 1) logits on generated images.
        smoothing: in [0, 0.5); the target for real images is ``1 - smoothing``.

    Returns:
        ``(d_loss, g_loss)``, two scalar tensors (nats per image).
    """
    if not 0.0 <= float(smoothing) < 0.5:
        raise ValueError(f"smoothing must be in [0, 0.5); got {smoothing}")
    bce = keras.losses.binary_crossentropy
    d_loss = ops.mean(
        bce(ops.ones_like(real_logits) * (1.0 - smoothing), real_logits, from_logits=True)
    ) + ops.mean(bce(ops.zeros_like(fake_logits), fake_logits, from_logits=True))
    g_loss = ops.mean(bce(ops.ones_like(fake_logits), fake_logits, from_logits=True))
    return d_loss, g_loss


def _inputs(first: Any, labels: Any) -> Any:
    return first if labels is None else [first, labels]


def tf_gan_step(
    generator: keras.Model,
    discriminator: keras.Model,
    g_optimizer: keras.optimizers.Optimizer,
    d_optimizer: keras.optimizers.Optimizer,
    real: Any,
    noise: Any,
    labels: Any = None,
    *,
    smoothing: float = 0.0,
) -> dict[str, Any]:
    """One GAN step (TensorFlow): update the discriminator, then the generator.

    1. The generator makes a batch from ``noise``; the discriminator scores the real and the
       generated batch and descends its loss (its own weights only).
    2. The generator makes the batch again and descends its loss through the (just updated)
       discriminator, changing only the generator's weights.

    Args:
        generator, discriminator: models from :mod:`imgcourse.models.gan` (or alike);
            conditional ones take ``[x, labels]``.
        g_optimizer, d_optimizer: one optimiser each.
        real: (batch, h, w, c) real images in [-1, 1].
        noise: (batch, latent_dim) noise.
        labels: (batch,) int classes for conditional models, else None.
        smoothing: one-sided label smoothing (see :func:`gan_losses`).

    Returns:
        ``{"d_loss", "g_loss", "d_real", "d_fake"}``: the losses, and the discriminator's
        mean probability of "real" on the real and on the generated batch.
    """
    import tensorflow as tf

    fake = generator(_inputs(noise, labels), training=True)
    with tf.GradientTape() as tape:  # 1. the discriminator's step
        real_logits = discriminator(_inputs(real, labels), training=True)
        fake_logits = discriminator(_inputs(fake, labels), training=True)
        d_loss, _ = gan_losses(real_logits, fake_logits, smoothing=smoothing)
    weights = discriminator.trainable_weights
    d_optimizer.apply_gradients(zip(tape.gradient(d_loss, weights), weights))
    with tf.GradientTape() as tape:  # 2. the generator's step
        fake = generator(_inputs(noise, labels), training=True)
        fake_logits = discriminator(_inputs(fake, labels), training=True)
        _, g_loss = gan_losses(real_logits, fake_logits)
    weights = generator.trainable_weights
    g_optimizer.apply_gradients(zip(tape.gradient(g_loss, weights), weights))
    return {
        "d_loss": d_loss,
        "g_loss": g_loss,
        "d_real": ops.mean(ops.sigmoid(real_logits)),
        "d_fake": ops.mean(ops.sigmoid(fake_logits)),
    }


def _check_data(images: Any, labels: Any, generator: keras.Model) -> tuple:
    x = np.asarray(images, np.float32)
    if x.ndim != 4:
        raise ValueError(f"images must be (n, height, width, channels); got shape {x.shape}")
    if x.size and (x.min() < -1.0 - 1e-6 or x.max() > 1.0 + 1e-6):
        raise ValueError(
            f"images must lie in [-1, 1] (the generator's tanh range); got values from "
            f"{x.min():.3g} to {x.max():.3g}. Scale images in [0, 1] with x * 2 - 1."
        )
    conditional = isinstance(generator.input, list)
    if conditional and labels is None:
        raise ValueError(
            f"{generator.name} is conditional (it takes noise and a label); pass labels="
        )
    if not conditional and labels is not None:
        raise ValueError(f"{generator.name} takes noise only; pass labels=None")
    y = None if labels is None else np.asarray(labels).astype(np.int32)
    if y is not None and y.shape != (len(x),):
        raise ValueError(f"labels must be ({len(x)},) class indices; got shape {y.shape}")
    return x, y


_SHARED_STEP: Any = None  # the traced step reused by runs given ``optimizers``


def train_gan(
    generator: keras.Model,
    discriminator: keras.Model,
    images: Any,
    labels: Any = None,
    *,
    epochs: int,
    batch_size: int = 64,
    generator_lr: float = 2e-4,
    discriminator_lr: float = 2e-4,
    beta_1: float = 0.5,
    smoothing: float = 0.0,
    snapshot_epochs: Sequence[int] = (),
    num_samples: int = 16,
    every: int = 1,
    seed: int = 0,
    on_epoch_end: Callable[[int], None] | None = None,
    optimizers: tuple[keras.optimizers.Optimizer, keras.optimizers.Optimizer] | None = None,
) -> TrainResult:
    """Train a GAN with :func:`tf_gan_step`, printing losses and images/s per epoch.

    Each epoch shuffles the images, and each batch gets fresh noise (from a NumPy generator
    seeded with ``seed``, so runs repeat). After every epoch listed in ``snapshot_epochs``
    the generator draws from one fixed batch of ``num_samples`` noise vectors (classes
    ``0, 1, 2, ...`` in turn, when conditional), so snapshots can be compared.

    Args:
        generator, discriminator: the two models (conditional ones take ``[x, labels]``).
        images: (n, h, w, c) float32 in [-1, 1]; a last partial batch is dropped.
        labels: (n,) int classes for conditional models, else None.
        epochs: passes over the images.
        batch_size: images per step.
        generator_lr, discriminator_lr: Adam learning rates.
        beta_1: Adam's first-moment decay (0.5 in the DCGAN paper).
        smoothing: one-sided label smoothing for the discriminator.
        snapshot_epochs: epochs (1-based) after which to keep samples; 0 for before training.
        num_samples: size of the fixed noise batch.
        every: print every this many epochs (the last is always printed).
        seed: seed of the shuffling and the noise.
        on_epoch_end: called with the epoch number (1-based) after each epoch, for example to
            keep samples of the generator as it is at that epoch.
        optimizers: (generator's, discriminator's) Adam optimisers to reuse, for example
            across runs that set the same two models' weights afresh: their state is reset
            to zero and their rates set to ``generator_lr``/``discriminator_lr``, and the
            traced step of an earlier run with the same models and optimisers is reused
            (no new tracing). None: new optimisers (and a new trace) for this run.

    Returns:
        A :class:`~imgcourse.train.TrainResult`: ``history`` has d_loss, g_loss, d_real and
        d_fake per epoch (means over its steps) and ``step_d_loss``/``step_g_loss`` per step;
        ``extra["snapshots"]`` maps epoch -> (num_samples, h, w, c) images in [-1, 1],
        ``extra["noise"]``/``extra["labels"]`` hold the fixed batch.
    """
    if keras.backend.backend() != "tensorflow":
        raise RuntimeError(
            f"train_gan uses tf_gan_step (TensorFlow's GradientTape); the Keras backend is "
            f"{keras.backend.backend()!r}. Set KERAS_BACKEND=tensorflow before importing keras."
        )
    import tensorflow as tf

    x, y = _check_data(images, labels, generator)
    if int(epochs) < 1 or int(batch_size) < 1 or len(x) < int(batch_size):
        raise ValueError(
            f"need epochs >= 1 and 1 <= batch_size <= number of images; got epochs={epochs}, "
            f"batch_size={batch_size}, {len(x)} images"
        )
    latent_dim = int(generator.inputs[0].shape[-1])
    rng = np.random.default_rng(seed)
    if optimizers is None:
        g_opt = keras.optimizers.Adam(generator_lr, beta_1=beta_1)
        d_opt = keras.optimizers.Adam(discriminator_lr, beta_1=beta_1)
        step = tf.function(tf_gan_step, reduce_retracing=True)
    else:
        g_opt, d_opt = optimizers
        for opt, model in ((g_opt, generator), (d_opt, discriminator)):
            if not opt.built:  # slots made here, not inside the shared traced step
                opt.build(model.trainable_variables)
        for opt, lr in ((g_opt, generator_lr), (d_opt, discriminator_lr)):
            for v in opt.variables:  # iterations and moments back to 0
                v.assign(ops.zeros(v.shape, v.dtype))
            opt.learning_rate.assign(float(lr))
        global _SHARED_STEP
        if _SHARED_STEP is None:
            _SHARED_STEP = tf.function(tf_gan_step, reduce_retracing=True)
        step = _SHARED_STEP
    fixed = rng.normal(size=(num_samples, latent_dim)).astype(np.float32)
    fixed_labels = None if y is None else (np.arange(num_samples) % (y.max() + 1)).astype(np.int32)
    snapshots: dict[int, np.ndarray] = {}

    def snapshot(epoch: int) -> None:
        if epoch in snapshot_epochs:
            snapshots[epoch] = np.asarray(generator(_inputs(fixed, fixed_labels), training=False))

    snapshot(0)
    steps = len(x) // int(batch_size)
    n = steps * int(batch_size)
    history: dict[str, list[float]] = {k: [] for k in ("d_loss", "g_loss", "d_real", "d_fake")}
    history.update(step_d_loss=[], step_g_loss=[])
    seconds: list[float] = []
    start = time.perf_counter()
    for epoch in range(1, int(epochs) + 1):
        order = rng.permutation(len(x))
        t0 = time.perf_counter()
        logs: dict[str, list[float]] = {k: [] for k in ("d_loss", "g_loss", "d_real", "d_fake")}
        for s in range(steps):
            idx = order[s * batch_size : (s + 1) * batch_size]
            noise = rng.normal(size=(len(idx), latent_dim)).astype(np.float32)
            out = step(
                generator,
                discriminator,
                g_opt,
                d_opt,
                x[idx],
                noise,
                None if y is None else y[idx],
                smoothing=float(smoothing),
            )
            for k in logs:
                logs[k].append(float(out[k]))
        seconds.append(time.perf_counter() - t0)
        for k, values in logs.items():
            history[k].append(float(np.mean(values)))
        history["step_d_loss"] += logs["d_loss"]
        history["step_g_loss"] += logs["g_loss"]
        snapshot(epoch)
        if on_epoch_end is not None:
            on_epoch_end(epoch)
        if epoch % max(1, int(every)) == 0 or epoch == int(epochs):
            width = len(str(int(epochs)))
            shown = {k: history[k][-1] for k in logs}
            print(
                f"epoch {epoch:>{width}}/{epochs}  {format_metrics(shown)}  "
                f"| {n / max(seconds[-1], 1e-9):,.0f} images/s",
                flush=True,
            )
    total = time.perf_counter() - start
    steady = seconds[1:] or seconds
    rate = n / float(np.median(steady))
    print(
        f"trained {epochs} epochs on {n:,} images in {total:.1f} s; {rate:,.0f} images/s "
        "(median epoch, first epoch left out)"
    )
    return TrainResult(
        history=history,
        seconds=total,
        images_per_second=rate,
        epochs=int(epochs),
        num_images=n,
        extra={"snapshots": snapshots, "noise": fixed, "labels": fixed_labels},
    )


def generate(
    generator: keras.Model, num: int, labels: Any = None, *, seed: int = 0, batch_size: int = 256
) -> np.ndarray:
    """Draw ``num`` images from a trained generator, as (num, h, w, c) float32 in [0, 1].

    Args:
        generator: an unconditional generator, or a conditional one with ``labels``.
        num: how many images.
        labels: (num,) int classes asked for (conditional generators only).
        seed: seed of the noise.
        batch_size: images per forward pass.
    """
    latent_dim = int(generator.inputs[0].shape[-1])
    noise = np.random.default_rng(seed).normal(size=(int(num), latent_dim)).astype(np.float32)
    y = None if labels is None else np.asarray(labels).astype(np.int32)
    if y is not None and y.shape != (int(num),):
        raise ValueError(f"labels must be ({num},) class indices; got shape {y.shape}")
    out = [
        np.asarray(
            generator(
                _inputs(noise[i : i + batch_size], None if y is None else y[i : i + batch_size]),
                training=False,
            )
        )
        for i in range(0, int(num), batch_size)
    ]
    return ((np.concatenate(out) + 1.0) / 2.0).clip(0.0, 1.0)


__all__ = ["gan_losses", "generate", "tf_gan_step", "train_gan"]
