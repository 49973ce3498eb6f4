"""Tests for imgcourse.metrics.image_quality: PSNR and SSIM against scikit-image's
``peak_signal_noise_ratio`` and ``structural_similarity`` on the same inputs."""

from __future__ import annotations

import numpy as np
import pytest
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from imgcourse.metrics import mse, psnr, ssim


def noisy_pair(seed: int, shape=(4, 20, 24, 3), sigma: float = 0.1):
    rng = np.random.default_rng(seed)
    clean = rng.random(shape)
    return clean, np.clip(clean + rng.normal(0, sigma, shape), 0, 1)


@pytest.mark.parametrize("shape", [(4, 20, 24, 3), (3, 16, 16), (2, 9, 9, 1)])
def test_psnr_matches_skimage_per_image(shape):
    clean, noisy = noisy_pair(0, shape)
    want = [peak_signal_noise_ratio(c, n, data_range=1.0) for c, n in zip(clean, noisy)]
    np.testing.assert_allclose(psnr(clean, noisy), want, rtol=1e-10)
    assert psnr(clean, noisy).shape == (shape[0],)


def test_psnr_on_the_8_bit_scale_and_identical_images():
    clean, noisy = noisy_pair(1)
    c8, n8 = np.round(clean * 255), np.round(noisy * 255)
    want = [peak_signal_noise_ratio(c, n, data_range=255) for c, n in zip(c8, n8)]
    np.testing.assert_allclose(psnr(c8, n8, data_range=255), want, rtol=1e-10)
    assert np.isinf(psnr(clean, clean)).all()
    np.testing.assert_allclose(mse(clean, noisy), ((clean - noisy) ** 2).mean(axis=(1, 2, 3)))


def test_psnr_of_known_noise():
    clean = np.full((1, 8, 8), 0.5)
    np.testing.assert_allclose(psnr(clean, clean + 0.1), [20.0])


@pytest.mark.parametrize("shape", [(4, 20, 24, 3), (3, 16, 16)])
@pytest.mark.parametrize("win_size", [7, 5])
def test_ssim_matches_skimage_default(shape, win_size):
    clean, noisy = noisy_pair(2, shape)
    channel_axis = -1 if len(shape) == 4 else None
    want = [
        structural_similarity(c, n, data_range=1.0, win_size=win_size, channel_axis=channel_axis)
        for c, n in zip(clean, noisy)
    ]
    np.testing.assert_allclose(ssim(clean, noisy, win_size=win_size), want, rtol=1e-8)


def test_ssim_matches_skimage_gaussian_weights():
    clean, noisy = noisy_pair(3, (3, 24, 24, 3), sigma=0.2)
    want = [
        structural_similarity(
            c,
            n,
            data_range=1.0,
            channel_axis=-1,
            gaussian_weights=True,
            sigma=1.5,
            use_sample_covariance=False,
        )
        for c, n in zip(clean, noisy)
    ]
    np.testing.assert_allclose(ssim(clean, noisy, gaussian=True), want, rtol=1e-8)


def test_ssim_ranks_damage_and_is_one_for_identical_images():
    clean, _ = noisy_pair(4, (2, 16, 16, 3))
    np.testing.assert_allclose(ssim(clean, clean), 1.0)
    light, heavy = noisy_pair(4, clean.shape, 0.05)[1], noisy_pair(4, clean.shape, 0.3)[1]
    assert (ssim(clean, light) > ssim(clean, heavy)).all()


@pytest.mark.parametrize(
    ("true", "pred", "kwargs", "words"),
    [
        (np.zeros((2, 8, 8)), np.zeros((2, 8, 9)), {}, "must match"),
        (np.zeros((8, 8)), np.zeros((8, 8)), {}, "image[None]"),
        (np.zeros((2, 8, 8)), np.zeros((2, 8, 8)), {"data_range": 0}, "data_range"),
        (np.zeros((2, 5, 5)), np.zeros((2, 5, 5)), {"ssim": True}, "smaller than the 7x7"),
        (np.zeros((2, 8, 8)), np.zeros((2, 8, 8)), {"ssim": True, "win_size": 4}, "odd"),
    ],
)
def test_bad_input_says_what_to_do(true, pred, kwargs, words):
    kwargs = dict(kwargs)
    fn = ssim if kwargs.pop("ssim", False) else psnr
    with pytest.raises(ValueError, match=words.replace("[", r"\[").replace("]", r"\]")):
        fn(true, pred, **kwargs)


def test_nearest_psnr_picks_the_closest_reference():
    from imgcourse.metrics.image_quality import nearest_psnr

    clean, noisy = noisy_pair(3, shape=(3, 8, 8, 3))
    far = np.clip(noisy + 0.3, 0, 1)
    got = nearest_psnr(noisy, np.concatenate([far, clean]))
    want = [peak_signal_noise_ratio(c, n, data_range=1.0) for c, n in zip(clean, noisy)]
    np.testing.assert_allclose(got, want, rtol=1e-6)
    with pytest.raises(ValueError, match="values each"):
        nearest_psnr(noisy, clean[:, :4])
