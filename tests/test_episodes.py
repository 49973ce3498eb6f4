"""Episodes of ``15_few_and_zero_shot``: the sampler's layout and guarantees, episodic
training (prints episodes/s and images/s), and scoring classifiers over episodes."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from imgcourse import models
from imgcourse.models.protonet import protonet_accuracy, protonet_loss
from imgcourse.train import EpisodeSampler, evaluate_episodes, nearest_neighbour, train_episodes


def _pool(classes=6, per_class=10, seed=0):
    rng = np.random.default_rng(seed)
    labels = np.repeat(np.arange(classes), per_class)
    return labels[rng.permutation(len(labels))]


def test_episode_layout_classes_and_no_repeats():
    labels = _pool()
    sampler = EpisodeSampler(labels, 4, 3, 2, seed=1)
    ep = sampler.sample()
    assert ep.support.shape == (12,) and ep.query.shape == (8,)
    assert len(set(ep.classes.tolist())) == 4
    assert len(set(ep.indices.tolist())) == 20, "an image appears once per episode"
    # support class by class, then query class by class, labels episode-local
    np.testing.assert_array_equal(labels[ep.support], np.repeat(ep.classes, 3))
    np.testing.assert_array_equal(labels[ep.query], np.repeat(ep.classes, 2))
    np.testing.assert_array_equal(
        ep.labels, [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3] + [0, 0, 1, 1, 2, 2, 3, 3]
    )


def test_same_seed_same_episodes_other_seed_other_episodes():
    labels = _pool()
    a = [EpisodeSampler(labels, 3, 1, 1, seed=5).sample().indices for _ in range(1)]
    b = [EpisodeSampler(labels, 3, 1, 1, seed=5).sample().indices for _ in range(1)]
    c = [EpisodeSampler(labels, 3, 1, 1, seed=6).sample().indices for _ in range(1)]
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])


def test_sampler_refuses_a_pool_too_small_and_says_why():
    labels = np.repeat(np.arange(5), [20, 20, 3, 3, 3])
    with pytest.raises(ValueError, match="needs 3 classes with at least 6 images"):
        EpisodeSampler(labels, 3, 5, 1)
    with pytest.raises(ValueError, match="n_way"):
        EpisodeSampler(labels, 1, 1, 1)
    sampler = EpisodeSampler(labels, 2, 5, 1)  # only the two large classes qualify
    assert set(sampler.sample().classes.tolist()) == {0, 1}


def test_evaluate_episodes_on_separable_features():
    labels = _pool(classes=5, per_class=20)
    centres = np.eye(5) * 10
    feats = centres[labels] + np.random.default_rng(0).normal(0, 0.1, (len(labels), 5))
    accs = evaluate_episodes(
        nearest_neighbour, feats, labels, n_way=5, k_shot=1, n_query=5, episodes=20, seed=0
    )
    assert accs.shape == (20,) and np.all(accs == 1.0)
    noise = np.random.default_rng(1).normal(size=feats.shape)
    chance = evaluate_episodes(
        nearest_neighbour, noise, labels, n_way=5, k_shot=1, n_query=5, episodes=300, seed=0
    )
    assert 0.1 < chance.mean() < 0.3  # about 1 / 5


def test_nearest_neighbour_matches_sklearn():
    from sklearn.neighbors import KNeighborsClassifier

    rng = np.random.default_rng(0)
    support, query = rng.normal(size=(6, 4)), rng.normal(size=(9, 4))
    ref = KNeighborsClassifier(1).fit(support, np.repeat(np.arange(3), 2)).predict(query)
    np.testing.assert_array_equal(nearest_neighbour(support, query, 3, 2), ref)


def test_classifier_with_wrong_output_shape_is_named():
    labels = _pool()
    with pytest.raises(ValueError, match="one label per query"):
        evaluate_episodes(
            lambda s, q, n, k: np.zeros(1),
            np.zeros((60, 2)),
            labels,
            n_way=3,
            k_shot=1,
            n_query=2,
            episodes=1,
        )


def test_train_episodes_prints_rates_and_learns(capsys):
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    labels = _pool(classes=4, per_class=12)
    bright = np.linspace(0.1, 0.9, 4)[labels]  # each class its own brightness
    images = bright[:, None, None, None] + rng.normal(0, 0.03, (len(labels), 8, 8, 3))
    model = models.build("protonet", input_shape=(8, 8, 3), filters=(8,), embedding_dim=8)
    model.compile(
        optimizer=keras.optimizers.Adam(0.01),
        loss=protonet_loss(4, 2),
        metrics=[protonet_accuracy(4, 2)],
    )
    result = train_episodes(
        model, images.astype("float32"), labels, n_way=4, k_shot=2, n_query=3, episodes=40, every=20
    )
    out = capsys.readouterr().out
    assert "episodes/s" in out and "images/s" in out and "trained 40 episodes" in out
    assert result.history["episode"] == [20.0, 40.0]
    assert result.history["loss"][-1] < result.history["loss"][0]
    assert result.num_images == 40 * 4 * 5
    assert result.extra["episodes_per_second"] > 0
    assert result.images_per_second == pytest.approx(result.extra["episodes_per_second"] * 20)


def test_train_episodes_rejects_mismatched_inputs():
    model = models.build("protonet", input_shape=(8, 8, 3), filters=(8,))
    with pytest.raises(ValueError, match="differ in length"):
        train_episodes(
            model, np.zeros((5, 8, 8, 3)), np.zeros(4), n_way=2, k_shot=1, n_query=1, episodes=1
        )
