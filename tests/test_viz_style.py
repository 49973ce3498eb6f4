"""Tests for imgcourse.viz.style: each figure draws, and bad input is refused."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from imgcourse import viz  # noqa: E402

RNG = np.random.default_rng(0)
IMG = RNG.random((8, 8, 3))


def test_figures_draw():
    figs = [
        viz.show_style_images({"a": IMG, "b": IMG}),
        viz.plot_gram_matrices({"a": np.eye(4), "b": np.ones((4, 4))}),
        viz.plot_style_losses({"run": {"style": [1.0, 0.1], "content": [0.0, 0.2]}}),
        viz.show_weight_grid({"r1": [IMG, IMG], "r2": [IMG, IMG]}, [0.1, 1.0]),
        viz.plot_tradeoff(
            {"r1": ([0.1, 0.2], [0.01, 0.001])},
            labels=["x0.1", "x1"],
            references={"content": (0.0, 0.05)},
            judge="random judge",
        ),
    ]
    assert [len(f.axes) for f in figs][:2] == [2, 3]  # the Gram figure has a colour bar
    assert figs[0].axes[1].get_title() == "(2) b"
    assert figs[4].axes[0].get_xlabel().endswith("(random judge)")
    plt.close("all")


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="colour image"):
        viz.show_style_images({"grey": np.zeros((4, 4))})
    with pytest.raises(ValueError, match="one image per weight"):
        viz.show_weight_grid({"r": [IMG]}, [0.1, 1.0])
    with pytest.raises(ValueError, match="at least one"):
        viz.show_style_images({})


def test_explorer_has_a_stable_text_form_and_moves_with_the_slider():
    explorer = viz.style_weight_explorer({"r": [IMG, 1 - IMG]}, [0.1, 1.0])
    assert repr(explorer) == "StyleWeightExplorer(rows=1, weights=2)"
    slider, images = explorer.children
    first = images.children[0].children[1].value
    slider.value = "x1"
    assert images.children[0].children[1].value != first


def test_show_judges_prints_the_table_and_returns_the_verdicts(capsys):
    draws = np.array([0.1, 0.2, 0.3])
    judged = {
        "judge A": {"x": (0.5, draws + 1.0), "y": (0.1, draws)},
        "judge B": {"x": (0.2, draws), "y": (0.2, draws)},
    }

    def rule(scores, a, b):
        lo, hi = np.percentile(scores[b][1] - scores[a][1], [2.5, 97.5])
        return (a if lo > 0 else b if hi < 0 else "level"), lo, hi

    found = viz.show_judges(judged, [("y", "x")], rule)
    out = capsys.readouterr().out
    assert found == {("y", "x"): {"judge A": "y", "judge B": "level"}}
    assert "judge A" in out.splitlines()[0] and "0.5000" in out
    assert "judge B: level (difference 0.0000 to 0.0000)" in out
