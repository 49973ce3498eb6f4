"""Checks for the exercises of ``14_attention_and_captioning``: attention over identical keys
(predict, then run), a causal attention by hand, and how often the trained captioner names the
right number of shapes.

Each check prints what is wrong and a hint at the likely cause and returns a
:class:`~imgcourse.exercises.Feedback`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from imgcourse.exercises.kit import Feedback, NotYet, call, check, read, verdict


@check
def check_uniform_prediction(prediction: Any, num_keys: int = 4) -> Feedback:
    """Check the predicted weight each of ``num_keys`` identical keys gets (Exercise 1)."""
    value = read(prediction, float, f"store a number in [0, 1]; got {prediction!r}.")
    want = 1.0 / num_keys
    return verdict(
        value,
        right=abs(value - want) < 1e-3,
        correct="identical keys give identical scores q.k, and the softmax of "
        f"{num_keys} equal numbers is 1/{num_keys} = {want:.2f} each, whatever "
        "the query: the output is the plain mean of the values.",
        wrong="{value:.3f} is not it: {hint}",
        hints=[
            (
                abs(value - 1.0) < 1e-3,
                "1 would mean one key takes all the weight; with equal scores the softmax "
                "cannot prefer any of them.",
            ),
            (
                value > 1.0 or value < 0.0,
                "softmax weights lie between 0 and 1 and add up to 1 over the keys.",
            ),
        ],
        hint="the scores are all the same number; what does softmax give for equal "
        "inputs? The scaling by sqrt(d) does not change that.",
    )


def reference_causal_attention(q: np.ndarray, k: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Scaled dot-product attention in which position i sees only positions 0..i.

    q, k: (t, d); v: (t, dv) -> (t, dv).
    """
    scores = q @ k.T / np.sqrt(q.shape[-1])
    scores = np.where(np.tril(np.ones_like(scores, bool)), scores, -np.inf)
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return (weights / weights.sum(axis=-1, keepdims=True)) @ v


@check
def check_causal_attention(fn: Callable[..., Any]) -> Feedback:
    """Check ``fn(q, k, v) -> (t, dv)`` against :func:`reference_causal_attention` (Ex. 2)."""
    rng = np.random.default_rng(3)
    q, k = rng.normal(size=(5, 4)), rng.normal(size=(5, 4))
    v = rng.normal(size=(5, 3))
    answer = call(
        fn,
        q,
        k,
        v,
        shown="the function",
        none="the function returned None; did it forget `return`?",
    )
    want = reference_causal_attention(q, k, v)
    arr = np.asarray(answer, np.float64)
    if arr.shape != want.shape:
        raise NotYet(
            f"expected shape {want.shape} (one output per position, as wide as v); got {arr.shape}."
        )
    if not np.allclose(arr[0], v[0], atol=1e-6):
        raise NotYet(
            "position 0 may only see itself, so its output must equal v[0]. Are the future "
            "positions masked (set to -inf before the softmax, not 0 after it)?"
        )
    unmasked = _plain_attention(q, k, v)
    if np.allclose(arr, unmasked, atol=1e-6):
        raise NotYet("this is attention without the mask: every position still sees the future.")
    if not np.allclose(arr, want, atol=1e-6):
        diff = np.abs(arr - want).max(axis=1)
        raise NotYet(
            f"outputs differ from the expected ones at positions "
            f"{np.flatnonzero(diff > 1e-6).tolist()}. Check the scale 1/sqrt(d), that the "
            "mask keeps the diagonal, and that each row's weights sum to 1."
        )
    return (
        "causal attention: each position mixes only itself and the "
        "earlier ones, as the captioner's self-attention does."
    )


def _plain_attention(q: np.ndarray, k: np.ndarray, v: np.ndarray) -> np.ndarray:
    scores = q @ k.T / np.sqrt(q.shape[-1])
    weights = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return (weights / weights.sum(axis=-1, keepdims=True)) @ v


def count_shapes(words: Sequence[str]) -> int:
    """Number of shapes a caption names: one per 'a' before 'on' (the background)."""
    words = list(words)
    cut = words.index("on") if "on" in words else len(words)
    return sum(1 for word in words[:cut] if word == "a")


def shape_count_accuracy(
    hypotheses: Sequence[Sequence[str]], references: Sequence[Sequence[str]]
) -> float:
    """Share of captions naming as many shapes as their reference."""
    hits = [count_shapes(h) == count_shapes(r) for h, r in zip(hypotheses, references)]
    return float(np.mean(hits))


@check
def check_shape_count(
    answer: Any, hypotheses: Sequence[Sequence[str]], references: Sequence[Sequence[str]]
) -> Feedback:
    """Check the share of generated captions with the right number of shapes (Exercise 3)."""
    if len(hypotheses) != len(references) or not hypotheses:
        raise ValueError(
            f"need as many hypotheses as references (at least one); got "
            f"{len(hypotheses)} and {len(references)}"
        )
    value = read(answer, float, f"store a share in [0, 1]; got {answer!r}.")
    want = shape_count_accuracy(hypotheses, references)
    if abs(value - want) < 1e-9:
        return f"{want:.1%} of the captions name the right number of shapes."
    if abs(value - want * 100) < 1e-6:
        raise NotYet("that is a percentage; store a share between 0 and 1.")
    if abs(value - 1.0) < 1e-9 or value > 1.0:
        hint = "compare each caption with its own reference, not with itself."
    else:
        hint = (
            "a scene's caption names each shape with 'a' before the words 'on a ... "
            "background'; count those in both captions and compare, caption by caption."
        )
    raise NotYet(f"{value:.3f} is not it: {hint}")
