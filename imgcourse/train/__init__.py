"""Training helpers: ``fit`` with compact logs and images/s, and the callbacks behind it."""

from imgcourse.train.callbacks import ThroughputLogger, format_metrics
from imgcourse.train.fit import TrainResult, fit
from imgcourse.train.seeds import SeedRuns, over_seeds

__all__ = ["SeedRuns", "ThroughputLogger", "TrainResult", "fit", "format_metrics", "over_seeds"]
