"""Tests for imgcourse.train.style: the losses against NumPy references, the optimisation
loop (the style loss falls, the speed is reported, bad input is refused) on TensorFlow and
on JAX."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest
from support import run_on_jax

from imgcourse.models.style import random_extractor
from imgcourse.train import style


def _maps(seed: int = 0, shape=(2, 5, 4, 3)) -> np.ndarray:
    return np.random.default_rng(seed).random(shape).astype(np.float32)


def _np_gram(f: np.ndarray) -> np.ndarray:
    b, h, w, c = f.shape
    out = np.zeros((b, c, c))
    for i in range(b):
        flat = f[i].reshape(h * w, c).astype(np.float64)
        for x in range(c):
            for y in range(c):
                out[i, x, y] = np.sum(flat[:, x] * flat[:, y]) / (h * w)
    return out


def test_gram_matrix_matches_loops_and_ignores_size_and_positions():
    f = _maps()
    np.testing.assert_allclose(np.asarray(style.gram_matrix(f)), _np_gram(f), rtol=1e-5)
    tiled = np.tile(f, (1, 2, 3, 1))  # the same texture, six times the positions
    np.testing.assert_allclose(
        np.asarray(style.gram_matrix(tiled)), np.asarray(style.gram_matrix(f)), rtol=1e-5
    )
    order = np.random.default_rng(1).permutation(20)
    shuffled = f.reshape(2, 20, 3)[:, order].reshape(f.shape)
    np.testing.assert_allclose(
        np.asarray(style.gram_matrix(shuffled)), np.asarray(style.gram_matrix(f)), rtol=1e-5
    )


def test_gram_matrix_refuses_a_single_map():
    with pytest.raises(ValueError, match=r"\(batch, h, w, channels\); got shape \(5, 4, 3\)"):
        style.gram_matrix(_maps()[0])


def test_losses_match_numpy_references():
    a, b = [_maps(0), _maps(1, (2, 3, 3, 4))], [_maps(2), _maps(3, (2, 3, 3, 4))]
    want_content = np.mean([np.sum((x - y) ** 2) / np.sum(y**2) for x, y in zip(a, b)])
    np.testing.assert_allclose(float(style.content_loss(a, b)), want_content, rtol=1e-5)
    grams = [_np_gram(y) for y in b]
    want_style = np.mean([np.sum((_np_gram(x) - g) ** 2) / np.sum(g**2) for x, g in zip(a, grams)])
    got = float(style.style_loss(a, [g.astype(np.float32) for g in grams]))
    np.testing.assert_allclose(got, want_style, rtol=1e-4)
    img = _maps(4, (1, 6, 7, 3))
    want_tv = np.mean(np.diff(img, axis=1) ** 2) + np.mean(np.diff(img, axis=2) ** 2)
    np.testing.assert_allclose(float(style.total_variation(img)), want_tv, rtol=1e-5)
    assert float(style.total_variation(np.ones((1, 5, 5, 3), np.float32))) == 0.0
    assert float(style.content_loss(a, a)) == 0.0


def test_losses_refuse_mismatched_layers():
    with pytest.raises(ValueError, match="one target per layer; got 2 map"):
        style.content_loss([_maps(), _maps()], [_maps()])


def _pair(size: int = 24) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[:size, :size] / size
    content = np.stack([yy, xx, 0.5 * np.ones_like(xx)], -1).astype(np.float32)
    stripes = (np.sin(xx * 20) > 0).astype(np.float32)
    style_img = np.stack([stripes, 0.2 * stripes, 1 - stripes], -1)
    style_img = np.clip(style_img + rng.normal(0, 0.05, style_img.shape), 0, 1)
    return content, style_img.astype(np.float32)


def test_transfer_style_lowers_the_style_loss_and_reports_speed(capsys):
    content, style_img = _pair()
    extractor = random_extractor((24, 24, 3), filters=(8, 16), seed=0)
    result = style.transfer_style(
        extractor,
        content,
        style_img,
        steps=30,
        style_weight=100.0,
        tv_weight=1.0,
        learning_rate=0.05,
        log_every=10,
    )
    out = capsys.readouterr().out
    assert "steps/s" in out and "megapixels/s" in out and "images/s" in out
    assert "step   10/30" in out
    assert result.image.shape == (24, 24, 3)
    assert 0.0 <= result.image.min() and result.image.max() <= 1.0
    assert all(len(v) == 31 for v in result.history.values())
    assert result.history["content"][0] < 1e-6  # started from the content image
    assert result.drop("style") < 0.3, result.history["style"]
    assert result.steps_per_second > 0
    assert result.pixels_per_second == pytest.approx(24 * 24 * result.steps_per_second)


def test_transfer_style_from_noise_and_bad_input():
    content, style_img = _pair(16)
    extractor = random_extractor((16, 16, 3), filters=(4,), seed=0)
    result = style.transfer_style(
        extractor, content, style_img, steps=2, init="noise", verbose=False
    )
    assert result.history["content"][0] > 0.01
    with pytest.raises(ValueError, match="same shape"):
        style.transfer_style(extractor, content, style_img[:8], steps=2)
    with pytest.raises(ValueError, match="init must be"):
        style.transfer_style(extractor, content, style_img, steps=2, init="zeros")
    with pytest.raises(ValueError, match="steps must be at least 1"):
        style.transfer_style(extractor, content, style_img, steps=0)
    with pytest.raises(ValueError, match=r"one colour image .* got shape \(16, 16\)"):
        style.style_objective(extractor, content[..., 0], style_img)


def test_adam_update_moves_against_the_gradient_and_clips():
    image = np.full((1, 2, 2, 3), 0.5, np.float32)
    grad = np.ones_like(image)
    new, m, v = style.adam_update(image, grad, np.zeros_like(image), np.zeros_like(image), 1.0, 0.1)
    np.testing.assert_allclose(np.asarray(new), 0.4, atol=1e-5)  # Adam's first step: lr
    new, _, _ = style.adam_update(image, -grad, m * 0, v * 0, 1.0, 1.0)
    assert float(np.asarray(new).max()) == 1.0


JAX_SCRIPT = textwrap.dedent(
    """
    import json
    import keras
    import numpy as np
    from imgcourse.models.style import random_extractor
    from imgcourse.train import style

    assert keras.backend.backend() == "jax"
    rng = np.random.default_rng(0)
    content = rng.random((16, 16, 3), dtype=np.float32)
    style_img = rng.random((16, 16, 3), dtype=np.float32) ** 3
    extractor = random_extractor((16, 16, 3), filters=(4, 8), seed=0)
    result = style.transfer_style(extractor, content, style_img, steps=15,
                                  style_weight=100.0, learning_rate=0.05, verbose=False)
    print("RESULTS " + json.dumps([result.drop("style"), list(result.image.shape)]))
    """
)


@pytest.mark.slow
def test_the_loop_runs_on_jax():
    drop, shape = run_on_jax(JAX_SCRIPT, timeout=300)
    assert shape == [16, 16, 3]
    assert drop < 0.5


def test_bootstrap_style_distances_agree_with_the_style_loss_and_are_paired():
    rng = np.random.default_rng(0)
    extractor = random_extractor((24, 24, 3), filters=(4, 8), seed=1)
    content, style_image = (rng.random((24, 24, 3), dtype=np.float32) for _ in range(2))
    blend = 0.5 * content + 0.5 * style_image
    # One tile: every draw is the whole image, so each draw is the style loss itself
    whole = style.bootstrap_style_distances(
        extractor, [content, blend, style_image], style_image, tiles=1, draws=3
    )
    objective = style.style_objective(extractor, content, style_image)
    for row, image in zip(whole, (content, blend, style_image)):
        expected = float(objective(image[None])["style"])
        np.testing.assert_allclose(row, expected, rtol=1e-4, atol=1e-9)
    assert whole[2].max() < 1e-6  # the style image is at distance 0 from itself
    draws = style.bootstrap_style_distances(
        extractor, [content, blend], style_image, tiles=4, draws=50, seed=3
    )
    assert draws.shape == (2, 50) and draws.min() >= 0
    assert draws[0].std() > 0  # resampling tiles moves the distance
    again = style.bootstrap_style_distances(
        extractor, [content, blend], style_image, tiles=4, draws=50, seed=3
    )
    np.testing.assert_array_equal(draws, again)  # the seed fixes the draws
    with pytest.raises(ValueError, match="does not split into 5x5 tiles"):
        style.bootstrap_style_distances(extractor, [content], style_image, tiles=5)
    with pytest.raises(ValueError, match="style image's shape"):
        style.bootstrap_style_distances(extractor, [content[:12]], style_image, tiles=2)
    with pytest.raises(ValueError, match="at least 1"):
        style.bootstrap_style_distances(extractor, [content], style_image, draws=0)
