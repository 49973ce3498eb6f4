"""The nbval sanitizer (tests/sanitize.cfg) hides what depends on the machine, and no more."""

from pathlib import Path

from nbval.plugin import get_sanitize_patterns

CFG = Path(__file__).with_name("sanitize.cfg")


def sanitize(text: str) -> str:
    """Apply the patterns in order, as nbval does."""
    import re

    for regex, replace in get_sanitize_patterns(CFG.read_text()):
        text = re.sub(regex, replace, text)
    return text


def test_a_speed_up_verdict_is_hidden_on_any_cpu():
    # 17's latency mark: 0.77x FAIL on one CPU, 1.62x PASS on CI's
    a = "latency     0.77 x faster (mark 1.5)            FAIL\n"
    b = "latency     1.62 x faster (mark 1.5)            PASS\n"
    assert sanitize(a) == sanitize(b)


def test_a_size_or_accuracy_verdict_is_still_compared():
    a = "size        3.19 x smaller (mark 3.9)           FAIL\n"
    b = "size        3.93 x smaller (mark 3.9)           PASS\n"
    assert sanitize(a) != sanitize(b)
    c = "accuracy    0.00 points lost (mark 0.5)         PASS\n"
    d = "accuracy    0.90 points lost (mark 0.5)         FAIL\n"
    assert sanitize(c) != sanitize(d)


def test_timings_and_throughputs_are_hidden():
    assert sanitize("12,345 images/s") == sanitize("99 images/s")
    assert sanitize("17.331 ms") == sanitize("1.2 ms")
