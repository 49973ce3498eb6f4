"""BLEU (imgcourse.metrics.text) against NLTK's corpus_bleu on the same inputs."""

from __future__ import annotations

import numpy as np
import pytest
from nltk.translate import bleu_score as nltk_bleu  # the reference; nltk is in the dev extra

from imgcourse.metrics import corpus_bleu, ngram_counts

WORDS = "a small large red blue green circle square triangle and on plain textured".split()


def _corpus(seed: int, n: int = 40):
    rng = np.random.default_rng(seed)
    refs, hyps = [], []
    for _ in range(n):
        ref_list = []
        for _ in range(int(rng.integers(1, 4))):
            ref_list.append(list(rng.choice(WORDS, int(rng.integers(3, 12)))))
        hyp = list(ref_list[0])
        for j in range(len(hyp)):  # corrupt some words, drop or add some
            if rng.random() < 0.3:
                hyp[j] = str(rng.choice(WORDS))
        hyp = hyp[: int(rng.integers(1, len(hyp) + 3))]
        refs.append([[str(w) for w in r] for r in ref_list])
        hyps.append([str(w) for w in hyp])
    return refs, hyps


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_matches_nltk_corpus_bleu(seed):
    refs, hyps = _corpus(seed)
    ours = corpus_bleu(refs, hyps)
    for n in range(1, 5):
        want = nltk_bleu.corpus_bleu(refs, hyps, weights=(1.0 / n,) * n)
        assert ours[n - 1] == pytest.approx(want, rel=1e-9, abs=1e-12), n


def test_short_hypotheses_and_brevity_penalty_match_nltk():
    refs = [
        [["a", "red", "circle", "on", "a", "plain", "background"]],
        [["a", "blue", "square"], ["a", "large", "blue", "square"]],
    ]
    hyps = [["a", "red", "circle"], ["a", "blue"]]  # shorter than 3 and 4 words
    ours = corpus_bleu(refs, hyps)
    for n in range(1, 5):
        want = nltk_bleu.corpus_bleu(refs, hyps, weights=(1.0 / n,) * n)
        assert ours[n - 1] == pytest.approx(want, abs=1e-12), n
    assert ours[0] < 1.0  # the brevity penalty bites


def test_perfect_and_disjoint():
    ref = "a large red circle on a plain background".split()
    np.testing.assert_allclose(corpus_bleu([[ref]], [ref]), 1.0)
    assert corpus_bleu([[ref]], [["zebra"] * 8]).tolist() == [0.0, 0.0, 0.0, 0.0]


def test_counts_clip_repeated_words():
    matches, totals, c, r = ngram_counts([[["the", "cat"]]], [["the", "the", "the"]], 2)
    assert matches.tolist() == [1, 0] and totals.tolist() == [3, 2] and (c, r) == (3, 2)


def test_bad_input_says_what_to_do():
    with pytest.raises(ValueError, match="one entry per sentence"):
        corpus_bleu([[["a"]]], [["a"], ["b"]])
    with pytest.raises(ValueError, match="split"):
        corpus_bleu([["a red circle"]], ["a red circle"])
    with pytest.raises(ValueError, match="at least one"):
        corpus_bleu([], [])
