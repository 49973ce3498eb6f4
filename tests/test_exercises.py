"""Tests for imgcourse.exercises: right answers pass; each kind of wrong answer gets its own
message."""

from __future__ import annotations

import numpy as np
import pytest

from imgcourse.data import ImageSet, make_shapes, split
from imgcourse.exercises import (
    WIDTH,
    Feedback,
    NotYet,
    as_array,
    call,
    check,
    compare_arrays,
    compare_number,
    is_number,
    nan_pattern_differs,
    read,
    read_choice,
    report,
    values_differ,
    verdict,
)
from imgcourse.exercises.data import check_shapes_request, check_stratified_split

EXPECTED = np.arange(12, dtype=np.float64).reshape(3, 4) / 7


# --- Feedback and report -------------------------------------------------------------------------


def test_feedback_is_truthy_only_when_passed_and_reads_well():
    assert Feedback(True, "ok") and not Feedback(False, "no")
    assert str(Feedback(True, "fine")) == "Correct: fine"
    assert str(Feedback(False, "wrong")) == "Not yet: wrong"


def test_report_prints_and_returns_the_feedback(capsys):
    feedback = Feedback(False, "the kernel is flipped")
    assert report(feedback) is feedback
    assert capsys.readouterr().out == "Not yet: the kernel is flipped\n"


def test_report_wraps_to_the_book_column_only_when_asked(capsys):
    long = Feedback(True, "word " * 30)
    report(long)
    assert capsys.readouterr().out == str(long) + "\n"
    report(long, wrap=True)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) > 1 and max(map(len, lines)) <= WIDTH
    assert " ".join(lines) == str(long).strip()


# --- the kit: check, call, read, verdict ---------------------------------------------------------


@check
def _check_square(fn):
    """A check built from the kit, as the topic modules build theirs."""
    for x in (2, -3):
        answer = call(fn, x, shown=f"square({x})", none=True)
        value = read(answer, float, f"square({x}) returned {answer!r}; expected a number.")
        if value != x * x:
            raise NotYet(f"square({x}) returned {value:g}; expected {x * x}.")
    return "both cases match."


@pytest.mark.parametrize(
    ("fn", "passed", "message"),
    [
        (lambda x: x * x, True, "both cases match."),
        (lambda x: 1 / 0, False, "square(2) raised ZeroDivisionError: division by zero"),
        (lambda x: None, False, "square(2) returned None. Did it forget to `return`?"),
        (lambda x: "four", False, "square(2) returned 'four'; expected a number."),
        (lambda x: 2 * x if x < 0 else x * x, False, "square(-3) returned -6; expected 9."),
    ],
    ids=["right", "raises", "None", "not a number", "wrong value"],
)
def test_check_turns_returns_and_raises_into_reported_feedback(fn, passed, message, capsys):
    feedback = _check_square(fn)
    assert isinstance(feedback, Feedback)
    assert (feedback.passed, feedback.message) == (passed, message)
    assert capsys.readouterr().out == str(feedback) + "\n"


def test_check_keeps_the_checks_name_and_doc_and_can_wrap(capsys):
    assert _check_square.__name__ == "_check_square"
    assert "kit" in _check_square.__doc__

    @check(wrap=True)
    def check_long(x):
        raise NotYet("a problem " * 20)

    check_long(1)
    assert max(map(len, capsys.readouterr().out.splitlines())) <= WIDTH


def test_check_passes_a_feedback_through_and_refuses_anything_else(capsys):
    @check
    def check_array(answer):
        return compare_arrays(answer, EXPECTED, what="the output")

    assert check_array(EXPECTED).passed and not check_array(EXPECTED.T).passed

    @check
    def check_broken(x):
        return None

    with pytest.raises(TypeError, match="check_broken returned NoneType"):
        check_broken(1)


def test_check_does_not_hide_a_wrong_call_of_the_check():
    @check
    def check_sizes(answer, table):
        if not table:
            raise ValueError("table is empty: pass the notebook's table")
        return "fine"

    with pytest.raises(ValueError, match="table is empty"):
        check_sizes(1, {})


