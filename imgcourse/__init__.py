"""imgcourse: the helper package behind the deep-learning-for-images course.

Importing the package is cheap: Keras and TensorFlow are imported by :func:`setup`
(with their start-up noise muted) or by the submodules that need them.
"""

from __future__ import annotations

__version__ = "0.1.0"

from imgcourse.runtime import setup  # noqa: E402  (numpy only; no TensorFlow import)

__all__ = ["__version__", "setup"]
