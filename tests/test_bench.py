"""imgcourse bench: every figure is measured, printed, and the ratio is computed from them."""

from __future__ import annotations

import math

import numpy as np
import pytest

from imgcourse.bench import (
    _interleaved_images_per_second,
    run_augmentation_benchmark,
    run_benchmarks,
    tf_random_flip,
)


def test_interleaved_rates_use_the_median_epoch(monkeypatch):
    clock = iter([0.0, 1.0, 1.0, 3.0, 3.0, 4.0, 4.0, 6.0, 6.0, 7.0, 7.0, 9.0])
    monkeypatch.setattr("imgcourse.bench.time.perf_counter", lambda: next(clock))
    calls = []
    runs = {"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}
    rates = _interleaved_images_per_second(runs, epochs=3, n=100)
    assert calls == ["a", "b"] + ["a", "b"] * 3  # warm-ups, then the variants in turn
    assert rates == {"a": 100.0, "b": 50.0}  # a's epochs took 1 s each, b's 2 s each


def test_tf_random_flip_flips_whole_images_left_right():
    images = np.arange(2 * 3 * 4 * 1, dtype=np.float32).reshape(2, 3, 4, 1)
    out = np.asarray(tf_random_flip(np.repeat(images, 16, axis=0)))
    for got, original in zip(out, np.repeat(images, 16, axis=0)):
        assert np.array_equal(got, original) or np.array_equal(got, original[:, ::-1])
    flipped = [not np.array_equal(g, o) for g, o in zip(out, np.repeat(images, 16, axis=0))]
    assert 0 < sum(flipped) < len(flipped)


@pytest.mark.slow
def test_run_benchmarks_prints_each_figure_and_the_ratio(capsys):
    results = run_benchmarks(num_images=256, epochs=1, image_size=32)
    out = capsys.readouterr().out
    pipeline = results["pipeline"]
    assert math.isclose(
        pipeline["ratio"],
        pipeline["tf.data, flip as TF ops"] / pipeline["Python loop, NumPy flip"],
    )
    assert all(rate > 0 for rate in results["training"].values())
    assert "ratio tf.data (TF ops) / Python loop" in out
    assert out.count("images/s") == 8
    augmentation = results["augmentation"]
    assert math.isclose(
        augmentation["ratio"],
        augmentation["augmentation as TF ops"] / augmentation["augmentation as Keras layers"],
    )
    assert "ratio TF ops / Keras layers" in out


def test_augmentation_benchmark_times_both_pipelines(capsys):
    results = run_augmentation_benchmark(num_images=128, epochs=1, image_size=16, batch=32)
    assert set(results) == {"augmentation as Keras layers", "augmentation as TF ops", "ratio"}
    assert all(v > 0 for v in results.values())
    out = capsys.readouterr().out
    assert out.count("images/s") == 2 and "ratio TF ops / Keras layers" in out
