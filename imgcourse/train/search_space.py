"""A small architecture search space over the course's block families, and a Pareto front.

Introduced in ``16_architecture_search``. A network of the space is a stack of ``stages``
stages; each stage holds ``blocks`` blocks of one type followed by a 2x2 max pooling, and the
channels start at ``width`` and double from stage to stage, as in the VGG of
``05_cnn_architectures``. The block types are the families of :mod:`imgcourse.models`:

- ``"vgg"``: one ``kernel`` x ``kernel`` convolution, batch norm, ReLU
  (:func:`imgcourse.models.resnet.conv_bn`; two per stage is 05's ``vgg_bn``);
- ``"residual"``: :func:`imgcourse.models.resnet.residual_block` (two 3x3 convolutions and a
  shortcut; its kernel is fixed);
- ``"inception"``: :func:`imgcourse.models.inception.inception_module` with 1x1, 3x3, 5x5
  and pooling branches whose channels add up to the stage's width (kernels fixed);
- ``"mbconv"``: :func:`imgcourse.models.efficientnet.mbconv_block` (expand 4, depthwise
  ``kernel`` x ``kernel``, squeeze-and-excitation, project).

Global average pooling and a softmax ``head`` end every network. :func:`hypermodel` turns the
space into a KerasTuner build function; the kernel size is a *conditional* hyperparameter,
asked only for the block types that use it.

Example::

    build = hypermodel((16, 16, 3), 5)
    results = tuning.search(build, train, val, strategy="random", max_trials=8, epochs=4)
    front = pareto_front(parameters, scores)  # boolean mask of the non-dominated points
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import keras
import numpy as np
from keras import layers

from imgcourse.models import check_input
from imgcourse.models.efficientnet import mbconv_block
from imgcourse.models.inception import inception_module
from imgcourse.models.resnet import conv_bn, residual_block

#: The search space: hyperparameter -> the values it may take.
SPACE: dict[str, tuple[Any, ...]] = {
    "block": ("vgg", "residual", "inception", "mbconv"),
    "stages": (2, 3),
    "blocks": (1, 2),
    "width": (8, 16, 24),
    "kernel": (3, 5),
}
#: Block types whose spatial kernel size is a hyperparameter (the others fix theirs).
KERNEL_BLOCKS = ("vgg", "mbconv")


def inception_channels(width: int) -> tuple[int, int, int, int, int, int]:
    """An Inception module's (1x1, 3x3 reduce, 3x3, 5x5 reduce, 5x5, pool) channels for a
    stage of ``width`` output channels: a quarter, half, eighth and eighth of it."""
    quarter, eighth = max(1, width // 4), max(1, width // 8)
    return (quarter, quarter, width - 2 * eighth - quarter, eighth, eighth, eighth)


def _block(x: keras.KerasTensor, block: str, filters: int, kernel: int, name: str) -> Any:
    if block == "vgg":
        return conv_bn(x, filters, kernel, name)
    if block == "residual":
        return residual_block(x, filters, name)
    if block == "inception":
        return inception_module(x, inception_channels(filters), name)
    return mbconv_block(x, filters, name, expand=4, kernel=kernel)


def network(
    input_shape: Sequence[int],
    num_classes: int,
    *,
    block: str,
    stages: int,
    blocks: int,
    width: int,
    kernel: int = 3,
    name: str = "candidate",
) -> keras.Model:
    """One network of the space: (b, h, w, c) images -> (b, num_classes) probabilities.

    Stage ``s`` (1, 2, ...) holds ``blocks`` blocks named ``stage{s}_block{b}`` with
    ``width * 2 ** (s - 1)`` output channels, then ``stage{s}_pool`` (2x2 max pooling);
    ``features`` (global average pooling) and ``head`` (dense, softmax) follow. ``kernel``
    is used by the ``vgg`` and ``mbconv`` blocks only.

    Raises:
        ValueError: for an unknown block type, fewer than one stage, block or channel, or
            an image too small for ``stages`` poolings.
    """
    if block not in SPACE["block"]:
        raise ValueError(f"block must be one of {SPACE['block']}; got {block!r}")
    if min(int(stages), int(blocks), int(width), int(kernel)) < 1:
        raise ValueError(
            f"stages, blocks, width and kernel must be at least 1; got stages={stages}, "
            f"blocks={blocks}, width={width}, kernel={kernel}"
        )
    shape = check_input(name, input_shape, num_classes, min_side=2 ** int(stages))
    inputs = keras.Input(shape, name="image")
    x = inputs
    for s in range(1, int(stages) + 1):
        filters = int(width) * 2 ** (s - 1)
        for b in range(1, int(blocks) + 1):
            x = _block(x, block, filters, int(kernel), f"stage{s}_block{b}")
        x = layers.MaxPooling2D(2, name=f"stage{s}_pool")(x)
    x = layers.GlobalAveragePooling2D(name="features")(x)
    outputs = layers.Dense(num_classes, activation="softmax", dtype="float32", name="head")(x)
    return keras.Model(inputs, outputs, name=name)


def choose(hp: Any) -> dict[str, Any]:
    """Ask a KerasTuner ``hp`` for one point of :data:`SPACE`; ``kernel`` only for the block
    types in :data:`KERNEL_BLOCKS` (a conditional hyperparameter). Returns name -> value."""
    values = {"block": hp.Choice("block", list(SPACE["block"]))}
    for key in ("stages", "blocks", "width"):
        values[key] = hp.Choice(key, list(SPACE[key]))
    with hp.conditional_scope("block", list(KERNEL_BLOCKS)):
        kernel = hp.Choice("kernel", list(SPACE["kernel"]))
    values["kernel"] = kernel if values["block"] in KERNEL_BLOCKS else 3
    return values


def compile_for_search(model: keras.Model, learning_rate: float, bn_momentum: float = 0.9) -> Any:
    """Adam at ``learning_rate``, sparse cross-entropy, accuracy; batch norm momentum set to
    ``bn_momentum`` (05's setting for short runs). Returns the model, compiled in place.

    The optimizer's slots and the loss and metric trackers are created here, on one blank
    image, instead of inside the first training step: on the TensorFlow backend a step that
    creates variables is traced twice, and a search pays the tracing once per candidate
    (``16_architecture_search``). What is learned does not change.
    """
    for layer in model.layers:
        if isinstance(layer, layers.BatchNormalization):
            layer.momentum = bn_momentum
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    _build_training_state(model)
    return model


def _build_training_state(model: keras.Model) -> None:
    """Create the optimizer's, loss's and metrics' variables of a compiled model eagerly."""
    if not model.inputs or len(model.inputs) != 1 or None in model.inputs[0].shape[1:]:
        return  # not a one-input functional model of known size: leave it to fit
    model.optimizer.build(model.trainable_variables)
    image = np.zeros((1, *model.inputs[0].shape[1:]), dtype="float32")
    label = np.zeros((1,), dtype="int64")
    predicted = model(image, training=False)
    model.compute_loss(image, label, predicted)
    model.compute_metrics(image, label, predicted, sample_weight=None)
    model.reset_metrics()


def hypermodel(
    input_shape: Sequence[int], num_classes: int, *, learning_rate: float = 0.003
) -> Callable[[Any], keras.Model]:
    """A KerasTuner build function over :data:`SPACE`: ``hp`` -> a compiled :func:`network`."""

    def build(hp: Any) -> keras.Model:
        net = network(input_shape, num_classes, **choose(hp))
        return compile_for_search(net, learning_rate)

    return build


def describe(values: dict[str, Any]) -> str:
    """A short name for a point of the space, e.g. ``"vgg 3x2 w16 k3"`` (block, stages x
    blocks, width, kernel; the kernel left out for block types that fix it)."""
    stages, blocks, width = (int(values[key]) for key in ("stages", "blocks", "width"))
    text = f"{values['block']} {stages}x{blocks} w{width}"
    if values["block"] in KERNEL_BLOCKS:
        text += f" k{int(values['kernel'])}"
    return text


def pareto_front(costs: Sequence[float], scores: Sequence[float]) -> np.ndarray:
    """Which points no other point beats: a boolean mask over the points.

    A point is dominated when another has a cost no higher and a score no lower, and is
    strictly better in one of the two. Lower cost and higher score are better (parameters
    or milliseconds against accuracy, ``16_architecture_search``).

    Raises:
        ValueError: if the two sequences differ in length or hold NaN.
    """
    cost = np.asarray(costs, dtype=float)
    score = np.asarray(scores, dtype=float)
    if cost.shape != score.shape or cost.ndim != 1:
        raise ValueError(
            f"costs and scores must be 1-D and of one length; got shapes {cost.shape} and "
            f"{score.shape}"
        )
    if np.isnan(cost).any() or np.isnan(score).any():
        raise ValueError("costs and scores hold NaN; drop the trials that have no score")
    no_worse = (cost[None, :] <= cost[:, None]) & (score[None, :] >= score[:, None])
    better = (cost[None, :] < cost[:, None]) | (score[None, :] > score[:, None])
    return ~(no_worse & better).any(axis=1)
