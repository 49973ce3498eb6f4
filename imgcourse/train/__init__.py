"""Training helpers: ``fit`` with compact logs and images/s, the callbacks behind it, seed
repeats and hyperparameter search."""

from imgcourse.train.callbacks import ThroughputLogger, format_metrics
from imgcourse.train.fit import TrainingOutOfMemoryError, TrainResult, fit
from imgcourse.train.seeds import SeedRuns, over_seeds
from imgcourse.train.tuning import SearchResult, compare_searches, search, trials_table

# [11 autoencoders] imports
# [12 gans] imports
# [13 style transfer] imports
# [14 attention] imports
# [15 few-shot] imports

__all__ = [
    # [11 autoencoders] names
    # [12 gans] names
    # [13 style transfer] names
    # [14 attention] names
    # [15 few-shot] names
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
