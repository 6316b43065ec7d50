"""The validation helpers every public entry point goes through, and a few of those entry points.

Hyperparameters: any real number that is a finite float64 (a ``Fraction`` included), huge
integers rejected with the parameter's name (not numpy's "ufunc 'isfinite' not supported").
Arrays: complex numbers, strings and other non-real data are a ``TypeError`` naming the argument,
never silently converted (a plain float64 cast drops the imaginary part).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest

from glassml._validation import check_finite_array, check_positive, check_scalar_number
from glassml.cluster import KMeans
from glassml.linear_model import LinearRegression
from glassml.neighbors import KNNClassifier
from glassml.nn import DenseLayer, NeuralNetwork
from glassml.optim import SGD, Adam
from glassml.tree import DecisionTreeClassifier

HUGE = 10**400  # an int: exact in Python, beyond float64's range (about 1.8e308)


# -- check_scalar_number ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Fraction(1, 3), 1 / 3),
        (Fraction(5, 1), 5.0),
        (np.float32(0.5), 0.5),
        (3, 3.0),
        (10**300, 1e300),
    ],
    ids=["1/3", "5/1", "float32", "int", "10^300"],
)
def test_any_real_number_that_is_a_finite_float_is_accepted_and_returned_as_float(value, expected):
    out = check_scalar_number(value, "lr", low=0)
    assert type(out) is float and out == expected
    assert check_positive(value, "lr") == expected


def test_an_integer_parameter_is_returned_as_a_python_int():
    out = check_scalar_number(np.int64(7), "n", low=1, integer=True)
    assert type(out) is int and out == 7


@pytest.mark.parametrize(
    "value",
    [HUGE, -HUGE, 10**5000, Fraction(HUGE, 3), Fraction(10**5000, 7)],
    ids=["huge", "-huge", "5000-digits", "huge-fraction", "5000-digit-fraction"],
)
def test_a_value_beyond_float64_is_a_value_error_naming_the_parameter(value):
    with pytest.raises(ValueError, match=r"^learning_rate must be finite, got .*overflows float64"):
        check_scalar_number(value, "learning_rate", low=0)


@pytest.mark.parametrize(
    "value", [HUGE, 2**63, -(2**63) - 1, 10**5000], ids=["huge", "2^63", "-2^63-1", "5000-digits"]
)
def test_an_integer_beyond_int64_is_a_value_error_naming_the_parameter(value):
    with pytest.raises(ValueError, match=r"^n_neighbors must fit in a 64-bit integer"):
        check_scalar_number(value, "n_neighbors", low=1, integer=True)
    assert check_scalar_number(2**63 - 1, "n_neighbors", integer=True) == 2**63 - 1


@pytest.mark.parametrize(
    ("value", "integer", "match"),
    [
        (True, False, "tol must be a real number, got True of type bool"),
        (np.True_, False, "tol must be a real number"),
        (False, True, "tol must be an int, got False"),
        (Fraction(3, 1), True, "tol must be an int, got Fraction"),
        (1 + 0j, False, "tol must be a real number, got"),
        ("0.1", False, "tol must be a real number, got '0.1'"),
    ],
)
def test_wrong_types_are_type_errors(value, integer, match):
    with pytest.raises(TypeError, match=match):
        check_scalar_number(value, "tol", integer=integer)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), np.float16("-inf")])
def test_nan_and_inf_are_value_errors(value):
    with pytest.raises(ValueError, match=r"^tol must be finite, got"):
        check_scalar_number(value, "tol")


def test_range_is_checked_on_fractions_too():
    with pytest.raises(ValueError, match=r"beta1 must be in the range \[0, 1\), got Fraction"):
        check_scalar_number(Fraction(3, 2), "beta1", low=0, high=1, include_high=False)


# -- entry points that take hyperparameters -----------------------------------------------------
def test_sgd_with_a_fraction_learning_rate_steps_as_with_the_float():
    W_frac, W_float = np.ones(3), np.ones(3)
    g = np.array([1.0, -2.0, 0.5])
    SGD(learning_rate=Fraction(1, 10)).step([W_frac], [g])
    SGD(learning_rate=0.1).step([W_float], [g])
    assert W_frac.dtype == np.float64
    np.testing.assert_array_equal(W_frac, W_float)


def test_adam_with_fraction_hyperparameters_steps_as_with_floats():
    W_frac, W_float = np.ones(3), np.ones(3)
    g = np.array([1.0, -2.0, 0.5])
    Adam(learning_rate=Fraction(1, 100), beta1=Fraction(9, 10)).step([W_frac], [g])
    Adam(learning_rate=0.01, beta1=0.9).step([W_float], [g])
    np.testing.assert_array_equal(W_frac, W_float)


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (lambda: SGD(learning_rate=HUGE), "learning_rate"),
        (lambda: DenseLayer(3, HUGE), "n_outputs"),
        (lambda: NeuralNetwork([2, HUGE, 1], ["relu", "sigmoid"]), r"layer_sizes\[1\]"),
    ],
)
def test_huge_integers_in_constructors_name_the_parameter(make, name):
    with pytest.raises(ValueError, match=rf"^{name} must"):
        make()


@pytest.mark.parametrize(
    ("estimator", "name"),
    [
        (KNNClassifier(n_neighbors=HUGE), "n_neighbors"),
        (KMeans(n_clusters=2, tol=HUGE), "tol"),
        (DecisionTreeClassifier(max_depth=HUGE), "max_depth"),
        (LinearRegression(solver="gd", learning_rate=HUGE), "learning_rate"),
    ],
)
def test_huge_integers_in_estimators_name_the_parameter_at_fit(estimator, name):
    X = np.arange(12.0).reshape(6, 2)
    with pytest.raises(ValueError, match=rf"^{name} must"):
        estimator.fit(X, [0, 1, 0, 1, 0, 1])


def test_kmeans_with_a_fraction_tol_fits_as_with_the_float():
    X = np.random.default_rng(0).normal(size=(40, 2))
    a = KMeans(n_clusters=3, tol=Fraction(1, 1000), random_state=0).fit(X)
    b = KMeans(n_clusters=3, tol=1e-3, random_state=0).fit(X)
    np.testing.assert_array_equal(a.cluster_centers_, b.cluster_centers_)


# -- check_finite_array -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("X", "what"),
    [
        (1 + 5j, "complex numbers"),
        ([1.0, 2 + 0j], "complex numbers"),  # even a zero imaginary part: the dtype is complex
        (np.array([[1 + 2j]], dtype=np.complex64), "complex numbers"),
        (np.array([1, 2j], dtype=object), "object data"),
        (["1.5", "2"], "strings"),
        ([b"1"], "bytes"),
        (np.array(["2020-01-01"], dtype="datetime64[D]"), "datetimes"),
        ([{}], "object data"),
        ([[1.0], [1.0, 2.0]], "got list"),
    ],
)
def test_data_that_is_not_real_numbers_is_a_type_error_naming_the_argument(X, what):
    with pytest.raises(
        TypeError, match=rf"^X must be numeric array-like \(real numbers\), .*{what}"
    ):
        check_finite_array(X, "X")


def test_real_data_in_any_real_dtype_or_as_objects_converts():
    np.testing.assert_array_equal(check_finite_array(np.array([1, 2], dtype=object), "X"), [1, 2])
    out = check_finite_array([True, False, 3], "X", dtype=np.float32)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, [1, 0, 3])


def test_overflow_in_the_conversion_is_a_value_error_even_under_errstate_raise():
    with pytest.raises(ValueError, match="X contains a value too large for float64"):
        check_finite_array([1.0, HUGE], "X")
    with (
        np.errstate(all="raise"),
        pytest.raises(ValueError, match=r"X contains NaN or infinity \(as float32\)"),
    ):
        check_finite_array([1.0, 1e300], "X", dtype=np.float32)


@pytest.mark.parametrize(
    "call",
    [
        lambda: DenseLayer(2, 3, random_state=0).forward(np.array([[1.0, 1j]])),
        lambda: NeuralNetwork([2, 3, 1], ["relu", "sigmoid"], random_state=0).forward([[1j, 0]]),
        lambda: NeuralNetwork([2, 3, 1], ["relu", "sigmoid"], random_state=0).fit(
            [[1.0, 0.0]], [[1 + 1j]], epochs=1, verbose=False
        ),
    ],
)
def test_every_nn_entry_point_refuses_complex_input(call):
    with pytest.raises(TypeError, match="complex numbers"):
        call()
