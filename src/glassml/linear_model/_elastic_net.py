"""The estimators :class:`ElasticNet` and :class:`Lasso` (their solver: ``_coordinate_descent``)."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import validate_data

from glassml._validation import (
    check_bool,
    check_option,
    check_positive,
    check_scalar_number,
    make_rng,
)
from glassml.linear_model._base import (
    LinearPredictMixin,
    check_regression_data,
    store_coef,
)
from glassml.linear_model._coordinate_descent import coordinate_descent, warn_not_converged

__all__ = ["ElasticNet", "Lasso"]

_NOTES = """
    Notes
    -----
    The objective is scikit-learn's, with ``r = l1_ratio`` (``r = 1`` for :class:`Lasso`)::

        (1/(2n)) ‖y - X w - b‖² + α r ‖w‖₁ + ½ α (1 - r) ‖w‖²

    Centring removes ``b`` (``b = ȳ - x̄·w``). Multiplied by ``n`` it reads
    ``½‖r‖² + λ₁‖w‖₁ + ½λ₂‖w‖²`` with ``λ₁ = nαr``, ``λ₂ = nα(1 - r)``. Coordinate descent
    minimises it exactly in one weight at a time: ``w_j = S(ρ_j, λ₁) / (‖X_j‖² + λ₂)`` where
    ``ρ_j = X_jᵀ(r + w_j X_j)`` and ``S(z, γ) = sign(z)·max(|z| - γ, 0)`` -- a weight whose
    correlation with the residual stays below ``λ₁`` is set to *exactly* 0. Gradient descent
    on the same objective never produces an exact zero; this is why the lasso selects
    features. All weights are 0 exactly when ``α >= α_max = max_j |X_jᵀ y_c| / (n r)``.

    **Stopping** (scikit-learn's rule and scaling): after a sweep whose largest change
    ``max |Δw_j|`` is ``<= tol · max |w_j|`` (or after the last sweep), compute the duality
    gap ``G`` (:func:`glassml.linear_model.textbook.duality_gap`, a certified bound on
    ``P(w) - P(w*)`` for the n-scaled objective) and stop if ``G <= tol · ‖y_c‖²``;
    ``dual_gap_`` reports ``G / n``. If ``max_iter`` sweeps end first, a
    ``ConvergenceWarning`` is raised (and the weights are kept).

    The textbook version is :func:`glassml.linear_model.textbook.lasso_coordinate_descent`
    (plain loops, residual updated after every coordinate); the estimator runs
    :func:`glassml.linear_model._coordinate_descent.coordinate_descent`, the same updates in
    the same order, through the Gram matrix when ``n_samples > n_features`` (see there; the
    tests check 1e-12). Unlike scikit-learn it does no gap-safe screening, so its iterates
    may differ from scikit-learn's (the optimum does not; the tests check 1e-6 and the zeros).
"""


class ElasticNet(LinearPredictMixin, RegressorMixin, BaseEstimator):
    """Linear regression with a mixed L1 + L2 penalty, fitted by coordinate descent.

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty strength ``α >= 0`` (``0`` is least squares; use ``LinearRegression``).
    l1_ratio : float, default=0.5
        The L1 share ``r`` of the penalty, in ``[0, 1]``: ``1`` is the lasso, ``0`` ridge.
    fit_intercept : bool, default=True
        Fit ``b`` (unpenalised) by centring; if False, ``b = 0``.
    max_iter : int, default=1000
        Most sweeps over the coordinates, ``>= 1``.
    tol : float, default=1e-4
        Tolerance ``> 0`` of the stopping rule (Notes).
    warm_start : bool, default=False
        Start from the previous fit's ``coef_`` (same shape) instead of 0.
    selection : {"cyclic", "random"}, default="cyclic"
        Visit coordinates in order, or draw ``n_features`` of them per sweep at random (with
        replacement, as scikit-learn).
    random_state : None, int or numpy Generator, default=None
        Seeds ``selection="random"``.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        ``w``, with exact zeros (1-D also for ``y`` of shape (n_samples, 1), as scikit-learn).
        float32 for float32 ``X``.
    intercept_ : float or ndarray of shape (n_targets,)
    n_iter_ : int or list of int
        Sweeps done (a list, one per target, for two or more targets); 0 when the starting
        weights are already optimal.
    dual_gap_ : float or ndarray of shape (n_targets,)
        The final duality gap divided by ``n_samples`` (scikit-learn's convention).
    n_features_in_ : int
        Number of features seen during ``fit``.
    """

    __doc__ = (__doc__ or "") + _NOTES

    def __init__(
        self,
        alpha: float = 1.0,
        l1_ratio: float = 0.5,
        fit_intercept: bool = True,
        max_iter: int = 1000,
        tol: float = 1e-4,
        warm_start: bool = False,
        selection: str = "cyclic",
        random_state: None | int | np.random.Generator = None,
    ) -> None:
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.selection = selection
        self.random_state = random_state

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _penalty(self) -> tuple[float, float]:
        """Validated ``(alpha, l1_ratio)``."""
        alpha = check_scalar_number(self.alpha, "alpha", low=0)
        return alpha, check_scalar_number(self.l1_ratio, "l1_ratio", low=0, high=1)

    def fit(self, X: Any, y: Any) -> ElasticNet:
        """Fit the weights by coordinate descent.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training inputs; finite numbers.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Targets; finite numbers.

        Returns
        -------
        self
            The fitted estimator.
        """
        alpha, l1_ratio = self._penalty()
        max_iter = int(check_positive(self.max_iter, "max_iter", integer=True))
        tol = check_positive(self.tol, "tol")
        check_bool(self.fit_intercept, "fit_intercept")
        check_bool(self.warm_start, "warm_start")
        check_option(self.selection, "selection", ("cyclic", "random"))
        rng = make_rng(self.random_state) if self.selection == "random" else None
        X_in = X
        X, Y, dtype, one_target = check_regression_data(self, X, y)
        n_samples, n_features = X.shape
        x_mean = X.mean(axis=0) if self.fit_intercept else np.zeros(n_features)
        y_mean = Y.mean(axis=0) if self.fit_intercept else np.zeros(Y.shape[1])
        X_c, Y_c = X - x_mean, Y - y_mean
        W_init = self._warm_weights(n_features, Y.shape[1])
        W = np.empty((n_features, Y.shape[1]))  # (n_features, n_targets)
        n_iter, gaps = [], []
        for k in range(Y.shape[1]):
            result = coordinate_descent(
                X_c, Y_c[:, k], n_samples * alpha * l1_ratio, n_samples * alpha * (1 - l1_ratio),
                w_init=W_init[:, k], max_iter=max_iter, tol=tol, rng=rng,
            )  # fmt: skip
            if not result.converged:
                warn_not_converged(result.gap, result.gap_tol, max_iter)
            W[:, k] = result.w
            n_iter.append(result.n_iter)
            gaps.append(result.gap / n_samples)
        if not np.isfinite(W).all():
            raise ValueError(
                "Coordinate descent produced non-finite weights; the input holds values too "
                "large to square in float64: standardise the features."
            )
        validate_data(self, X_in, skip_check_array=True)  # records n_features_in_
        store_coef(
            self,
            W,
            y_mean - x_mean @ W,
            dtype,
            one_target,
            ravel_one_column=True,
            fit_intercept=self.fit_intercept,
        )
        single = Y.shape[1] == 1  # as scikit-learn: a (n, 1) y gives scalars here too
        self.n_iter_: int | list[int] = n_iter[0] if single else n_iter
        self.dual_gap_: float | np.ndarray = gaps[0] if single else np.array(gaps)
        return self

    def _warm_weights(self, n_features: int, n_targets: int) -> np.ndarray:
        """Starting weights (n_features, n_targets): the previous ``coef_`` or zeros."""
        previous = getattr(self, "coef_", None) if self.warm_start else None
        if previous is not None:
            W = np.asarray(previous, dtype=np.float64).reshape(-1, n_features).T
            if W.shape == (n_features, n_targets):
                return W
        return np.zeros((n_features, n_targets))


_LASSO_EXAMPLES = """
    Examples
    --------
    >>> import numpy as np
    >>> from glassml.linear_model import Lasso
    >>> X = np.array([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]])  # XᵀX / n = I
    >>> Lasso(alpha=1.5).fit(X, [3.0, 1.0, -1.0, -3.0]).coef_.tolist()  # S(Xᵀy/n, α), Xᵀy/n = (2, 1)
    [0.5, 0.0]
"""


class Lasso(ElasticNet):
    """Linear regression with an L1 penalty: ``ElasticNet`` with ``l1_ratio = 1``.

    Parameters
    ----------
    alpha : float, default=1.0
        Penalty strength ``α >= 0``.
    fit_intercept, max_iter, tol, warm_start, selection, random_state
        As :class:`ElasticNet`.

    Attributes
    ----------
    coef_, intercept_, n_iter_, dual_gap_, n_features_in_
        As :class:`ElasticNet`.

    """

    __doc__ = (__doc__ or "") + _NOTES + _LASSO_EXAMPLES

    def __init__(
        self,
        alpha: float = 1.0,
        fit_intercept: bool = True,
        max_iter: int = 1000,
        tol: float = 1e-4,
        warm_start: bool = False,
        selection: str = "cyclic",
        random_state: None | int | np.random.Generator = None,
    ) -> None:
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.selection = selection
        self.random_state = random_state

    def _penalty(self) -> tuple[float, float]:
        return check_scalar_number(self.alpha, "alpha", low=0), 1.0