def test_call_options():
    assert call(lambda a, b=0: a + b, 1, b=2) == 3
    with pytest.raises(NotYet, match=r"^your function raised KeyError: 'k'\.$"):
        call(lambda: {}["k"], end=".")
    with pytest.raises(NotYet, match="^case 1 raised or returned something other than"):
        call(
            lambda: 1,
            shown="case 1",
            raised="raised or returned something other than",
            then=lambda r: tuple(r),
        )
    with pytest.raises(NotYet, match="^the function returned None: `return` it.$"):
        call(lambda: None, none="the function returned None: `return` it.")
    assert call(lambda: None) is None  # None is an answer unless `none` says otherwise


def test_read_and_read_choice():
    assert read("0.25", float, "no") == 0.25 and read(np.float32(2), int, "no") == 2
    with pytest.raises(NotYet, match="^store a number$"):
        read("a quarter", float, "store a number")
    assert read_choice(" Lower ", ("higher", "lower"), "no") == "lower"
    for answer in ("sideways", 3, None):
        with pytest.raises(NotYet, match="^one of higher, lower$"):
            read_choice(answer, ("higher", "lower"), "one of higher, lower")


def test_verdict_gives_the_first_hint_that_applies():
    kw = {"correct": "right.", "wrong": "{value:.1f} is not it. Hint: {hint}", "hint": "general"}
    assert verdict(0.5, right=True, **kw) == Feedback(True, "right.")
    first = verdict(2.0, right=False, hints=[(False, "a"), (True, "b"), (True, "c")], **kw)
    assert first == Feedback(False, "2.0 is not it. Hint: b")
    assert verdict(2.0, right=False, hints=[(False, "a")], **kw).message.endswith("general")


def test_number_and_array_helpers():
    assert is_number(3) and is_number(np.float32(0.5)) and is_number(np.int64(2))
    assert not any(is_number(x) for x in (True, np.bool_(True), "3", None, 1j, [1]))
    assert as_array(None) is None and as_array("abc") is None and as_array([[1], [2, 3]]) is None
    assert as_array([1, 2]).dtype == np.float64
    want = np.array([0.5, np.nan, 1.0])
    assert not nan_pattern_differs(np.array([0.4, np.nan, 0.0]), want)
    assert nan_pattern_differs(np.array([0.5, 0.0, 1.0]), want)
    assert not values_differ(np.array([0.5, 7.0, 1.0]), want)  # NaN places are not compared
    assert values_differ(np.array([0.5, np.nan, 1.1]), want)


# --- compare_arrays ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer",
    [EXPECTED, EXPECTED.astype(np.float32), EXPECTED.tolist(), EXPECTED + 5e-6],
    ids=["same array", "float32", "nested list", "within atol"],
)
def test_compare_arrays_right_answers_pass(answer):
    feedback = compare_arrays(answer, EXPECTED, what="the output")
    assert feedback.passed, feedback.message
    assert "the output matches: shape (3, 4)" in feedback.message


def test_compare_arrays_none_asks_about_return():
    feedback = compare_arrays(None, EXPECTED, what="the output")
    assert not feedback.passed
    assert "the output is None" in feedback.message and "`return`" in feedback.message


@pytest.mark.parametrize(
    ("answer", "type_name"),
    [({"a": 1}, "dict"), ([[1, 2], [3]], "list"), ("abc", "str"), (object(), "object")],
)
def test_compare_arrays_wrong_type(answer, type_name):
    feedback = compare_arrays(answer, EXPECTED, what="the output")
    assert not feedback.passed
    assert f"should be an array of numbers; got {type_name}" in feedback.message


def test_compare_arrays_wrong_shape_gives_both_shapes_and_the_hint():
    feedback = compare_arrays(EXPECTED.T, EXPECTED, what="the output", hint="Check padding.")
    assert not feedback.passed
    assert "has shape (4, 3); expected (3, 4). Check padding." in feedback.message


def test_compare_arrays_nan():
    answer = EXPECTED.copy()
    answer[1, 2] = np.nan
    feedback = compare_arrays(answer, EXPECTED, what="the output")
    assert not feedback.passed
    assert "contains NaN or infinite values" in feedback.message
    answer[1, 2] = np.inf
    assert "NaN or infinite" in compare_arrays(answer, EXPECTED, what="x").message


def test_compare_arrays_wrong_values_point_at_the_largest_gap():
    answer = EXPECTED.copy()
    answer[0, 1] += 0.01
    answer[2, 3] += 0.5
    feedback = compare_arrays(answer, EXPECTED, what="the output", hint="Flip the kernel?")
    assert not feedback.passed
    message = feedback.message
    assert "differs from the expected values at 2 of 12 positions" in message
    assert "largest gap is at index (2, 3)" in message
    assert f"yours {answer[2, 3]:.4g}, expected {EXPECTED[2, 3]:.4g}" in message
    assert message.endswith("Flip the kernel?")


