"""Attention figures and the caption stepper (imgcourse.viz.attention)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from imgcourse import viz  # noqa: E402


def test_rollout_figure_shares_one_scale():
    rng = np.random.default_rng(0)
    maps = rng.random((3, 4, 4))
    maps /= maps.sum(axis=(1, 2), keepdims=True)
    fig = viz.show_attention_rollout(rng.random((3, 16, 16, 1)), maps, titles=list("abc"))
    overlays = [ax.images[-1] for ax in fig.axes[3:6]]
    assert len({im.get_clim() for im in overlays}) == 1
    plt.close(fig)
    with pytest.raises(ValueError, match="same n"):
        viz.show_attention_rollout(rng.random((3, 16, 16)), maps[:2])


def test_caption_attention_has_a_panel_per_word():
    rng = np.random.default_rng(1)
    words = [["a", "red", "circle"], ["a", "blue", "square", "on"]]
    fig = viz.show_caption_attention(rng.random((2, 16, 16, 3)), words, rng.random((2, 5, 4, 4)))
    titles = [ax.get_title() for ax in fig.axes]
    assert titles.count("a") == 2 and "square" in titles
    plt.close(fig)
    with pytest.raises(ValueError, match="must agree"):
        viz.show_caption_attention(rng.random((2, 16, 16, 3)), words[:1], rng.random((2, 5, 4, 4)))


def test_stepper_steps_through_the_words():
    rng = np.random.default_rng(2)
    stepper = viz.caption_stepper(
        rng.random((16, 16, 3)), ["a", "red", "circle"], rng.random((4, 4, 4)), static=False
    )
    assert repr(stepper) == "CaptionStepper(words=3, word=1)"
    first = stepper.view.value
    stepper.slider.value = 3
    assert "<b>circle</b>" in stepper.text.value and stepper.view.value != first
    with pytest.raises(ValueError, match="maps must be"):
        viz.caption_stepper(rng.random((16, 16, 3)), ["a"] * 5, rng.random((4, 4, 4)))
