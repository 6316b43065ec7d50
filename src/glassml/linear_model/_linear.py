"""Ordinary least squares: the normal equation and gradient descent (seed file 05).

Read :mod:`glassml.linear_model.textbook` first: ``normal_equation`` and
``gradient_descent_linear`` are the seed's algorithm; this estimator computes the same numbers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import validate_data

from glassml._validation import check_option, check_positive, check_scalar_number
from glassml.linear_model._base import LinearPredictMixin, check_regression_data, store_coef
from glassml.linear_model._gd import LossAndGrad, check_learning_rate, gradient_descent
from glassml.linear_model._lstsq import least_squares

__all__ = ["LinearRegression"]


class LinearRegression(LinearPredictMixin, RegressorMixin, BaseEstimator):
    """Least-squares linear regression, ``y ≈ X w + b``, fitted in closed form or by descent.

    Parameters
    ----------
    solver : {"normal", "gd"}, default="normal"
        ``"normal"`` solves the least-squares problem in one step; ``"gd"`` runs the seed's
        batch gradient descent. See Notes for what each computes.
    learning_rate : float or "auto", default="auto"
        Step size ``lr`` of gradient descent (``solver="gd"`` only). ``"auto"`` is ``1 / L``,
        ``L`` the largest curvature of the MSE (see Notes); a number must be > 0.
    max_iter : int, default=10000
        Maximum number of gradient-descent steps (``solver="gd"`` only). Must be >= 1.
    tol : float, default=1e-6
        Gradient descent stops once the largest absolute entry of the gradient of the MSE
        (with respect to ``w`` and ``b``) is ``<= tol``. Must be >= 0; ``0`` always runs
        ``max_iter`` steps. Ignored by ``solver="normal"``.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,) or (n_targets, n_features)
        The weights ``w`` (one row per target when ``y`` is 2-D, as in scikit-learn). float32
        when ``X`` is float32 (computed in float64, then rounded), else float64.
    intercept_ : float or ndarray of shape (n_targets,)
        The bias ``b``, same dtype as ``coef_``.
    n_iter_ : int
        Gradient-descent steps taken (``1`` for ``solver="normal"``: one closed-form solve).
    loss_history_ : list of float
        MSE at each gradient-descent iterate: at the start and after each step, so
        ``n_iter_ + 1`` values (empty for ``solver="normal"``).
    learning_rate_ : float or None
        The step size gradient descent used (``1 / L`` for ``"auto"``); None for ``"normal"``.
    n_features_in_ : int
        Number of features seen during ``fit``.

    Notes
    -----
    Both solvers minimise ``MSE(w, b) = (1/n) Σᵢ (xᵢ·w + b - yᵢ)²``.

    **Normal equation.** The textbook version is
    :func:`glassml.linear_model.textbook.normal_equation`: a column of ones appended to ``X``
    and ``θ = pinv(X_bᵀ X_b) X_bᵀ y``, exactly the seed. The estimator returns the same
    minimiser (the tests check 1e-12 on well-conditioned data) but differs in how:

    * *Centring.* With the column means subtracted (``X_c = X - x̄``, ``y_c = y - ȳ``) the
      intercept drops out: ``w`` solves ``min ‖X_c w - y_c‖`` and ``b = ȳ - x̄·w``.
    * *Speed.* For tall, well-conditioned data (``λ_max / λ_min`` of ``X_cᵀ X_c`` at most
      1e6) it solves the normal equation through the Gram matrix: one BLAS product, O(n d²),
      then a d × d ``eigh``. ``lstsq`` factorises the whole n × d matrix, several times more
      work: on 100000 × 50 the fit takes 0.3-0.45× scikit-learn's time
      (``benchmarks/bench_linear.py``).
    * *Accuracy.* The Gram matrix squares the condition number of ``X_c``, so any ``pinv``
      cutoff on its eigenvalues is wrong somewhere: it keeps rounding noise (100 × 100
      identity plus intercept, one-hot columns) or drops a real but small column (a feature
      scaled by 1e-8). So on everything else -- rank-deficient, badly scaled or collinear
      columns, and ``n_features >= n_samples`` -- it calls ``np.linalg.lstsq(X_c, y_c)``: an
      SVD that cuts singular values below ``max(n, d) · eps · s_max``. The result is the
      minimum-norm solution, equal to ``lstsq``'s (and scikit-learn's) to 1e-8 on all of
      these designs; for wide data the SVD costs O(n² d), never a d × d Gram matrix.

    **Gradient descent.** The textbook version is
    :func:`glassml.linear_model.textbook.gradient_descent_linear` (the seed: from
    ``w = 0, b = 0``, ``w -= lr · (2/n) · Xᵀ(pred - y)``, ``b -= lr · (2/n) · Σ(pred - y)``).
    The estimator runs the loop shared with :class:`LogisticRegression`
    (``glassml.linear_model._gd``) on the centred columns ``X_c`` and reports
    ``intercept_ = b - x̄·w``; on centred data the two give the same iterates (tested to
    1e-12). It also stops at ``tol`` and raises ``RuntimeError`` on a non-finite loss.

    Why centre: with raw features whose mean is far from 0 (say 100) the bias and the weights
    are strongly coupled, the step must be ~1/mean² to avoid divergence and descent crawls.
    Centred, the Hessian of the MSE is block-diagonal, ``2 · blockdiag(X_cᵀX_c / n, 1)``.

    *The step size (a lesson).* Gradient descent on a quadratic converges iff
    ``lr < 2 / L`` with ``L`` the largest Hessian eigenvalue, here
    ``L = 2 · max(λ_max(X_cᵀX_c / n), 1)`` -- the ``1`` is the intercept, whose error is
    multiplied by ``1 - 2·lr`` at every step. So ``lr`` must stay below
    ``1 / max(λ_max, 1)``: with ``learning_rate=1.0`` the intercept's factor is exactly -1 and
    it oscillates around ``ȳ`` forever, the boundary case. ``"auto"`` takes ``lr = 1 / L``,
    which decreases the MSE at every step. Each direction of ``w`` then shrinks its error by
    ``1 - λ / λ_max`` per step, so about ``κ · ln(error / tol)`` steps are needed, ``κ`` the
    condition number of ``X_cᵀX_c``: 470 on standardised ``load_diabetes``, about 6,300 steps
    for ``tol=1e-6`` -- why ``max_iter`` defaults to 10,000. Badly conditioned features need
    many more: that is what the normal equation avoids.

    Examples
    --------
    >>> import numpy as np
    >>> from glassml.linear_model import LinearRegression
    >>> X = np.array([[0.0], [1.0], [2.0]])
    >>> reg = LinearRegression().fit(X, [1.0, 3.0, 5.0])
    >>> float(reg.coef_[0]), float(reg.intercept_)
    (2.0, 1.0)
    """

    def __init__(
        self,
        solver: str = "normal",
        learning_rate: float | str = "auto",
        max_iter: int = 10_000,
        tol: float = 1e-6,
    ) -> None:
        self.solver = solver
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _check_params(self) -> None:
        check_option(self.solver, "solver", ("normal", "gd"))
        check_learning_rate(self.learning_rate)
        check_positive(self.max_iter, "max_iter", integer=True)
        check_scalar_number(self.tol, "tol", low=0)

    def fit(self, X: Any, y: Any) -> LinearRegression:
        """Fit the weights to ``X`` and ``y``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training inputs; finite numbers.
        y : array-like of shape (n_samples,) or (n_samples, n_targets)
            Targets; finite numbers.

        Returns
        -------
        self : LinearRegression
            The fitted estimator.
        """
        self._check_params()
        # NOTE: check_regression_data is stateless and everything below writes to locals; attributes (and
        # n_features_in_, via validate_data) are set only once fitting has succeeded, so a
        # failed refit never leaves a half-updated model behind.
        X_in = X
        X, Y, dtype, one_target = check_regression_data(self, X, y)
        history: list[float] = []
        lr = None
        if self.solver == "normal":
            W, b = least_squares(X, Y)
            n_iter = 1  # the closed form is one step
        else:
            W, b, n_iter, history, lr = gradient_descent(
                X,
                Y.shape[1],
                _squared_error(Y),
                curvature=2.0,  # the MSE's second derivative in each score
                learning_rate=self.learning_rate,
                max_iter=self.max_iter,
                tol=self.tol,
                hint="raise max_iter, or standardise the features (see Notes: the step size).",
            )
        validate_data(self, X_in, skip_check_array=True)  # records n_features_in_
        store_coef(self, W, b, dtype, one_target)
        self.n_iter_ = n_iter
        self.loss_history_ = history
        self.learning_rate_ = lr
        return self


def _squared_error(Y: np.ndarray) -> LossAndGrad:
    """``Z -> (MSE, ∂MSE/∂Z)`` for targets ``Y`` of shape (n_samples, n_targets)."""
    n_samples = Y.shape[0]

    def mse(Z: np.ndarray) -> tuple[float, np.ndarray]:
        R = Z - Y  # residuals, (n_samples, n_targets)
        return float(np.mean(R**2)), (2.0 / n_samples) * R

    return mse
