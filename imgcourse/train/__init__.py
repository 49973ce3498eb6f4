"""Training helpers: ``fit`` with compact logs and images/s, and the callbacks behind it."""

from imgcourse.train.callbacks import ThroughputLogger, format_metrics
from imgcourse.train.fit import TrainResult, fit

__all__ = ["ThroughputLogger", "TrainResult", "fit", "format_metrics"]
