"""Putting a trained model to work: export, measurement on this machine, and an app's view.

Introduced in ``17_deployment_and_on_device``; :func:`measure_latency` is also used by
``16_architecture_search``.
"""

from imgcourse.deploy.latency import Latency, measure_latency

__all__ = ["Latency", "measure_latency"]
