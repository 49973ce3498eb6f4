"""Model builders and a small registry: ``build(name, **overrides)``.

Each family lives in its own module (``cnn``, ``vgg``, ``resnet``, ``inception``,
``efficientnet``) and registers its builders with :func:`register_model`, giving the
configuration it is built with by default beside the builder: the registered models are
sized for small inputs (32x32, trainable on a CPU). The papers' networks (VGG-16, ResNet-50,
GoogLeNet, EfficientNet-B0 at 224x224 with 1,000 classes) are built by the plain functions
listed in :data:`PAPER_MODELS`, for a look at their size. Every builder returns a
``keras.Model`` with a named feature extractor output (a layer named ``features``) and a named
head (a layer named ``head``) that computes in float32, also under a ``mixed_float16`` policy.
Introduced in ``02_cnn_basics``; the families in ``05_cnn_architectures``.

Example:
    >>> from imgcourse import models
    >>> "small_cnn" in models.list_models()
    True
    >>> model = models.build("small_cnn", input_shape=(32, 32, 3), num_classes=5)
    >>> models.PAPER_MODELS["resnet50"]().count_params()
    25610152
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

#: Family modules imported at the end of this file so that their builders register.
FAMILIES = (
    "cnn",
    "vgg",
    "resnet",
    "inception",
    "efficientnet",
    "autoencoder",
    "gan",
    "vit",
    "captioner",
    "protonet",
)


@dataclass(frozen=True)
class ModelEntry:
    """A registered builder and the keyword arguments it is built with by default."""

    name: str
    builder: Callable[..., Any]
    defaults: dict[str, Any] = field(default_factory=dict)


_REGISTRY: dict[str, ModelEntry] = {}


Builder = Callable[..., Any]


def register_model(name: str, **defaults: Any) -> Callable[[Builder], Builder]:
    """Register a builder under ``name``; ``defaults`` are the keyword arguments ``build``
    passes unless overridden.

    Raises:
        ValueError: if ``name`` is already registered, or a default is not an argument of the
            builder.
    """

    def decorator(builder: Builder) -> Builder:
        if name in _REGISTRY:
            raise ValueError(
                f"a model named {name!r} is already registered (by "
                f"{_REGISTRY[name].builder.__module__}.{_REGISTRY[name].builder.__name__}); "
                "choose another name"
            )
        _check_arguments(name, builder, defaults)
        _REGISTRY[name] = ModelEntry(name, builder, dict(defaults))
        return builder

    return decorator


def _check_arguments(name: str, builder: Callable[..., Any], kwargs: dict[str, Any]) -> None:
    params = inspect.signature(builder).parameters
    unknown = sorted(set(kwargs) - set(params))
    if unknown:
        raise ValueError(
            f"model {name!r} has no option(s) {unknown}; it accepts: {', '.join(params)}"
        )


def list_models() -> list[str]:
    """The registered model names, sorted."""
    return sorted(_REGISTRY)


def build(name: str, **overrides: Any) -> Any:
    """Build the registered model ``name`` with its defaults updated by ``overrides``.

    Raises:
        ValueError: for an unknown name (the message lists the known ones) or an option the
            builder does not accept.
    """
    if name not in _REGISTRY:
        raise ValueError(f"unknown model {name!r}; registered models: {', '.join(list_models())}")
    entry = _REGISTRY[name]
    _check_arguments(name, entry.builder, overrides)
    return entry.builder(**{**entry.defaults, **overrides})


def check_input(
    model: str, input_shape: Sequence[int], num_classes: int, *, min_side: int = 1
) -> tuple[int, int, int]:
    """Check a builder's ``input_shape`` and ``num_classes``; return the shape as ints.

    ``min_side`` is the smallest height and width the network can take (its total stride).

    Raises:
        ValueError: saying what was received and what ``model`` expects.
    """
    shape = tuple(int(s) for s in input_shape)
    if len(shape) != 3 or min(shape) < 1:
        raise ValueError(
            f"{model}: input_shape must be (height, width, channels); got {tuple(input_shape)}"
        )
    if min(shape[:2]) < min_side:
        raise ValueError(
            f"{model}: a {shape[0]}x{shape[1]} image is too small; this configuration "
            f"downsamples by {min_side}, so height and width must be at least {min_side}"
        )
    if int(num_classes) < 2:
        raise ValueError(f"{model}: num_classes must be at least 2; got {num_classes}")
    return shape  # type: ignore[return-value]


for _family in FAMILIES:
    importlib.import_module(f"{__name__}.{_family}")

from imgcourse.models import detector, unet  # noqa: E402,F401  (register their builders)
from imgcourse.models.efficientnet import efficientnet_b0  # noqa: E402  (after registration)
from imgcourse.models.inception import googlenet  # noqa: E402
from imgcourse.models.resnet import resnet50  # noqa: E402
from imgcourse.models.vgg import vgg16  # noqa: E402

#: The papers' networks at 224x224x3 with 1,000 classes, for their size and cost; not
#: registered, since they are far too large to train on a CPU: ``PAPER_MODELS["resnet50"]()``.
PAPER_MODELS: dict[str, Builder] = {
    "vgg16": vgg16,
    "resnet50": resnet50,
    "googlenet": googlenet,
    "efficientnet_b0": efficientnet_b0,
}

__all__ = [
    "FAMILIES",
    "PAPER_MODELS",
    "ModelEntry",
    "build",
    "check_input",
    "list_models",
    "register_model",
]
