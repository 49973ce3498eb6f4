"""Training helpers: ``fit`` with compact logs and images/s, the callbacks behind it, seed
repeats, hyperparameter search and batch-norm statistics refreshed after training."""

from imgcourse.train.batch_norm import refresh_batch_norm
from imgcourse.train.callbacks import ThroughputLogger, format_metrics
from imgcourse.train.episodes import (
    Episode,
    EpisodeSampler,
    evaluate_episodes,
    nearest_neighbour,
    train_episodes,
)
from imgcourse.train.fit import TrainingOutOfMemoryError, TrainResult, fit
from imgcourse.train.gan import gan_losses, generate, tf_gan_step, train_gan
from imgcourse.train.seeds import SeedRuns, over_seeds
from imgcourse.train.style import StyleTransferResult, transfer_style
from imgcourse.train.tuning import (
    SearchResult,
    compare_searches,
    search,
    trials_table,
    tuner_class,
)

__all__ = [
    "gan_losses",
    "generate",
    "tf_gan_step",
    "train_gan",
    "StyleTransferResult",
    "transfer_style",
    "Episode",
    "EpisodeSampler",
    "evaluate_episodes",
    "nearest_neighbour",
    "train_episodes",
    "SearchResult",
    "SeedRuns",
    "ThroughputLogger",
    "TrainResult",
    "TrainingOutOfMemoryError",
    "compare_searches",
    "fit",
    "format_metrics",
    "over_seeds",
    "refresh_batch_norm",
    "search",
    "trials_table",
    "tuner_class",
]