def test_compare_arrays_respects_atol():
    answer = EXPECTED + 0.05
    assert not compare_arrays(answer, EXPECTED, what="x").passed
    assert compare_arrays(answer, EXPECTED, what="x", atol=0.1).passed


@pytest.mark.parametrize(
    ("answer", "expected"),
    [("1.5", np.array(1.5)), (np.zeros(3) + 1j, np.zeros(3))],
    ids=["string", "complex"],
)
@pytest.mark.filterwarnings("ignore:Casting complex values")
def test_compare_arrays_rejects_strings_and_complex_values(answer, expected):
    assert not compare_arrays(answer, expected, what="x").passed


# --- compare_number ------------------------------------------------------------------------------


@pytest.mark.parametrize("answer", [3, 3.0, np.float32(3.0), np.int64(3)])
def test_compare_number_right_answers_pass(answer):
    feedback = compare_number(answer, 3.0, what="the count")
    assert feedback.passed and feedback.message == f"the count is {answer}."


@pytest.mark.parametrize(
    ("answer", "type_name"), [(None, "NoneType"), ("3", "str"), (True, "bool"), ([3], "list")]
)
def test_compare_number_wrong_type(answer, type_name):
    feedback = compare_number(answer, 3.0, what="the count")
    assert not feedback.passed
    assert f"the count should be a number; got {type_name}." == feedback.message


def test_compare_number_wrong_value_and_nan():
    feedback = compare_number(4, 3.0, what="the count", hint="Count the borders too.")
    assert not feedback.passed
    assert feedback.message == "the count is 4; expected 3.0. Count the borders too."
    assert not compare_number(float("nan"), 3.0, what="x").passed
    assert compare_number(3.0 + 1e-9, 3.0, what="x").passed
    assert not compare_number(3.1, 3.0, what="x").passed
    assert compare_number(3.1, 3.0, what="x", rtol=0.05).passed


def test_compare_number_tolerates_rounding_around_zero():
    answer = np.mean([0.1, 0.2, -0.3])  # 1.8e-17, the right answer computed in floats
    assert compare_number(answer, 0.0, what="the mean").passed


def test_compare_number_accepts_a_zero_dimensional_array():
    assert compare_number(np.array(2.0), 2.0, what="the sum").passed


# --- check_shapes_request ------------------------------------------------------------------------

REQUEST = {"n": 60, "classes": ("circle", "star"), "image_size": 24, "max_textured": 0.3}


def _request_set(**overrides) -> ImageSet:
    kwargs = {
        "n": 60,
        "classes": ("circle", "star"),
        "image_size": 24,
        "textured_fraction": 0.1,
        "seed": 0,
    }
    kwargs.update(overrides)
    return make_shapes(kwargs.pop("n"), **kwargs)


def test_check_shapes_request_right_answer_passes(capsys):
    data = _request_set()
    feedback = check_shapes_request(data, **REQUEST)
    assert feedback.passed, feedback.message
    share = data.extras["groups"].mean()
    assert feedback.message == f"60 images of ['circle', 'star'], {share:.0%} textured."
    assert capsys.readouterr().out.startswith("Correct: 60 images")


@pytest.mark.parametrize(
    ("answer", "phrase"),
    [
        (None, "got NoneType"),
        ("images", "Did you return data.images instead of data?"),
        (_request_set(n=50), "the set has 50 images; asked for 60"),
        (_request_set(classes=("star", "circle")), "Pass classes=... in that order"),
        (_request_set(classes=("circle", "square")), "its classes are ['circle', 'square']"),
        (_request_set(image_size=32), "images are (32, 32); asked for (24, 24)"),
        (_request_set(textured_fraction=0.8), "Lower textured_fraction"),
    ],
    ids=[
        "None",
        "images",
        "wrong n",
        "class order",
        "wrong classes",
        "wrong size",
        "too many textured",
    ],
)
def test_check_shapes_request_wrong_answers(answer, phrase, capsys):
    if isinstance(answer, str):
        answer = _request_set().images
    feedback = check_shapes_request(answer, **REQUEST)
    assert not feedback.passed
    assert phrase in feedback.message
    assert capsys.readouterr().out.startswith("Not yet: ")


