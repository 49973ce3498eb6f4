"""BLEU for generated captions (``14_attention_and_captioning``).

BLEU (Papineni et al., 2002) compares the n-grams (runs of n words) of generated sentences
with those of reference sentences. For each order n, the **modified precision** p_n is the
number of the hypotheses' n-grams also found in a reference (each clipped to the most times
it occurs in any one reference of that sentence), summed over the corpus, divided by the
number of the hypotheses' n-grams. BLEU-N is the geometric mean of p_1..p_N times a
**brevity penalty** exp(1 - r / c) when the hypotheses' total length c is below r, the
summed lengths of the references closest in length to each hypothesis.

The corpus-level definition matches NLTK's ``nltk.translate.bleu_score.corpus_bleu`` without
smoothing (tested in ``tests/test_metrics_text.py``): a corpus with no matching n-gram of some
order up to N scores 0. NumPy only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

Tokens = Sequence[str]


def _ngrams(tokens: Tokens, n: int) -> Counter:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def _check(references: Sequence[Sequence[Tokens]], hypotheses: Sequence[Tokens]) -> None:
    if len(references) != len(hypotheses):
        raise ValueError(
            f"references and hypotheses must have one entry per sentence; got "
            f"{len(references)} reference lists and {len(hypotheses)} hypotheses"
        )
    if not hypotheses:
        raise ValueError("BLEU needs at least one hypothesis; got none")
    for i, (refs, hyp) in enumerate(zip(references, hypotheses)):
        if isinstance(hyp, str) or not refs or any(isinstance(r, str) for r in refs):
            raise ValueError(
                f"sentence {i}: give each hypothesis as a list of words and its references as a "
                "non-empty list of such lists (split strings with .split()); got "
                f"{type(hyp).__name__} and {refs!r:.60}"
            )


def ngram_counts(
    references: Sequence[Sequence[Tokens]], hypotheses: Sequence[Tokens], max_order: int = 4
) -> tuple[np.ndarray, np.ndarray, int, int]:
    """The corpus totals behind BLEU.

    Returns:
        ``matches`` (max_order,) clipped n-gram matches per order, ``totals`` (max_order,) the
        hypotheses' n-gram counts per order (each sentence counts at least 1, as NLTK does),
        ``hyp_length`` (words in all hypotheses) and ``ref_length`` (summed lengths of the
        closest references, the shorter on a tie).
    """
    _check(references, hypotheses)
    if max_order < 1:
        raise ValueError(f"max_order must be at least 1; got {max_order}")
    matches = np.zeros(max_order, np.int64)
    totals = np.zeros(max_order, np.int64)
    hyp_length = ref_length = 0
    for refs, hyp in zip(references, hypotheses):
        hyp = list(hyp)
        hyp_length += len(hyp)
        lengths = [len(r) for r in refs]
        ref_length += min(lengths, key=lambda n: (abs(n - len(hyp)), n))
        for n in range(1, max_order + 1):
            counts = _ngrams(hyp, n)
            if not counts:
                totals[n - 1] += 1  # NLTK: max(1, count) in the denominator
                continue
            best: Counter = Counter()
            for ref in refs:
                best |= _ngrams(list(ref), n)  # element-wise maximum over references
            matches[n - 1] += sum(min(c, best[g]) for g, c in counts.items())
            totals[n - 1] += sum(counts.values())
    return matches, totals, hyp_length, ref_length


def corpus_bleu(
    references: Sequence[Sequence[Tokens]], hypotheses: Sequence[Tokens], max_order: int = 4
) -> np.ndarray:
    """Corpus BLEU-1 .. BLEU-``max_order`` (cumulative, uniform weights), in [0, 1].

    Args:
        references: one list of reference sentences per hypothesis, each a list of words.
        hypotheses: the generated sentences, each a list of words.
        max_order: the longest n-gram.

    Returns:
        (max_order,) float64: entry n-1 is BLEU-n, the geometric mean of p_1..p_n times the
        brevity penalty, equal to NLTK's ``corpus_bleu(references, hypotheses,
        weights=(1/n,) * n)``.

    Example:
        >>> ref = [["a", "red", "circle", "on", "a", "plain", "background"]]
        >>> corpus_bleu([ref], [ref[0]]).round(3).tolist()
        [1.0, 1.0, 1.0, 1.0]
    """
    matches, totals, c, r = ngram_counts(references, hypotheses, max_order)
    if c == 0:
        return np.zeros(max_order)
    penalty = 1.0 if c > r else float(np.exp(1.0 - r / c))
    with np.errstate(divide="ignore"):
        log_p = np.log(matches / totals)  # -inf where an order has no match
    orders = np.arange(1, max_order + 1)
    mean_log = np.cumsum(log_p) / orders  # log of the geometric mean of p_1..p_n
    return np.where(np.isfinite(mean_log), penalty * np.exp(mean_log), 0.0)
