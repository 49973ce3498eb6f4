"""Every papermill parameter of every notebook, fuzzed: a wrong type, an out-of-range value or
an empty one gets a :class:`CourseError` that names the parameter, before any kernel starts;
nothing else escapes ``resolve_parameters``."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imgcourse import cli, course

NOTEBOOKS = course.list_notebooks()
PAIRS = [(nb, key) for nb in NOTEBOOKS for key in sorted(nb.parameters)]

#: Strings a user could type: numbers of every sign and size, words, empties, literals.
TYPED = st.one_of(
    st.text(max_size=12),
    st.integers(-(10**12), 10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["", " ", "nan", "inf", "-1", "0", "1e309", "True", "[1, 2]", "(1, 2)"]),
)


@pytest.mark.parametrize(("notebook", "key"), PAIRS, ids=[f"{n.number}-{k}" for n, k in PAIRS])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=TYPED)
def test_a_parameter_is_typed_and_in_range_or_refused_by_name(notebook, key, raw):
    default = notebook.parameters[key]
    try:
        params = course.resolve_parameters(notebook, [(key, raw)])
    except course.CourseError as err:
        assert key in str(err) or "PROFILE" in str(err)
        return
    value = params[key]
    if default is not None:
        assert isinstance(value, type(default)), (key, raw, value)
    assert course.check_range(key, value) is None


@settings(max_examples=60, deadline=None)
@given(key=st.text(min_size=1, max_size=15))
def test_an_unknown_parameter_name_is_refused(key):
    notebook = NOTEBOOKS[0]
    if key in notebook.parameters:
        return
    with pytest.raises(course.CourseError, match="has no parameter"):
        course.resolve_parameters(notebook, [(key, "1")])


@pytest.mark.parametrize(
    ("key", "value", "says"),
    [
        ("EPOCHS", "0", "at least 1"),
        ("EPOCHS", "-3", "at least 1"),
        ("BATCH_SIZE", "2.5", "type int"),
        ("LEARNING_RATE", "-0.1", "above 0"),
        ("LEARNING_RATE", "nan", "finite"),
        ("DROPOUT", "1.5", "from 0 to 1"),
        ("PROFILE", "gpu", "one of"),
    ],
)
def test_the_command_line_refuses_before_a_kernel_starts(key, value, says, capsys):
    assert cli.main(["run", "02", "-p", key, value, "--out", "unused"]) == 2
    err = capsys.readouterr().err
    assert key in err and says in err


def _is_positive(text: str, kind: type) -> bool:
    try:
        value = kind(text)
    except ValueError:
        return False
    return value > 0 and value == value and value not in (float("inf"),)


@pytest.mark.parametrize(
    ("command", "kind"),
    [
        (["bench", "--images"], int),
        (["bench", "--epochs"], int),
        (["grade", "x", "--timeout"], float),
    ],
)
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=TYPED)
def test_command_line_numbers_are_refused_with_a_usage_message(command, kind, raw, capsys):
    """A bad number stops argparse with exit code 2 and says why; good ones are not run here."""
    if _is_positive(raw, kind):
        return
    capsys.readouterr()  # the fixture lives across examples: start clean
    with pytest.raises(SystemExit) as info:
        cli.main([*command, raw])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "is not a" in err or "must be above 0" in err or "expected one argument" in err