def test_check_shapes_request_textured_share_is_measured():
    data = _request_set(textured_fraction=0.8)
    share = data.extras["groups"].mean()
    feedback = check_shapes_request(data, **REQUEST)
    assert f"{share:.0%} of the scenes are textured; at most 30% was asked" in feedback.message


# --- check_stratified_split ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def full() -> ImageSet:
    data = make_shapes(200, image_size=16, classes=("circle", "square", "star"), seed=1)
    return data


def test_check_stratified_split_right_answer_passes(full):
    train, test = split(full, (0.8, 0.2), seed=0)
    feedback = check_stratified_split(train, test, full, test_fraction=0.2)
    assert feedback.passed, feedback.message
    assert feedback.message.startswith(f"{len(train)} train and {len(test)} test images")


def test_check_stratified_split_wrong_type(full):
    train, test = split(full, (0.8, 0.2), seed=0)
    feedback = check_stratified_split(train, test.images, full, test_fraction=0.2)
    assert not feedback.passed
    assert "test should be an ImageSet" in feedback.message and "got ndarray" in feedback.message
    feedback = check_stratified_split(None, test, full, test_fraction=0.2)
    assert "train should be an ImageSet" in feedback.message


def test_check_stratified_split_unstratified(full):
    order = np.argsort(full.labels, kind="stable")  # a plain slice of sorted data
    train, test = full.subset(order[:160]), full.subset(order[160:])
    feedback = check_stratified_split(train, test, full, test_fraction=0.2)
    assert not feedback.passed
    assert "the split is not stratified" in feedback.message
    assert "'star'" in feedback.message  # the class most over-represented in the test part


def _split_with_test_counts(full: ImageSet, test_counts: list[int]) -> tuple[ImageSet, ImageSet]:
    """Train and test parts covering ``full``, the test part with these counts per class."""
    test_idx = np.concatenate(
        [np.flatnonzero(full.labels == k)[:count] for k, count in enumerate(test_counts)]
    )
    train_idx = np.setdiff1d(np.arange(len(full)), test_idx)
    return full.subset(train_idx), full.subset(test_idx)


def test_check_stratified_split_tolerance_is_three_points(full):
    counts = np.bincount(full.labels)
    fair = np.round(counts * 0.2).astype(int)
    assert fair.sum() == 40
    # one class two images over, another two under: 5 points off in a part of 40 images
    skewed = fair + np.array([2, -2, 0])
    feedback = check_stratified_split(
        *_split_with_test_counts(full, list(skewed)), full, test_fraction=0.2
    )
    assert not feedback.passed and "not stratified" in feedback.message
    feedback = check_stratified_split(
        *_split_with_test_counts(full, list(fair)), full, test_fraction=0.2
    )
    assert feedback.passed, feedback.message


def test_check_stratified_split_incomplete(full):
    train, test = split(full, (0.8, 0.2), seed=0)
    feedback = check_stratified_split(train.subset(slice(0, 150)), test, full, test_fraction=0.2)
    assert not feedback.passed
    assert "Every image should land in exactly one part" in feedback.message
    assert f"train (150) + test ({len(test)})" in feedback.message


def test_check_stratified_split_duplicated_images(full):
    train, test = split(full, (0.8, 0.2), seed=0)
    doubled = train.subset(np.concatenate([np.arange(len(train)), [0, 1, 2]]))
    feedback = check_stratified_split(doubled, test, full, test_fraction=0.2)
    assert not feedback.passed and "exactly one part" in feedback.message


def test_check_stratified_split_wrong_fraction(full):
    train, test = split(full, (0.8, 0.2), seed=0)
    feedback = check_stratified_split(test, train, full, test_fraction=0.2)  # parts swapped
    assert not feedback.passed
    assert "the test part holds 80% of the images; asked for 20%" in feedback.message
    assert "right order" in feedback.message


def test_check_stratified_split_overlapping_parts_fail(full):
    train, test = split(full, (0.8, 0.2), seed=0)
    _, leaked = split(train, (0.75, 0.25), seed=0)  # as many images as test, all from train
    assert len(train) + len(leaked) == len(full)
    feedback = check_stratified_split(train, leaked, full, test_fraction=0.2)
    assert not feedback.passed
    assert "exactly one part" in feedback.message
