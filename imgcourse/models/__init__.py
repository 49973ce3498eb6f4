"""Model builders and a small registry: ``build(name, **overrides)``.

Each family lives in its own module (``cnn``, ...) and registers its builders with
:func:`register_model`, giving the configuration it is built with by default beside the
builder. Every builder returns a ``keras.Model`` with a named feature extractor output
(a layer named ``features``) and a named head (a layer named ``head``). Introduced in
``02_cnn_basics``.

Example:
    >>> from imgcourse import models
    >>> "small_cnn" in models.list_models()
    True
    >>> model = models.build("small_cnn", input_shape=(32, 32, 3), num_classes=5)
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

#: Family modules imported at the end of this file so that their builders register.
FAMILIES = ("cnn",)


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


for _family in FAMILIES:
    importlib.import_module(f"{__name__}.{_family}")

__all__ = ["FAMILIES", "ModelEntry", "build", "list_models", "register_model"]
