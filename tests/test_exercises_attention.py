"""The checks of 14_attention_and_captioning's exercises: right answers pass, typical wrong
ones fail with a message that says why."""

from __future__ import annotations

import numpy as np

from imgcourse.exercises import attention as checks


def test_uniform_prediction():
    assert checks.check_uniform_prediction(0.25).passed
    wrong = checks.check_uniform_prediction(1.0)
    assert not wrong.passed and "one key" in wrong.message
    assert not checks.check_uniform_prediction("a quarter").passed


def test_causal_attention_check():
    assert checks.check_causal_attention(checks.reference_causal_attention).passed
    unmasked = checks.check_causal_attention(checks._plain_attention)
    assert not unmasked.passed and "v[0]" in unmasked.message

    def masks_after_softmax(q, k, v):
        s = q @ k.T / np.sqrt(q.shape[-1])
        w = np.exp(s) / np.exp(s).sum(axis=-1, keepdims=True)
        return (w * np.tril(np.ones_like(w))) @ v  # rows no longer sum to 1

    late = checks.check_causal_attention(masks_after_softmax)
    assert not late.passed and "-inf" in late.message
    assert not checks.check_causal_attention(lambda q, k, v: None).passed
    assert not checks.check_causal_attention(lambda q, k, v: 1 / 0).passed


def test_shape_count():
    refs = [
        ["a", "red", "circle", "and", "a", "blue", "square", "on", "a", "plain", "background"],
        ["a", "red", "circle", "on", "a", "plain", "background"],
    ]
    hyps = [refs[1], refs[1]]
    assert checks.count_shapes(refs[0]) == 2 and checks.count_shapes(refs[1]) == 1
    assert checks.check_shape_count(0.5, hyps, refs).passed
    assert "percentage" in checks.check_shape_count(50, hyps, refs).message
    assert not checks.check_shape_count(1.0, hyps, refs).passed
