"""The prototypical network of ``15_few_and_zero_shot``: the embedding network, prototypes,
the episode loss and accuracy, checked against NumPy references, and run on JAX."""

from __future__ import annotations

import textwrap

import keras
import numpy as np
import pytest
from support import run_on_jax

from imgcourse import models
from imgcourse.models.protonet import (
    protonet,
    protonet_accuracy,
    protonet_loss,
    prototypes,
    squared_distances,
)


def _episode(n_way=4, k_shot=3, n_query=2, dim=6, seed=0):
    rng = np.random.default_rng(seed)
    y = np.concatenate([np.repeat(np.arange(n_way), k_shot), np.repeat(np.arange(n_way), n_query)])
    return rng.normal(size=(len(y), dim)).astype(np.float32), y


def _reference(emb, y, n_way, k_shot):
    s = n_way * k_shot
    protos = np.stack([emb[:s][y[:s] == c].mean(0) for c in range(n_way)])
    d = ((emb[s:, None, :] - protos[None]) ** 2).sum(-1)
    logits = -d
    top = logits.max(1, keepdims=True)
    logp = logits - top - np.log(np.exp(logits - top).sum(1, keepdims=True))
    q = y[s:]
    return protos, d, -logp[np.arange(len(q)), q].mean(), np.mean(d.argmin(1) == q)


def test_registered_with_small_defaults_and_named_layers():
    assert "protonet" in models.list_models()
    model = models.build("protonet")
    assert model.input_shape == (None, 16, 16, 3)
    assert model.output_shape == (None, 64)
    assert 10_000 < model.count_params() < 100_000
    assert model.get_layer("features").output.shape[-1] == 2 * 2 * 32
    assert model.layers[-1].name == "head"


def test_bad_arguments_say_what_was_received():
    with pytest.raises(ValueError, match="too small"):
        protonet((8, 8, 3), filters=(8, 8, 8, 8))
    with pytest.raises(ValueError, match="input_shape"):
        protonet((16, 16))
    with pytest.raises(ValueError, match="embedding_dim"):
        protonet((16, 16, 3), embedding_dim=0)
    with pytest.raises(ValueError, match="n_way"):
        protonet_loss(1, 5)


def test_prototypes_distances_loss_and_accuracy_match_numpy():
    emb, y = _episode()
    protos, d, loss, acc = _reference(emb, y, 4, 3)
    np.testing.assert_allclose(np.asarray(prototypes(emb[:12], 4, 3)), protos, rtol=1e-5)
    np.testing.assert_allclose(
        np.asarray(squared_distances(emb[12:], protos)), d, rtol=1e-4, atol=1e-5
    )
    assert float(protonet_loss(4, 3)(y, emb)) == pytest.approx(loss, rel=1e-4)
    assert float(protonet_accuracy(4, 3)(y, emb)) == pytest.approx(acc)


def test_one_shot_prototype_is_the_support_vector():
    emb, _ = _episode(n_way=3, k_shot=1)
    np.testing.assert_allclose(np.asarray(prototypes(emb[:3], 3, 1)), emb[:3])


def test_training_on_one_episode_lowers_the_loss():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.random((4 * (2 + 2), 16, 16, 3), dtype=np.float32)
    y = np.concatenate([np.repeat(np.arange(4), 2), np.repeat(np.arange(4), 2)])
    model = models.build("protonet", filters=(8, 8))
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss=protonet_loss(4, 2))
    first = float(model.train_on_batch(x, y))
    for _ in range(10):
        last = float(model.train_on_batch(x, y))
    assert np.isfinite(first) and last < first


JAX_SCRIPT = textwrap.dedent(
    """
    import json
    import numpy as np
    import keras
    from imgcourse import models
    from imgcourse.models.protonet import protonet_accuracy, protonet_loss

    assert keras.backend.backend() == "jax", keras.backend.backend()
    x = np.random.default_rng(0).random((12, 16, 16, 3), dtype=np.float32)
    y = np.concatenate([np.repeat(np.arange(3), 2), np.repeat(np.arange(3), 2)])
    model = models.build("protonet", input_shape=(16, 16, 3), filters=(8, 8))
    model.compile(optimizer="adam", loss=protonet_loss(3, 2),
                  metrics=[protonet_accuracy(3, 2)])
    logs = model.train_on_batch(x, y, return_dict=True)
    out = np.asarray(model.predict_on_batch(x))
    print("RESULTS " + json.dumps([list(out.shape), float(logs["loss"])]))
    """
)


@pytest.mark.slow
def test_protonet_trains_on_jax():
    shape, loss = run_on_jax(JAX_SCRIPT)
    assert shape == [12, 64] and np.isfinite(loss)
