"""The checks of 03's exercises: right answers pass, each common slip gets its own advice."""

from __future__ import annotations

import numpy as np
import pytest

from imgcourse.exercises import augmentation as checks


def test_label_keeping_right_answer_passes(capsys):
    assert checks.check_label_keeping({"rotation", "translation", "zoom", "contrast"}).passed
    assert capsys.readouterr().out.startswith("Correct:")


@pytest.mark.parametrize(
    ("prediction", "words"),
    [
        (set(checks.STEPS), "'flip' does not keep the label"),
        ({"translation", "zoom", "contrast"}, "'rotation' keeps the label"),
        ("zoom", "should be a set"),
        ({"zoom", "blur"}, "unknown step name"),
    ],
)
def test_label_keeping_explains_each_slip(prediction, words):
    feedback = checks.check_label_keeping(prediction)
    assert not feedback.passed and words in feedback.message


def pad_right(image):
    return checks.expected_pad_to_square(image)


def pad_corner(image):
    s = max(image.shape[:2])
    out = np.zeros((s, s, image.shape[2]))
    out[: image.shape[0], : image.shape[1]] = image
    return out


def pad_crop(image):
    s = min(image.shape[:2])
    return image[:s, :s]


def pad_ones(image):
    out = checks.expected_pad_to_square(image)
    out[out == 0] = 1.0
    return out


def pad_raises(image):
    raise IndexError("oops")


def test_pad_reference_matches_numpy_pad():
    image = np.arange(2 * 5 * 3, dtype=float).reshape(2, 5, 3) + 1
    np.testing.assert_array_equal(
        checks.expected_pad_to_square(image), np.pad(image, ((1, 2), (0, 0), (0, 0)))
    )


@pytest.mark.parametrize(
    ("fn", "passed", "words"),
    [
        (pad_right, True, "centred squares"),
        (pad_corner, False, "top-left corner"),
        (pad_crop, False, "smaller side"),
        (pad_ones, False, "pad with zeros"),
        (pad_raises, False, "raised IndexError"),
        (lambda image: None, False, "None"),
    ],
)
def test_pad_to_square_feedback(fn, passed, words):
    feedback = checks.check_pad_to_square(fn)
    assert feedback.passed is passed and words in feedback.message


def test_standardise_reference_matches_sklearn():
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(0)
    train, other = rng.random((10, 4, 4, 3)), rng.random((3, 4, 4, 3))
    scaler = StandardScaler().fit(train.reshape(-1, 3))
    np.testing.assert_allclose(
        checks.expected_standardise(train, other),
        scaler.transform(other.reshape(-1, 3)).reshape(other.shape),
        atol=1e-10,
    )


@pytest.mark.parametrize(
    ("fn", "passed", "words"),
    [
        (checks.expected_standardise, True, "matches"),
        (lambda t, x: (x - x.mean(axis=(0, 1, 2))) / x.std(axis=(0, 1, 2)), False, "training set"),
        (lambda t, x: (x - t.mean()) / t.std(), False, "per channel"),
        (lambda t, x: x - t.mean(axis=(0, 1, 2)), False, "not divided"),
        (lambda t, x: x[:, :2], False, "shape"),
    ],
)
def test_standardise_feedback(fn, passed, words):
    feedback = checks.check_standardise(fn)
    assert feedback.passed is passed and words in feedback.message
