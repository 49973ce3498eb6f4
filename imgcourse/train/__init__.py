"""Training helpers: ``fit`` with compact logs and images/s, the callbacks behind it, seed
repeats and hyperparameter search."""

from imgcourse.train.callbacks import ThroughputLogger, format_metrics
from imgcourse.train.fit import TrainingOutOfMemoryError, TrainResult, fit
from imgcourse.train.seeds import SeedRuns, over_seeds
from imgcourse.train.tuning import SearchResult, compare_searches, search, trials_table

__all__ = [
    "SearchResult",
    "SeedRuns",
    "ThroughputLogger",
    "TrainResult",
    "TrainingOutOfMemoryError",
    "compare_searches",
    "fit",
    "format_metrics",
    "over_seeds",
    "search",
    "trials_table",
]
