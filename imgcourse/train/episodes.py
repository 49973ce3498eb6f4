"""Few-shot episodes: sampling them, training on them, and scoring a classifier over them
(``15_few_and_zero_shot``).

An **episode** of ``n_way`` classes, ``k_shot`` support and ``n_query`` query images per class
is drawn from a labelled pool: the classes at random, then the images of each class at random
without repeats. Its layout is fixed: support images class by class (``k_shot`` of episode
class 0, then of class 1, ...), then the query images class by class; labels are
episode-local (0 .. n_way - 1). :func:`imgcourse.models.protonet.protonet_loss` relies on it.

Training (:func:`train_episodes`) calls ``model.train_on_batch`` once per episode, so it runs on
every Keras backend; it prints episodes/s and images/s like :func:`imgcourse.train.fit`.
NumPy does the sampling and the scoring of precomputed features (:func:`evaluate_episodes`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import keras
import numpy as np

from imgcourse.train.fit import TrainResult


@dataclass(frozen=True)
class Episode:
    """Indices into the pool for one episode.

    Attributes:
        support: (n_way * k_shot,) pool indices, class by class.
        query: (n_way * n_query,) pool indices, class by class.
        classes: (n_way,) the pool labels of episode classes 0 .. n_way - 1.
        k_shot: support images per class.
        n_query: query images per class.
    """

    support: np.ndarray
    query: np.ndarray
    classes: np.ndarray
    k_shot: int
    n_query: int

    @property
    def n_way(self) -> int:
        return len(self.classes)

    @property
    def indices(self) -> np.ndarray:
        """Support then query pool indices, the order of one training batch."""
        return np.concatenate([self.support, self.query])

    @property
    def labels(self) -> np.ndarray:
        """Episode-local labels of :attr:`indices`: support labels, then query labels."""
        way = np.arange(self.n_way)
        return np.concatenate([np.repeat(way, self.k_shot), np.repeat(way, self.n_query)])

    @property
    def query_labels(self) -> np.ndarray:
        """(n_way * n_query,) episode-local labels of the query images."""
        return np.repeat(np.arange(self.n_way), self.n_query)


class EpisodeSampler:
    """Draws N-way K-shot episodes from a pool of labelled images.

    Args:
        labels: (n,) int class of each pool image.
        n_way: classes per episode, at least 2.
        k_shot: support images per class, at least 1.
        n_query: query images per class, at least 1.
        seed: seed of the draws; the same seed gives the same sequence of episodes.

    Raises:
        ValueError: fewer than ``n_way`` classes have ``k_shot + n_query`` images each.
    """

    def __init__(
        self, labels: np.ndarray, n_way: int, k_shot: int, n_query: int, *, seed: int = 0
    ) -> None:
        labels = np.asarray(labels)
        if labels.ndim != 1 or labels.size == 0:
            raise ValueError(f"labels must be a non-empty 1-D array; got shape {labels.shape}")
        if int(n_way) < 2 or int(k_shot) < 1 or int(n_query) < 1:
            raise ValueError(
                f"need n_way >= 2, k_shot >= 1, n_query >= 1; got n_way={n_way}, "
                f"k_shot={k_shot}, n_query={n_query}"
            )
        self.n_way, self.k_shot, self.n_query = int(n_way), int(k_shot), int(n_query)
        need = self.k_shot + self.n_query
        classes, counts = np.unique(labels, return_counts=True)
        self.classes = classes[counts >= need]
        if len(self.classes) < self.n_way:
            raise ValueError(
                f"a {self.n_way}-way episode with {self.k_shot} support and {self.n_query} "
                f"query images per class needs {self.n_way} classes with at least {need} "
                f"images each; the pool has {len(self.classes)} such classes (of "
                f"{len(classes)}; the smallest has {counts.min()} images). Lower n_way, "
                "k_shot or n_query, or add images."
            )
        self._members = {int(c): np.flatnonzero(labels == c) for c in self.classes}
        self._rng = np.random.default_rng(seed)

    @property
    def images_per_episode(self) -> int:
        return self.n_way * (self.k_shot + self.n_query)

    def sample(self) -> Episode:
        """The next episode."""
        chosen = self._rng.choice(self.classes, self.n_way, replace=False)
        picks = [
            self._rng.choice(self._members[int(c)], self.k_shot + self.n_query, replace=False)
            for c in chosen
        ]
        support = np.concatenate([p[: self.k_shot] for p in picks])
        query = np.concatenate([p[self.k_shot :] for p in picks])
        return Episode(support, query, chosen, self.k_shot, self.n_query)


def train_episodes(
    model: keras.Model,
    images: np.ndarray,
    labels: np.ndarray,
    *,
    n_way: int,
    k_shot: int,
    n_query: int,
    episodes: int,
    seed: int = 0,
    every: int = 100,
) -> TrainResult:
    """Train a compiled embedding model on ``episodes`` episodes, one episode per step.

    The model must be compiled with a loss that reads an episode in this module's layout, such
    as :func:`imgcourse.models.protonet.protonet_loss` (and optionally
    :func:`~imgcourse.models.protonet.protonet_accuracy` as a metric). Every ``every``
    episodes a line prints the mean loss (and accuracy) over those episodes, episodes/s and
    images/s; a summary line ends the run.

    Args:
        model: a compiled ``keras.Model`` from images to embeddings.
        images: (n, h, w, c) float32 pool of training images.
        labels: (n,) their classes (only classes with k_shot + n_query images are drawn).
        n_way, k_shot, n_query: the training episodes' shape.
        episodes: how many episodes (gradient steps).
        seed: seed of the episode draws.
        every: print every this many episodes.

    Returns:
        A :class:`~imgcourse.train.TrainResult`: ``history`` holds one value per printed block
        (``"episode"``, ``"loss"`` and each metric), ``extra["episodes_per_second"]``.
    """
    images = np.asarray(images)
    if len(images) != len(labels):
        raise ValueError(f"images and labels differ in length: {len(images)} and {len(labels)}")
    if int(episodes) < 1 or int(every) < 1:
        raise ValueError(f"episodes and every must be positive; got {episodes} and {every}")
    sampler = EpisodeSampler(labels, n_way, k_shot, n_query, seed=seed)
    per_episode = sampler.images_per_episode
    history: dict[str, list[float]] = {"episode": []}
    block: dict[str, list[float]] = {}
    rates: list[float] = []
    start = block_start = time.perf_counter()
    for step in range(1, int(episodes) + 1):
        episode = sampler.sample()
        logs = model.train_on_batch(images[episode.indices], episode.labels, return_dict=True)
        for key, value in logs.items():
            block.setdefault(key, []).append(float(value))
        if step % every == 0 or step == episodes:
            now = time.perf_counter()
            done = len(block["loss"])
            rate = done / max(now - block_start, 1e-9)
            if step > every or step == episodes:  # the first block includes tracing
                rates.append(rate)
            history["episode"].append(float(step))
            for key, values in block.items():
                history.setdefault(key, []).append(float(np.mean(values)))
            shown = "  ".join(f"{k} {np.mean(v):.4f}" for k, v in block.items())
            print(
                f"episode {step:>{len(str(episodes))}}/{episodes}  {shown}  | "
                f"{rate:.1f} episodes/s, {rate * per_episode:,.0f} images/s"
            )
            block, block_start = {}, now
    seconds = time.perf_counter() - start
    episodes_per_second = float(np.median(rates)) if rates else float(episodes) / seconds
    result = TrainResult(
        history=history,
        seconds=seconds,
        images_per_second=episodes_per_second * per_episode,
        epochs=int(episodes),
        num_images=int(episodes) * per_episode,
        extra={"episodes_per_second": episodes_per_second},
    )
    print(
        f"trained {episodes:,} episodes of {per_episode} images in {seconds:.1f} s; "
        f"{episodes_per_second:.1f} episodes/s, {result.images_per_second:,.0f} images/s "
        "(median block, first block left out)"
    )
    return result


#: ``classify(support, query, n_way, k_shot) -> (q,) predicted episode-local labels``:
#: support (n_way * k_shot, d) class by class, query (q, d).
Classifier = Callable[[np.ndarray, np.ndarray, int, int], np.ndarray]


def evaluate_episodes(
    classify: Classifier,
    features: np.ndarray,
    labels: np.ndarray,
    *,
    n_way: int,
    k_shot: int,
    n_query: int = 15,
    episodes: int = 600,
    seed: int = 0,
) -> np.ndarray:
    """Accuracy of ``classify`` on each of ``episodes`` episodes drawn from a pool.

    ``features`` are precomputed (raw pixels flattened, or a network's embeddings), so many
    episodes cost little. The same ``seed`` draws the same episodes, so methods scored with
    one seed are compared on identical episodes.

    Args:
        classify: a :data:`Classifier`.
        features: (n, ...) one feature array per pool image; flattened to (n, d).
        labels: (n,) their classes.
        n_way, k_shot, n_query: the episodes' shape.
        episodes: how many episodes.
        seed: seed of the episode draws.

    Returns:
        (episodes,) float accuracies in [0, 1], one per episode.
    """
    features = np.asarray(features, dtype=np.float32).reshape(len(features), -1)
    if len(features) != len(labels):
        raise ValueError(f"features and labels differ in length: {len(features)} and {len(labels)}")
    sampler = EpisodeSampler(labels, n_way, k_shot, n_query, seed=seed)
    out = np.empty(int(episodes))
    for i in range(int(episodes)):
        ep = sampler.sample()
        pred = np.asarray(classify(features[ep.support], features[ep.query], n_way, k_shot))
        if pred.shape != ep.query_labels.shape:
            raise ValueError(
                f"classify returned shape {pred.shape}; expected "
                f"{ep.query_labels.shape}, one label per query image"
            )
        out[i] = np.mean(pred == ep.query_labels)
    return out


def nearest_neighbour(
    support: np.ndarray, query: np.ndarray, n_way: int, k_shot: int
) -> np.ndarray:
    """The label of each query's nearest support vector (Euclidean): a :data:`Classifier`."""
    d = ((query[:, None, :] - support[None, :, :]) ** 2).sum(-1)
    return np.argmin(d, axis=1) // int(k_shot)


__all__ = [
    "Classifier",
    "Episode",
    "EpisodeSampler",
    "evaluate_episodes",
    "nearest_neighbour",
    "train_episodes",
]
