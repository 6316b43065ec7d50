"""Logistic regression by gradient descent or Newton: sigmoid for two classes, softmax for more.

Read :func:`glassml.linear_model.textbook.gradient_descent_logistic` first: the seed's loop.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, check_X_y, validate_data

from glassml._validation import check_option, check_positive, check_scalar_number
from glassml.linear_model._gd import LossAndGrad, check_learning_rate, gradient_descent
from glassml.linear_model._newton import newton
from glassml.nn.activations import log_softmax, sigmoid, softmax

__all__ = ["LogisticRegression"]


class LogisticRegression(ClassifierMixin, BaseEstimator):
    """Logistic regression, unpenalised or with scikit-learn's L2 penalty ``C``.

    Two classes use the seed's sigmoid model; three or more use its multinomial (softmax)
    generalisation. Labels may be of any type (ints, strings, …); they are kept in
    ``classes_``. Trained by the seed's full-batch gradient descent, or by Newton's method.

    Parameters
    ----------
    C : float, default=np.inf
        Inverse penalty strength, ``> 0``; ``np.inf`` (the default) is no penalty. The
        objective is scikit-learn's: ``½‖W‖² + C Σᵢ loss_i``, i.e. the mean cross-entropy plus
        ``‖W‖² / (2 C n)``; the intercepts are never penalised. *Why not scikit-learn's
        ``C=1.0``:* this estimator is the seed's model, and the lessons, the textbook loop and
        the tests compare it with the unpenalised optimum; a penalty on by default would change
        every coefficient silently, by an amount that depends on ``n`` and on the scale of the
        features. Ask for it by name (``C=1.0`` reproduces scikit-learn's default).
    solver : {"gd", "newton"}, default="gd"
        ``"gd"``: the seed's gradient descent (the textbook loop; first-order, slow to reach a
        tight ``tol``). ``"newton"``: Newton's method with the exact Hessian and a halving line
        search -- about ten steps to ``tol=1e-10``; use it to match scikit-learn's
        ``solver="newton-cholesky"``. See :mod:`glassml.linear_model._newton`.
    learning_rate : float or "auto", default="auto"
        Step size ``lr`` of gradient descent. ``"auto"`` is ``1 / L``, ``L`` a bound on the
        curvature of the cross-entropy (see Notes); a number must be > 0. Ignored by
        ``"newton"``.
    max_iter : int, default=1000
        Maximum number of gradient-descent (or Newton) steps. Must be >= 1.
    tol : float, default=1e-6
        Stop once the largest absolute entry of the gradient (weights and intercepts) is
        ``<= tol``. Must be >= 0; ``0`` always runs ``max_iter`` steps.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The sorted distinct labels seen in ``fit``.
    coef_ : ndarray of shape (1, n_features) for two classes, else (n_classes, n_features)
        Weights (scikit-learn's layout). float32 when ``X`` is float32 (descent runs in
        float64, then rounded), else float64; scores and probabilities follow.
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Biases, same dtype as ``coef_``.
    learning_rate_ : float
        The step size used (``1 / L`` for ``"auto"``); ``nan`` for ``solver="newton"``.
    n_iter_ : int
        Gradient-descent (or Newton) steps taken.
    loss_history_ : list of float
        The objective (mean cross-entropy, plus ``‖W‖² / (2 C n)``) at each iterate: at the start
        and after each step, so ``n_iter_ + 1`` values.
    n_features_in_ : int
        Number of features seen during ``fit``.

    Notes
    -----
    **Two classes** (``y ∈ {0, 1}``, 1 = ``classes_[1]``)::

        p = σ(X w + b)                      # P(y = 1 | x)
        L = -(1/n) Σ [y log p + (1 - y) log(1 - p)]
        ∂L/∂w = Xᵀ (p - y) / n,   ∂L/∂b = mean(p - y)

    The sigmoid's derivative ``p(1 - p)`` cancels the log-loss's ``1 / (p(1 - p))``, which is
    why the gradient is so simple. The loss is evaluated as ``mean(log(1 + e^z) - y z)``
    (``np.logaddexp``), never as ``log(σ(z))``, so it stays finite for ``|z|`` in the
    thousands.

    **K ≥ 3 classes** (``Y`` one-hot of shape (n, K))::

        P = softmax(X W + b)                # row-wise, shifted by the row maximum
        L = -(1/n) Σ log P[i, yᵢ]
        ∂L/∂W = Xᵀ (P - Y) / n,   ∂L/∂b = mean(P - Y, axis=0)

    **What the estimator does differently from the textbook.** The textbook loop is
    :func:`glassml.linear_model.textbook.gradient_descent_logistic` (two classes, the seed's
    ``p = σ(X w + b)``, ``w -= lr · Xᵀ(p - y) / n``, ``b -= lr · mean(p - y)``). The estimator
    runs the gradient-descent loop it shares with ``LinearRegression(solver="gd")``
    (``glassml.linear_model._gd``) with the gradient above; it centres the columns first
    (``X_c = X - x̄``, reporting ``intercept_ = b - x̄·w``: the same model, and on centred data
    the same iterates, tested to 1e-12), stops at ``tol``, and raises ``RuntimeError`` when the
    loss or its gradient stops being finite (overflowing features), never returning NaN
    weights. ``σ`` and ``softmax`` are :mod:`glassml.nn.activations`'.

    **The step size (a lesson).** The Hessian of the log-loss is ``Xᵀ diag(p(1 - p)) X / n``
    and ``p(1 - p) <= 1/4``; for softmax the per-sample Hessian ``diag(p) - p pᵀ`` has no
    eigenvalue above 1/2 (Böhning's bound). With centred columns the intercept block
    separates, so the curvature is at most ``L = c · max(λ_max(X_cᵀX_c / n), 1)``, ``c = 1/4``
    (two classes) or ``1/2`` (more); the ``1`` is the intercept's curvature. For
    ``lr < 2 / L`` every step lowers the loss; ``"auto"`` takes ``lr = 1 / L``: no tuning, and
    large where the data is flat.

    **The penalty.** With ``λ = 1 / (C n)`` the objective is ``L + ½ λ ‖W‖²``: the gradient
    gains ``λ W`` and the curvature bound ``λ`` (so ``"auto"`` takes ``1 / (L + λ)``). The
    penalty makes the problem strongly convex: the optimum is finite even on separable data.
    scikit-learn 1.9 minimises ``C Σ loss + ½‖W‖²`` (``_logistic.py`` divides by ``C ·
    Σ sample_weight``): the same minimiser.

    Without a penalty the multinomial weights are defined only up to adding the same vector
    to every class (softmax ignores it); starting from zero, gradient descent keeps
    ``Σ_k W[:, k] = 0``. Probabilities and predictions are unaffected. On linearly separable
    data the unpenalised optimum is at infinity: the weights keep growing until ``max_iter``.

    Examples
    --------
    >>> import numpy as np
    >>> from glassml.linear_model import LogisticRegression
    >>> X = np.array([[-2.0], [-1.0], [0.5], [1.0], [2.0]])
    >>> model = LogisticRegression(learning_rate=1.0).fit(X, ["no", "yes", "no", "yes", "yes"])
    >>> model.predict([[3.0]]).tolist(), model.classes_.tolist()
    (['yes'], ['no', 'yes'])
    """

    def __init__(
        self,
        C: float = np.inf,
        solver: str = "gd",
        learning_rate: float | str = "auto",
        max_iter: int = 1000,
        tol: float = 1e-6,
    ) -> None:
        self.C = C
        self.solver = solver
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol

    def _check_params(self) -> float:
        """Validate the hyperparameters; return ``1 / C`` (0 for ``C = inf``)."""
        check_option(self.solver, "solver", ("gd", "newton"))
        check_learning_rate(self.learning_rate)
        check_positive(self.max_iter, "max_iter", integer=True)
        check_scalar_number(self.tol, "tol", low=0)
        if isinstance(self.C, numbers.Real) and not isinstance(self.C, bool | np.bool_):
            if float(self.C) == math.inf:
                return 0.0
        return 1.0 / check_positive(self.C, "C")

    def fit(self, X: Any, y: Any) -> LogisticRegression:
        """Fit the weights by gradient descent on the cross-entropy.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training inputs; finite numbers.
        y : array-like of shape (n_samples,)
            Class labels (at least two distinct values; continuous targets are rejected).

        Returns
        -------
        self : LogisticRegression
            The fitted estimator.
        """
        inverse_C = self._check_params()
        # NOTE: check_X_y is stateless and the fit below writes to locals; attributes (and
        # n_features_in_) are set only at the end, so a failed refit changes nothing.
        X_in = X
        X, y = check_X_y(X, y, dtype=[np.float64, np.float32], estimator=self)
        check_classification_targets(y)
        classes, y_idx = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(
                f"LogisticRegression needs samples of at least 2 classes in y, got only one "
                f"class: {classes[0]!r}."
            )
        dtype = X.dtype  # float32 in, float32 out (as scikit-learn); descent runs in float64
        n_outputs = 1 if len(classes) == 2 else len(classes)
        loss_and_grad = _cross_entropy(y_idx, len(classes))
        l2 = inverse_C / len(y_idx)  # ½‖W‖² / (C n) added to the mean loss
        X = X.astype(np.float64, copy=False)
        if self.solver == "newton":
            result = newton(
                X, n_outputs, loss_and_grad, l2=l2, max_iter=self.max_iter, tol=self.tol
            )
        else:
            result = gradient_descent(
                X,
                n_outputs,
                loss_and_grad,
                curvature=0.25 if n_outputs == 1 else 0.5,
                learning_rate=self.learning_rate,
                max_iter=self.max_iter,
                tol=self.tol,
                hint="raise max_iter or learning_rate (or the data is separable).",
                l2=l2,
            )
        validate_data(self, X_in, skip_check_array=True)  # records n_features_in_
        self.classes_ = classes
        self.coef_ = result.W.T.astype(dtype)  # (n_outputs, n_features)
        self.intercept_ = result.b.astype(dtype)
        self.n_iter_ = result.n_iter
        self.loss_history_ = result.history
        self.learning_rate_ = result.learning_rate
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        """The linear scores ``X Wᵀ + b``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,) for two classes, else (n_samples, n_classes)
            For two classes, the log-odds of ``classes_[1]``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float64, np.float32], reset=False)
        Z = X @ self.coef_.T + self.intercept_
        return Z[:, 0] if Z.shape[1] == 1 else Z

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, columns in the order of ``classes_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Rows sum to 1.
        """
        Z = self.decision_function(X)
        if Z.ndim == 1:
            # NOTE: 1 - σ(z) loses all digits when σ(z) ≈ 1; σ(-z) is the same number, exactly.
            return np.column_stack([sigmoid(-Z), sigmoid(Z)])
        return softmax(Z, axis=1)

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Logarithm of :meth:`predict_proba`, computed without taking ``log`` of 0.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        Z = self.decision_function(X)
        if Z.ndim == 1:
            return -np.logaddexp(0.0, -np.column_stack([-Z, Z]))  # log σ(z) = -log(1 + e⁻ᶻ)
        return log_softmax(Z)

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        Z = self.decision_function(X)
        idx = (Z > 0).astype(np.intp) if Z.ndim == 1 else Z.argmax(axis=1)
        return self.classes_[idx]


def _cross_entropy(y_idx: np.ndarray, n_classes: int) -> LossAndGrad:
    """``Z -> (mean cross-entropy, ∂L/∂Z)`` for labels ``y_idx`` in ``0 .. n_classes - 1``.

    Two classes: one score column, ``p = σ(z)``; more: one column per class, ``P = softmax(Z)``.
    In both cases ``∂L/∂Z = (P - Y) / n`` with ``Y`` the 0/1 (one-hot) targets.
    """
    n_samples = len(y_idx)
    if n_classes == 2:
        Y = y_idx.reshape(-1, 1).astype(np.float64)  # (n_samples, 1): y ∈ {0, 1}

        def binary(Z: np.ndarray) -> tuple[float, np.ndarray]:
            # NOTE: log(1 + e^z) - y z is the log-loss without log(σ(z)), finite for |z| ~ 1e3.
            loss = float(np.mean(np.logaddexp(0.0, Z) - Y * Z))
            return loss, (sigmoid(Z) - Y) / n_samples

        return binary
    Y = np.zeros((n_samples, n_classes))
    Y[np.arange(n_samples), y_idx] = 1.0  # one-hot, (n_samples, n_classes)

    def multinomial(Z: np.ndarray) -> tuple[float, np.ndarray]:
        log_P = log_softmax(Z)  # (n_samples, n_classes)
        loss = float(-np.mean(log_P[np.arange(n_samples), y_idx]))
        return loss, (np.exp(log_P) - Y) / n_samples

    return multinomial
